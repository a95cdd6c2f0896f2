package dev.vkj.spi.stats;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/** Usage of the whole node (all pods of the backend together). */
public record NodeStats(String nodeName, Instant startTime, CpuStats cpu, MemoryStats memory) {
  public NodeStats {
    requireNonNull(nodeName, "nodeName is null");
    requireNonNull(startTime, "startTime is null");
    requireNonNull(cpu, "cpu is null");
    requireNonNull(memory, "memory is null");
  }
}
