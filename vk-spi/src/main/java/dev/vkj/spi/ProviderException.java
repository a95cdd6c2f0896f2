package dev.vkj.spi;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * The one exception type of the SPI. Its {@link ErrorCode} tells the core whether to retry, fail
 * the pod or give up. Messages end up in pod status and events, so they must be readable by users
 * and must never contain secrets.
 */
public class ProviderException extends Exception {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;
  private final transient Duration retryAfter;

  public ProviderException(ErrorCode code, String message) {
    this(code, message, null, null);
  }

  public ProviderException(ErrorCode code, String message, Throwable cause) {
    this(code, message, null, cause);
  }

  public ProviderException(ErrorCode code, String message, Duration retryAfter, Throwable cause) {
    super(requireNonNull(message, "message is null"), cause);
    this.code = requireNonNull(code, "code is null");
    this.retryAfter = retryAfter;
  }

  public static ProviderException notFound(String message) {
    return new ProviderException(ErrorCode.NOT_FOUND, message);
  }

  public static ProviderException invalidInput(String message) {
    return new ProviderException(ErrorCode.INVALID_INPUT, message);
  }

  public static ProviderException unsupported(String message) {
    return new ProviderException(ErrorCode.UNSUPPORTED, message);
  }

  public static ProviderException throttled(String message, Duration retryAfter) {
    return new ProviderException(ErrorCode.THROTTLED, message, retryAfter, null);
  }

  /** A quota or capacity limit; {@code retryAfter} may be null when the backend gave no hint. */
  public static ProviderException quotaExceeded(String message, Duration retryAfter) {
    return new ProviderException(ErrorCode.QUOTA_EXCEEDED, message, retryAfter, null);
  }

  public static ProviderException transientError(String message, Throwable cause) {
    return new ProviderException(ErrorCode.TRANSIENT, message, cause);
  }

  public static ProviderException invalidConfig(String key, String problem) {
    return new ProviderException(
        ErrorCode.INVALID_CONFIG, "invalid provider config key '" + key + "': " + problem);
  }

  public ErrorCode code() {
    return code;
  }

  /** How long the backend asked us to wait before trying again, when it said so. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  /** Whether the code says the call should be retried. */
  public boolean retryable() {
    return code.retryable();
  }
}
