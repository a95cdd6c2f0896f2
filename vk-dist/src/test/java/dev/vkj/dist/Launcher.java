package dev.vkj.dist;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/vk-runner} of the unpacked distribution, run as a process with the environment a test
 * gives it: the caller's VKJ_*, JAVA_*, AWS_* and AZURE_* variables are not passed on.
 */
final class Launcher {
  /** What a finished command printed (stdout and stderr together) and its exit code. */
  record Result(int exitCode, String output) {}

  private final Path launcher;
  private final Map<String, String> environment;

  private Launcher(Path launcher, Map<String, String> environment) {
    this.launcher = requireNonNull(launcher, "launcher is null");
    this.environment = Map.copyOf(environment);
  }

  /** The unpacked distribution the build made ({@code target/vkj}), canonical. */
  static Path home() {
    Path home = Path.of(System.getProperty("vkj.dist.dir", "target/vkj"));
    assertThat(home).as("unpacked distribution (./mvnw package)").isDirectory();
    try {
      return home.toRealPath();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The distribution's launcher with JAVA_HOME set to the Java running the tests. */
  static Launcher of(Path launcher) {
    return new Launcher(launcher, Map.of("JAVA_HOME", System.getProperty("java.home")));
  }

  static Launcher distribution() {
    return of(home().resolve("bin").resolve("vk-runner"));
  }

  /** The same launcher with more (or other) environment variables. */
  Launcher with(Map<String, String> more) {
    Map<String, String> merged = new HashMap<>(environment);
    merged.putAll(more);
    return new Launcher(launcher, merged);
  }

  /** The same launcher without JAVA_HOME. */
  Launcher withoutJavaHome() {
    Map<String, String> rest = new HashMap<>(environment);
    rest.remove("JAVA_HOME");
    return new Launcher(launcher, rest);
  }

  /** Runs a command that ends by itself, within two minutes. */
  Result run(String... args) {
    Process process = start(null, args);
    try {
      byte[] output = process.getInputStream().readAllBytes();
      assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("vk-runner ended").isTrue();
      return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    } finally {
      process.destroyForcibly();
    }
  }

  /** Starts a long-running command, its output going to {@code log}. */
  Process start(Path log, String... args) {
    List<String> command = new ArrayList<>();
    command.add(launcher.toString());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    if (log != null) {
      builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    }
    builder
        .environment()
        .keySet()
        .removeIf(
            k ->
                k.startsWith("VKJ_")
                    || k.startsWith("JAVA_")
                    || k.startsWith("AWS_")
                    || k.startsWith("AZURE_")
                    || k.equals("KUBECONFIG"));
    builder.environment().putAll(environment);
    try {
      Process process = builder.start();
      process.getOutputStream().close();
      return process;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      return "(cannot read " + file + ")";
    }
  }
}
