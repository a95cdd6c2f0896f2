package dev.vkj.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The vk-runner jar as a separate process, started, stopped and killed like in production. */
final class RunnerProcess {
  private final List<String> command;
  private final Map<String, String> environment;
  private final Path logFile;
  private Process process;

  RunnerProcess(List<String> args, Path logFile) {
    this(List.of(), args, Map.of(), logFile);
  }

  /**
   * A runner with extra JVM options and environment. Azure and AWS credentials of the caller's
   * environment are not passed on: the runner gets only those the test gives it.
   */
  RunnerProcess(
      List<String> jvmOptions, List<String> args, Map<String, String> environment, Path logFile) {
    Path jar = Path.of(System.getProperty("vkj.runner.jar", "../vk-runner/target/vk-runner.jar"));
    assertThat(jar).as("runner jar (build with ./mvnw package)").exists();
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx512m");
    cmd.addAll(jvmOptions);
    cmd.add("-jar");
    cmd.add(jar.toString());
    cmd.addAll(args);
    this.command = List.copyOf(cmd);
    this.environment = Map.copyOf(environment);
    this.logFile = logFile;
  }

  void start() {
    try {
      Files.createDirectories(logFile.getParent());
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
      builder.environment().keySet().removeIf(k -> k.startsWith("AZURE_") || k.startsWith("AWS_"));
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
