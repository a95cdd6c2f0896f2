package dev.vkj.toolkit;

import static java.util.Objects.requireNonNull;

import dev.vkj.spi.ErrorCode;
import dev.vkj.spi.LogOptions;
import dev.vkj.spi.ProviderException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code kubectl logs} over a backend that can only be asked for log text: an {@link InputStream}
 * for {@link dev.vkj.spi.ContainerLogs#containerLogs} that applies the kubelet's {@link LogOptions}
 * and, with {@code follow}, polls the {@link LogSource} every {@code pollInterval} and sends only
 * the lines it has not sent.
 *
 * <p>Semantics:
 *
 * <ul>
 *   <li>{@link #open} fetches once, at once, so a {@link ProviderException} (like {@code
 *       NOT_FOUND}) reaches the caller of {@code containerLogs}.
 *   <li>{@code sinceTime}: lines stamped before it are left out, on every fetch. A line without a
 *       timestamp counts as written when the stream first saw it, so it is kept.
 *   <li>{@code tailLines}: only the last N lines of the first fetch (after {@code sinceTime}); with
 *       {@code follow}, new lines follow them.
 *   <li>{@code timestamps}: each line starts with its timestamp, RFC 3339 in UTC with nine
 *       fractional digits, and a space (the kubelet's format); a line without a timestamp gets the
 *       time the stream first saw it.
 *   <li>{@code limitBytes}: the stream ends after that many bytes, cutting the last line.
 *   <li>Pages: a chunk marked {@link LogChunk#more()} is followed at once by the next fetch, with
 *       or without {@code follow}.
 *   <li>{@code follow}: the stream polls until the source says the container ended (its last lines
 *       are sent first), the source answers {@code NOT_FOUND}, or {@link #close()}. A retryable
 *       error is tried again at the next poll, up to {@value #MAX_FAILED_POLLS} times in a row;
 *       another error ends the stream with an {@link IOException}.
 *   <li>De-duplication (see {@link LogChunk}): by position when the chunk has one, else by
 *       timestamp and text when all its lines have timestamps, else by overlap with the previous
 *       chunk. Prefer positions (a whole-text backend sets position 0) or timestamps: overlap
 *       cannot tell a repeated identical line from one already sent.
 * </ul>
 *
 * <p>{@code previous} is the source's business: open the stream over the previous instance's log.
 * One thread reads; {@link #close()} may be called from any thread and unblocks a waiting read (a
 * fetch in progress finishes first).
 */
public final class PollingLogStream extends InputStream {
  static final int MAX_FAILED_POLLS = 5;

  private final LogSource source;
  private final LogOptions options;
  private final Duration pollInterval;
  private final Clock clock;
  private final LogDeduplicator seen = new LogDeduplicator();
  private final ArrayDeque<LogLine> pending = new ArrayDeque<>();
  private final Object lock = new Object();

  private long remainingBytes;
  private boolean ended;
  private boolean more;
  private int failedPolls;
  private byte[] buffer = new byte[0];
  private int position;
  private volatile boolean closed;

  private PollingLogStream(
      LogSource source, LogOptions options, Duration pollInterval, Clock clock) {
    this.source = requireNonNull(source, "source is null");
    this.options = requireNonNull(options, "options is null");
    this.pollInterval = requireNonNull(pollInterval, "pollInterval is null");
    this.clock = requireNonNull(clock, "clock is null");
    if (pollInterval.isNegative() || pollInterval.isZero()) {
      throw new IllegalArgumentException("pollInterval must be positive, not " + pollInterval);
    }
    this.remainingBytes = options.limitBytes().orElse(Long.MAX_VALUE);
  }

  /**
   * Opens the stream and makes the first fetch.
   *
   * @param pollInterval how often to fetch with {@code follow}; mind the backend's read budget
   * @param clock stamps lines that have no timestamp
   */
  public static PollingLogStream open(
      LogSource source, LogOptions options, Duration pollInterval, Clock clock)
      throws ProviderException {
    PollingLogStream stream = new PollingLogStream(source, options, pollInterval, clock);
    stream.first();
    return stream;
  }

  private void first() throws ProviderException {
    LogChunk chunk =
        source.fetch(new LogRequest(options, true, seen.nextIndex(), Optional.empty()));
    List<LogLine> lines = new ArrayList<>(since(stamp(seen.accept(chunk))));
    if (options.tailLines().isPresent()) {
      // the tail is of the whole first read: every page of it (a source should apply the hint)
      while (chunk.more()) {
        chunk = source.fetch(request());
        lines.addAll(since(stamp(seen.accept(chunk))));
      }
      int tail = options.tailLines().getAsInt();
      lines = lines.subList(Math.max(0, lines.size() - tail), lines.size());
    }
    pending.addAll(lines);
    track(chunk);
  }

  private void track(LogChunk chunk) {
    more = chunk.more();
    // without follow, the read is the first fetch and its further pages
    ended = !more && (chunk.ended() || !options.follow());
  }

  private LogRequest request() {
    return new LogRequest(
        options, false, seen.nextIndex(), Optional.ofNullable(seen.lastTimestamp()));
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xFF;
  }

  @Override
  public int read(byte[] target, int offset, int length) throws IOException {
    java.util.Objects.checkFromIndexSize(offset, length, target.length);
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

  private boolean fill() throws IOException {
    while (true) {
      if (closed || remainingBytes <= 0) {
        return false;
      }
      LogLine next = pending.poll();
      if (next != null) {
        buffer = format(next);
        position = 0;
        return true;
      }
      if (ended || (!more && !waitForPoll())) {
        return false;
      }
      poll();
    }
  }

  private boolean waitForPoll() {
    long deadline = System.nanoTime() + pollInterval.toNanos();
    synchronized (lock) {
      while (!closed) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return true;
        }
        try {
          lock.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return false;
  }

  private void poll() throws IOException {
    LogChunk chunk;
    try {
      chunk = source.fetch(request());
    } catch (ProviderException e) {
      if (e.code() == ErrorCode.NOT_FOUND) {
        ended = true; // the container or pod is gone: the log ends here
        return;
      }
      if (e.code().retryable() && ++failedPolls < MAX_FAILED_POLLS) {
        more = false; // try again after the poll interval, not at once
        return;
      }
      throw new IOException("cannot read the log: " + e.getMessage() + " (" + e.code() + ")", e);
    }
    failedPolls = 0;
    pending.addAll(since(stamp(seen.accept(chunk))));
    track(chunk);
  }

  /** Gives lines without timestamp the time they were first seen. */
  private List<LogLine> stamp(List<LogLine> lines) {
    if (lines.stream().allMatch(l -> l.timestamp() != null)) {
      return lines;
    }
    Instant now = clock.instant();
    return lines.stream().map(l -> l.timestamp() != null ? l : LogLine.at(now, l.text())).toList();
  }

  private List<LogLine> since(List<LogLine> lines) {
    if (options.sinceTime().isEmpty()) {
      return lines;
    }
    Instant since = options.sinceTime().get();
    return lines.stream().filter(l -> !l.timestamp().isBefore(since)).toList();
  }

  private byte[] format(LogLine line) {
    String text = line.text() + "\n";
    if (options.timestamps()) {
      text = LogTimes.format(line.timestamp()) + " " + text;
    }
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > remainingBytes) {
      bytes = java.util.Arrays.copyOf(bytes, (int) remainingBytes);
    }
    remainingBytes -= bytes.length;
    return bytes;
  }
}
