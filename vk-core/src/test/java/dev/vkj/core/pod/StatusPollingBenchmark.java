package dev.vkj.core.pod;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.function.IntSupplier;

/**
 * Backend status calls per second at N steady Running pods, with per-pod polling and with {@code
 * BatchedPodStatus}. Runs the real pod controller against the fabric8 mock API server (in-JVM, CRUD
 * mode) and an in-memory provider that counts its calls.
 *
 * <p>Arguments: pods (1000), measurement window in seconds (30), poll interval in seconds (5). Run
 * with {@code scripts/bench-status-polling.sh}.
 */
public final class StatusPollingBenchmark {
  private static final String NODE = "vk-bench";
  private static final Map<String, String> NODE_LABEL = Map.of("vkj.dev/test-node", NODE);

  private StatusPollingBenchmark() {}

  public static void main(String[] args) throws Exception {
    int pods = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int window = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    int poll = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    System.out.printf(
        Locale.ROOT, "pods=%d window=%ds statusPollInterval=%ds%n", pods, window, poll);
    Result perPod = run(new FakeProvider(), pods, window, poll);
    Result batched = run(new FakeProvider.Batched(), pods, window, poll);
    System.out.println("| mode | getPodStatus/s | listPodStatuses/s | getPod/s | total/s |");
    System.out.println("|---|---|---|---|---|");
    print("per-pod polling", perPod);
    print("BatchedPodStatus", batched);
  }

  private record Result(double status, double lists, double gets) {}

  private static void print(String mode, Result r) {
    System.out.printf(
        Locale.ROOT,
        "| %s | %.2f | %.2f | %.2f | %.2f |%n",
        mode,
        r.status(),
        r.lists(),
        r.gets(),
        r.status() + r.lists() + r.gets());
  }

  private static Result run(FakeProvider provider, int pods, int window, int poll)
      throws Exception {
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(Serialization.jsonMapper()),
            new MockWebServer(),
            responses,
            new KubernetesMixedDispatcher(responses),
            false);
    server.init();
    try (KubernetesClient client = server.createClient();
        PodController controller =
            new PodController(
                client,
                provider,
                new RecordingEvents(),
                PodControllerConfig.defaults(NODE).withStatusPollInterval(Duration.ofSeconds(poll)),
                NODE_LABEL)) {
      controller.start();
      for (int i = 0; i < pods; i++) {
        client
            .pods()
            .inNamespace("bench")
            .resource(
                new PodBuilder()
                    .withNewMetadata()
                    .withName("pod-" + i)
                    .withNamespace("bench")
                    .withLabels(NODE_LABEL)
                    .endMetadata()
                    .withNewSpec()
                    .withNodeName(NODE)
                    .addNewContainer()
                    .withName("app")
                    .withImage("nginx:1.25")
                    .endContainer()
                    .endSpec()
                    .build())
            .create();
      }
      long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
      while (running(controller) < pods) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("pods did not reach Running: " + running(controller));
        }
        Thread.sleep(200);
      }
      Thread.sleep(Duration.ofSeconds(poll * 2L).toMillis()); // settle into steady state
      IntSupplier lists =
          provider instanceof FakeProvider.Batched b ? b.listStatusCalls::get : () -> 0;
      int s0 = provider.statusCalls.get();
      int l0 = lists.getAsInt();
      int g0 = provider.getCalls.get();
      long t0 = System.nanoTime();
      Thread.sleep(Duration.ofSeconds(window).toMillis());
      double seconds = (System.nanoTime() - t0) / 1e9;
      return new Result(
          (provider.statusCalls.get() - s0) / seconds,
          (lists.getAsInt() - l0) / seconds,
          (provider.getCalls.get() - g0) / seconds);
    } finally {
      server.destroy();
    }
  }

  private static long running(PodController controller) {
    return controller.pods().stream()
        .map(Pod::getStatus)
        .filter(s -> s != null && "Running".equals(s.getPhase()))
        .count();
  }
}
