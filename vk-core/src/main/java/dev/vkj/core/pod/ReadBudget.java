package dev.vkj.core.pod;

import static java.util.Objects.requireNonNull;

import java.util.function.LongSupplier;

/**
 * A token bucket for optional backend reads: a read happens only when a token is free, it never
 * waits. Holds one second's worth of tokens.
 */
final class ReadBudget {
  private final double perSecond;
  private final double burst;
  private final LongSupplier nanoClock;
  private double tokens;
  private long last;

  ReadBudget(double perSecond, LongSupplier nanoClock) {
    if (!(perSecond > 0)) {
      throw new IllegalArgumentException("read budget must be positive, got " + perSecond);
    }
    this.perSecond = perSecond;
    this.burst = Math.max(1, Math.ceil(perSecond));
    this.nanoClock = requireNonNull(nanoClock, "nanoClock is null");
    this.tokens = burst;
    this.last = nanoClock.getAsLong();
  }

  /** Takes a token when one is free. */
  synchronized boolean tryAcquire() {
    long now = nanoClock.getAsLong();
    tokens = Math.min(burst, tokens + (now - last) / 1e9 * perSecond);
    last = now;
    if (tokens < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }
}
