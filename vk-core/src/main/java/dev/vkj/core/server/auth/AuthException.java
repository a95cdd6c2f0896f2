package dev.vkj.core.server.auth;

import static java.util.Objects.requireNonNull;

/**
 * Authentication or authorization could not be decided, for example because the API server did not
 * answer a TokenReview. The message never contains a token.
 */
public final class AuthException extends Exception {
  private static final long serialVersionUID = 1L;

  /** What failed. */
  public enum Code {
    /** A client certificate did not verify against the client CA. */
    INVALID_CERTIFICATE,
    /** A bearer token was rejected by the TokenReview. */
    INVALID_TOKEN,
    /** The TokenReview call failed. */
    TOKEN_REVIEW_FAILED,
    /** The SubjectAccessReview call failed. */
    ACCESS_REVIEW_FAILED
  }

  private final Code code;

  public AuthException(Code code, String message) {
    this(code, message, null);
  }

  public AuthException(Code code, String message, Throwable cause) {
    super(requireNonNull(message, "message is null"), cause);
    this.code = requireNonNull(code, "code is null");
  }

  public Code code() {
    return code;
  }
}
