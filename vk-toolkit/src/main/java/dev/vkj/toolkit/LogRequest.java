package dev.vkj.toolkit;

import static java.util.Objects.requireNonNull;

import dev.vkj.spi.LogOptions;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a {@link PollingLogStream} asks its {@link LogSource}. A source may use the hints to fetch
 * less (a start time, an offset, a tail) or ignore them and return the whole log or its last lines:
 * the stream removes what it already sent either way.
 *
 * @param options the client's options; on the first fetch a source may apply {@code tailLines} and
 *     {@code sinceTime} itself (the stream applies them again, which changes nothing)
 * @param first true for the first fetch of the stream
 * @param nextIndex the position of the first line not yet seen, when positions are known
 * @param lastTimestamp the timestamp of the newest line seen, when lines carry timestamps; lines at
 *     this very instant may be new, so a source that filters by time keeps them ({@code >=})
 */
public record LogRequest(
    LogOptions options, boolean first, OptionalLong nextIndex, Optional<Instant> lastTimestamp) {
  public LogRequest {
    requireNonNull(options, "options is null");
    requireNonNull(nextIndex, "nextIndex is null");
    requireNonNull(lastTimestamp, "lastTimestamp is null");
  }
}
