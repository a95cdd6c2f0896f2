package dev.vkj.spi.stats;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/**
 * Usage of one pod: its containers and the pod totals.
 *
 * @param namespace the pod's namespace
 * @param name the pod's name
 * @param uid the pod's {@code metadata.uid}
 * @param startTime when the pod started
 * @param containers the usage of each container
 * @param cpu the CPU usage of all its containers
 * @param memory the memory usage of all its containers
 */
public record PodStats(
    String namespace,
    String name,
    String uid,
    Instant startTime,
    List<ContainerStats> containers,
    CpuStats cpu,
    MemoryStats memory) {
  /**
   * Checks that no component is null and copies the list.
   *
   * @param namespace the pod's namespace
   * @param name the pod's name
   * @param uid the pod's {@code metadata.uid}
   * @param startTime when the pod started
   * @param containers the usage of each container
   * @param cpu the CPU usage of all its containers
   * @param memory the memory usage of all its containers
   */
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
