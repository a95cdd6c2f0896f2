package dev.vkj.provider.mock;

import static java.util.Objects.requireNonNull;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The log of one container instance, generated line by line on demand: line {@code n} is due at
 * {@code startedAt + (n - 1) * interval} and reads {@code line n from ns/pod/container}. Nothing is
 * stored, so a long-running container costs nothing. With follow, a read blocks until the next line
 * is due, and the stream ends when the instance has ended (or on {@link #close()}).
 */
final class LogStream extends InputStream {
  private static final long MAX_WAIT_MILLIS = 100;

  private final Clock clock;
  private final Duration interval;
  private final Instant startedAt;
  private final String origin;
  private final Supplier<Optional<Instant>> end;
  private final boolean follow;
  private final boolean timestamps;
  private final long lastLine;
  private final BooleanSupplier cancelled;
  private final Object lock = new Object();

  private long nextLine;
  private long remainingBytes;
  private byte[] buffer = new byte[0];
  private int position;
  private volatile boolean closed;

  /**
   * @param end when the instance ended; empty while it runs
   * @param first the first line to emit (1-based)
   * @param lastLine the last line to emit without follow
   */
  private LogStream(
      Clock clock,
      Duration interval,
      Instant startedAt,
      String origin,
      Supplier<Optional<Instant>> end,
      boolean follow,
      boolean timestamps,
      long first,
      long lastLine,
      long limitBytes,
      BooleanSupplier cancelled) {
    this.clock = requireNonNull(clock, "clock is null");
    this.interval = requireNonNull(interval, "interval is null");
    this.startedAt = requireNonNull(startedAt, "startedAt is null");
    this.origin = requireNonNull(origin, "origin is null");
    this.end = requireNonNull(end, "end is null");
    this.follow = follow;
    this.timestamps = timestamps;
    this.nextLine = first;
    this.lastLine = lastLine;
    this.remainingBytes = limitBytes;
    this.cancelled = requireNonNull(cancelled, "cancelled is null");
  }

  /**
   * Opens the log of an instance as of now.
   *
   * @param tailLines only the last N lines already written, or negative for all
   * @param sinceTime only lines due at or after this instant, or null
   * @param limitBytes at most this many bytes, or negative for no limit
   */
  static LogStream open(
      Clock clock,
      Duration interval,
      Instant startedAt,
      String origin,
      Supplier<Optional<Instant>> end,
      boolean follow,
      boolean timestamps,
      int tailLines,
      Instant sinceTime,
      long limitBytes,
      BooleanSupplier cancelled) {
    Instant now = clock.instant();
    Instant upTo = end.get().map(e -> Times.min(e, now)).orElse(now);
    long written = linesUpTo(startedAt, interval, upTo);
    long first = 1;
    if (sinceTime != null && sinceTime.isAfter(startedAt)) {
      long nanos = Duration.between(startedAt, sinceTime).toNanos();
      long step = interval.toNanos();
      first = Math.max(first, (nanos + step - 1) / step + 1);
    }
    if (tailLines >= 0) {
      first = Math.max(first, written - tailLines + 1);
    }
    return new LogStream(
        clock,
        interval,
        startedAt,
        origin,
        end,
        follow,
        timestamps,
        first,
        written,
        limitBytes < 0 ? Long.MAX_VALUE : limitBytes,
        cancelled);
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

  @Override
  public int read() {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xFF;
  }

  @Override
  public int read(byte[] target, int offset, int length) {
    if (length == 0) {
      return 0;
    }
    if (position >= buffer.length && !fill()) {
      return -1;
    }
    int n = Math.min(length, buffer.length - position);
    System.arraycopy(buffer, position, target, offset, n);
    position += n;
    return n;
  }

  @Override
  public int available() {
    return buffer.length - position;
  }

  @Override
  public void close() {
    closed = true;
    synchronized (lock) {
      lock.notifyAll();
    }
  }

  private boolean fill() {
    while (true) {
      if (closed || remainingBytes <= 0 || cancelled.getAsBoolean()) {
        return false;
      }
      if (!follow && nextLine > lastLine) {
        return false;
      }
      Instant due = startedAt.plus(interval.multipliedBy(nextLine - 1));
      Optional<Instant> ended = end.get();
      if (ended.isPresent() && due.isAfter(ended.get())) {
        return false;
      }
      Instant now = clock.instant();
      if (!due.isAfter(now)) {
        String text = lineText(nextLine, origin) + "\n";
        if (timestamps) {
          text = Times.logTimestamp(due) + " " + text;
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > remainingBytes) {
          byte[] cut = new byte[(int) remainingBytes];
          System.arraycopy(bytes, 0, cut, 0, cut.length);
          bytes = cut;
        }
        remainingBytes -= bytes.length;
        buffer = bytes;
        position = 0;
        nextLine++;
        return true;
      }
      // Not due yet: wait a little and look again; the clock may be a test clock.
      long millis = Math.min(MAX_WAIT_MILLIS, Math.max(1, Duration.between(now, due).toMillis()));
      synchronized (lock) {
        if (closed) {
          return false;
        }
        try {
          lock.wait(millis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
  }
}
