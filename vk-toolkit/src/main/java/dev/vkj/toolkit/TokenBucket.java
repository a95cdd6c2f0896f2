package dev.vkj.toolkit;

/**
 * A token bucket: {@code burst} tokens at once, refilled at {@code perSecond}. Times are {@link
 * System#nanoTime()} values passed in by the caller, so tests can drive it without sleeping.
 *
 * <p>One class for every rate the core keeps (pod work queue retries, the read budget of batched
 * status, Event writes, the provider boundary's pacing) and for a provider that must pace the
 * backend calls one SPI call makes: the core's limiter counts that SPI call once. Callers that must
 * not wait use {@link #tryAcquire}; callers that wait use {@link #reserve}, where later callers
 * queue behind earlier reservations.
 */
public final class TokenBucket {
  private final double perNano;
  private final double burst;
  private double tokens;
  private long refilledAt;

  /**
   * @param perSecond refill rate, greater than 0
   * @param burst bucket size, at least 1; the bucket starts full
   * @param now the current {@link System#nanoTime()}
   */
  public TokenBucket(double perSecond, double burst, long now) {
    if (!(perSecond > 0) || Double.isInfinite(perSecond) || !(burst >= 1)) {
      throw new IllegalArgumentException(
          "a token bucket needs perSecond > 0 and burst >= 1, got " + perSecond + "/" + burst);
    }
    this.perNano = perSecond / 1e9;
    this.burst = burst;
    this.tokens = burst;
    this.refilledAt = now;
  }

  /** Takes a token when one is free at {@code now}; never waits. */
  public synchronized boolean tryAcquire(long now) {
    refill(now);
    if (tokens < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }

  /** Takes a token and returns how many nanoseconds after {@code now} it is due (0: at once). */
  public synchronized long reserve(long now) {
    refill(now);
    long wait = waitNanos();
    tokens -= 1;
    return wait;
  }

  /**
   * Like {@link #reserve(long)}, but takes nothing and returns -1 when the token would be due after
   * {@code latestStart}.
   */
  public synchronized long reserve(long now, long latestStart) {
    refill(now);
    long wait = waitNanos();
    if (now + wait - latestStart > 0) {
      return -1;
    }
    tokens -= 1;
    return wait;
  }

  private void refill(long now) {
    tokens = Math.min(burst, tokens + (now - refilledAt) * perNano);
    refilledAt = now;
  }

  private long waitNanos() {
    return tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) / perNano);
  }
}
