package dev.vkj.core.event;

import java.util.function.LongSupplier;

/** A token bucket that never waits: {@link #tryAcquire} says whether a token was there. */
final class TokenBucket {
  private final double perNano;
  private final int burst;
  private final LongSupplier nanos;
  private double tokens;
  private long last;

  TokenBucket(double perSecond, int burst, LongSupplier nanos) {
    this.perNano = perSecond / 1e9;
    this.burst = burst;
    this.nanos = java.util.Objects.requireNonNull(nanos, "nanos is null");
    this.tokens = burst;
    this.last = nanos.getAsLong();
  }

  synchronized boolean tryAcquire() {
    long now = nanos.getAsLong();
    tokens = Math.min(burst, tokens + (now - last) * perNano);
    last = now;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
