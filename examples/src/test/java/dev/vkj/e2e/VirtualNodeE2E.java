package dev.vkj.e2e;

import static dev.vkj.e2e.E2eCluster.NODE;
import static dev.vkj.e2e.E2eCluster.await;
import static dev.vkj.e2e.E2eCluster.running;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The foundation end to end: the runner with the mock provider joins a real control plane as a
 * node, and users drive it with kubectl.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VirtualNodeE2E {
  private static final String NS = "vkj-e2e-" + Long.toString(System.currentTimeMillis(), 36);
  private static E2eCluster cluster;

  @BeforeAll
  static void start() {
    cluster = new E2eCluster("virtual-node");
    cluster.createNamespace(NS);
    cluster.startRunner();
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.deleteNamespaceAndClose(NS);
    }
  }

  @Test
  @Order(1)
  void nodeIsReadyWithTheLabelsTheHandsOnSelects() {
    String nodes = cluster.kubectl.run("get", "nodes", NODE, "--no-headers");
    assertThat(nodes).contains(NODE).contains("Ready").contains("agent");
    var labels = cluster.client.nodes().withName(NODE).get().getMetadata().getLabels();
    assertThat(labels)
        .containsEntry("type", "virtual-kubelet")
        .containsEntry("kubernetes.io/role", "agent")
        .containsEntry("beta.kubernetes.io/os", "linux")
        .containsEntry("kubernetes.io/os", "linux")
        .containsEntry("kubernetes.io/hostname", NODE);
    assertThat(cluster.client.nodes().withName(NODE).get().getSpec().getTaints())
        .anySatisfy(
            t -> {
              assertThat(t.getKey()).isEqualTo("virtual-kubelet.io/provider");
              assertThat(t.getValue()).isEqualTo("mock");
              assertThat(t.getEffect()).isEqualTo("NoSchedule");
            });
  }

  @Test
  @Order(2)
  void handsOnDeploymentRunsOnTheVirtualNode() {
    Pod pod = cluster.applyHandsOn(NS, Duration.ofSeconds(60));
    assertThat(pod.getSpec().getNodeName()).isEqualTo(NODE);
    assertThat(pod.getStatus().getHostIP()).isEqualTo("127.0.0.1");
    assertThat(pod.getStatus().getConditions())
        .anySatisfy(
            c -> {
              assertThat(c.getType()).isEqualTo("Ready");
              assertThat(c.getStatus()).isEqualTo("True");
            });

    String wide = cluster.kubectl.run("get", "pods", "-n", NS, "-o", "wide", "--no-headers");
    assertThat(wide)
        .contains("aci-helloworld-")
        .contains("1/1")
        .contains("Running")
        .contains(NODE)
        .contains(pod.getStatus().getPodIP());
  }

  @Test
  @Order(3)
  void scalesToThirtyReplicasAndBack() {
    cluster.kubectl.run("scale", "deployment/aci-helloworld", "-n", NS, "--replicas=30");
    await(
        Duration.ofSeconds(180),
        "30 Running replicas",
        () -> cluster.apiPods(NS).stream().filter(E2eCluster::running).count() == 30);
    List<Pod> inProvider = cluster.providerPods(NS);
    assertThat(inProvider).hasSize(30);
    assertThat(podIps(cluster.apiPods(NS))).hasSize(30);

    cluster.kubectl.run("scale", "deployment/aci-helloworld", "-n", NS, "--replicas=1");
    await(Duration.ofSeconds(180), "one replica left", () -> cluster.apiPods(NS).size() == 1);
    await(
        Duration.ofSeconds(60),
        "provider back to one pod",
        () -> cluster.providerPods(NS).size() == 1);
  }

  @Test
  @Order(4)
  void gracefulDeleteRemovesThePodEverywhere() {
    createPod(simplePod("graceful"));
    await(Duration.ofSeconds(60), "pod Running", () -> isRunning("graceful"));

    long started = System.nanoTime();
    // the default grace period is 30 s; the pod must go as soon as its containers stopped
    cluster.kubectl.run("delete", "pod", "graceful", "-n", NS, "--wait=true", "--timeout=60s");
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertThat(cluster.client.pods().inNamespace(NS).withName("graceful").get()).isNull();
    assertThat(took).isLessThan(Duration.ofSeconds(25));
    // the backend confirmed the containers stopped; it releases the pod itself shortly after
    await(
        Duration.ofSeconds(15),
        "provider released the pod",
        () ->
            cluster.providerPods(NS).stream()
                .noneMatch(p -> p.getMetadata().getName().equals("graceful")));
  }

  @Test
  @Order(5)
  void environmentFromConfigMapSecretAndDownwardApiReachesTheProvider() {
    cluster
        .client
        .configMaps()
        .inNamespace(NS)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("settings")
                .endMetadata()
                .withData(Map.of("greeting", "hello", "LEVEL", "debug"))
                .build())
        .create();
    cluster
        .client
        .secrets()
        .inNamespace(NS)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("credentials")
                .endMetadata()
                .withStringData(Map.of("password", "s3cr3t"))
                .build())
        .create();
    Pod pod =
        new PodBuilder(simplePod("env"))
            .editSpec()
            .editFirstContainer()
            .addNewEnv()
            .withName("GREETING")
            .withNewValueFrom()
            .withNewConfigMapKeyRef("greeting", "settings", false)
            .endValueFrom()
            .endEnv()
            .addNewEnv()
            .withName("PASSWORD")
            .withNewValueFrom()
            .withNewSecretKeyRef("password", "credentials", false)
            .endValueFrom()
            .endEnv()
            .addNewEnv()
            .withName("MY_NODE")
            .withNewValueFrom()
            .withNewFieldRef()
            .withFieldPath("spec.nodeName")
            .endFieldRef()
            .endValueFrom()
            .endEnv()
            .addNewEnv()
            .withName("MY_NAMESPACE")
            .withNewValueFrom()
            .withNewFieldRef()
            .withFieldPath("metadata.namespace")
            .endFieldRef()
            .endValueFrom()
            .endEnv()
            .addNewEnvFrom()
            .withNewConfigMapRef("settings", false)
            .withPrefix("CFG_")
            .endEnvFrom()
            .endContainer()
            .endSpec()
            .build();
    createPod(pod);
    await(Duration.ofSeconds(60), "pod Running", () -> isRunning("env"));

    // the backend's view: its environment as the container sees it (the kubelet API's
    // /runningpods/ shows no environment, so that secret values never leave the node)
    Map<String, String> env =
        cluster
            .kubectl
            .run("exec", "env", "-n", NS, "--", "env")
            .lines()
            .filter(l -> l.contains("="))
            .collect(
                Collectors.toMap(
                    l -> l.substring(0, l.indexOf('=')),
                    l -> l.substring(l.indexOf('=') + 1),
                    (a, b) -> b));
    assertThat(env)
        .containsEntry("GREETING", "hello")
        .containsEntry("PASSWORD", "s3cr3t")
        .containsEntry("MY_NODE", NODE)
        .containsEntry("MY_NAMESPACE", NS)
        .containsEntry("CFG_greeting", "hello")
        .containsEntry("CFG_LEVEL", "debug")
        .containsKey("KUBERNETES_SERVICE_HOST");
  }

  @Test
  @Order(6)
  void podTheBackendCannotRunFailsWithAnEvent() {
    Pod pod =
        new PodBuilder(simplePod("unrunnable"))
            .editMetadata()
            .addToAnnotations("mock.vkj.dev/unrunnable", "this pod needs a GPU the backend lacks")
            .endMetadata()
            .build();
    createPod(pod);
    await(Duration.ofSeconds(60), "pod Failed", () -> "Failed".equals(phase("unrunnable")));
    Pod failed = cluster.client.pods().inNamespace(NS).withName("unrunnable").get();
    assertThat(failed.getStatus().getReason()).isEqualTo("ProviderFailed");
    assertThat(failed.getStatus().getMessage()).contains("needs a GPU");
    await(
        Duration.ofSeconds(30),
        "ProviderFailed event",
        () ->
            cluster.client.v1().events().inNamespace(NS).list().getItems().stream()
                .anyMatch(
                    e ->
                        "unrunnable".equals(e.getInvolvedObject().getName())
                            && "ProviderFailed".equals(e.getReason())
                            && "Warning".equals(e.getType())));
    String described = cluster.kubectl.run("describe", "pod", "unrunnable", "-n", NS);
    assertThat(described).contains("ProviderFailed");
    // still Failed a while later: no retry loop brings it back
    E2eCluster.sleep(Duration.ofSeconds(3));
    assertThat(phase("unrunnable")).isEqualTo("Failed");
  }

  @Test
  @Order(7)
  void leaseIsRenewed() {
    Lease lease = cluster.client.leases().inNamespace("kube-node-lease").withName(NODE).get();
    assertThat(lease).isNotNull();
    assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(NODE);
    assertThat(lease.getMetadata().getOwnerReferences())
        .anySatisfy(o -> assertThat(o.getKind()).isEqualTo("Node"));
    ZonedDateTime first = lease.getSpec().getRenewTime();
    await(
        Duration.ofSeconds(25),
        "lease renewed",
        () ->
            cluster
                .client
                .leases()
                .inNamespace("kube-node-lease")
                .withName(NODE)
                .get()
                .getSpec()
                .getRenewTime()
                .isAfter(first));
  }

  @Test
  @Order(8)
  void deletedNodeIsRegisteredAgain() {
    String uid = cluster.client.nodes().withName(NODE).get().getMetadata().getUid();
    cluster.kubectl.run("delete", "node", NODE);
    await(
        Duration.ofSeconds(60),
        "node registered again",
        () -> {
          var node = cluster.client.nodes().withName(NODE).get();
          return node != null && !uid.equals(node.getMetadata().getUid()) && cluster.nodeReady();
        });
  }

  @Test
  @Order(9)
  void killedRunnerAdoptsItsPodsWithoutDuplicates() throws Exception {
    cluster.kubectl.run(
        "create", "deployment", "burst", "-n", NS, "--image=nginx", "--replicas=12");
    cluster.kubectl.run(
        "patch",
        "deployment",
        "burst",
        "-n",
        NS,
        "--type=merge",
        "-p",
        "{\"spec\":{\"template\":{\"spec\":{\"nodeSelector\":{\"type\":\"virtual-kubelet\"},"
            + "\"tolerations\":[{\"key\":\"virtual-kubelet.io/provider\",\"operator\":\"Exists\"}]}}}}");
    // kill while the provider is still creating: some pods are durable, others not yet created
    await(
        Duration.ofSeconds(60),
        "some burst pods in the state file",
        () -> burst(cluster.savedPods(NS)).size() >= 3);
    cluster.killRunner();
    // read after the kill: exactly what the dead runner had made durable
    Map<String, E2eCluster.SavedPod> durable = burst(cluster.savedPods(NS));

    cluster.startRunner();
    await(
        Duration.ofSeconds(120),
        "12 burst pods Running",
        () -> cluster.apiPods(NS).stream().filter(p -> isBurst(p) && running(p)).count() == 12);

    List<Pod> api = cluster.apiPods(NS).stream().filter(VirtualNodeE2E::isBurst).toList();
    List<Pod> backend = cluster.providerPods(NS).stream().filter(VirtualNodeE2E::isBurst).toList();
    assertThat(backend).hasSize(12);
    assertThat(uids(backend)).isEqualTo(uids(api));
    assertThat(backend.stream().map(p -> p.getMetadata().getName()).distinct().count())
        .isEqualTo(12);
    assertThat(podIps(api)).hasSize(12);

    // adopted, not created again: the restarted runner created only what was not durable
    assertThat(cluster.metric("vkj_mock_creates_total"))
        .as(
            "pods the restarted runner created; %d of 12 were durable before the kill: %s",
            durable.size(), durable.keySet())
        .isEqualTo(12.0 - durable.size());
    Map<String, E2eCluster.SavedPod> after = burst(cluster.savedPods(NS));
    for (E2eCluster.SavedPod before : durable.values()) {
      Pod pod =
          api.stream()
              .filter(p -> p.getMetadata().getName().equals(before.name()))
              .findFirst()
              .orElseThrow(() -> new AssertionError(before.name() + " is gone from the API"));
      assertThat(pod.getMetadata().getUid()).as(before.name()).isEqualTo(before.uid());
      assertThat(after.get(before.name()))
          .as(before.name() + " in the state file")
          .isEqualTo(before);
      String startedAt =
          pod.getStatus().getContainerStatuses().get(0).getState().getRunning().getStartedAt();
      assertThat(Instant.parse(startedAt))
          .as(before.name() + " container start")
          .isEqualTo(before.firstContainerStart().truncatedTo(ChronoUnit.SECONDS));
    }
  }

  private static Map<String, E2eCluster.SavedPod> burst(Map<String, E2eCluster.SavedPod> saved) {
    Map<String, E2eCluster.SavedPod> result = new TreeMap<>(saved);
    result.keySet().removeIf(name -> !name.startsWith("burst-"));
    return result;
  }

  private static boolean isBurst(Pod pod) {
    return pod.getMetadata().getName().startsWith("burst-");
  }

  private static Set<String> uids(List<Pod> pods) {
    return pods.stream().map(p -> p.getMetadata().getUid()).collect(Collectors.toSet());
  }

  private static Set<String> podIps(List<Pod> pods) {
    return pods.stream()
        .map(p -> p.getStatus().getPodIP())
        .filter(ip -> ip != null)
        .collect(Collectors.toSet());
  }

  private static Pod simplePod(String name) {
    return E2eCluster.virtualNodePod(NS, name, "nginx").build();
  }

  private static void createPod(Pod pod) {
    cluster.client.pods().inNamespace(NS).resource(pod).create();
  }

  private static boolean isRunning(String name) {
    Pod pod = cluster.client.pods().inNamespace(NS).withName(name).get();
    return pod != null && running(pod);
  }

  private static String phase(String name) {
    Pod pod = cluster.client.pods().inNamespace(NS).withName(name).get();
    return pod == null || pod.getStatus() == null ? null : pod.getStatus().getPhase();
  }
}
