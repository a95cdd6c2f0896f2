package dev.vkj.toolkit;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * What one fetch of a backend's log returned.
 *
 * @param lines the lines, oldest first
 * @param firstIndex the position of the first line in the container's whole log (0 for its first
 *     line), when the backend knows it; a backend that returns the whole text sets 0
 * @param ended true when the container has ended, so no line will follow these (besides further
 *     pages when {@code more})
 * @param more true when the backend has more lines right now (one page of a paged API, like
 *     CloudWatch's {@code nextForwardToken}): the stream fetches again at once, not after the poll
 *     interval, and a read without follow goes on to the next page
 */
public record LogChunk(List<LogLine> lines, OptionalLong firstIndex, boolean ended, boolean more) {
  public LogChunk {
    lines = List.copyOf(requireNonNull(lines, "lines is null"));
    requireNonNull(firstIndex, "firstIndex is null");
    if (firstIndex.isPresent() && firstIndex.getAsLong() < 0) {
      throw new IllegalArgumentException("firstIndex must not be negative: " + firstIndex);
    }
  }

  /** The whole log so far: de-duplicated exactly, by position. */
  public static LogChunk whole(List<LogLine> lines, boolean ended) {
    return new LogChunk(lines, OptionalLong.of(0), ended, false);
  }

  /** Lines starting at a known position of the log: de-duplicated exactly, by position. */
  public static LogChunk from(long firstIndex, List<LogLine> lines, boolean ended) {
    return new LogChunk(lines, OptionalLong.of(firstIndex), ended, false);
  }

  /**
   * The last lines of the log, position unknown (like a backend's {@code tail=N}): de-duplicated by
   * timestamp and text when every line has a timestamp, otherwise by overlap with the previous
   * window (see {@link PollingLogStream}).
   */
  public static LogChunk window(List<LogLine> lines, boolean ended) {
    return new LogChunk(lines, OptionalLong.empty(), ended, false);
  }

  /** This chunk, marked as one page with more to fetch at once. */
  public LogChunk withMore() {
    return new LogChunk(lines, firstIndex, ended, true);
  }

  /**
   * Splits log text into lines: {@code \n} ends a line and a {@code \r} before it is dropped. A
   * last line without {@code \n} may still be being written, so it is kept only when {@code ended}.
   * With {@code timestamps}, each line starts with an RFC 3339 timestamp and a space (a backend's
   * {@code timestamps=true}); a line whose prefix does not parse keeps its whole text and no
   * timestamp.
   */
  public static List<LogLine> parse(String text, boolean timestamps, boolean ended) {
    requireNonNull(text, "text is null");
    List<LogLine> out = new ArrayList<>();
    int start = 0;
    while (start < text.length()) {
      int end = text.indexOf('\n', start);
      if (end < 0 && !ended) {
        break;
      }
      String line = end < 0 ? text.substring(start) : text.substring(start, end);
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      out.add(timestamps ? LogTimes.parseLine(line) : LogLine.of(line));
      if (end < 0) {
        break;
      }
      start = end + 1;
    }
    return out;
  }
}
