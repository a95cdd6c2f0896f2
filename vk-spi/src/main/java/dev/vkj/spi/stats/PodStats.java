package dev.vkj.spi.stats;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/** Usage of one pod: its containers and the pod totals. */
public record PodStats(
    String namespace,
    String name,
    String uid,
    Instant startTime,
    List<ContainerStats> containers,
    CpuStats cpu,
    MemoryStats memory) {
  public PodStats {
    requireNonNull(namespace, "namespace is null");
    requireNonNull(name, "name is null");
    requireNonNull(uid, "uid is null");
    requireNonNull(startTime, "startTime is null");
    containers = List.copyOf(containers);
    requireNonNull(cpu, "cpu is null");
    requireNonNull(memory, "memory is null");
  }
}
