package dev.vkj.provider.azure;

import static java.util.Objects.requireNonNull;

import dev.vkj.spi.BackendLimits;
import dev.vkj.spi.ErrorCode;
import dev.vkj.spi.ProviderException;
import java.util.concurrent.TimeUnit;

/** A token bucket that waits for its token: the reads one status list makes inside one call. */
final class ReadPacer {
  private final double perSecond;
  private final int burst;
  private double tokens;
  private long last = System.nanoTime();

  ReadPacer(BackendLimits.Rate rate) {
    requireNonNull(rate, "rate is null");
    this.perSecond = rate.perSecond();
    this.burst = rate.burst();
    this.tokens = burst;
  }

  /** Takes a token, waiting for it if the bucket is empty. */
  void acquire() throws ProviderException {
    long waitNanos;
    synchronized (this) {
      long now = System.nanoTime();
      tokens = Math.min(burst, tokens + (now - last) / 1e9 * perSecond);
      last = now;
      tokens -= 1; // taken now, possibly on credit: later callers wait longer
      waitNanos = tokens >= 0 ? 0 : (long) (-tokens / perSecond * 1e9);
    }
    if (waitNanos > 0) {
      try {
        TimeUnit.NANOSECONDS.sleep(waitNanos);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ProviderException(ErrorCode.TRANSIENT, "interrupted while pacing reads");
      }
    }
  }
}
