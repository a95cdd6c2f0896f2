package dev.vkj.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The cluster of KUBECONFIG with one vk-runner (the mock provider unless a {@link Backend} says
 * otherwise) joined as node {@value #NODE}. The kubelet serving certificate and client CA come from
 * VKJ_KUBELET_CERT/KEY and VKJ_CLUSTER_CA when set (as the project's control-plane script exports
 * them); otherwise the runner generates a self-signed certificate and trusts the CA of the
 * kubeconfig.
 */
final class E2eCluster implements AutoCloseable {
  static final String NODE = "vkj-e2e";

  final KubernetesClient client;
  final Kubectl kubectl;
  final Path workDir;
  final Path stateFile;
  private final int metricsPort;
  private final RunnerProcess runner;

  /** The runner with the mock provider and its state file. */
  E2eCluster(String name) {
    this(name, Backend.MOCK);
  }

  /**
   * What the runner under test runs on: a provider, its configuration, and the runner arguments,
   * JVM options and environment it needs to reach its backend.
   */
  record Backend(
      String provider,
      String config,
      List<String> runArgs,
      List<String> jvmOptions,
      Map<String, String> environment) {
    /** The mock provider; its configuration is written by the cluster (it names the state file). */
    static final Backend MOCK = new Backend("mock", null, List.of(), List.of(), Map.of());

    /** A runner whose arguments are given whole, e.g. those of a pod the Helm chart rendered. */
    static Backend commandLine(
        List<String> args, List<String> jvmOptions, Map<String, String> environment) {
      return new Backend(null, null, args, jvmOptions, environment);
    }
  }

  E2eCluster(String name, Backend backend) {
    String kubeconfig = System.getenv("KUBECONFIG");
    assertThat(kubeconfig)
        .as("KUBECONFIG must point at a cluster (scripts/control-plane.sh up prints one)")
        .isNotBlank();
    this.client = new KubernetesClientBuilder().withConfig(Config.autoConfigure(null)).build();
    this.kubectl = Kubectl.fromEnvironment();
    Path logs = Path.of(System.getProperty("vkj.e2e.logs", "target/e2e-logs"));
    try {
      this.workDir = Files.createDirectories(logs.resolve(name));
      this.stateFile = logs.resolve("mock-state.json").toAbsolutePath();
      // the runner's Prometheus endpoint, for counters the tests read
      // (a runner given whole has its own, in its arguments)
      this.metricsPort = backend.provider() == null ? -1 : freePort();
      List<String> args = new ArrayList<>();
      if (backend.provider() == null) {
        this.runner =
            new RunnerProcess(
                backend.jvmOptions(),
                backend.runArgs(),
                backend.environment(),
                workDir.resolve("runner.log"));
        return;
      }
      Path providerConfig = workDir.resolve(backend.provider() + ".yaml");
      Files.writeString(
          providerConfig,
          backend.config() != null
              ? backend.config()
              : "stateFile: " + stateFile + "\nstartupDelay: 1s\n");
      args.addAll(
          List.of(
              "run",
              "--provider",
              backend.provider(),
              "--node-name",
              NODE,
              "--node-ip",
              "127.0.0.1",
              "--kubelet-port",
              System.getenv().getOrDefault("VKJ_E2E_KUBELET_PORT", "10250"),
              "--provider-config",
              providerConfig.toString(),
              "--metrics-port",
              Integer.toString(metricsPort),
              "--pod-sync-workers",
              "10"));
      args.addAll(backend.runArgs());
      String cert = System.getenv("VKJ_KUBELET_CERT");
      String key = System.getenv("VKJ_KUBELET_KEY");
      if (cert != null && key != null) {
        args.addAll(List.of("--tls-cert", cert, "--tls-key", key));
      }
      args.addAll(List.of("--client-ca", clientCa().toString()));
      this.runner =
          new RunnerProcess(
              backend.jvmOptions(), args, backend.environment(), workDir.resolve("runner.log"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private Path clientCa() throws IOException {
    String ca = System.getenv("VKJ_CLUSTER_CA");
    if (ca != null && !ca.isBlank()) {
      return Path.of(ca);
    }
    Config config = client.getConfiguration();
    if (config.getCaCertFile() != null) {
      return Path.of(config.getCaCertFile());
    }
    Path file = workDir.resolve("cluster-ca.crt");
    Files.writeString(
        file,
        new String(Base64.getDecoder().decode(config.getCaCertData()), StandardCharsets.UTF_8));
    return file;
  }

  /**
   * Starts the runner and waits until its node is Ready. A node left by an earlier runner may still
   * say Ready, so this waits for the boot ID that every runner process reports anew.
   */
  void startRunner() {
    String previousBoot = bootId();
    runner.start();
    // a bound for a hung start only: a loaded machine takes a while to start a JVM and register
    await(
        Duration.ofMinutes(3),
        "node " + NODE + " Ready",
        () -> nodeReady() && !java.util.Objects.equals(previousBoot, bootId()));
  }

  private String bootId() {
    Node node = client.nodes().withName(NODE).get();
    return node == null || node.getStatus() == null || node.getStatus().getNodeInfo() == null
        ? null
        : node.getStatus().getNodeInfo().getBootID();
  }

  void killRunner() throws InterruptedException {
    runner.kill();
  }

  int stopRunner() throws InterruptedException {
    return runner.stop(Duration.ofSeconds(30));
  }

  long runnerPid() {
    return runner.pid();
  }

  String runnerLog() {
    return runner.log();
  }

  boolean nodeReady() {
    if (!runner.isAlive()) {
      throw new AssertionError("the runner exited:\n" + runner.log());
    }
    Node node = client.nodes().withName(NODE).get();
    if (node == null || node.getStatus() == null || node.getStatus().getConditions() == null) {
      return false;
    }
    return node.getStatus().getConditions().stream()
        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  NodeCondition readyCondition() {
    return client.nodes().withName(NODE).get().getStatus().getConditions().stream()
        .filter(c -> "Ready".equals(c.getType()))
        .findFirst()
        .orElseThrow();
  }

  /** What the provider runs, through the kubelet API via the API server's node proxy. */
  List<Pod> providerPods() {
    String json = kubectl.run("get", "--raw", "/api/v1/nodes/" + NODE + "/proxy/runningpods/");
    return Serialization.unmarshal(json, PodList.class).getItems();
  }

  List<Pod> providerPods(String namespace) {
    return providerPods().stream()
        .filter(p -> namespace.equals(p.getMetadata().getNamespace()))
        .toList();
  }

  /**
   * The sum of a counter over its label sets on the runner's Prometheus endpoint, or 0 when the
   * runner does not report it; only label sets with every one of {@code labels} (like {@code
   * code="ok"}) count.
   */
  double metric(String name, String... labels) {
    assertThat(metricsPort).as("metrics port of a runner this cluster configured").isPositive();
    String body;
    try {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as("GET /metrics").isEqualTo(200);
      body = response.body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
    double sum = 0;
    for (String line : body.split("\n")) {
      if ((line.startsWith(name + "{") || line.startsWith(name + " "))
          && java.util.Arrays.stream(labels).allMatch(line::contains)) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  /** A pod as the mock provider's state file holds it. */
  record SavedPod(String name, String uid, Instant createdAt, Instant firstContainerStart) {}

  /**
   * The pods of a namespace in the mock's state file, by name. The provider renames a complete file
   * into place, so a read sees one whole state. {@code firstContainerStart} is when the first
   * container of the spec started, or is scheduled to start.
   */
  @SuppressWarnings("unchecked")
  Map<String, SavedPod> savedPods(String namespace) {
    Map<String, SavedPod> result = new TreeMap<>();
    for (Map<String, Object> record : stateRecords(stateFile)) {
      Map<String, Object> pod = (Map<String, Object>) record.get("pod");
      Map<String, Object> metadata = (Map<String, Object>) pod.get("metadata");
      if (!namespace.equals(metadata.get("namespace"))) {
        continue;
      }
      Object first =
          ((List<Map<String, Object>>) ((Map<String, Object>) pod.get("spec")).get("containers"))
              .get(0)
              .get("name");
      Instant start = null;
      for (Map<String, Object> container : (List<Map<String, Object>>) record.get("containers")) {
        if (first.equals(container.get("name"))) {
          Object at =
              container.get("startedAt") != null
                  ? container.get("startedAt")
                  : container.get("nextAt");
          start = at == null ? null : Instant.parse((String) at);
        }
      }
      String name = (String) metadata.get("name");
      result.put(
          name,
          new SavedPod(
              name,
              (String) metadata.get("uid"),
              Instant.parse((String) record.get("createdAt")),
              start));
    }
    return result;
  }

  /**
   * The pod records of a mock state file, as written (empty without the file). The provider renames
   * a complete file into place, so a read sees one whole state.
   */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> stateRecords(Path stateFile) {
    if (!Files.exists(stateFile)) {
      return List.of();
    }
    try {
      Map<String, Object> state = Serialization.unmarshal(Files.readString(stateFile), Map.class);
      return (List<Map<String, Object>>) state.get("pods");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  List<Pod> apiPods(String namespace) {
    return client.pods().inNamespace(namespace).list().getItems();
  }

  static boolean running(Pod pod) {
    return pod.getStatus() != null
        && "Running".equals(pod.getStatus().getPhase())
        && pod.getStatus().getPodIP() != null
        && pod.getMetadata().getDeletionTimestamp() == null;
  }

  static void await(Duration timeout, String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return;
      }
      sleep(Duration.ofMillis(500));
    }
    if (!condition.getAsBoolean()) {
      throw new AssertionError("timed out after " + timeout.toSeconds() + "s waiting for " + what);
    }
  }

  static <T> T awaitValue(Duration timeout, String what, Supplier<T> supplier) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      T value = supplier.get();
      if (value != null) {
        return value;
      }
      sleep(Duration.ofMillis(500));
    }
    throw new AssertionError("timed out after " + timeout.toSeconds() + "s waiting for " + what);
  }

  static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /**
   * A pod for the virtual node: one container {@code app} with port 80, the node selector and the
   * toleration of the node's taint.
   */
  static PodBuilder virtualNodePod(String namespace, String name, String image) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("app")
        .withImage(image)
        .addNewPort()
        .withContainerPort(80)
        .endPort()
        .endContainer()
        .withNodeSelector(java.util.Map.of("type", "virtual-kubelet"))
        .addNewToleration()
        .withKey("virtual-kubelet.io/provider")
        .withOperator("Exists")
        .endToleration()
        .endSpec();
  }

  /** The hands-on Deployment, {@code examples/virtual-node.yaml}. */
  static Path handsOnYaml() {
    return Path.of(System.getProperty("vkj.examples.dir", "."), "virtual-node.yaml");
  }

  /** {@code kubectl apply -f examples/virtual-node.yaml} and its pod once it is Running. */
  Pod applyHandsOn(String namespace, Duration timeout) {
    kubectl.run("apply", "-n", namespace, "-f", handsOnYaml().toString());
    await(
        timeout,
        "aci-helloworld Running",
        () -> apiPods(namespace).stream().anyMatch(E2eCluster::running));
    return apiPods(namespace).get(0);
  }

  void createNamespace(String namespace) {
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();
  }

  /** Deletes the test namespace (the runner deletes its pods) and stops the runner. */
  void deleteNamespaceAndClose(String namespace) throws InterruptedException {
    kubectl.exec(null, Duration.ofSeconds(60), "delete", "namespace", namespace, "--wait=false");
    close();
  }

  @Override
  public void close() throws InterruptedException {
    if (runner.isAlive()) {
      int code = runner.stop(Duration.ofSeconds(30));
      assertThat(code).as("runner exit code after SIGTERM").isZero();
    }
    client.close();
  }
}
