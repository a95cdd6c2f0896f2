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
  /** The serialized form's version. */
  private static final long serialVersionUID = 1L;

  /** What went wrong; part of the serialized form (the retry hint is not). */
  private final ErrorCode code;

  private final transient Duration retryAfter;

  /**
   * A failure without a cause.
   *
   * @param code what went wrong, which decides how the core reacts
   * @param message for users; it ends up in pod status and events
   */
  public ProviderException(ErrorCode code, String message) {
    this(code, message, null, null);
  }

  /**
   * A failure caused by another exception.
   *
   * @param code what went wrong, which decides how the core reacts
   * @param message for users; it ends up in pod status and events
   * @param cause the underlying failure, or {@code null}
   */
  public ProviderException(ErrorCode code, String message, Throwable cause) {
    this(code, message, null, cause);
  }

  /**
   * A failure with the backend's hint of when to try again.
   *
   * @param code what went wrong, which decides how the core reacts
   * @param message for users; it ends up in pod status and events
   * @param retryAfter how long the backend asked to wait, or {@code null}
   * @param cause the underlying failure, or {@code null}
   */
  public ProviderException(ErrorCode code, String message, Duration retryAfter, Throwable cause) {
    super(requireNonNull(message, "message is null"), cause);
    this.code = requireNonNull(code, "code is null");
    this.retryAfter = retryAfter;
  }

  /**
   * The pod or container does not exist in the backend.
   *
   * @param message for users
   * @return a {@link ErrorCode#NOT_FOUND} failure
   */
  public static ProviderException notFound(String message) {
    return new ProviderException(ErrorCode.NOT_FOUND, message);
  }

  /**
   * The pod can never run on this backend as specified.
   *
   * @param message for users: what in the pod cannot run
   * @return an {@link ErrorCode#INVALID_INPUT} failure
   */
  public static ProviderException invalidInput(String message) {
    return new ProviderException(ErrorCode.INVALID_INPUT, message);
  }

  /**
   * The operation is not supported by this provider.
   *
   * @param message for users
   * @return an {@link ErrorCode#UNSUPPORTED} failure
   */
  public static ProviderException unsupported(String message) {
    return new ProviderException(ErrorCode.UNSUPPORTED, message);
  }

  /**
   * The backend asked to slow down.
   *
   * @param message for users
   * @param retryAfter how long the backend asked to wait, or {@code null} when it gave no hint
   * @return a {@link ErrorCode#THROTTLED} failure
   */
  public static ProviderException throttled(String message, Duration retryAfter) {
    return new ProviderException(ErrorCode.THROTTLED, message, retryAfter, null);
  }

  /**
   * A quota or capacity limit.
   *
   * @param message for users: which quota or capacity
   * @param retryAfter how long to wait, or {@code null} when the backend gave no hint
   * @return a {@link ErrorCode#QUOTA_EXCEEDED} failure
   */
  public static ProviderException quotaExceeded(String message, Duration retryAfter) {
    return new ProviderException(ErrorCode.QUOTA_EXCEEDED, message, retryAfter, null);
  }

  /**
   * A temporary failure, such as a network error, a 5xx answer or a timeout.
   *
   * @param message for users
   * @param cause the underlying failure, or {@code null}
   * @return a {@link ErrorCode#TRANSIENT} failure
   */
  public static ProviderException transientError(String message, Throwable cause) {
    return new ProviderException(ErrorCode.TRANSIENT, message, cause);
  }

  /**
   * A configuration value the provider cannot start with.
   *
   * @param key the configuration key, named in the message
   * @param problem what is wrong with its value; never the value of a secret
   * @return an {@link ErrorCode#INVALID_CONFIG} failure
   */
  public static ProviderException invalidConfig(String key, String problem) {
    return new ProviderException(
        ErrorCode.INVALID_CONFIG, "invalid provider config key '" + key + "': " + problem);
  }

  /**
   * What went wrong.
   *
   * @return the code the core reacts to
   */
  public ErrorCode code() {
    return code;
  }

  /**
   * How long the backend asked us to wait before trying again, when it said so.
   *
   * @return the wait, or empty
   */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  /**
   * Whether the code says the call should be retried.
   *
   * @return {@code code().retryable()}
   */
  public boolean retryable() {
    return code.retryable();
  }
}
