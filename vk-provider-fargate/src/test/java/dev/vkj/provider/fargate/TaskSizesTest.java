package dev.vkj.provider.fargate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vkj.provider.fargate.TaskSizes.Size;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

final class TaskSizesTest {
  /**
   * The {@code sizes} of the ECS reference table {@code fargate-task-sizes.json} (botocore
   * RegisterTaskDefinitionRequest.memory documentation), copied verbatim: cpu, then every memory
   * value in MiB.
   */
  private static final String REFERENCE =
      """
      256: 512, 1024, 2048
      512: 1024, 2048, 3072, 4096
      1024: 2048, 3072, 4096, 5120, 6144, 7168, 8192
      2048: 4096, 5120, 6144, 7168, 8192, 9216, 10240, 11264, 12288, 13312, 14336, 15360, 16384
      4096: 8192, 9216, 10240, 11264, 12288, 13312, 14336, 15360, 16384, 17408, 18432, 19456,\
       20480, 21504, 22528, 23552, 24576, 25600, 26624, 27648, 28672, 29696, 30720
      8192: 16384, 20480, 24576, 28672, 32768, 36864, 40960, 45056, 49152, 53248, 57344, 61440
      16384: 32768, 40960, 49152, 57344, 65536, 73728, 81920, 90112, 98304, 106496, 114688, 122880
      """;

  private static Map<Integer, List<Integer>> reference() {
    Map<Integer, List<Integer>> rows = new LinkedHashMap<>();
    Matcher m = Pattern.compile("(\\d+): ([\\d, ]+)").matcher(REFERENCE);
    while (m.find()) {
      List<Integer> memory = new ArrayList<>();
      for (String v : m.group(2).split(",")) {
        memory.add(Integer.parseInt(v.strip()));
      }
      rows.put(Integer.parseInt(m.group(1)), memory);
    }
    return rows;
  }

  @Test
  void theTableHasTheSeventyFourReferencePairsInOrder() {
    List<Size> expected = new ArrayList<>();
    reference().forEach((cpu, memory) -> memory.forEach(m -> expected.add(new Size(cpu, m))));
    assertThat(expected).hasSize(74);
    assertThat(TaskSizes.all()).hasSize(74).containsExactlyElementsOf(expected);
    assertThat(TaskSizes.all())
        .contains(new Size(256, 512), new Size(4096, 30720), new Size(16384, 122880))
        .doesNotContain(new Size(256, 4096), new Size(4096, 31744), new Size(8192, 18432));
    assertThat(TaskSizes.largest()).isEqualTo(new Size(16384, 122880));
  }

  @Test
  void rowsHaveTheDocumentedCounts() {
    Map<Integer, Integer> counts = new LinkedHashMap<>();
    TaskSizes.all().forEach(s -> counts.merge(s.cpu(), 1, Integer::sum));
    assertThat(counts)
        .containsExactly(
            Map.entry(256, 3),
            Map.entry(512, 4),
            Map.entry(1024, 7),
            Map.entry(2048, 13),
            Map.entry(4096, 23),
            Map.entry(8192, 12),
            Map.entry(16384, 12));
  }

  @Test
  void everyPairIsTheSmallestSizeForItself() {
    for (Size s : TaskSizes.all()) {
      assertThat(TaskSizes.smallest(s.cpu(), s.memoryMiB())).as("%s", s).hasValue(s);
    }
  }

  @Test
  void eachRowsMinimumAndMaximumMemoryStayInTheRow() {
    reference()
        .forEach(
            (cpu, memory) -> {
              int min = memory.get(0);
              int max = memory.get(memory.size() - 1);
              assertThat(TaskSizes.smallest(cpu, min)).hasValue(new Size(cpu, min));
              assertThat(TaskSizes.smallest(cpu, max)).hasValue(new Size(cpu, max));
              // below the row's minimum: the row's minimum
              assertThat(TaskSizes.smallest(cpu, 1)).hasValue(new Size(cpu, min));
              assertThat(TaskSizes.smallest(cpu, min - 1)).hasValue(new Size(cpu, min));
            });
  }

  @Test
  void oneMebibyteAboveARowsMaximumMovesToTheNextCpu() {
    assertThat(TaskSizes.smallest(256, 2049)).hasValue(new Size(512, 3072));
    assertThat(TaskSizes.smallest(512, 4097)).hasValue(new Size(1024, 5120));
    assertThat(TaskSizes.smallest(1024, 8193)).hasValue(new Size(2048, 9216));
    assertThat(TaskSizes.smallest(2048, 16385)).hasValue(new Size(4096, 17408));
    assertThat(TaskSizes.smallest(4096, 30721)).hasValue(new Size(8192, 32768));
    assertThat(TaskSizes.smallest(8192, 61441)).hasValue(new Size(16384, 65536));
    assertThat(TaskSizes.smallest(16384, 122881)).isEmpty();
  }

  @Test
  void memoryBetweenStepsRoundsUpWithinTheRow() {
    assertThat(TaskSizes.smallest(256, 513)).hasValue(new Size(256, 1024));
    assertThat(TaskSizes.smallest(8192, 16385)).hasValue(new Size(8192, 20480));
    assertThat(TaskSizes.smallest(16384, 32769)).hasValue(new Size(16384, 40960));
  }

  @Test
  void oneUnitAboveARowsCpuMovesToTheNextRow() {
    assertThat(TaskSizes.smallest(257, 0)).hasValue(new Size(512, 1024));
    assertThat(TaskSizes.smallest(4097, 0)).hasValue(new Size(8192, 16384));
    assertThat(TaskSizes.smallest(8193, 0)).hasValue(new Size(16384, 32768));
    assertThat(TaskSizes.smallest(16385, 0)).isEmpty();
  }

  @Test
  void theLargestTaskIsSixteenVcpuAndOneHundredTwentyGibibytes() {
    assertThat(TaskSizes.smallest(16384, 122880)).hasValue(new Size(16384, 122880));
    assertThat(TaskSizes.smallest(16384, 120L * 1024 + 1)).isEmpty();
    assertThat(TaskSizes.smallest(20 * 1024, 8 * 1024)).isEmpty();
    assertThat(TaskSizes.smallest(Long.MAX_VALUE, Long.MAX_VALUE)).isEqualTo(Optional.empty());
  }

  @Test
  void theGoProvidersExamplesStillHoldWhereItsTableDid() {
    // pod_test.go of the archived provider: (0,0), (200,256), (256,3072), (4096,30720)
    assertThat(TaskSizes.smallest(0, 0)).hasValue(new Size(256, 512));
    assertThat(TaskSizes.smallest(200, 256)).hasValue(new Size(256, 512));
    assertThat(TaskSizes.smallest(256, 3072)).hasValue(new Size(512, 3072));
    assertThat(TaskSizes.smallest(4096, 30720)).hasValue(new Size(4096, 30720));
    // its "too high" cases fit the 8 and 16 vCPU rows now
    assertThat(TaskSizes.smallest(4097, 1)).hasValue(new Size(8192, 16384));
    assertThat(TaskSizes.smallest(8192, 65536)).hasValue(new Size(16384, 65536));
  }

  @Test
  void sizesPrintThemselvesForMessages() {
    assertThat(new Size(256, 512)).hasToString("256 cpu units / 512 MiB");
  }
}
