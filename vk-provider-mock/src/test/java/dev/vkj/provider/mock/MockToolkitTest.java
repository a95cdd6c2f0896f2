package dev.vkj.provider.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vkj.spi.AttachIO;
import dev.vkj.spi.ErrorCode;
import dev.vkj.spi.LogOptions;
import dev.vkj.spi.ProviderException;
import dev.vkj.testing.PodFixtures;
import dev.vkj.testing.ProviderConformanceTest.TestAttachIO;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSourceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Where the mock uses the provider toolkit: resources, QoS, logs; and secret provenance. */
class MockToolkitTest {
  private static final String SECRET = "s3cr3t-Zq9-value";

  private MockHarness mock;

  @AfterEach
  void tearDown() {
    if (mock != null) {
      mock.close();
    }
  }

  private static void resources(
      Container c, Map<String, String> requests, Map<String, String> limits) {
    ResourceRequirementsBuilder b = new ResourceRequirementsBuilder();
    requests.forEach((k, v) -> b.addToRequests(k, new Quantity(v)));
    limits.forEach((k, v) -> b.addToLimits(k, new Quantity(v)));
    c.setResources(b.build());
  }

  @Test
  void qosClassFollowsKubernetesForAnExplicitZeroRequest() throws Exception {
    mock = MockHarness.withDefaults();
    Pod pod = PodFixtures.pod("zero").container("app", "busybox").build();
    // requests 0 with limits: not Guaranteed (the mock's own rule said it was)
    resources(
        pod.getSpec().getContainers().get(0),
        Map.of("cpu", "0", "memory", "0"),
        Map.of("cpu", "1", "memory", "1Gi"));
    mock.provider.createPod(pod);
    assertThat(mock.status(pod).getQosClass()).isEqualTo("Burstable");
  }

  @Test
  void admissionCountsSidecarsAndOverhead() throws Exception {
    mock = MockHarness.with("cpu", "1500m");
    Pod pod =
        PodFixtures.pod("meshed")
            .initContainer("proxy", "envoy")
            .container("app", "busybox")
            .build();
    Container proxy = pod.getSpec().getInitContainers().get(0);
    proxy.setRestartPolicy("Always");
    resources(proxy, Map.of("cpu", "1"), Map.of());
    resources(pod.getSpec().getContainers().get(0), Map.of("cpu", "1"), Map.of());
    // the sidecar runs next to the app: 2 cpu, more than the node's 1.5
    assertThatThrownBy(() -> mock.provider.createPod(pod))
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining("Node didn't have enough resource: cpu, requested: 2000");

    Pod small = PodFixtures.pod("small").container("app", "busybox").build();
    resources(small.getSpec().getContainers().get(0), Map.of("cpu", "1"), Map.of());
    small.getSpec().setOverhead(Map.of("cpu", new Quantity("600m")));
    assertThatThrownBy(() -> mock.provider.createPod(small))
        .hasMessageContaining("requested: 1600");
  }

  @Test
  void aBadQuantityIsInvalidInputNamingTheContainer() throws Exception {
    mock = MockHarness.withDefaults();
    Pod pod = PodFixtures.pod("bad").container("app", "busybox").build();
    resources(pod.getSpec().getContainers().get(0), Map.of(), Map.of("memory", "1Gi"));
    pod.getSpec()
        .getContainers()
        .get(0)
        .getResources()
        .getLimits()
        .put("memory", new Quantity("lots"));
    assertThatThrownBy(() -> mock.provider.createPod(pod))
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining("container \"app\"")
        .hasMessageContaining("memory is not a valid quantity: 'lots'")
        .extracting(e -> ((ProviderException) e).code())
        .isEqualTo(ErrorCode.INVALID_INPUT);
  }

  @Test
  void aLongLogIsReadInPagesWithoutLosingLines() throws Exception {
    mock = MockHarness.withDefaults();
    mock.provider.createPod(PodFixtures.pod("web-1").container("app", "busybox").build());
    mock.advance(2 + 2 * MockLogSource.PAGE_LINES + 499L); // 2,500 lines due
    List<String> all = read(LogOptions.defaults()).lines().toList();
    assertThat(all).hasSize(2500);
    assertThat(all.get(0)).isEqualTo("line 1 from default/web-1/app");
    assertThat(all.get(2499)).isEqualTo("line 2500 from default/web-1/app");
    assertThat(
            read(
                new LogOptions(
                    OptionalInt.of(2),
                    OptionalLong.empty(),
                    false,
                    false,
                    false,
                    Optional.empty())))
        .isEqualTo("line 2499 from default/web-1/app\nline 2500 from default/web-1/app\n");
  }

  @Test
  void secretValuesReachTheContainerButNoLogLine() throws Exception {
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      mock = MockHarness.withDefaults();
      Pod pod = PodFixtures.pod("web-1").container("app", "busybox").build();
      Container app = pod.getSpec().getContainers().get(0);
      app.setEnv(
          List.of(
              new EnvVar(
                  "PASSWORD",
                  SECRET,
                  new EnvVarSourceBuilder()
                      .withSecretKeyRef(new SecretKeySelector("password", "db", false))
                      .build()),
              new EnvVar("MODE", "demo", null)));
      mock.provider.createPod(pod);
      mock.advance(3);

      // the container sees the value (provenance does not hide it from the workload)
      TestAttachIO io = new TestAttachIO(new byte[0], false);
      assertThat(exec(io, "printenv", "PASSWORD")).isZero();
      assertThat(io.stdoutText()).isEqualTo(SECRET + "\n");

      // failures that quote the pod: a bad annotation on update, a bad create
      Pod broken =
          PodFixtures.pod("web-2")
              .container("app", "busybox")
              .annotation("mock.vkj.dev/nope", "x")
              .build();
      broken.getSpec().getContainers().get(0).setEnv(app.getEnv());
      assertThatThrownBy(() -> mock.provider.createPod(broken))
          .isInstanceOf(ProviderException.class);
      assertThatThrownBy(() -> mock.provider.updatePod(broken))
          .isInstanceOf(ProviderException.class);
      read(LogOptions.defaults());
      mock.provider.deletePod(pod);
      mock.advance(40);
    } finally {
      System.setErr(err);
    }
    String logged = captured.toString(StandardCharsets.UTF_8);
    assertThat(logged).doesNotContain(SECRET);
  }

  private int exec(AttachIO io, String... command) throws ProviderException {
    return mock.provider.exec("default", "web-1", "app", List.of(command), io);
  }

  private String read(LogOptions options) throws Exception {
    try (InputStream in = mock.provider.containerLogs("default", "web-1", "app", options)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
