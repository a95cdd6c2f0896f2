package dev.vkj.provider.mock;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Synthetic but plausible resource usage. A container uses a share of what it requests (or of its
 * limit, or a small default), with a slow deterministic wave on top; cumulative CPU is the exact
 * integral of that rate, so it only grows and never jumps.
 */
final class UsageModel {
  private static final double CPU_PERIOD_SECONDS = 300;
  private static final double CPU_AMPLITUDE = 0.25;
  private static final double MEMORY_PERIOD_SECONDS = 600;
  private static final double MEMORY_AMPLITUDE = 0.1;
  private static final long DEFAULT_NANO_CORES = 5_000_000L; // 5m
  private static final long DEFAULT_MEMORY = 24L * 1024 * 1024;

  /** Usage of one container instance at one instant. */
  record Sample(long nanoCores, long cumulativeCoreNanos, long workingSet, long usage, long rss) {}

  private UsageModel() {}

  static Sample sample(String key, Container spec, Instant startedAt, Instant now) {
    double seconds = Math.max(0, Duration.between(startedAt, now).toNanos() / 1e9);
    double phase = phase(key);
    long baseCpu = baseNanoCores(spec);
    double cpuWave = 2 * Math.PI * seconds / CPU_PERIOD_SECONDS + phase;
    long rate = Math.max(1, Math.round(baseCpu * (1 + CPU_AMPLITUDE * Math.sin(cpuWave))));
    long cumulative = cumulative(baseCpu, phase, seconds);
    long baseMemory = baseMemory(spec);
    double memoryWave = 2 * Math.PI * seconds / MEMORY_PERIOD_SECONDS + phase;
    long workingSet =
        Math.max(1, Math.round(baseMemory * (1 + MEMORY_AMPLITUDE * Math.sin(memoryWave))));
    return new Sample(
        rate, cumulative, workingSet, workingSet + workingSet / 5, Math.max(1, workingSet * 4 / 5));
  }

  /** Core-nanoseconds used from start until {@code seconds} later; at least 1. */
  static long cumulative(long baseNanoCores, double phase, double seconds) {
    double wavePart =
        CPU_AMPLITUDE
            * CPU_PERIOD_SECONDS
            / (2 * Math.PI)
            * (Math.cos(phase) - Math.cos(2 * Math.PI * seconds / CPU_PERIOD_SECONDS + phase));
    return 1 + Math.round(baseNanoCores * (seconds + wavePart));
  }

  static double phase(String key) {
    return (key.hashCode() & 0xFFFF) / 65536.0 * 2 * Math.PI;
  }

  /** About 40 % of the cpu request, else 20 % of the limit, else 5m. */
  static long baseNanoCores(Container spec) {
    BigDecimal request = resource(spec, true, "cpu");
    if (request != null) {
      return Math.max(1_000_000L, request.multiply(BigDecimal.valueOf(400_000_000L)).longValue());
    }
    BigDecimal limit = resource(spec, false, "cpu");
    if (limit != null) {
      return Math.max(1_000_000L, limit.multiply(BigDecimal.valueOf(200_000_000L)).longValue());
    }
    return DEFAULT_NANO_CORES;
  }

  /** About 60 % of the memory request, else 40 % of the limit, else 24Mi. */
  static long baseMemory(Container spec) {
    BigDecimal request = resource(spec, true, "memory");
    if (request != null) {
      return Math.max(1L << 20, request.multiply(BigDecimal.valueOf(0.6)).longValue());
    }
    BigDecimal limit = resource(spec, false, "memory");
    if (limit != null) {
      return Math.max(1L << 20, limit.multiply(BigDecimal.valueOf(0.4)).longValue());
    }
    return DEFAULT_MEMORY;
  }

  private static BigDecimal resource(Container spec, boolean request, String name) {
    if (spec == null || spec.getResources() == null) {
      return null;
    }
    Map<String, Quantity> values =
        request ? spec.getResources().getRequests() : spec.getResources().getLimits();
    if (values == null || values.get(name) == null) {
      return null;
    }
    try {
      BigDecimal amount = values.get(name).getNumericalAmount();
      return amount.signum() > 0 ? amount : null;
    } catch (RuntimeException e) {
      return null;
    }
  }
}
