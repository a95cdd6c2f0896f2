package dev.vkj.toolkit;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * One line of a container's log, without its line break.
 *
 * @param timestamp when the container wrote it, or null when the backend does not say
 * @param text the text
 */
public record LogLine(Instant timestamp, String text) {
  public LogLine {
    requireNonNull(text, "text is null");
  }

  /** A line without timestamp. */
  public static LogLine of(String text) {
    return new LogLine(null, text);
  }

  /** A line written at {@code timestamp}. */
  public static LogLine at(Instant timestamp, String text) {
    return new LogLine(requireNonNull(timestamp, "timestamp is null"), text);
  }
}
