package dev.vkj.runner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vkj.core.VirtualKubelet;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vk-runner run} with the mock provider against the fabric8 mock API server. */
@EnableKubernetesMockClient(crud = true)
class RunCommandIT {
  KubernetesClient client;

  @TempDir Path dir;

  @Test
  void runsUntilStopRequestedThenExitsZero() throws Exception {
    Path kubeconfig =
        TestKubeconfig.write(dir.resolve("kubeconfig"), client.getMasterUrl().toString());
    Path config = Files.writeString(dir.resolve("mock.properties"), "cpu=7\n");
    int metricsPort = freePort();
    RunnerLifecycle lifecycle = RunnerLifecycle.manual();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    CompletableFuture<Integer> exit =
        CompletableFuture.supplyAsync(
            () ->
                Main.execute(
                    Map.of("KUBECONFIG", kubeconfig.toString(), "VKJ_NODE_NAME", "vk-it"),
                    new PrintWriter(out),
                    new PrintWriter(err),
                    lifecycle,
                    "run",
                    "--provider-config=" + config,
                    "--node-ip=127.0.0.1",
                    "--bind-address=127.0.0.1",
                    "--kubelet-port=0",
                    "--metrics-port=" + metricsPort,
                    "--node-label=team=it"));
    // the start is not under test: the bound only stops a hung start, so a slow machine gets time
    VirtualKubelet kubelet = lifecycle.awaitStarted(Duration.ofMinutes(3));
    assertThat(kubelet).as("started; %s", err).isNotNull();

    Node node = client.nodes().withName("vk-it").get();
    assertThat(node).isNotNull();
    assertThat(node.getMetadata().getLabels()).containsEntry("team", "it");
    assertThat(node.getSpec().getTaints())
        .anySatisfy(
            t -> {
              assertThat(t.getKey()).isEqualTo("virtual-kubelet.io/provider");
              assertThat(t.getValue()).isEqualTo("mock");
              assertThat(t.getEffect()).isEqualTo("NoSchedule");
            });
    assertThat(node.getStatus().getCapacity().get("cpu").toString()).isEqualTo("7");
    assertThat(node.getStatus().getAddresses())
        .anySatisfy(a -> assertThat(a.getAddress()).isEqualTo("127.0.0.1"));

    HttpResponse<String> metrics = get(metricsPort, "/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body())
        .contains("vkj_runner_info{node=\"vk-it\",provider=\"mock\"")
        .contains("jvm_memory_used_bytes");
    // the pod's readiness probe: the node is registered and Ready
    HttpResponse<String> readyz = get(metricsPort, "/readyz");
    assertThat(readyz.statusCode()).as(readyz.body()).isEqualTo(200);

    lifecycle.requestStop();

    assertThat(exit.get(3, TimeUnit.MINUTES)).as("exit code; %s", err).isZero();
    // close() leaves the Node for the next start to adopt
    assertThat(client.nodes().withName("vk-it").get()).isNotNull();
    assertThat(metricsPortClosed(metricsPort)).isTrue();
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static boolean metricsPortClosed(int port) {
    try (ServerSocket socket = new ServerSocket(port)) {
      return socket.isBound();
    } catch (IOException e) {
      return false;
    }
  }
}
