package dev.vkj.spi.stats;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * Usage of the whole node (all pods of the backend together).
 *
 * @param nodeName the node's name
 * @param startTime when the node started
 * @param cpu the CPU usage of all its pods
 * @param memory the memory usage of all its pods
 */
public record NodeStats(String nodeName, Instant startTime, CpuStats cpu, MemoryStats memory) {
  /**
   * Checks that no component is null.
   *
   * @param nodeName the node's name
   * @param startTime when the node started
   * @param cpu the CPU usage of all its pods
   * @param memory the memory usage of all its pods
   */
  public NodeStats {
    requireNonNull(nodeName, "nodeName is null");
    requireNonNull(startTime, "startTime is null");
    requireNonNull(cpu, "cpu is null");
    requireNonNull(memory, "memory is null");
  }
}
