package dev.vkj.core;

import static java.util.Objects.requireNonNull;

/**
 * A failure of the virtual kubelet itself. The code tells a command line how to exit: {@link
 * Code#USAGE} and {@link Code#CONFIG} mean the user must change something (exit code 2), the others
 * are runtime failures (exit code 1).
 */
public class VkjException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What kind of failure this is. */
  public enum Code {
    /** Wrong command line usage. */
    USAGE,
    /** An invalid option or provider configuration; the message names the key. */
    CONFIG,
    /** Startup failed (cluster unreachable, port in use, provider failed to start). */
    STARTUP,
    /** A failure while running. */
    RUNTIME
  }

  private final Code code;

  public VkjException(Code code, String message) {
    super(requireNonNull(message, "message is null"));
    this.code = requireNonNull(code, "code is null");
  }

  public VkjException(Code code, String message, Throwable cause) {
    super(requireNonNull(message, "message is null"), cause);
    this.code = requireNonNull(code, "code is null");
  }

  public Code code() {
    return code;
  }

  /** The process exit code a command line should use: 2 for usage and config errors, else 1. */
  public int exitCode() {
    return code == Code.USAGE || code == Code.CONFIG ? 2 : 1;
  }
}
