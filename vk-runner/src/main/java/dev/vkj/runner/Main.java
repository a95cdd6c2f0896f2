package dev.vkj.runner;

import dev.vkj.core.VkjException;
import dev.vkj.spi.ErrorCode;
import dev.vkj.spi.ProviderException;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.Map;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code vk-runner} command line: {@code run}, {@code providers} and {@code version}.
 *
 * <p>Exit codes: 0 ok, 1 runtime failure, 2 bad usage or configuration.
 */
public final class Main {
  static final int OK = 0;
  static final int FAILURE = 1;
  static final int USAGE = 2;

  private Main() {}

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true, Charset.defaultCharset());
    PrintWriter err = new PrintWriter(System.err, true, Charset.defaultCharset());
    System.exit(execute(System.getenv(), out, err, RunnerLifecycle.process(), args));
  }

  /** Runs one command line with the given environment and streams; returns the exit code. */
  static int execute(
      Map<String, String> env,
      PrintWriter out,
      PrintWriter err,
      RunnerLifecycle lifecycle,
      String... args) {
    int code = commandLine(env, out, err, lifecycle).execute(args);
    out.flush();
    err.flush();
    return code;
  }

  static CommandLine commandLine(
      Map<String, String> env, PrintWriter out, PrintWriter err, RunnerLifecycle lifecycle) {
    CommandLine commandLine =
        new CommandLine(new RootCommand())
            .addSubcommand(new RunCommand(env, lifecycle))
            .addSubcommand(new ProvidersCommand())
            .addSubcommand(new VersionCommand());
    commandLine.setOut(out);
    commandLine.setErr(err);
    commandLine.setDefaultValueProvider(new EnvDefaults(env));
    // wrapper scripts add options; a user's repeated option overrides theirs
    commandLine.setOverwrittenOptionsAllowed(true);
    commandLine.setExecutionExceptionHandler(new ErrorHandler());
    commandLine.setParameterExceptionHandler(Main::handleParameterException);
    return commandLine;
  }

  /** Exit code for a failure: configuration and usage problems are 2, the rest 1. */
  static int exitCode(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ProviderException p && p.code() == ErrorCode.INVALID_CONFIG) {
        return USAGE;
      }
    }
    VkjException vkj = find(failure, VkjException.class);
    if (vkj != null) {
      return switch (vkj.code()) {
        case USAGE, CONFIG -> USAGE;
        case STARTUP, RUNTIME -> FAILURE;
      };
    }
    return FAILURE;
  }

  /** The message users see: that of the most specific vkj or provider error. */
  static String message(Throwable failure) {
    Throwable shown = find(failure, ProviderException.class);
    if (shown == null) {
      shown = find(failure, VkjException.class);
    }
    if (shown == null) {
      shown = failure;
      // Guice wraps failures of @Provides methods; show the underlying one
      while (shown.getCause() != null
          && shown.getClass().getName().startsWith("com.google.inject.")) {
        shown = shown.getCause();
      }
    }
    String message = shown.getMessage();
    return message == null || message.isBlank() ? shown.getClass().getName() : message;
  }

  private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  /** A bad option: the error and a pointer to the help, not the whole usage text. */
  private static int handleParameterException(ParameterException failure, String[] args) {
    CommandLine commandLine = failure.getCommandLine();
    PrintWriter err = commandLine.getErr();
    err.println("vk-runner: " + failure.getMessage());
    UnmatchedArgumentException.printSuggestions(failure, err);
    err.println("See '" + commandLine.getCommandSpec().qualifiedName() + " --help'.");
    err.flush();
    return USAGE;
  }

  private static final class ErrorHandler implements IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(
        Exception failure, CommandLine commandLine, ParseResult parseResult) {
      int code = exitCode(failure);
      PrintWriter err = commandLine.getErr();
      err.println("vk-runner: " + message(failure));
      VkjException vkj = find(failure, VkjException.class);
      if (vkj != null && vkj.code() == VkjException.Code.USAGE) {
        err.println("See '" + commandLine.getCommandSpec().qualifiedName() + " --help'.");
      }
      if (code != USAGE) {
        LoggerFactory.getLogger(Main.class).debug("command failed", failure);
      }
      err.flush();
      return code;
    }
  }
}
