package dev.vkj.core.pod;

import java.time.Duration;

/** Asks the worker to sync the key again, no sooner than the given delay. */
final class RetryException extends Exception {
  private static final long serialVersionUID = 1L;
  private final transient Duration minDelay;
  private final boolean countsTowardGiveUp;

  RetryException(String message, Duration minDelay, Throwable cause) {
    this(message, minDelay, true, cause);
  }

  /**
   * @param countsTowardGiveUp false for waits that are not failures of this controller (a full
   *     backend quota): the key is retried after {@code minDelay} and never dropped with {@code
   *     FailedSync}
   */
  RetryException(String message, Duration minDelay, boolean countsTowardGiveUp, Throwable cause) {
    super(message, cause);
    this.minDelay = minDelay;
    this.countsTowardGiveUp = countsTowardGiveUp;
  }

  Duration minDelay() {
    return minDelay;
  }

  boolean countsTowardGiveUp() {
    return countsTowardGiveUp;
  }
}
