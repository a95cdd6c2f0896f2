package dev.vkj.provider.mock;

import static java.util.Objects.requireNonNull;

import dev.vkj.spi.LogOptions;
import dev.vkj.toolkit.LogChunk;
import dev.vkj.toolkit.LogLine;
import dev.vkj.toolkit.LogRequest;
import dev.vkj.toolkit.LogSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The log of one container instance, generated on demand: line {@code n} is due at {@code startedAt
 * + (n - 1) * interval} and reads {@code line n from ns/pod/container}. Nothing is stored; each
 * fetch generates the lines after the stream's position, at most {@link #PAGE_LINES} at a time, so
 * the toolkit's {@link dev.vkj.toolkit.PollingLogStream} does tail, since, timestamps, limits and
 * follow as for any backend.
 */
final class MockLogSource implements LogSource {
  static final int PAGE_LINES = 1000;

  private final Clock clock;
  private final Duration interval;
  private final Instant startedAt;
  private final String origin;
  private final Supplier<Optional<Instant>> end;
  private final BooleanSupplier cancelled;

  /**
   * @param end when the instance ended; empty while it runs
   * @param cancelled true once the reader is gone (ends a following stream)
   */
  MockLogSource(
      Clock clock,
      Duration interval,
      Instant startedAt,
      String origin,
      Supplier<Optional<Instant>> end,
      BooleanSupplier cancelled) {
    this.clock = requireNonNull(clock, "clock is null");
    this.interval = requireNonNull(interval, "interval is null");
    this.startedAt = requireNonNull(startedAt, "startedAt is null");
    this.origin = requireNonNull(origin, "origin is null");
    this.end = requireNonNull(end, "end is null");
    this.cancelled = requireNonNull(cancelled, "cancelled is null");
  }

  @Override
  public LogChunk fetch(LogRequest request) {
    Instant now = clock.instant();
    Optional<Instant> ended = end.get();
    Instant upTo = ended.map(e -> Times.min(e, now)).orElse(now);
    long written = linesUpTo(startedAt, interval, upTo);
    long from = request.nextIndex().orElse(0);
    if (request.first()) {
      // the hints keep a long log from being generated only to be cut by the stream
      LogOptions options = request.options();
      if (options.sinceTime().isPresent() && options.sinceTime().get().isAfter(startedAt)) {
        long nanos = Duration.between(startedAt, options.sinceTime().get()).toNanos();
        long step = interval.toNanos();
        from = Math.max(from, (nanos + step - 1) / step);
      }
      if (options.tailLines().isPresent()) {
        from = Math.max(from, written - options.tailLines().getAsInt());
      }
    }
    long to = Math.min(written, from + PAGE_LINES);
    List<LogLine> lines = new ArrayList<>();
    for (long i = from; i < to; i++) {
      lines.add(LogLine.at(startedAt.plus(interval.multipliedBy(i)), lineText(i + 1, origin)));
    }
    LogChunk chunk = LogChunk.from(from, lines, ended.isPresent() || cancelled.getAsBoolean());
    return to < written ? chunk.withMore() : chunk;
  }

  /** How many lines are due at {@code upTo}. */
  static long linesUpTo(Instant startedAt, Duration interval, Instant upTo) {
    if (upTo.isBefore(startedAt)) {
      return 0;
    }
    return Duration.between(startedAt, upTo).toNanos() / interval.toNanos() + 1;
  }

  /** The text of one line, without timestamp. */
  static String lineText(long number, String origin) {
    return "line " + number + " from " + origin;
  }
}
