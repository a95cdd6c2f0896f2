package dev.vkj.provider.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vkj.testing.Eventually;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class GroupCommitTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** Counts writes; the first one blocks until released, and a write can be made to fail. */
  private static final class FakeWriter implements GroupCommit.Writer {
    final AtomicInteger writes = new AtomicInteger();
    final CountDownLatch firstStarted = new CountDownLatch(1);
    final CountDownLatch releaseFirst = new CountDownLatch(1);
    volatile boolean blockFirst;
    volatile boolean fail;

    @Override
    public void write() throws IOException {
      int n = writes.incrementAndGet();
      if (n == 1 && blockFirst) {
        firstStarted.countDown();
        try {
          releaseFirst.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted");
        }
      }
      if (fail) {
        throw new IOException("disk full");
      }
    }
  }

  @Test
  void callersArrivingDuringAWriteShareTheNextOne() throws Exception {
    FakeWriter writer = new FakeWriter();
    writer.blockFirst = true;
    GroupCommit commit = new GroupCommit(writer);
    ExecutorService pool = Executors.newFixedThreadPool(11);
    try {
      Future<?> first = pool.submit(() -> awaitNewChange(commit));
      assertThat(writer.firstStarted.await(10, TimeUnit.SECONDS)).isTrue();
      List<Future<?>> later = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        later.add(pool.submit(() -> awaitNewChange(commit)));
      }
      Eventually.within(TIMEOUT).until("ten callers waiting", () -> commit.waiting() == 10);

      writer.releaseFirst.countDown();
      first.get(10, TimeUnit.SECONDS);
      for (Future<?> f : later) {
        f.get(10, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    // the first write could not hold the later changes; one more write holds all ten
    assertThat(writer.writes).hasValue(2);
    assertThat(commit.writes()).isEqualTo(2);
  }

  @Test
  void aChangeAlreadyOnDiskNeedsNoWrite() throws Exception {
    FakeWriter writer = new FakeWriter();
    GroupCommit commit = new GroupCommit(writer);
    long ticket = commit.changed();

    commit.await(ticket);
    commit.await(ticket);
    commit.flush();

    assertThat(writer.writes).hasValue(1);
    commit.changed();
    commit.flush();
    assertThat(writer.writes).hasValue(2);
  }

  @Test
  void aFailedWriteFailsItsCallerAndARetryWritesAgain() throws Exception {
    FakeWriter writer = new FakeWriter();
    writer.fail = true;
    GroupCommit commit = new GroupCommit(writer);
    long ticket = commit.changed();

    assertThatThrownBy(() -> commit.await(ticket))
        .isInstanceOf(IOException.class)
        .hasMessage("disk full");

    writer.fail = false;
    commit.await(ticket);
    assertThat(writer.writes).hasValue(2);
  }

  private static Void awaitNewChange(GroupCommit commit) throws IOException {
    commit.await(commit.changed());
    return null;
  }
}
