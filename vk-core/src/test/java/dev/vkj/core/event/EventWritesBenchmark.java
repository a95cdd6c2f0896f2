package dev.vkj.core.event;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Event API requests per pod for a crash-looping workload: N pods, each with the four start events
 * of a kubelet and R identical BackOff events. Run with {@code scripts/bench-events.sh}.
 */
public final class EventWritesBenchmark {
  private EventWritesBenchmark() {}

  public static void main(String[] args) throws Exception {
    int pods = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    double qps = args.length > 2 ? Double.parseDouble(args[2]) : KubeEventRecorder.DEFAULT_QPS;
    int burst = args.length > 3 ? Integer.parseInt(args[3]) : KubeEventRecorder.DEFAULT_BURST;
    Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    KubernetesMockServer server = dev.vkj.core.MockApiServer.startCrudServer();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (KubernetesClient client =
        server.createClient(
            b ->
                b.withHttpClientBuilderConsumer(
                    h ->
                        h.addOrReplaceInterceptor(
                            "count",
                            new Interceptor() {
                              @Override
                              public void before(
                                  BasicBuilder basic, HttpRequest request, RequestTags tags) {
                                requests
                                    .computeIfAbsent(request.method(), k -> new AtomicInteger())
                                    .incrementAndGet();
                              }
                            })))) {
      long started = System.nanoTime();
      try (KubeEventRecorder events =
          new KubeEventRecorder(client, "bench", Clock.systemUTC(), qps, burst, meters)) {
        for (int i = 0; i < pods; i++) {
          Pod pod =
              new PodBuilder()
                  .withNewMetadata()
                  .withNamespace("bench")
                  .withName("crash-" + i)
                  .withUid("uid-" + i)
                  .endMetadata()
                  .withNewSpec()
                  .addNewContainer()
                  .withName("app")
                  .endContainer()
                  .endSpec()
                  .build();
          events.normal(pod, "Scheduled", "Successfully assigned bench/crash-" + i + " to bench");
          events.container(pod, "app", false, "Pulled", "Container image already present");
          events.container(pod, "app", false, "Created", "Created container app");
          events.container(pod, "app", false, "Started", "Started container app");
          for (int r = 0; r < repeats; r++) {
            events.container(pod, "app", true, "BackOff", "Back-off restarting failed container");
          }
          // a crash loop spreads over time: let the queue drain, so only the rate limit drops
          long sent = (long) (i + 1) * (4 + repeats);
          while (handled(meters) < sent) {
            Thread.sleep(1);
          }
        }
        long recorded = (long) pods * (4 + repeats);
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (handled(meters) < recorded && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      int objects = client.v1().events().inNamespace("bench").list().getItems().size();
      Map<String, Integer> byVerb = new TreeMap<>();
      requests.forEach((verb, n) -> byVerb.put(verb, n.get()));
      System.out.printf(
          "pods=%d repeats=%d qps=%.0f burst=%d recorded=%d seconds=%.1f%n",
          pods, repeats, qps, burst, (long) pods * (4 + repeats), seconds);
      System.out.printf(
          "requests per pod: %s (list of the result excluded)%n", perPod(byVerb, pods, 1));
      System.out.printf(
          "Event objects per pod: %.2f; dropped by the rate limit: %.0f%n",
          objects / (double) pods,
          meters.get("vkj.events.dropped").tag("reason", "rate_limit").counter().count());
    } finally {
      server.destroy();
    }
  }

  private static double handled(SimpleMeterRegistry meters) {
    return meters.find("vkj.events.written").counters().stream().mapToDouble(c -> c.count()).sum()
        + meters.find("vkj.events.dropped").counters().stream().mapToDouble(c -> c.count()).sum();
  }

  private static Map<String, String> perPod(Map<String, Integer> byVerb, int pods, int listGets) {
    Map<String, String> out = new TreeMap<>();
    byVerb.forEach(
        (verb, n) -> {
          int count = verb.equals("GET") ? n - listGets : n;
          out.put(verb, String.format("%.2f", count / (double) pods));
        });
    return out;
  }
}
