package dev.vkj.e2e;

import static dev.vkj.e2e.E2eCluster.NODE;
import static dev.vkj.e2e.E2eCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The everyday kubectl commands through a real API server, with a current kubectl (WebSocket first)
 * and an old one that speaks SPDY only (VKJ_E2E_KUBECTL_LEGACY, installed by
 * scripts/install-e2e-tools.sh).
 */
class KubectlE2E {
  private static final String NS = "vkj-kubectl-" + Long.toString(System.currentTimeMillis(), 36);
  private static E2eCluster cluster;

  @BeforeAll
  static void start() {
    cluster = new E2eCluster("kubectl");
    cluster.createNamespace(NS);
    cluster
        .client
        .configMaps()
        .inNamespace(NS)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("settings")
                .endMetadata()
                .withData(Map.of("greeting", "hello from a configmap", "app.conf", "mode=fast\n"))
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
                .withStringData(Map.of("password", "s3cr3t-value"))
                .build())
        .create();
    cluster.startRunner();
    Pod pod =
        E2eCluster.virtualNodePod(NS, "shell", "busybox")
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
            .addNewVolumeMount()
            .withName("config")
            .withMountPath("/etc/app")
            .endVolumeMount()
            .endContainer()
            .addNewVolume()
            .withName("config")
            .withNewConfigMap()
            .withName("settings")
            .endConfigMap()
            .endVolume()
            .endSpec()
            .build();
    cluster.client.pods().inNamespace(NS).resource(pod).create();
    await(
        Duration.ofSeconds(60),
        "pod shell Running",
        () -> {
          Pod p = cluster.client.pods().inNamespace(NS).withName("shell").get();
          return p != null && E2eCluster.running(p);
        });
    // the log tests need a few seconds of output: wait for it, do not guess how long it takes
    await(
        Duration.ofSeconds(60),
        "six log lines from pod shell",
        () -> cluster.kubectl.run("logs", "shell", "-n", NS).lines().count() >= 6);
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.deleteNamespaceAndClose(NS);
    }
  }

  /** Both kubectls: the current one (WebSocket first) and the SPDY-only 1.20 one. */
  static Stream<String> kubectls() {
    return Stream.of(Kubectl.fromEnvironment().binary(), legacyKubectl());
  }

  /** The SPDY-only kubectl is required: without it half of the streaming checks would not run. */
  private static String legacyKubectl() {
    String legacy = System.getenv("VKJ_E2E_KUBECTL_LEGACY");
    assertThat(legacy)
        .as("VKJ_E2E_KUBECTL_LEGACY (eval \"$(bash scripts/install-e2e-tools.sh)\")")
        .isNotBlank();
    assertThat(Path.of(legacy)).isExecutable();
    return legacy;
  }

  private static boolean isLegacy(String binary) {
    return binary.equals(legacyKubectl());
  }

  /** The kubectl versions under test decide the transports the streaming checks expect. */
  @Test
  void kubectlVersionsUnderTest() {
    assertThat(clientMinor(Kubectl.fromEnvironment().binary()))
        .as("the current kubectl tries WebSocket first from 1.30 on")
        .isGreaterThanOrEqualTo(30);
    assertThat(clientMinor(legacyKubectl()))
        .as("the legacy kubectl speaks SPDY only")
        .isEqualTo(20);
  }

  private static int clientMinor(String binary) {
    String json = new Kubectl(binary).run("version", "--client", "-o", "json");
    @SuppressWarnings("unchecked")
    Map<String, Object> version =
        (Map<String, Object>) Serialization.unmarshal(json, Map.class).get("clientVersion");
    return Integer.parseInt(String.valueOf(version.get("minor")).replaceAll("[^0-9]", ""));
  }

  /**
   * Runs a streaming kubectl command and asserts the transport its session used, from the line the
   * runner logs for each session: kubectl falls back from WebSocket to SPDY silently.
   */
  private static <T> T expectTransport(String binary, String kind, Callable<T> action)
      throws Exception {
    int seen = cluster.runnerLog().length();
    T result = action.call();
    String expected = kind + " session over " + (isLegacy(binary) ? "SPDY" : "WebSocket") + " (";
    await(
        Duration.ofSeconds(20),
        "runner log line '" + expected + "... for pod " + NS + "/shell'",
        () ->
            cluster
                .runnerLog()
                .substring(seen)
                .lines()
                .anyMatch(l -> l.contains(expected) && l.endsWith("for pod " + NS + "/shell")));
    return result;
  }

  @ParameterizedTest
  @MethodSource("kubectls")
  void logs(String binary) {
    Kubectl kubectl = new Kubectl(binary);
    String all = kubectl.run("logs", "shell", "-n", NS);
    assertThat(all.lines().count()).isGreaterThanOrEqualTo(3);

    List<String> tail = kubectl.run("logs", "shell", "-n", NS, "--tail=5").lines().toList();
    assertThat(tail).hasSize(5);
    List<String> allLines = all.lines().toList();
    assertThat(allLines).containsSubsequence(tail.subList(0, 3));

    List<String> stamped = kubectl.run("logs", "shell", "-n", NS, "--timestamps").lines().toList();
    assertThat(stamped).isNotEmpty();
    for (String line : stamped) {
      String stamp = line.substring(0, line.indexOf(' '));
      assertThat(OffsetDateTime.parse(stamp)).isNotNull();
    }

    List<String> recent =
        kubectl.run("logs", "shell", "-n", NS, "--since=3s", "--timestamps").lines().toList();
    Instant cutoff = Instant.now().minusSeconds(6);
    for (String line : recent) {
      Instant at = OffsetDateTime.parse(line.substring(0, line.indexOf(' '))).toInstant();
      assertThat(at).isAfter(cutoff);
    }
    assertThat(recent.size()).isLessThan(stamped.size());
  }

  @ParameterizedTest
  @MethodSource("kubectls")
  void logsFollowStreamsNewLines(String binary) throws Exception {
    Process follow = new Kubectl(binary).start("logs", "-f", "shell", "-n", NS, "--tail=1");
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(follow.getInputStream(), StandardCharsets.UTF_8))) {
      String first = reader.readLine();
      long started = System.nanoTime();
      String second = reader.readLine();
      String third = reader.readLine();
      assertThat(first).isNotBlank();
      assertThat(second).isNotBlank().isNotEqualTo(first);
      assertThat(third).isNotBlank().isNotEqualTo(second);
      // new lines arrived while the command was running, not all at once at the end
      assertThat(Duration.ofNanos(System.nanoTime() - started))
          .isGreaterThan(Duration.ofMillis(500));
      assertThat(follow.isAlive()).isTrue();
    } finally {
      follow.destroy();
      follow.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @ParameterizedTest
  @MethodSource("kubectls")
  void execShowsResolvedEnvironment(String binary) throws Exception {
    String env =
        expectTransport(
            binary, "exec", () -> new Kubectl(binary).run("exec", "shell", "-n", NS, "--", "env"));
    assertThat(env).contains("GREETING=hello from a configmap").contains("PASSWORD=s3cr3t-value");
  }

  @ParameterizedTest
  @MethodSource("kubectls")
  void execReadsConfigMapVolume(String binary) {
    String file =
        new Kubectl(binary).run("exec", "shell", "-n", NS, "--", "cat", "/etc/app/app.conf");
    assertThat(file).isEqualTo("mode=fast\n");
  }

  @ParameterizedTest
  @MethodSource("kubectls")
  void execExitCodeReachesKubectl(String binary) {
    Kubectl.Result result =
        new Kubectl(binary)
            .exec(
                null,
                Duration.ofSeconds(60),
                "exec",
                "shell",
                "-n",
                NS,
                "--",
                "sh",
                "-c",
                "exit 3");
    assertThat(result.exitCode()).as(result.stderr()).isEqualTo(3);
    assertThat(result.stderr()).contains("exit code 3");
  }

  @ParameterizedTest
  @MethodSource("kubectls")
  void execWithStdin(String binary) {
    Kubectl.Result result =
        new Kubectl(binary)
            .exec(
                "hello\nfrom stdin\n",
                Duration.ofSeconds(60),
                "exec",
                "-i",
                "shell",
                "-n",
                NS,
                "--",
                "cat");
    assertThat(result.exitCode()).as(result.stderr()).isZero();
    assertThat(result.stdout()).isEqualTo("hello\nfrom stdin\n");
  }

  @ParameterizedTest
  @MethodSource("kubectls")
  void execWithTerminal(String binary) {
    // script(1) gives kubectl a real terminal, as a user's shell would
    String command = binary + " exec -it shell -n " + NS + " -- sh";
    Kubectl.Result result =
        new Kubectl("script")
            .exec("echo tty-works\nexit\n", Duration.ofSeconds(60), "-qec", command, "/dev/null");
    assertThat(result.exitCode()).as(result.stdout() + result.stderr()).isZero();
    assertThat(result.stdout()).contains("tty-works");
  }

  @ParameterizedTest
  @MethodSource("kubectls")
  void attachStreamsOutput(String binary) throws Exception {
    expectTransport(binary, "attach", () -> attachFirstLine(binary));
  }

  private static String attachFirstLine(String binary) throws Exception {
    Process attach = new Kubectl(binary).start("attach", "shell", "-n", NS, "-c", "app");
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(attach.getInputStream(), StandardCharsets.UTF_8))) {
      String line = reader.readLine();
      while (line != null && (line.startsWith("If you don't see") || line.isBlank())) {
        line = reader.readLine();
      }
      assertThat(line).isNotNull().contains("shell");
      return line;
    } finally {
      attach.destroy();
      attach.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @ParameterizedTest
  @MethodSource("kubectls")
  void portForwardRoundTrip(String binary) throws Exception {
    expectTransport(binary, "port-forward", () -> portForwardResponse(binary));
  }

  private static String portForwardResponse(String binary) throws Exception {
    int localPort;
    try (ServerSocket probe = new ServerSocket(0)) {
      localPort = probe.getLocalPort();
    }
    Process forward =
        new Kubectl(binary).start("port-forward", "-n", NS, "pod/shell", localPort + ":80");
    try {
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(forward.getInputStream(), StandardCharsets.UTF_8));
      String ready = out.readLine();
      assertThat(ready).as("port-forward output").contains("Forwarding from");
      try (Socket socket = new Socket("127.0.0.1", localPort)) {
        socket.setSoTimeout(15_000);
        OutputStream request = socket.getOutputStream();
        request.write(
            "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        request.flush();
        String response = new String(readAll(socket.getInputStream()), StandardCharsets.UTF_8);
        assertThat(response).startsWith("HTTP/1.1 200").contains("shell");
        return response;
      }
    } finally {
      forward.destroy();
      forward.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void statsSummaryThroughTheApiServer() {
    String json =
        cluster.kubectl.run("get", "--raw", "/api/v1/nodes/" + NODE + "/proxy/stats/summary");
    @SuppressWarnings("unchecked")
    Map<String, Object> summary = Serialization.unmarshal(json, Map.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> node = (Map<String, Object>) summary.get("node");
    assertThat(node.get("nodeName")).isEqualTo(NODE);
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> pods = (List<Map<String, Object>>) summary.get("pods");
    assertThat(pods)
        .anySatisfy(
            pod -> {
              @SuppressWarnings("unchecked")
              Map<String, Object> ref = (Map<String, Object>) pod.get("podRef");
              assertThat(ref).containsEntry("name", "shell").containsEntry("namespace", NS);
              @SuppressWarnings("unchecked")
              List<Map<String, Object>> containers =
                  (List<Map<String, Object>>) pod.get("containers");
              assertThat(containers).hasSize(1);
              @SuppressWarnings("unchecked")
              Map<String, Object> cpu = (Map<String, Object>) containers.get(0).get("cpu");
              assertThat(((Number) cpu.get("usageNanoCores")).longValue()).isPositive();
              @SuppressWarnings("unchecked")
              Map<String, Object> memory = (Map<String, Object>) containers.get(0).get("memory");
              assertThat(((Number) memory.get("workingSetBytes")).longValue()).isPositive();
            });
  }

  @Test
  void resourceMetricsAreValidPrometheusText() throws Exception {
    String text =
        cluster.kubectl.run("get", "--raw", "/api/v1/nodes/" + NODE + "/proxy/metrics/resource");
    assertThat(text)
        .contains("# TYPE container_cpu_usage_seconds_total counter")
        .contains(
            "container_cpu_usage_seconds_total{container=\"app\",namespace=\""
                + NS
                + "\",pod=\"shell\"}")
        .contains(
            "container_memory_working_set_bytes{container=\"app\",namespace=\""
                + NS
                + "\",pod=\"shell\"}")
        .contains("node_cpu_usage_seconds_total");
    String promtool = System.getenv("VKJ_E2E_PROMTOOL");
    assertThat(promtool)
        .as("VKJ_E2E_PROMTOOL (eval \"$(bash scripts/install-e2e-tools.sh)\")")
        .isNotBlank();
    Kubectl.Result check =
        new Kubectl(promtool).exec(text, Duration.ofSeconds(30), "check", "metrics");
    // promtool exits 0 for valid text; lint warnings (exit 3) are not format errors
    assertThat(check.exitCode()).as(check.stdout() + check.stderr()).isIn(0, 3);
    assertThat(check.stderr()).doesNotContain("error while linting");
  }

  @Test
  void podsRouteListsPodsBoundToTheNode() {
    String json = cluster.kubectl.run("get", "--raw", "/api/v1/nodes/" + NODE + "/proxy/pods");
    PodList pods = Serialization.unmarshal(json, PodList.class);
    assertThat(pods.getKind()).isEqualTo("PodList");
    assertThat(pods.getItems()).extracting(p -> p.getMetadata().getName()).contains("shell");
    assertThat(pods.getItems())
        .allSatisfy(p -> assertThat(p.getSpec().getNodeName()).isEqualTo(NODE));
  }

  private static byte[] readAll(InputStream in) throws IOException {
    return in.readAllBytes();
  }
}
