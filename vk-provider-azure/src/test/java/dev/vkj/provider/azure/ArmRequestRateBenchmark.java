package dev.vkj.provider.azure;

import dev.vkj.core.VirtualKubelet;
import dev.vkj.testing.InJvmCluster;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * ARM requests per second that the azure provider makes through the real core: during a burst of
 * 300 new pods, and at 1,000 steady Running pods. The ARM fake counts them, with ARM's own
 * subscription limits in force. Run with {@code scripts/bench-arm-requests.sh}.
 */
public final class ArmRequestRateBenchmark {
  private static final String NODE = "virtual-kubelet";

  private ArmRequestRateBenchmark() {}

  public static void main(String[] args) throws Exception {
    int burst = args.length > 0 ? Integer.parseInt(args[0]) : 300;
    int steady = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    int window = args.length > 2 ? Integer.parseInt(args[2]) : 60;
    try (FakeArm arm = FakeArm.withArmLimits(Clock.systemUTC());
        InJvmCluster cluster = new InJvmCluster()) {
      arm.provisionDelay = Duration.ofSeconds(3);
      arm.startDelay = Duration.ofSeconds(2);
      AzureConfig config = GroupTranslatorTest.config(Map.of("armEndpoint", arm.endpoint()));
      try (VirtualKubelet kubelet =
          VirtualKubelet.builder()
              .client(cluster.client())
              .nodeName(NODE)
              .nodeIp("127.0.0.1")
              .bindAddress("127.0.0.1")
              .kubeletPort(0)
              .provider(
                  "azure",
                  context -> {
                    try {
                      return AzureProviderIT.connect(arm, config, context);
                    } catch (Exception e) {
                      throw new IllegalStateException(e);
                    }
                  })
              .build()) {
        kubelet.start();
        System.out.printf(Locale.ROOT, "burst of %d pods%n", burst);
        arm.requests.clear();
        long t0 = System.nanoTime();
        create(cluster.client(), 0, burst);
        awaitRunning(cluster.client(), burst);
        double burstSeconds = (System.nanoTime() - t0) / 1e9;
        Map<String, Long> burstCounts = counts(arm);
        System.out.printf(
            Locale.ROOT,
            "all %d Running after %.1f s; 429 answers: %d%n",
            burst,
            burstSeconds,
            arm.throttled());
        print("burst of " + burst, burstCounts, burstSeconds);

        create(cluster.client(), burst, steady);
        awaitRunning(cluster.client(), steady);
        Thread.sleep(Duration.ofSeconds(15).toMillis()); // two status polls: steady state
        arm.requests.clear();
        long t1 = System.nanoTime();
        Thread.sleep(Duration.ofSeconds(window).toMillis());
        double steadySeconds = (System.nanoTime() - t1) / 1e9;
        print(steady + " steady Running", counts(arm), steadySeconds);
        System.out.printf(Locale.ROOT, "429 answers in the steady window: %d%n", arm.throttled());
      }
    }
  }

  private static Map<String, Long> counts(FakeArm arm) {
    Map<String, Long> counts = new TreeMap<>();
    synchronized (arm.requests) {
      for (FakeArm.Request r : arm.requests) {
        counts.merge(r.method() + " " + r.kind(), 1L, Long::sum);
      }
    }
    return counts;
  }

  private static void print(String phase, Map<String, Long> counts, double seconds) {
    long total = counts.values().stream().mapToLong(Long::longValue).sum();
    StringBuilder kinds = new StringBuilder();
    counts.forEach(
        (k, v) -> kinds.append(String.format(Locale.ROOT, "%s %.2f/s; ", k, v / seconds)));
    System.out.printf(
        Locale.ROOT, "| %s | %.0f s | %.2f | %s|%n", phase, seconds, total / seconds, kinds);
  }

  private static void create(KubernetesClient client, int from, int to) {
    for (int i = from; i < to; i++) {
      Pod pod =
          new PodBuilder(GroupTranslatorTest.helloworld())
              .editMetadata()
              .withName("web-" + i)
              .withUid(null)
              .withCreationTimestamp(null)
              .withAnnotations(null)
              .endMetadata()
              .build();
      client.pods().inNamespace("default").resource(pod).create();
    }
  }

  private static void awaitRunning(KubernetesClient client, int pods) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
    while (true) {
      long running =
          client.pods().inNamespace("default").list().getItems().stream()
              .filter(p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase()))
              .count();
      if (running >= pods) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("only " + running + " of " + pods + " pods Running");
      }
      Thread.sleep(500);
    }
  }
}
