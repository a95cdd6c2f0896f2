package dev.vkj.testing;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Clock} that tests set and advance by hand. Thread-safe; time never moves on its own, so
 * anything a provider derives from the clock is deterministic.
 */
public final class MutableClock extends Clock {
  /** The default start instant of a new clock: {@code 2026-11-26T12:00:00Z}. */
  public static final Instant DEFAULT_START = Instant.parse("2026-11-26T12:00:00Z");

  private final AtomicReference<Instant> now;
  private final ZoneId zone;

  private MutableClock(AtomicReference<Instant> now, ZoneId zone) {
    this.now = now;
    this.zone = zone;
  }

  /** A clock at {@link #DEFAULT_START} in UTC. */
  public MutableClock() {
    this(DEFAULT_START);
  }

  /** A clock at {@code start} in UTC. */
  public MutableClock(Instant start) {
    this(new AtomicReference<>(requireNonNull(start, "start is null")), ZoneOffset.UTC);
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  /** A view on the same time in another zone; advancing either advances both. */
  @Override
  public Clock withZone(ZoneId zone) {
    return new MutableClock(now, requireNonNull(zone, "zone is null"));
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  /** Sets the current instant; it may move backwards (tests of clock skew). */
  public void set(Instant instant) {
    now.set(requireNonNull(instant, "instant is null"));
  }

  /** Moves the clock forward by {@code amount} and returns the new instant. */
  public Instant advance(Duration amount) {
    requireNonNull(amount, "amount is null");
    if (amount.isNegative()) {
      throw new IllegalArgumentException("cannot advance by a negative amount: " + amount);
    }
    return now.updateAndGet(current -> current.plus(amount));
  }

  /** Moves the clock forward by {@code seconds}. */
  public Instant advanceSeconds(long seconds) {
    return advance(Duration.ofSeconds(seconds));
  }

  @Override
  public String toString() {
    return "MutableClock[" + now.get() + "]";
  }
}
