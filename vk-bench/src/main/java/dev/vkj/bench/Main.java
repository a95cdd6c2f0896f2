package dev.vkj.bench;

import dev.vkj.core.KubeClients;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Runs the kubelet benchmark against the cluster of KUBECONFIG: a minimal baseline kubelet and vkj
 * (mock provider, zero start delay), each in its own JVM, through the same closed-loop, open-loop
 * and restart scenarios, then writes kubelet.json, kubelet.md and kubelet.svg. See
 * docs/benchmarks.md.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 2 && args[0].equals("--render")) {
      render(Path.of(args[1]));
      return;
    }
    BenchOptions options;
    try {
      options = BenchOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    Path work = Files.createTempDirectory("vk-bench");
    Bench.log("logs of the kubelets in %s", work);
    RequestCounter driverRequests = new RequestCounter();
    try (KubernetesClient client =
        KubeClients.create(
            // a DELETE of thousands of pods takes longer than the default 10 s
            new ConfigBuilder(Config.autoConfigure(null)).withRequestTimeout(300_000).build(),
            b -> b.addOrReplaceInterceptor("bench-count", driverRequests))) {
      Bench bench = new Bench(client, driverRequests, options, work);
      bench.apiRequests(); // fails early when the user may not read /metrics
      bench.prepareNamespace();
      List<Results.ClosedLoop> runs = new ArrayList<>();
      List<Results.OpenLoop> open = new ArrayList<>();
      if (!options.sizes().isEmpty() || !options.rates().isEmpty()) {
        List<KubeletHandle> kubelets = new ArrayList<>();
        try {
          // all kubelets are up at once so that their runs can alternate: a drift of the machine
          // or of the control plane over the run then weighs on each kubelet alike
          for (int i = 0; i < options.kubelets().size(); i++) {
            String kind = options.kubelets().get(i);
            kubelets.add(bench.start(kind, "bench-" + kind, options.port() + i, null, 0));
          }
          if (options.warmupPods() > 0 && !options.sizes().isEmpty()) {
            for (KubeletHandle kubelet : kubelets) {
              bench.closedLoop(kubelet, options.warmupPods()); // logged, not reported
            }
          }
          for (int n : options.sizes()) {
            for (int round = 0; round < options.repeat(); round++) {
              // every other round the other kubelet goes first, after the same idle gap
              List<KubeletHandle> order = new ArrayList<>(kubelets);
              if (round % 2 == 1) {
                Collections.reverse(order);
              }
              for (KubeletHandle kubelet : order) {
                runs.add(bench.closedLoop(kubelet, n));
              }
            }
          }
          for (double rate : options.rates()) {
            for (KubeletHandle kubelet : kubelets) {
              open.add(bench.openLoop(kubelet, rate));
            }
          }
        } finally {
          for (KubeletHandle kubelet : kubelets) {
            kubelet.close();
            bench.deleteNode(kubelet.node);
          }
        }
      }
      Results.Restart restart =
          options.restartPods() > 0 && options.kubelets().contains("vkj")
              ? bench.restart(options.restartPods())
              : null;
      Results results =
          new Results(
              LocalDate.now().toString(),
              machine()
                  + (options.warmupPods() > 0 && !options.sizes().isEmpty()
                      ? " Each kubelet first ran a closed loop of "
                          + options.warmupPods()
                          + " pods that is not reported (warm-up)."
                      : "")
                  + (options.repeat() > 1
                      ? " Closed-loop figures are medians of "
                          + options.repeat()
                          + " runs per kubelet and size; the kubelets took turns."
                      : ""),
              options.note(),
              Medians.of(runs),
              runs,
              open,
              restart);
      Files.createDirectories(options.out());
      Files.writeString(
          options.out().resolve("kubelet.json"), Serialization.asJson(results) + "\n");
      Files.writeString(options.out().resolve("kubelet.md"), Report.markdown(results));
      Files.writeString(options.out().resolve("kubelet.svg"), Report.svg(results));
      System.out.print(Report.markdown(results));
      Bench.log("wrote kubelet.json, kubelet.md and kubelet.svg to %s", options.out());
    }
  }

  /** Writes kubelet.md and kubelet.svg again from a kubelet.json, next to it. */
  private static void render(Path json) throws Exception {
    Results results = Serialization.unmarshal(Files.readString(json), Results.class);
    Path dir = json.toAbsolutePath().getParent();
    Files.writeString(dir.resolve("kubelet.md"), Report.markdown(results));
    Files.writeString(dir.resolve("kubelet.svg"), Report.svg(results));
    Bench.log("wrote kubelet.md and kubelet.svg to %s", dir);
  }

  private static String machine() {
    var os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    return String.format(
        Locale.ROOT,
        "%d cores, %.0f GiB, load average %.1f at the start, Java %s.",
        Runtime.getRuntime().availableProcessors(),
        os.getTotalMemorySize() / 1024.0 / 1024 / 1024,
        os.getSystemLoadAverage(),
        Runtime.version().feature());
  }
}
