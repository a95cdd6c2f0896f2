package dev.vkj.e2e;

import static dev.vkj.e2e.E2eCluster.NODE;
import static dev.vkj.e2e.E2eCluster.await;
import static dev.vkj.e2e.E2eCluster.awaitValue;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vkj.provider.azure.FakeArm;
import dev.vkj.provider.azure.FakeManagedIdentity;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The ACI hands-on end to end, whatever installed the runner: the runner with the azure provider,
 * loaded from the provider folder as users install it, joins the real control plane and runs the
 * hands-on Deployment as a container group in a local ARM that speaks the recorded wire format. The
 * runner trusts the fake's certificate and takes its token from a managed-identity endpoint, so it
 * goes through the same credential chain and HTTPS client it uses in Azure.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class AzureHandsOn {
  static final String SUBSCRIPTION = "00000000-0000-0000-0000-00000000e2e0";
  private static final String CONTAINER = "aci-helloworld";

  final String ns = "vkj-aci-" + Long.toString(System.currentTimeMillis(), 36);
  FakeArm arm;
  FakeManagedIdentity identity;
  E2eCluster cluster;
  Path work;

  /**
   * The cluster with the runner installed in namespace {@link #ns} (which the install creates), not
   * yet started; {@code trustArm} are the JVM options that trust the fake's certificate.
   */
  abstract E2eCluster install(List<String> trustArm, Path providers) throws Exception;

  /** Removes what the install left outside the namespace. */
  void uninstall() {}

  @BeforeAll
  void start() throws Exception {
    arm = FakeArm.withArmLimits(Clock.systemUTC());
    identity = new FakeManagedIdentity(arm.token(), Clock.systemUTC());
    work =
        Files.createDirectories(
            Path.of(
                System.getProperty("vkj.e2e.logs", "target/e2e-logs"), getClass().getSimpleName()));
    List<String> trust = arm.writeTrustStore(work.resolve("arm-ca.p12"));
    Path providers =
        Path.of(System.getProperty("vkj.providers.dir", "../vk-dist/target/vkj/providers"));
    assertThat(providers.resolve("azure"))
        .as("azure provider folder (./mvnw package)")
        .isDirectory();
    cluster = install(trust, providers.toAbsolutePath());
    cluster.startRunner();
  }

  @AfterAll
  void stop() throws Exception {
    try {
      if (cluster != null) {
        cluster.deleteNamespaceAndClose(ns);
      }
    } finally {
      uninstall();
      if (identity != null) {
        identity.close();
      }
      if (arm != null) {
        arm.close();
      }
    }
  }

  @Test
  @Order(1)
  void nodeIsReadyWithTheCapacityOfItsConfigAndTheAzureTaint() {
    var node = cluster.client.nodes().withName(NODE).get();
    assertThat(node.getStatus().getCapacity().get("cpu").toString()).isEqualTo("20");
    assertThat(node.getStatus().getCapacity().get("memory").toString()).isEqualTo("100Gi");
    assertThat(node.getStatus().getCapacity().get("pods").toString()).isEqualTo("50");
    assertThat(node.getSpec().getTaints())
        .anySatisfy(
            t -> {
              assertThat(t.getKey()).isEqualTo("virtual-kubelet.io/provider");
              assertThat(t.getValue()).isEqualTo("azure");
            });
    // the runner authenticated through the managed-identity endpoint, with its secret header
    assertThat(identity.tokensIssued()).isPositive();
    assertThat(identity.refused()).isZero();
  }

  @Test
  @Order(2)
  void handsOnDeploymentRunsAsAContainerGroupWithAPublicIp() {
    Pod pod = cluster.applyHandsOn(ns, Duration.ofSeconds(120));

    String group = groupOf(pod);
    Map<String, Object> shown = arm.show(group);
    assertThat(string(shown, "location")).isEqualTo("japaneast");
    assertThat(string(shown, "id"))
        .startsWith("/subscriptions/" + SUBSCRIPTION + "/resourceGroups/aci-group/");
    Map<String, Object> container = map(list(map(shown, "properties"), "containers").get(0));
    assertThat(container.get("name")).isEqualTo(CONTAINER);
    Map<String, Object> props = map(container, "properties");
    assertThat(props.get("image")).isEqualTo("microsoft/aci-helloworld");
    assertThat(list(props, "ports"))
        .anySatisfy(p -> assertThat(((Number) map(p).get("port")).intValue()).isEqualTo(80));
    Map<String, Object> ip = map(map(shown, "properties"), "ipAddress");
    assertThat(ip.get("type")).isEqualTo("Public");
    assertThat(pod.getStatus().getPodIP()).isEqualTo(ip.get("ip"));

    String wide = cluster.kubectl.run("get", "pods", "-n", ns, "-o", "wide", "--no-headers");
    assertThat(wide)
        .contains("aci-helloworld-")
        .contains("1/1")
        .contains("Running")
        .contains(NODE)
        .contains((String) ip.get("ip"));
  }

  @Test
  @Order(3)
  void logsShowWhatTheContainerGroupLogged() {
    Pod pod = cluster.apiPods(ns).get(0);
    arm.log(groupOf(pod), CONTAINER, "listening on port 80");
    String name = pod.getMetadata().getName();
    String logs =
        awaitValue(
            Duration.ofSeconds(60),
            "the fake's log line in kubectl logs",
            () -> {
              String out = cluster.kubectl.run("logs", "-n", ns, name);
              return out.contains("listening on port 80") ? out : null;
            });
    assertThat(logs).isEqualTo("listening on port 80\n");
  }

  @Test
  @Order(4)
  void execReachesTheContainerGroupsWebSocket() {
    String name = cluster.apiPods(ns).get(0).getMetadata().getName();
    String out = cluster.kubectl.run("exec", "-n", ns, name, "--", "echo", "hello", "from", "aci");
    assertThat(out.strip()).isEqualTo("hello from aci");
    assertThat(arm.execCommands()).contains("echo hello from aci");
  }

  @Test
  @Order(5)
  void deletingTheDeploymentRemovesTheContainerGroup() {
    Pod pod = cluster.apiPods(ns).get(0);
    String group = groupOf(pod);
    cluster.kubectl.run(
        "delete", "-n", ns, "-f", E2eCluster.handsOnYaml().toString(), "--wait=false");
    await(Duration.ofSeconds(120), "pods gone from the API", () -> cluster.apiPods(ns).isEmpty());
    await(Duration.ofSeconds(60), "container group gone", () -> arm.show(group) == null);
    assertThat(arm.count("DELETE", "group")).isPositive();
    assertThat(arm.throttled()).as("answers 429").isZero();
  }

  @Test
  @Order(6)
  void noCredentialReachesTheRunnersLog() {
    String log = cluster.runnerLog();
    assertThat(log).isNotBlank();
    assertThat(log).doesNotContain(arm.token()).doesNotContain(identity.secretHeader());
  }

  /** The container group that runs the pod, found by the tags that map it back. */
  private String groupOf(Pod pod) {
    return awaitValue(
        Duration.ofSeconds(30),
        "a container group tagged with pod " + pod.getMetadata().getName(),
        () ->
            arm.groupNames().stream()
                .filter(
                    g -> {
                      Map<String, Object> stored = arm.stored(g);
                      return stored != null
                          && stored.get("tags") instanceof Map<?, ?> tags
                          && pod.getMetadata().getUid().equals(tags.get("UID"))
                          && ns.equals(tags.get("Namespace"));
                    })
                .findFirst()
                .orElse(null));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return (Map<String, Object>) o;
  }

  private static Map<String, Object> map(Map<String, Object> parent, String key) {
    return map(parent.get(key));
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Map<String, Object> parent, String key) {
    return (List<Object>) parent.get(key);
  }

  private static String string(Map<String, Object> parent, String key) {
    return (String) parent.get(key);
  }
}
