package dev.vkj.bench;

import java.util.Map;
import java.util.TreeMap;

/** Arithmetic over request counts keyed by {@link RequestKey}. */
final class Counts {
  private Counts() {}

  /** {@code after - before} per key; keys that did not move are left out. */
  static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
    Map<String, Long> out = new TreeMap<>();
    after.forEach(
        (k, v) -> {
          long d = v - before.getOrDefault(k, 0L);
          if (d != 0) {
            out.put(k, d);
          }
        });
    return out;
  }

  /** {@code a - b} per key, keeping keys where the result is not zero. */
  static Map<String, Long> minus(Map<String, Long> a, Map<String, Long> b) {
    Map<String, Long> out = new TreeMap<>(a);
    b.forEach((k, v) -> out.merge(k, -v, Long::sum));
    out.values().removeIf(v -> v == 0);
    return out;
  }

  /** Only the keys of resources: {@code GET /metrics} and other paths are left out. */
  static Map<String, Long> resourcesOnly(Map<String, Long> counts) {
    Map<String, Long> out = new TreeMap<>(counts);
    out.keySet().removeIf(k -> k.contains(" /"));
    return out;
  }

  /** Each count divided by {@code pods}. */
  static Map<String, Double> perPod(Map<String, Long> counts, int pods) {
    Map<String, Double> out = new TreeMap<>();
    counts.forEach((k, v) -> out.put(k, pods == 0 ? 0 : (double) v / pods));
    return out;
  }

  static long total(Map<String, Long> counts) {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }
}
