package dev.vkj.core.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vkj.core.MockApiServer;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class NodeControllerIT {
  private static final String NODE = "vk-test";

  @RegisterExtension final MockApiServer api = new MockApiServer();
  KubernetesClient client;

  @BeforeEach
  void connect() {
    client = api.client();
  }

  private final StubNodeProvider provider = new StubNodeProvider();
  private final RecordingEvents events = new RecordingEvents();
  private NodeController controller;

  @AfterEach
  void stop() {
    if (controller != null) {
      controller.close();
    }
  }

  private NodeController start(Optional<Taint> taint) {
    NodeControllerConfig config =
        NodeControllerConfig.defaults(NODE, "10.1.2.3", 10250, taint)
            .withExtraLabels(Map.of("team", "burst"))
            .withIntervals(
                Duration.ofMillis(200),
                Duration.ofMillis(100),
                Duration.ofSeconds(60),
                Duration.ofMillis(200));
    controller = new NodeController(client, provider, events, config);
    controller.start();
    controller.setPodControllerRunning(true);
    return controller;
  }

  private static Taint providerTaint() {
    return new TaintBuilder()
        .withKey("virtual-kubelet.io/provider")
        .withValue("stub")
        .withEffect("NoSchedule")
        .build();
  }

  @Test
  void registersNodeLikeKubelet() {
    start(Optional.of(providerTaint()));
    eventually(() -> readyStatus().equals("True"));

    Node node = client.nodes().withName(NODE).get();
    assertThat(node.getMetadata().getLabels())
        .containsEntry("type", "virtual-kubelet")
        .containsEntry("kubernetes.io/role", "agent")
        .containsEntry("kubernetes.io/os", "linux")
        .containsEntry("beta.kubernetes.io/os", "linux")
        .containsEntry("kubernetes.io/arch", "amd64")
        .containsEntry("kubernetes.io/hostname", NODE)
        .containsEntry("example.com/backend", "stub")
        .containsEntry("team", "burst");
    assertThat(node.getSpec().getTaints()).containsExactly(providerTaint());
    assertThat(node.getStatus().getCapacity()).containsKeys("cpu", "memory", "pods");
    assertThat(node.getStatus().getAllocatable().get("pods").toString()).isEqualTo("110");
    assertThat(node.getStatus().getAddresses())
        .extracting(a -> a.getType() + "=" + a.getAddress())
        .contains("InternalIP=10.1.2.3", "Hostname=" + NODE);
    assertThat(node.getStatus().getDaemonEndpoints().getKubeletEndpoint().getPort())
        .isEqualTo(10250);
    assertThat(node.getStatus().getNodeInfo().getContainerRuntimeVersion()).isEqualTo("stub://1.0");
    assertThat(node.getStatus().getConditions())
        .extracting(NodeCondition::getType)
        .containsExactly("MemoryPressure", "DiskPressure", "PIDPressure", "Ready");
    NodeCondition ready = condition(node, "Ready");
    assertThat(ready.getReason()).isEqualTo("KubeletReady");
    assertThat(events.nodeReasons).contains("Starting", "NodeReady", "NodeHasSufficientMemory");
  }

  @Test
  void noTaintWhenDisabled() {
    start(Optional.empty());
    eventually(() -> readyStatus().equals("True"));
    Node node = client.nodes().withName(NODE).get();
    assertThat(node.getSpec().getTaints()).isNullOrEmpty();
  }

  @Test
  void leaseIsOwnedByNodeAndRenewed() {
    start(Optional.of(providerTaint()));
    eventually(() -> lease() != null);
    Lease first = lease();
    Node node = client.nodes().withName(NODE).get();
    assertThat(first.getSpec().getHolderIdentity()).isEqualTo(NODE);
    assertThat(first.getSpec().getLeaseDurationSeconds()).isEqualTo(40);
    assertThat(first.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            owner -> {
              assertThat(owner.getKind()).isEqualTo("Node");
              assertThat(owner.getName()).isEqualTo(NODE);
              assertThat(owner.getUid()).isEqualTo(node.getMetadata().getUid());
            });
    ZonedDateTime firstRenew = first.getSpec().getRenewTime();
    eventually(() -> lease().getSpec().getRenewTime().isAfter(firstRenew));
  }

  @Test
  void failingHealthCheckMakesNodeNotReadyUntilItRecovers() {
    start(Optional.of(providerTaint()));
    eventually(() -> readyStatus().equals("True"));

    provider.pingError = "backend unreachable";
    eventually(() -> readyStatus().equals("False"));
    NodeCondition ready = condition(client.nodes().withName(NODE).get(), "Ready");
    assertThat(ready.getReason()).isEqualTo("KubeletNotReady");
    assertThat(ready.getMessage()).contains("backend unreachable");
    assertThat(events.nodeReasons).contains("NodeNotReady");

    provider.pingError = null;
    eventually(() -> readyStatus().equals("True"));
  }

  @Test
  void theRecoveryActionRunsOnceEachTimeTheHealthCheckSucceedsAgain() {
    java.util.concurrent.atomic.AtomicInteger recoveries =
        new java.util.concurrent.atomic.AtomicInteger();
    start(Optional.empty()).onProviderRecovered(recoveries::incrementAndGet);
    eventually(() -> readyStatus().equals("True"));
    assertThat(recoveries).hasValue(0);

    provider.pingError = "backend unreachable";
    eventually(() -> readyStatus().equals("False"));
    assertThat(recoveries).hasValue(0);
    provider.pingError = null;
    eventually(() -> recoveries.get() == 1);
    eventually(() -> readyStatus().equals("True"));
    provider.pingError = "down again";
    eventually(() -> readyStatus().equals("False"));
    provider.pingError = null;
    eventually(() -> recoveries.get() == 2);
  }

  @Test
  void deletedNodeIsRegisteredAgain() {
    start(Optional.of(providerTaint()));
    eventually(() -> readyStatus().equals("True"));
    String firstUid = client.nodes().withName(NODE).get().getMetadata().getUid();

    client.nodes().withName(NODE).delete();

    eventually(
        () -> {
          Node node = client.nodes().withName(NODE).get();
          return node != null && !node.getMetadata().getUid().equals(firstUid);
        });
    eventually(() -> readyStatus().equals("True"));
  }

  @Test
  void keepsWhatOthersWroteOnAnExistingNode() {
    NodeCondition foreign =
        new NodeConditionBuilder()
            .withType("example.com/NetworkProblem")
            .withStatus("False")
            .withReason("Fine")
            .build();
    client
        .nodes()
        .resource(
            new NodeBuilder()
                .withNewMetadata()
                .withName(NODE)
                .withAnnotations(Map.of("owner", "ops"))
                .withLabels(Map.of("zone", "a"))
                .endMetadata()
                .withNewSpec()
                .addNewTaint()
                .withKey("dedicated")
                .withValue("burst")
                .withEffect("NoSchedule")
                .endTaint()
                .endSpec()
                .withNewStatus()
                .withConditions(foreign)
                .endStatus()
                .build())
        .create();

    start(Optional.of(providerTaint()));
    eventually(() -> readyStatus().equals("True"));

    Node node = client.nodes().withName(NODE).get();
    assertThat(node.getMetadata().getAnnotations()).containsEntry("owner", "ops");
    assertThat(node.getMetadata().getLabels())
        .containsEntry("zone", "a")
        .containsEntry("type", "virtual-kubelet");
    assertThat(node.getSpec().getTaints())
        .extracting(Taint::getKey)
        .containsExactlyInAnyOrder("dedicated", "virtual-kubelet.io/provider");
    assertThat(node.getStatus().getConditions())
        .extracting(NodeCondition::getType)
        .contains("example.com/NetworkProblem", "Ready");
  }

  private Lease lease() {
    return client.leases().inNamespace("kube-node-lease").withName(NODE).get();
  }

  private String readyStatus() {
    Node node = client.nodes().withName(NODE).get();
    if (node == null || node.getStatus() == null || node.getStatus().getConditions() == null) {
      return "";
    }
    NodeCondition ready = condition(node, "Ready");
    return ready == null ? "" : ready.getStatus();
  }

  private static NodeCondition condition(Node node, String type) {
    return node.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst()
        .orElse(null);
  }

  private static void eventually(BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted");
      }
    }
    assertThat(condition.getAsBoolean()).as("condition within 10s").isTrue();
  }
}
