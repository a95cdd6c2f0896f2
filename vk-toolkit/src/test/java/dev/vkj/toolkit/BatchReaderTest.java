package dev.vkj.toolkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vkj.spi.ErrorCode;
import dev.vkj.spi.ProviderException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BatchReaderTest {
  private final List<List<String>> calls = new ArrayList<>();

  private List<String> describe(List<String> keys) {
    calls.add(keys);
    // the backend knows every key but "gone-*", and answers in its own order
    List<String> out = new ArrayList<>();
    for (int i = keys.size() - 1; i >= 0; i--) {
      if (!keys.get(i).startsWith("gone")) {
        out.add(keys.get(i) + "=RUNNING");
      }
    }
    return out;
  }

  private static List<String> keys(int n) {
    return IntStream.range(0, n).mapToObj(i -> "task-" + i).toList();
  }

  @Test
  void splitsIntoCallsOfAtMostTheBatchSize() throws Exception {
    List<String> results = BatchReader.readAll(keys(250), 100, this::describe);
    assertThat(calls).extracting(List::size).containsExactly(100, 100, 50);
    assertThat(calls.get(0).get(0)).isEqualTo("task-0");
    assertThat(calls.get(2).get(49)).isEqualTo("task-249");
    assertThat(results).hasSize(250);
  }

  @Test
  void noKeysNoCall() throws Exception {
    assertThat(BatchReader.readAll(List.of(), 100, this::describe)).isEmpty();
    assertThat(calls).isEmpty();
  }

  @Test
  void duplicatesAreReadOnce() {
    assertThat(BatchReader.batches(List.of("a", "b", "a", "c", "b"), 2))
        .containsExactly(List.of("a", "b"), List.of("c"));
  }

  @Test
  void byKeyKeepsTheKeyOrderAndLeavesMissingOnesOut() throws Exception {
    List<String> keys = List.of("task-2", "gone-1", "task-1", "task-3");
    Map<String, String> found =
        BatchReader.readByKey(keys, 2, this::describe, v -> v.substring(0, v.indexOf('=')));
    assertThat(found)
        .containsExactly(
            Map.entry("task-2", "task-2=RUNNING"),
            Map.entry("task-1", "task-1=RUNNING"),
            Map.entry("task-3", "task-3=RUNNING"));
    assertThat(calls).hasSize(2);
  }

  @Test
  void anAnswerForAKeyNotAskedForIsADefect() {
    assertThatThrownBy(() -> BatchReader.readByKey(List.of("a"), 10, batch -> List.of("b"), v -> v))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the backend answered for b, which the call did not ask for");
  }

  @Test
  void theFirstFailureStopsTheRead() {
    ProviderException throttled = ProviderException.throttled("slow down", Duration.ofSeconds(1));
    assertThatThrownBy(
            () ->
                BatchReader.readAll(
                    keys(30),
                    10,
                    batch -> {
                      calls.add(batch);
                      if (calls.size() == 2) {
                        throw throttled;
                      }
                      return batch;
                    }))
        .isSameAs(throttled)
        .extracting(e -> ((ProviderException) e).code())
        .isEqualTo(ErrorCode.THROTTLED);
    assertThat(calls).hasSize(2);
  }

  @Test
  void batchSizeMustBePositive() {
    assertThatThrownBy(() -> BatchReader.batches(List.of("a"), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batchSize must be at least 1, not 0");
  }
}
