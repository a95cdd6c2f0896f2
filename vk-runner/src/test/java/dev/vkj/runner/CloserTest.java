package dev.vkj.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

final class CloserTest {
  @Test
  void closesInReverseOrderOnceAndSurvivesFailures() {
    List<String> closed = new ArrayList<>();
    Closer closer = new Closer();
    closer.register(() -> closed.add("client"));
    closer.register(
        () -> {
          closed.add("metrics");
          throw new IllegalStateException("boom");
        });
    closer.register(() -> closed.add("kubelet"));

    closer.close();
    closer.close();

    assertThat(closed).containsExactly("kubelet", "metrics", "client");
    assertThatThrownBy(() -> closer.register(() -> {})).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void manualLifecycleStopsOnRequest() throws InterruptedException {
    RunnerLifecycle lifecycle = RunnerLifecycle.manual();
    assertThat(lifecycle.stopRequested()).isFalse();
    assertThat(lifecycle.awaitStarted(java.time.Duration.ofMillis(10))).isNull();

    lifecycle.requestStop();
    lifecycle.awaitStopRequest();

    assertThat(lifecycle.stopRequested()).isTrue();
  }
}
