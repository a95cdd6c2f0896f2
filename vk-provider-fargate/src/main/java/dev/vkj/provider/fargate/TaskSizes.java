package dev.vkj.provider.fargate;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The cpu and memory combinations a Fargate task may have: 74 pairs from 0.25 vCPU / 512 MiB to 16
 * vCPU / 120 GiB (the ECS API's {@code RegisterTaskDefinition} {@code memory} documentation; the 8
 * and 16 vCPU rows need Linux platform version 1.4.0 or later).
 *
 * <table>
 *   <caption>Fargate task sizes</caption>
 *   <tr><th>cpu units</th><th>memory (MiB)</th></tr>
 *   <tr><td>256</td><td>512, 1024, 2048</td></tr>
 *   <tr><td>512</td><td>1024 to 4096 in steps of 1024</td></tr>
 *   <tr><td>1024</td><td>2048 to 8192 in steps of 1024</td></tr>
 *   <tr><td>2048</td><td>4096 to 16384 in steps of 1024</td></tr>
 *   <tr><td>4096</td><td>8192 to 30720 in steps of 1024</td></tr>
 *   <tr><td>8192</td><td>16384 to 61440 in steps of 4096</td></tr>
 *   <tr><td>16384</td><td>32768 to 122880 in steps of 8192</td></tr>
 * </table>
 *
 * <p>The smallest size for a need is found as the archived Go provider did, on the current table:
 * the first cpu row with at least the cpu needed that also has a memory value of at least the
 * memory needed, and in it the smallest such memory value. So a need of more memory than a row
 * offers moves to the next cpu row.
 */
final class TaskSizes {
  /** One valid task size: cpu units (1024 = 1 vCPU) and memory in MiB. */
  record Size(int cpu, int memoryMiB) {
    @Override
    public String toString() {
      return cpu + " cpu units / " + memoryMiB + " MiB";
    }
  }

  private static final List<Size> ALL = table();

  private TaskSizes() {}

  /** The smallest valid Fargate task size holding cpuUnits and memoryMiB, or empty. */
  static Optional<Size> smallest(long cpuUnits, long memoryMiB) {
    // ALL is sorted by cpu, then memory: the first fit is the smallest
    for (Size s : ALL) {
      if (s.cpu() >= cpuUnits && s.memoryMiB() >= memoryMiB) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  /** Every valid size, by cpu and then memory. */
  static List<Size> all() {
    return ALL;
  }

  /** The largest size, for error messages. */
  static Size largest() {
    return ALL.get(ALL.size() - 1);
  }

  private static List<Size> table() {
    List<Size> out = new ArrayList<>();
    out.add(new Size(256, 512));
    row(out, 256, 1024, 2048, 1024);
    row(out, 512, 1024, 4096, 1024);
    row(out, 1024, 2048, 8192, 1024);
    row(out, 2048, 4096, 16384, 1024);
    row(out, 4096, 8192, 30720, 1024);
    row(out, 8192, 16384, 61440, 4096);
    row(out, 16384, 32768, 122880, 8192);
    return List.copyOf(out);
  }

  private static void row(List<Size> out, int cpu, int fromMiB, int toMiB, int stepMiB) {
    for (int m = fromMiB; m <= toMiB; m += stepMiB) {
      out.add(new Size(cpu, m));
    }
  }
}
