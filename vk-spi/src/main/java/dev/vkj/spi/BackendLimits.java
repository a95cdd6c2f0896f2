package dev.vkj.spi;

import java.util.Optional;

/**
 * The call rates a backend allows, declared by a provider through {@link Provider#limits()}. The
 * core paces every call through one shared limiter per kind, so a whole runner stays within them;
 * operators can lower them in configuration.
 *
 * @param reads reads of pods, statuses, lists and pings, or empty for no limit
 * @param writes creates, updates and deletes, or empty for no limit
 */
public record BackendLimits(Optional<Rate> reads, Optional<Rate> writes) {
  /** No declared limits. */
  public static final BackendLimits NONE = new BackendLimits(Optional.empty(), Optional.empty());

  /**
   * Checks that neither rate is null.
   *
   * @param reads reads of pods, statuses, lists and pings, or empty for no limit
   * @param writes creates, updates and deletes, or empty for no limit
   */
  public BackendLimits {
    java.util.Objects.requireNonNull(reads, "reads is null");
    java.util.Objects.requireNonNull(writes, "writes is null");
  }

  /**
   * Limits for reads and writes.
   *
   * @param reads the rate of reads, or {@code null} for no limit
   * @param writes the rate of writes, or {@code null} for no limit
   * @return the limits
   */
  public static BackendLimits of(Rate reads, Rate writes) {
    return new BackendLimits(Optional.ofNullable(reads), Optional.ofNullable(writes));
  }

  /**
   * A token bucket: {@code burst} calls at once, refilled at {@code perSecond}.
   *
   * @param perSecond refill rate, greater than 0
   * @param burst bucket size, at least 1
   */
  public record Rate(double perSecond, int burst) {
    /**
     * Checks the rate and the burst.
     *
     * @param perSecond refill rate, greater than 0
     * @param burst bucket size, at least 1
     * @throws IllegalArgumentException when either is out of range
     */
    public Rate {
      if (!(perSecond > 0) || burst < 1) {
        throw new IllegalArgumentException(
            "rate needs perSecond > 0 and burst >= 1, got " + perSecond + "/" + burst);
      }
    }
  }
}
