package dev.vkj.spi;

/** What went wrong in a provider call; the core decides how to react from the code alone. */
public enum ErrorCode {
  /** The pod (or container) does not exist in the backend. Delete treats it as success. */
  NOT_FOUND(false),
  /**
   * The pod can never run on this backend as specified (unsupported feature, impossible size, bad
   * image name). The core marks the pod {@code Failed} with reason {@code ProviderFailed}, records
   * a Warning event and does not retry.
   */
  INVALID_INPUT(false),
  /** The operation is not supported by this provider (for example update of a running pod). */
  UNSUPPORTED(false),
  /** The backend asked us to slow down; retried after {@link ProviderException#retryAfter()}. */
  THROTTLED(true),
  /** A temporary failure (network, 5xx, timeout); retried with exponential backoff. */
  TRANSIENT(true),
  /**
   * A quota or the backend's capacity is exhausted (a regional container quota, no Fargate capacity
   * in the zone). The pod stays {@code Pending} with reason {@code ProviderQuotaExceeded} and a
   * Warning event from the first failure, and the core retries with backoff.
   */
  QUOTA_EXCEEDED(true),
  /** Credentials are missing, expired or lack permission; retried with backoff and reported. */
  AUTH(true),
  /** The provider configuration is invalid; the runner exits with code 2 at startup. */
  INVALID_CONFIG(false),
  /** An unexpected provider defect; retried with backoff a bounded number of times. */
  INTERNAL(true);

  private final boolean retryable;

  ErrorCode(boolean retryable) {
    this.retryable = retryable;
  }

  /**
   * Whether the core retries an operation that failed with this code.
   *
   * @return true when the core retries
   */
  public boolean retryable() {
    return retryable;
  }
}
