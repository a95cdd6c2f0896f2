package dev.vkj.spi.stats;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * CPU usage at one instant.
 *
 * @param time when it was measured
 * @param usageNanoCores the current rate, in billionths of a core
 * @param usageCoreNanoSeconds cumulative CPU time since the container started
 */
public record CpuStats(Instant time, long usageNanoCores, long usageCoreNanoSeconds) {
  /**
   * Checks that the time is set.
   *
   * @param time when it was measured
   * @param usageNanoCores the current rate, in billionths of a core
   * @param usageCoreNanoSeconds cumulative CPU time since the container started
   */
  public CpuStats {
    requireNonNull(time, "time is null");
  }
}
