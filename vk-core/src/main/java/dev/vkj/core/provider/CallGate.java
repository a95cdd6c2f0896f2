package dev.vkj.core.provider;

import static java.util.Objects.requireNonNull;

import dev.vkj.spi.BackendLimits;
import dev.vkj.toolkit.TokenBucket;
import java.time.Duration;
import java.util.Optional;

/**
 * What all calls of one kind (reads or writes) share: a token bucket that paces them and the pause
 * that a {@code THROTTLED} answer starts. Times are {@link System#nanoTime()} values.
 */
final class CallGate {
  private final Optional<BackendLimits.Rate> rate;
  private final Optional<TokenBucket> bucket;
  private final long initialBackoffNanos;
  private final long maxBackoffNanos;
  private long pausedUntil;
  private boolean paused;
  private int throttledInARow;

  CallGate(
      Optional<BackendLimits.Rate> rate, Duration initialBackoff, Duration maxBackoff, long now) {
    this.rate = requireNonNull(rate, "rate is null");
    this.initialBackoffNanos = initialBackoff.toNanos();
    this.maxBackoffNanos = maxBackoff.toNanos();
    this.bucket = rate.map(r -> new TokenBucket(r.perSecond(), r.burst(), now));
  }

  Optional<BackendLimits.Rate> rate() {
    return rate;
  }

  /** How long calls must still wait because the backend throttled us; 0 when not paused. */
  synchronized long pauseRemaining(long now) {
    return paused && pausedUntil - now > 0 ? pausedUntil - now : 0;
  }

  /**
   * Takes a token and returns how long the caller must wait before sending, or -1 (taking nothing)
   * when that wait would end after {@code latestStart}. Tokens may go negative: later callers queue
   * behind the ones that reserved first.
   */
  long reserve(long now, long latestStart, boolean bounded) {
    if (bucket.isEmpty()) {
      return 0;
    }
    return bounded ? bucket.get().reserve(now, latestStart) : bucket.get().reserve(now);
  }

  /** A THROTTLED answer: every later call of this kind waits until the retry-after has passed. */
  synchronized Duration throttled(long now, Optional<Duration> retryAfter) {
    long pause;
    if (retryAfter.isPresent() && !retryAfter.get().isNegative() && !retryAfter.get().isZero()) {
      pause = retryAfter.get().toNanos();
    } else {
      int shift = Math.min(throttledInARow, 30);
      pause = Math.min(maxBackoffNanos, initialBackoffNanos << shift);
      if (pause <= 0) {
        pause = maxBackoffNanos;
      }
    }
    throttledInARow++;
    long until = now + pause;
    if (!paused || until - pausedUntil > 0) {
      pausedUntil = until;
    }
    paused = true;
    return Duration.ofNanos(pause);
  }

  /** An answer that was not THROTTLED: the next throttle backoff starts from the beginning. */
  synchronized void answered() {
    throttledInARow = 0;
  }
}
