package dev.vkj.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/vk-runner} of the unpacked distribution as a separate process, started, stopped and
 * killed like in production. The launcher execs the JVM, so SIGTERM and SIGKILL reach the runner
 * itself.
 */
final class RunnerProcess {
  private final List<String> command;
  private final Map<String, String> environment;
  private final Path logFile;
  private Process process;

  RunnerProcess(List<String> args, Path logFile) {
    this(List.of(), args, Map.of(), logFile);
  }

  /**
   * A runner with extra JVM options (passed in JAVA_OPTS, which the launcher splits on blanks) and
   * environment. Azure and AWS credentials of the caller's environment are not passed on: the
   * runner gets only those the test gives it.
   */
  RunnerProcess(
      List<String> jvmOptions, List<String> args, Map<String, String> environment, Path logFile) {
    Path home = Path.of(System.getProperty("vkj.dist.dir", "../vk-dist/target/vkj"));
    Path launcher = home.resolve("bin").resolve("vk-runner");
    assertThat(launcher).as("distribution launcher (build with ./mvnw package)").isExecutable();
    assertThat(jvmOptions).as("JVM options without blanks").noneMatch(o -> o.matches(".*\\s.*"));
    List<String> cmd = new ArrayList<>();
    cmd.add(launcher.toString());
    cmd.addAll(args);
    this.command = List.copyOf(cmd);
    Map<String, String> env = new HashMap<>(environment);
    List<String> javaOpts = new ArrayList<>();
    if (environment.containsKey("JAVA_OPTS")) {
      javaOpts.add(environment.get("JAVA_OPTS"));
    }
    javaOpts.add("-Xmx512m");
    javaOpts.addAll(jvmOptions);
    env.put("JAVA_OPTS", String.join(" ", javaOpts));
    // the Java that runs the tests, not whatever is on the PATH
    env.putIfAbsent("JAVA_HOME", System.getProperty("java.home"));
    this.environment = Map.copyOf(env);
    this.logFile = logFile;
  }

  void start() {
    try {
      Files.createDirectories(logFile.getParent());
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
      builder
          .environment()
          .keySet()
          .removeIf(
              k -> k.startsWith("AZURE_") || k.startsWith("AWS_") || k.equals("VKJ_PROVIDER_PATH"));
      builder.environment().putAll(environment);
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The process id, for reading its CPU time from /proc. */
  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** SIGKILL: no shutdown hook runs, nothing is cleaned up. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM and the exit code. */
  int stop(Duration timeout) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
      return -1;
    }
    return process.exitValue();
  }

  String log() {
    try {
      return Files.exists(logFile) ? Files.readString(logFile) : "";
    } catch (IOException e) {
      return "(cannot read " + logFile + ")";
    }
  }
}
