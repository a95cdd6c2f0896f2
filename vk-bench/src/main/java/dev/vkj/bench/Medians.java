package dev.vkj.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/** Folds repeated closed-loop runs into one row per kubelet and size. */
final class Medians {
  private Medians() {}

  /**
   * One row per kubelet and size, in the order first run, holding each figure's median over that
   * kubelet's runs at that size. Failed requests are summed, since a single failure matters.
   */
  static List<Results.ClosedLoop> of(List<Results.ClosedLoop> runs) {
    Map<String, List<Results.ClosedLoop>> groups = new LinkedHashMap<>();
    for (Results.ClosedLoop r : runs) {
      groups.computeIfAbsent(r.kubelet() + " " + r.pods(), k -> new ArrayList<>()).add(r);
    }
    return groups.values().stream().map(Medians::fold).toList();
  }

  private static Results.ClosedLoop fold(List<Results.ClosedLoop> g) {
    Results.ClosedLoop first = g.get(0);
    Map<String, Long> failed = new TreeMap<>();
    g.forEach(r -> r.failedRequests().forEach((k, v) -> failed.merge(k, v, Long::sum)));
    return new Results.ClosedLoop(
        first.kubelet(),
        first.pods(),
        median(g, Results.ClosedLoop::toRunningSeconds),
        median(g, Results.ClosedLoop::toGoneSeconds),
        median(g, Results.ClosedLoop::runningPerSecond),
        median(g, Results.ClosedLoop::gonePerSecond),
        median(g, Results.ClosedLoop::p50Millis),
        median(g, Results.ClosedLoop::p99Millis),
        median(g, Results.ClosedLoop::cpuSecondsPer1000Pods),
        median(g, Results.ClosedLoop::jitSecondsPer1000Pods),
        Math.round(median(g, r -> r.heapIdleBytes())),
        Math.round(median(g, r -> r.heapRunningBytes())),
        median(g, Results.ClosedLoop::heapKbPerPod),
        medianPerKey(g, Results.ClosedLoop::clientRequestsPerPod, v -> v),
        medianPerKey(g, Results.ClosedLoop::serverRequestsPerPod, v -> v),
        failed,
        medianPerKey(g, Results.ClosedLoop::providerCalls, v -> Math.round(v)));
  }

  /** The median; the mean of the middle two for an even count. */
  static double median(double... values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] v = values.clone();
    Arrays.sort(v);
    int mid = v.length / 2;
    return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  }

  private static double median(List<Results.ClosedLoop> g, ToDoubleFunction<Results.ClosedLoop> f) {
    return median(g.stream().mapToDouble(f).toArray());
  }

  /** Per key, the median over the runs, a run without the key counting as 0. */
  private static <V extends Number> Map<String, V> medianPerKey(
      List<Results.ClosedLoop> g,
      Function<Results.ClosedLoop, Map<String, ? extends Number>> f,
      Function<Double, V> box) {
    TreeSet<String> keys = new TreeSet<>();
    g.forEach(r -> keys.addAll(f.apply(r).keySet()));
    Map<String, V> out = new TreeMap<>();
    for (String key : keys) {
      double m =
          median(
              g.stream()
                  .mapToDouble(
                      r -> {
                        Number n = f.apply(r).get(key);
                        return n == null ? 0 : n.doubleValue();
                      })
                  .toArray());
      out.put(key, box.apply(m));
    }
    return out;
  }
}
