package dev.vkj.core.pod;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class WorkQueueTest {
  private static final Duration SHORT = Duration.ofMillis(20);
  private static final Duration LONG = Duration.ofSeconds(5);

  private static WorkQueue fastQueue() {
    return new WorkQueue(Duration.ofMillis(1), Duration.ofMillis(4), 10_000, 10_000);
  }

  @Test
  void deduplicatesQueuedKeys() throws Exception {
    WorkQueue q = fastQueue();
    q.add("a");
    q.add("b");
    q.add("a");
    assertThat(q.depth()).isEqualTo(2);
    assertThat(q.poll(LONG)).isEqualTo("a");
    assertThat(q.poll(LONG)).isEqualTo("b");
    assertThat(q.poll(SHORT)).isNull();
  }

  @Test
  void keyAddedWhileProcessingRunsExactlyOnceMoreAfterDone() throws Exception {
    assertRunsOnceMoreAfterDone(
        q -> {
          q.add("a");
          q.add("a");
        });
    // news that the running sync did not use
    assertRunsOnceMoreAfterDone(q -> q.addUnlessSeen("a", () -> true));
    // an informer change is not the push's to cancel, whichever came first
    assertRunsOnceMoreAfterDone(
        q -> {
          q.add("a");
          q.addUnlessSeen("a", () -> false);
        });
    assertRunsOnceMoreAfterDone(
        q -> {
          q.addUnlessSeen("a", () -> false);
          q.add("a");
        });
  }

  private static void assertRunsOnceMoreAfterDone(Consumer<WorkQueue> addWhileProcessing)
      throws Exception {
    WorkQueue q = fastQueue();
    q.add("a");
    assertThat(q.poll(LONG)).isEqualTo("a");
    addWhileProcessing.accept(q);
    assertThat(q.poll(SHORT)).as("not handed out while processing").isNull();
    q.done("a");
    assertThat(q.poll(LONG)).isEqualTo("a");
    q.done("a");
    assertThat(q.poll(SHORT)).isNull();
  }

  @Test
  void newsTheRunningSyncConsumedCausesNoSecondRun() throws Exception {
    WorkQueue q = fastQueue();
    AtomicBoolean unseen = new AtomicBoolean(true);
    q.addUnlessSeen("a", unseen::get);
    assertThat(q.poll(LONG)).as("an idle key is queued at once").isEqualTo("a");
    q.addUnlessSeen("a", unseen::get);
    unseen.set(false); // the running sync used the news
    q.done("a");
    assertThat(q.poll(SHORT)).isNull();
    assertThat(q.depth()).isZero();
  }

  @Test
  void forgetBeforeProcessingMeansTheKeyNeverRuns() throws Exception {
    WorkQueue q = fastQueue();
    q.add("a");
    q.addAfter("b", Duration.ofMillis(10));
    q.forget("a");
    q.forget("b");
    assertThat(q.poll(Duration.ofMillis(100))).isNull();
  }

  @Test
  void forgetDuringProcessingPreventsTheRequeue() throws Exception {
    WorkQueue q = fastQueue();
    q.add("a");
    assertThat(q.poll(LONG)).isEqualTo("a");
    q.add("a");
    q.forget("a");
    q.done("a");
    assertThat(q.poll(SHORT)).isNull();
  }

  @Test
  void delayedKeysRunInScheduledOrderAndEarlierTimeMovesForward() throws Exception {
    WorkQueue q = fastQueue();
    q.addAfter("late", Duration.ofMillis(120));
    q.addAfter("early", Duration.ofMillis(40));
    q.addAfter("moved", Duration.ofSeconds(30));
    q.addAfter("moved", Duration.ofMillis(80));
    q.addAfter("moved", Duration.ofSeconds(60)); // a later time does not postpone it
    List<String> order = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String k = q.poll(LONG);
      order.add(k);
      q.done(k);
    }
    assertThat(order).containsExactly("early", "moved", "late");
    assertThat(q.poll(Duration.ofMillis(50))).isNull();
  }

  @Test
  void unscheduleCancelsTheTimerButNotAPendingRun() throws Exception {
    AtomicLong nanos = new AtomicLong();
    WorkQueue q =
        new WorkQueue(Duration.ofMillis(1), Duration.ofMillis(4), 10_000, 10_000, nanos::get);
    q.addAfter("a", Duration.ofSeconds(1));
    q.addAfter("b", Duration.ofSeconds(1));
    q.unschedule("a");
    q.unschedule("never-scheduled");
    assertThat(q.timerEntries()).isEqualTo(1);
    nanos.set(Duration.ofSeconds(2).toNanos());
    assertThat(q.poll(Duration.ZERO)).isEqualTo("b");
    q.done("b");
    assertThat(q.poll(Duration.ZERO)).isNull();

    // a key added while it was processed still runs once more: that is news, not a timer
    q.add("a");
    assertThat(q.poll(Duration.ZERO)).isEqualTo("a");
    q.add("a");
    q.addAfter("a", Duration.ofSeconds(1));
    q.unschedule("a");
    q.done("a");
    assertThat(q.poll(Duration.ZERO)).isEqualTo("a");
  }

  @Test
  void shutdownReleasesWaitingWorkers() throws Exception {
    WorkQueue q = fastQueue();
    Thread t = new Thread(q::shutdown);
    t.start();
    assertThat(q.poll(LONG)).isNull();
    t.join();
    q.add("a");
    assertThat(q.depth()).isZero();
  }

  @Test
  void rescheduledKeyKeepsOneTimer() throws Exception {
    AtomicLong nanos = new AtomicLong();
    WorkQueue q =
        new WorkQueue(Duration.ofMillis(1), Duration.ofMillis(4), 10_000, 10_000, nanos::get);
    for (int i = 0; i < 1000; i++) {
      q.addAfter("a", Duration.ofSeconds(100).minusMillis(i)); // each a little earlier
    }
    assertThat(q.timerEntries()).isEqualTo(1);
    assertThat(q.depth()).isEqualTo(1);
    nanos.set(Duration.ofMillis(99_500).toNanos());
    assertThat(q.poll(Duration.ZERO)).as("moved to the earliest time").isEqualTo("a");
    q.done("a");
    assertThat(q.timerEntries()).isZero();
    assertThat(q.poll(Duration.ZERO)).isNull();
  }
}
