package dev.vkj.spi.stats;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * Usage of one container.
 *
 * @param name the container's name, as in the pod spec
 * @param startTime when the container started
 * @param cpu its CPU usage
 * @param memory its memory usage
 */
public record ContainerStats(String name, Instant startTime, CpuStats cpu, MemoryStats memory) {
  /**
   * Checks that no component is null.
   *
   * @param name the container's name, as in the pod spec
   * @param startTime when the container started
   * @param cpu its CPU usage
   * @param memory its memory usage
   */
  public ContainerStats {
    requireNonNull(name, "name is null");
    requireNonNull(startTime, "startTime is null");
    requireNonNull(cpu, "cpu is null");
    requireNonNull(memory, "memory is null");
  }
}
