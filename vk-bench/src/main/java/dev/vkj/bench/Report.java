package dev.vkj.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Renders {@link Results} as Markdown tables (with vkj/baseline ratios and the targets) and SVG.
 */
final class Report {
  private Report() {}

  static String markdown(Results r) {
    StringBuilder md = new StringBuilder();
    md.append("Run of ").append(r.date()).append(" on ").append(r.machine()).append("\n");
    if (!r.note().isBlank()) {
      md.append("\n").append(r.note()).append("\n");
    }
    if (!r.closedLoop().isEmpty()) {
      md.append("\n### Closed loop\n\n");
      md.append(
          "| pods | kubelet | all Running after | pods/s to Running | all gone after | pods/s to gone"
              + " | create → Running p50 / p99 | CPU s per 1,000 pods | JIT compiling s per 1,000 pods"
              + " | heap after GC idle / with pods | heap per pod | API requests per pod |\n");
      md.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
      List<Results.ClosedLoop> rows = new ArrayList<>(r.closedLoop());
      rows.sort(
          java.util.Comparator.comparingInt(Results.ClosedLoop::pods)
              .thenComparing(c -> c.kubelet().equals("vkj")));
      for (Results.ClosedLoop c : rows) {
        md.append(
            String.format(
                Locale.ROOT,
                "| %,d | %s | %.1f s | %.1f | %.1f s | %.1f | %.0f / %.0f ms | %.2f | %.2f"
                    + " | %.0f / %.0f MB | %.1f KB | %.2f |%n",
                c.pods(),
                c.kubelet(),
                c.toRunningSeconds(),
                c.runningPerSecond(),
                c.toGoneSeconds(),
                c.gonePerSecond(),
                c.p50Millis(),
                c.p99Millis(),
                c.cpuSecondsPer1000Pods(),
                c.jitSecondsPer1000Pods(),
                c.heapIdleBytes() / 1e6,
                c.heapRunningBytes() / 1e6,
                c.heapKbPerPod(),
                sum(c.clientRequestsPerPod())));
        find(r, "baseline", c.pods())
            .filter(b -> c.kubelet().equals("vkj"))
            .ifPresent(
                b ->
                    md.append(
                        String.format(
                            Locale.ROOT,
                            "| %,d | **vkj / baseline** | | **%s** | | **%s** | %s / %s | **%s** | %s | | %s | %s |%n",
                            c.pods(),
                            ratio(c.runningPerSecond(), b.runningPerSecond()),
                            ratio(c.gonePerSecond(), b.gonePerSecond()),
                            ratio(c.p50Millis(), b.p50Millis()),
                            ratio(c.p99Millis(), b.p99Millis()),
                            ratio(c.cpuSecondsPer1000Pods(), b.cpuSecondsPer1000Pods()),
                            ratio(c.jitSecondsPer1000Pods(), b.jitSecondsPer1000Pods()),
                            ratio(c.heapKbPerPod(), b.heapKbPerPod()),
                            ratio(sum(c.clientRequestsPerPod()), sum(b.clientRequestsPerPod())))));
      }
      if (r.runs().size() > r.closedLoop().size()) {
        runs(md, r);
      }
      md.append("\n### API requests per pod, by verb and resource\n\n");
      md.append(
          "Counted by each kubelet's client interceptor; in brackets the API server's"
              + " `apiserver_request_total` over the same window minus the driver's own requests"
              + " (so it also holds what the controllers did meanwhile, and watches are counted by the"
              + " server only when they end).\n\n");
      md.append("| pods | request | baseline | vkj |\n|---|---|---|---|\n");
      for (int pods :
          new TreeSet<>(r.closedLoop().stream().map(Results.ClosedLoop::pods).toList())) {
        Optional<Results.ClosedLoop> b = find(r, "baseline", pods);
        Optional<Results.ClosedLoop> v = find(r, "vkj", pods);
        TreeSet<String> keys = new TreeSet<>();
        b.ifPresent(x -> keys.addAll(x.clientRequestsPerPod().keySet()));
        v.ifPresent(x -> keys.addAll(x.clientRequestsPerPod().keySet()));
        for (String key : keys) {
          md.append(
              String.format(
                  Locale.ROOT,
                  "| %,d | `%s` | %s | %s |%n",
                  pods,
                  key,
                  b.map(x -> perPod(x, key)).orElse("–"),
                  v.map(x -> perPod(x, key)).orElse("–")));
        }
      }
    }
    List<Results.ClosedLoop> each = r.runs().isEmpty() ? r.closedLoop() : r.runs();
    if (each.stream().anyMatch(c -> !c.failedRequests().isEmpty())) {
      md.append(
          "\nUnsuccessful answers to the kubelets during the closed loop (request and HTTP code):\n\n");
      for (Results.ClosedLoop c : each) {
        if (!c.failedRequests().isEmpty()) {
          md.append(
              String.format(
                  Locale.ROOT, "- %s, %,d pods: %s%n", c.kubelet(), c.pods(), c.failedRequests()));
        }
      }
    }
    if (!r.openLoop().isEmpty()) {
      md.append("\n### Open loop (create → Running, driver clock)\n\n");
      md.append("| offered pods/s | kubelet | pods | achieved pods/s | p50 | p90 | p99 | max |\n");
      md.append("|---|---|---|---|---|---|---|---|\n");
      for (Results.OpenLoop o : r.openLoop()) {
        md.append(
            String.format(
                Locale.ROOT,
                "| %.0f | %s | %,d | %.1f | %.0f ms | %.0f ms | %.0f ms | %.0f ms |%n",
                o.offeredRate(),
                o.kubelet(),
                o.pods(),
                o.achievedRate(),
                o.p50Millis(),
                o.p90Millis(),
                o.p99Millis(),
                o.maxMillis()));
      }
    }
    if (r.restart() != null) {
      Results.Restart s = r.restart();
      md.append("\n### Restart of vkj over pods in place\n\n");
      md.append(
          "| pods | node Ready after | adopted after | createPod | updatePod | deletePod | listPods | status PATCHes | not Running after |\n");
      md.append("|---|---|---|---|---|---|---|---|---|\n");
      md.append(
          String.format(
              Locale.ROOT,
              "| %,d | %.1f s | %.1f s | %d | %d | %d | %d | %d | %d |%n",
              s.pods(),
              s.startSeconds(),
              s.adoptSeconds(),
              call(s, "createPod"),
              call(s, "updatePod"),
              call(s, "deletePod"),
              call(s, "listPods"),
              s.requests().getOrDefault("PATCH pods/status", 0L),
              s.notRunningAfter()));
    }
    md.append("\n### Targets\n\n| target | measured | met |\n|---|---|---|\n");
    for (String[] t : targets(r)) {
      md.append("| ")
          .append(t[0])
          .append(" | ")
          .append(t[1])
          .append(" | ")
          .append(t[2])
          .append(" |\n");
    }
    return md.toString();
  }

  /**
   * Every run in the order it ran, with the figures that the targets use and their ratio to the
   * baseline's run of the same round, so that the spread behind each median is visible.
   */
  private static void runs(StringBuilder md, Results r) {
    md.append("\n### Closed loop, each run\n\n");
    md.append(
        "The rows above are the medians of these runs. Within a round the kubelets ran one after"
            + " the other, and every other round the other kubelet went first.\n\n");
    md.append(
        "| pods | round | kubelet | pods/s to Running | pods/s to gone | CPU s per 1,000 pods"
            + " | JIT compiling s per 1,000 pods | heap per pod |\n");
    md.append("|---|---|---|---|---|---|---|---|\n");
    Map<String, Integer> rounds = new HashMap<>();
    Map<String, Results.ClosedLoop> baselines = new HashMap<>();
    for (Results.ClosedLoop c : r.runs()) {
      int round = rounds.merge(c.kubelet() + " " + c.pods(), 1, Integer::sum);
      String key = c.pods() + " " + round;
      md.append(
          String.format(
              Locale.ROOT,
              "| %,d | %d | %s | %.1f | %.1f | %.2f | %.2f | %.1f KB |%n",
              c.pods(),
              round,
              c.kubelet(),
              c.runningPerSecond(),
              c.gonePerSecond(),
              c.cpuSecondsPer1000Pods(),
              c.jitSecondsPer1000Pods(),
              c.heapKbPerPod()));
      if (c.kubelet().equals("baseline")) {
        baselines.put(key, c);
      }
    }
    md.append("\nvkj / baseline within each round:\n\n");
    md.append("| pods | round | to Running | to gone | CPU per pod |\n|---|---|---|---|---|\n");
    rounds.clear();
    for (Results.ClosedLoop c : r.runs()) {
      int round = rounds.merge(c.kubelet() + " " + c.pods(), 1, Integer::sum);
      Results.ClosedLoop b = baselines.get(c.pods() + " " + round);
      if (c.kubelet().equals("vkj") && b != null) {
        md.append(
            String.format(
                Locale.ROOT,
                "| %,d | %d | %s | %s | %s |%n",
                c.pods(),
                round,
                ratio(c.runningPerSecond(), b.runningPerSecond()),
                ratio(c.gonePerSecond(), b.gonePerSecond()),
                ratio(c.cpuSecondsPer1000Pods(), b.cpuSecondsPer1000Pods())));
      }
    }
  }

  /** Each target of the issue with the figure that decides it and a verdict. */
  static List<String[]> targets(Results r) {
    List<String[]> out = new ArrayList<>();
    for (Results.ClosedLoop v : r.closedLoop()) {
      if (!v.kubelet().equals("vkj")) {
        continue;
      }
      Optional<Results.ClosedLoop> b = find(r, "baseline", v.pods());
      if (b.isEmpty()) {
        continue;
      }
      double up = v.runningPerSecond() / b.get().runningPerSecond();
      double down = v.gonePerSecond() / b.get().gonePerSecond();
      double cpu = v.cpuSecondsPer1000Pods() / b.get().cpuSecondsPer1000Pods();
      String n = String.format(Locale.ROOT, "%,d pods", v.pods());
      out.add(row("throughput to Running ≥ 0.9× baseline (" + n + ")", fmt(up) + "×", up >= 0.9));
      out.add(row("throughput to gone ≥ 0.9× baseline (" + n + ")", fmt(down) + "×", down >= 0.9));
      out.add(row("CPU per pod ≤ 1.2× baseline (" + n + ")", fmt(cpu) + "×", cpu <= 1.2));
      out.add(
          row(
              "heap after GC ≤ 20 KB per pod (" + n + "; the target is set at 10,000)",
              String.format(Locale.ROOT, "%.1f KB", v.heapKbPerPod()),
              v.heapKbPerPod() <= 20));
    }
    if (r.restart() != null) {
      Results.Restart s = r.restart();
      boolean ok =
          s.adoptSeconds() >= 0
              && s.adoptSeconds() <= 30
              && call(s, "createPod") == 0
              && call(s, "updatePod") == 0;
      out.add(
          row(
              String.format(
                  Locale.ROOT,
                  "adoption ≤ 30 s, 0 creates and updates (%,d pods; the target is set at 5,000)",
                  s.pods()),
              String.format(
                  Locale.ROOT,
                  "%.1f s, %d creates, %d updates",
                  s.adoptSeconds(),
                  call(s, "createPod"),
                  call(s, "updatePod")),
              ok));
    }
    for (Results.OpenLoop o : r.openLoop()) {
      if (o.kubelet().equals("vkj") && o.offeredRate() == 25) {
        out.add(
            row(
                "p99 create → Running ≤ 2 s at 25 pods/s",
                String.format(Locale.ROOT, "%.0f ms", o.p99Millis()),
                o.p99Millis() <= 2000));
      }
    }
    return out;
  }

  /**
   * The chart: throughput and closed-loop latency against N, and open-loop latency against rate.
   */
  static String svg(Results r) {
    List<SvgChart.Panel> panels = new ArrayList<>();
    List<Integer> sizes =
        new ArrayList<>(
            new TreeSet<>(r.closedLoop().stream().map(Results.ClosedLoop::pods).toList()));
    List<String> x = sizes.stream().map(n -> String.format(Locale.ROOT, "%,d", n)).toList();
    if (!sizes.isEmpty()) {
      List<SvgChart.Series> tp = new ArrayList<>();
      List<SvgChart.Series> lat = new ArrayList<>();
      for (String k : List.of("baseline", "vkj")) {
        String color = k.equals("vkj") ? "#d62728" : "#1f77b4";
        tp.add(
            new SvgChart.Series(
                k + " to Running",
                color,
                false,
                values(r, k, sizes, Results.ClosedLoop::runningPerSecond)));
        tp.add(
            new SvgChart.Series(
                k + " to gone",
                color,
                true,
                values(r, k, sizes, Results.ClosedLoop::gonePerSecond)));
        lat.add(
            new SvgChart.Series(
                k + " p50", color, true, values(r, k, sizes, Results.ClosedLoop::p50Millis)));
        lat.add(
            new SvgChart.Series(
                k + " p99", color, false, values(r, k, sizes, Results.ClosedLoop::p99Millis)));
      }
      panels.add(new SvgChart.Panel("Closed loop: throughput against N", "pods/s", x, tp));
      panels.add(new SvgChart.Panel("Closed loop: create → Running against N", "ms", x, lat));
    }
    List<Double> rates =
        new ArrayList<>(
            new TreeSet<>(r.openLoop().stream().map(Results.OpenLoop::offeredRate).toList()));
    if (!rates.isEmpty()) {
      List<SvgChart.Series> lat = new ArrayList<>();
      for (String k : List.of("baseline", "vkj")) {
        String color = k.equals("vkj") ? "#d62728" : "#1f77b4";
        double[] p50 = new double[rates.size()];
        double[] p99 = new double[rates.size()];
        for (int i = 0; i < rates.size(); i++) {
          double rate = rates.get(i);
          Optional<Results.OpenLoop> o =
              r.openLoop().stream()
                  .filter(e -> e.kubelet().equals(k) && e.offeredRate() == rate)
                  .findFirst();
          p50[i] = o.map(Results.OpenLoop::p50Millis).orElse(Double.NaN);
          p99[i] = o.map(Results.OpenLoop::p99Millis).orElse(Double.NaN);
        }
        lat.add(new SvgChart.Series(k + " p50", color, true, p50));
        lat.add(new SvgChart.Series(k + " p99", color, false, p99));
      }
      panels.add(
          new SvgChart.Panel(
              "Open loop: create → Running against rate",
              "ms",
              rates.stream().map(v -> String.format(Locale.ROOT, "%.0f/s", v)).toList(),
              lat));
    }
    return SvgChart.render("vkj and a minimal kubelet, " + r.date(), panels);
  }

  private static double[] values(
      Results r,
      String kubelet,
      List<Integer> sizes,
      java.util.function.ToDoubleFunction<Results.ClosedLoop> f) {
    double[] out = new double[sizes.size()];
    for (int i = 0; i < sizes.size(); i++) {
      out[i] = find(r, kubelet, sizes.get(i)).map(f::applyAsDouble).orElse(Double.NaN);
    }
    return out;
  }

  static Optional<Results.ClosedLoop> find(Results r, String kubelet, int pods) {
    return r.closedLoop().stream()
        .filter(c -> c.kubelet().equals(kubelet) && c.pods() == pods)
        .findFirst();
  }

  private static String perPod(Results.ClosedLoop c, String key) {
    return String.format(
        Locale.ROOT,
        "%.2f (%.2f)",
        c.clientRequestsPerPod().getOrDefault(key, 0.0),
        c.serverRequestsPerPod().getOrDefault(key, 0.0));
  }

  private static long call(Results.Restart s, String op) {
    return s.providerCalls().getOrDefault(op, 0L);
  }

  static double sum(Map<String, Double> perPod) {
    return perPod.values().stream().mapToDouble(Double::doubleValue).sum();
  }

  static String ratio(double a, double b) {
    return b == 0 || !Double.isFinite(a) || !Double.isFinite(b) ? "–" : fmt(a / b) + "×";
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }

  private static String[] row(String target, String measured, boolean met) {
    return new String[] {target, measured, met ? "yes" : "**no**"};
  }
}
