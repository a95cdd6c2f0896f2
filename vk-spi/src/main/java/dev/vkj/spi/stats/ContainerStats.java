package dev.vkj.spi.stats;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/** Usage of one container. */
public record ContainerStats(String name, Instant startTime, CpuStats cpu, MemoryStats memory) {
  public ContainerStats {
    requireNonNull(name, "name is null");
    requireNonNull(startTime, "startTime is null");
    requireNonNull(cpu, "cpu is null");
    requireNonNull(memory, "memory is null");
  }
}
