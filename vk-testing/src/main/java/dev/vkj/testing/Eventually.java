package dev.vkj.testing;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;

/**
 * Polls a condition until it holds or a timeout passes; tests use it instead of sleeping.
 *
 * <pre>{@code
 * Eventually.within(Duration.ofSeconds(5)).until(() -> listener.count() > 0);
 * Eventually.within(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(x).isEqualTo(3));
 * }</pre>
 */
public final class Eventually {
  /** Something to assert that may throw (an AssertionError until the condition holds). */
  @FunctionalInterface
  public interface ThrowingRunnable {
    void run() throws Exception;
  }

  private final Duration timeout;
  private final Duration interval;
  private final Runnable beforeEachPoll;

  private Eventually(Duration timeout, Duration interval, Runnable beforeEachPoll) {
    this.timeout = requireNonNull(timeout, "timeout is null");
    this.interval = requireNonNull(interval, "interval is null");
    this.beforeEachPoll = requireNonNull(beforeEachPoll, "beforeEachPoll is null");
  }

  /** Polls every 20 ms for at most {@code timeout}. */
  public static Eventually within(Duration timeout) {
    return new Eventually(timeout, Duration.ofMillis(20), () -> {});
  }

  /** The same, polling at another interval. */
  public Eventually pollingEvery(Duration interval) {
    return new Eventually(timeout, interval, beforeEachPoll);
  }

  /**
   * Runs {@code action} before every poll, for example advancing a {@link MutableClock} so that
   * time-driven state moves on while the test waits.
   */
  public Eventually beforeEachPoll(Runnable action) {
    return new Eventually(timeout, interval, action);
  }

  /** Waits until {@code condition} returns true; fails with {@code description} otherwise. */
  public void until(String description, BooleanSupplier condition) {
    requireNonNull(condition, "condition is null");
    untilAsserted(
        () -> {
          if (!condition.getAsBoolean()) {
            throw new AssertionError("condition not met: " + description);
          }
        });
  }

  /** Waits until {@code condition} returns true. */
  public void until(BooleanSupplier condition) {
    until("(unnamed)", condition);
  }

  /** Waits until {@code supplier} returns a non-null value, and returns it. */
  public <T> T untilPresent(String description, Callable<T> supplier) {
    Object[] holder = new Object[1];
    untilAsserted(
        () -> {
          T value = supplier.call();
          if (value == null) {
            throw new AssertionError("no value yet: " + description);
          }
          holder[0] = value;
        });
    @SuppressWarnings("unchecked")
    T result = (T) holder[0];
    return result;
  }

  /**
   * Runs {@code assertion} until it stops throwing; rethrows the last failure once the timeout
   * passed.
   */
  public void untilAsserted(ThrowingRunnable assertion) {
    requireNonNull(assertion, "assertion is null");
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      beforeEachPoll.run();
      Throwable last;
      try {
        assertion.run();
        return;
      } catch (AssertionError | Exception e) {
        last = e;
      }
      if (System.nanoTime() - deadline >= 0) {
        AssertionError failure =
            new AssertionError("not satisfied within " + timeout + ": " + last.getMessage());
        failure.initCause(last);
        throw failure;
      }
      try {
        Thread.sleep(Math.max(1, interval.toMillis()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting", e);
      }
    }
  }
}
