package dev.vkj.spi.stats;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * Memory usage at one instant, in bytes.
 *
 * @param time when it was measured
 * @param usageBytes total usage including cache
 * @param workingSetBytes what {@code kubectl top} and the HPA use
 * @param rssBytes anonymous and swap cache memory
 */
public record MemoryStats(Instant time, long usageBytes, long workingSetBytes, long rssBytes) {
  /**
   * Checks that the time is set.
   *
   * @param time when it was measured
   * @param usageBytes total usage including cache
   * @param workingSetBytes what {@code kubectl top} and the HPA use
   * @param rssBytes anonymous and swap cache memory
   */
  public MemoryStats {
    requireNonNull(time, "time is null");
  }
}
