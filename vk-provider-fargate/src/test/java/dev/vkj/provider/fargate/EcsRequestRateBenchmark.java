package dev.vkj.provider.fargate;

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
 * AWS requests per second that the fargate provider makes through the real core: during a burst of
 * 300 new pods, and at 1,000 steady Running pods, where it also reports DescribeTasks calls per
 * status poll. The fake counts them, with ECS's rates (100 burst, 20 per second) in force. Run with
 * {@code scripts/bench-ecs-requests.sh}.
 */
public final class EcsRequestRateBenchmark {
  private static final String NODE = "virtual-kubelet";

  /** The core's default status poll period. */
  private static final Duration POLL = Duration.ofSeconds(5);

  private EcsRequestRateBenchmark() {}

  public static void main(String[] args) throws Exception {
    int burst = args.length > 0 ? Integer.parseInt(args[0]) : 300;
    int steady = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    int window = args.length > 2 ? Integer.parseInt(args[2]) : 60;
    try (FakeAws aws = FakeAws.withAwsLimits(Clock.systemUTC());
        InJvmCluster cluster = new InJvmCluster()) {
      aws.provisionDelay = Duration.ofSeconds(2);
      aws.pendingDelay = Duration.ofSeconds(2);
      aws.activatingDelay = Duration.ofSeconds(1);
      try (VirtualKubelet kubelet =
          VirtualKubelet.builder()
              .client(cluster.client())
              .nodeName(NODE)
              .nodeIp("127.0.0.1")
              .bindAddress("127.0.0.1")
              .kubeletPort(0)
              .provider(
                  "fargate",
                  context -> {
                    try {
                      return FargateProviderIT.connect(
                          aws, context, Map.of("pods", "5000", "cpu", "2000", "memory", "4Ti"));
                    } catch (Exception e) {
                      throw new IllegalStateException(e);
                    }
                  })
              .build()) {
        kubelet.start();
        // the Secret every replica reads its password from
        cluster
            .client()
            .secrets()
            .inNamespace("default")
            .resource(
                new io.fabric8.kubernetes.api.model.SecretBuilder()
                    .withNewMetadata()
                    .withName("db")
                    .endMetadata()
                    .addToStringData("password", "pw")
                    .build())
            .create();
        System.out.printf(Locale.ROOT, "burst of %d pods%n", burst);
        aws.clearRequests();
        long t0 = System.nanoTime();
        create(cluster.client(), 0, burst);
        awaitRunning(cluster.client(), burst);
        double burstSeconds = (System.nanoTime() - t0) / 1e9;
        print("burst of " + burst, counts(aws), burstSeconds);
        System.out.printf(Locale.ROOT, "throttled (over a limit): %d%n", aws.overLimit());

        create(cluster.client(), burst, steady);
        awaitRunning(cluster.client(), steady);
        Thread.sleep(POLL.multipliedBy(3).toMillis()); // steady state
        aws.clearRequests();
        long t1 = System.nanoTime();
        Thread.sleep(Duration.ofSeconds(window).toMillis());
        double steadySeconds = (System.nanoTime() - t1) / 1e9;
        Map<String, Long> counts = counts(aws);
        print(steady + " steady Running", counts, steadySeconds);
        System.out.printf(
            Locale.ROOT,
            "DescribeTasks calls per %d s poll: %.1f%n",
            POLL.toSeconds(),
            counts.getOrDefault("DescribeTasks", 0L) / (steadySeconds / POLL.toSeconds()));
        System.out.printf(Locale.ROOT, "throttled (over a limit): %d%n", aws.overLimit());
        System.out.printf(
            Locale.ROOT, "task definitions: %d active%n", aws.activeTaskDefinitionArns().size());
      }
    }
  }

  private static Map<String, Long> counts(FakeAws aws) {
    Map<String, Long> counts = new TreeMap<>();
    for (FakeAws.Request r : aws.requests()) {
      counts.merge(r.operation(), 1L, Long::sum);
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
          new PodBuilder(FargateProviderIT.replica("web-" + i, "uid-" + i, "pw"))
              .editMetadata()
              .withUid(null)
              .withAnnotations(null)
              .withOwnerReferences()
              .withGenerateName(null)
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
