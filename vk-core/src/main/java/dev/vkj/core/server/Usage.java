package dev.vkj.core.server;

import dev.vkj.spi.stats.CpuStats;
import dev.vkj.spi.stats.MemoryStats;

/**
 * metrics-server drops a node or a whole pod when any container reports zero CPU time or zero
 * working set, so both are reported as at least 1 (one nanosecond, one byte).
 */
final class Usage {
  private Usage() {}

  static long cpuNanoSeconds(CpuStats cpu) {
    return Math.max(1, cpu.usageCoreNanoSeconds());
  }

  static long workingSetBytes(MemoryStats memory) {
    return Math.max(1, memory.workingSetBytes());
  }
}
