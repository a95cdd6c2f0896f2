package dev.vkj.toolkit;

import dev.vkj.spi.ProviderException;

/** Fetches a container's log text from a backend; see {@link PollingLogStream}. */
@FunctionalInterface
public interface LogSource {
  /**
   * Fetches the log, or its last lines, or the lines after the request's hints.
   *
   * @throws ProviderException {@link dev.vkj.spi.ErrorCode#NOT_FOUND} when the container or pod is
   *     gone: a following stream then ends normally
   */
  LogChunk fetch(LogRequest request) throws ProviderException;
}
