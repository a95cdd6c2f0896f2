package dev.vkj.toolkit;

import static java.util.Objects.requireNonNull;

import dev.vkj.spi.BackendLimits;
import dev.vkj.spi.ErrorCode;
import dev.vkj.spi.ProviderException;
import java.util.concurrent.TimeUnit;

/**
 * Paces the backend calls a provider makes inside one call of the core, like the single reads of a
 * batched status list: the core's limiter counts the whole list as one call, so the calls within it
 * need a bucket of their own. {@link #acquire} takes a token, waiting for it when the bucket is
 * empty.
 */
public final class Pacer {
  private final TokenBucket bucket;

  public Pacer(BackendLimits.Rate rate) {
    requireNonNull(rate, "rate is null");
    this.bucket = new TokenBucket(rate.perSecond(), rate.burst(), System.nanoTime());
  }

  /** Takes a token, waiting for it if the bucket is empty. */
  public void acquire() throws ProviderException {
    long waitNanos = bucket.reserve(System.nanoTime());
    if (waitNanos > 0) {
      try {
        TimeUnit.NANOSECONDS.sleep(waitNanos);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ProviderException(ErrorCode.TRANSIENT, "interrupted while pacing calls");
      }
    }
  }
}
