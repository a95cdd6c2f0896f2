package dev.vkj.spi;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The parameters of {@code /containerLogs}, already validated by the core (the same rules as the
 * kubelet: {@code sinceSeconds} and {@code sinceTime} are exclusive, numbers are positive).
 *
 * @param tailLines only the last N lines, when present
 * @param limitBytes stop after this many bytes, when present (the core also enforces it)
 * @param timestamps prefix each line with an RFC 3339 timestamp and a space
 * @param follow keep the stream open and send new lines until the container ends
 * @param previous the logs of the previous instance of a restarted container
 * @param sinceTime only lines at or after this instant (also set from {@code sinceSeconds})
 */
public record LogOptions(
    OptionalInt tailLines,
    OptionalLong limitBytes,
    boolean timestamps,
    boolean follow,
    boolean previous,
    Optional<Instant> sinceTime) {

  /**
   * The whole log, without timestamps, not followed: {@code kubectl logs} without flags.
   *
   * @return options with nothing set
   */
  public static LogOptions defaults() {
    return new LogOptions(
        OptionalInt.empty(), OptionalLong.empty(), false, false, false, Optional.empty());
  }
}
