package dev.vkj.provider.azure;

import static java.util.Objects.requireNonNull;

import dev.vkj.spi.BackendLimits;
import dev.vkj.spi.ErrorCode;
import dev.vkj.spi.ProviderException;
import dev.vkj.toolkit.TokenBucket;
import java.util.concurrent.TimeUnit;

/** Waits for a token of a bucket: the reads one status list makes inside one call. */
final class ReadPacer {
  private final TokenBucket bucket;

  ReadPacer(BackendLimits.Rate rate) {
    requireNonNull(rate, "rate is null");
    this.bucket = new TokenBucket(rate.perSecond(), rate.burst(), System.nanoTime());
  }

  /** Takes a token, waiting for it if the bucket is empty. */
  void acquire() throws ProviderException {
    long waitNanos = bucket.reserve(System.nanoTime());
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
