package dev.vkj.core;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

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
  private final String option;
  private final String problem;

  public VkjException(Code code, String message) {
    this(code, message, null, null, null);
  }

  public VkjException(Code code, String message, Throwable cause) {
    this(code, message, cause, null, null);
  }

  private VkjException(Code code, String message, Throwable cause, String option, String problem) {
    super(requireNonNull(message, "message is null"), cause);
    this.code = requireNonNull(code, "code is null");
    this.option = option;
    this.problem = problem;
  }

  /**
   * A {@link Code#CONFIG} failure of one option, named as the core names it (the builder method,
   * such as {@code podSyncWorkers}); the message reads {@code invalid option <option>: <problem>}.
   */
  public static VkjException invalidOption(String option, String problem) {
    requireNonNull(option, "option is null");
    requireNonNull(problem, "problem is null");
    return new VkjException(
        Code.CONFIG, "invalid option " + option + ": " + problem, null, option, problem);
  }

  /** The option an {@link #invalidOption} failure names; empty for other failures. */
  public Optional<String> option() {
    return Optional.ofNullable(option);
  }

  /** What is wrong with the {@link #option()}, without the option's name. */
  public Optional<String> problem() {
    return Optional.ofNullable(problem);
  }

  public Code code() {
    return code;
  }

  /** The process exit code a command line should use: 2 for usage and config errors, else 1. */
  public int exitCode() {
    return code == Code.USAGE || code == Code.CONFIG ? 2 : 1;
  }
}
