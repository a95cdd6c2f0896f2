package dev.vkj.e2e;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real kubectl against the cluster of KUBECONFIG, as a user would. */
final class Kubectl {
  private final String binary;

  Kubectl(String binary) {
    this.binary = requireNonNull(binary, "binary is null");
  }

  /** The kubectl on the PATH, or the one named by VKJ_E2E_KUBECTL. */
  static Kubectl fromEnvironment() {
    String binary = System.getenv("VKJ_E2E_KUBECTL");
    return new Kubectl(binary == null || binary.isBlank() ? "kubectl" : binary);
  }

  String binary() {
    return binary;
  }

  /** Runs kubectl and fails the test unless it exits 0; returns stdout. */
  String run(String... args) {
    Result result = exec(null, Duration.ofSeconds(60), args);
    if (result.exitCode() != 0) {
      throw new AssertionError(
          "kubectl "
              + String.join(" ", args)
              + " exited "
              + result.exitCode()
              + "\nstdout: "
              + result.stdout()
              + "\nstderr: "
              + result.stderr());
    }
    return result.stdout();
  }

  /** Runs kubectl with optional stdin and returns whatever happened. */
  Result exec(String stdin, Duration timeout, String... args) {
    List<String> command = new ArrayList<>();
    command.add(binary);
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    try {
      Process process = builder.start();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      Thread outPump = pump(process.getInputStream(), out);
      Thread errPump = pump(process.getErrorStream(), err);
      if (stdin != null) {
        process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      process.getOutputStream().close();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
      outPump.join(5000);
      errPump.join(5000);
      int code = process.isAlive() ? -1 : process.exitValue();
      return new Result(
          code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + binary, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Starts kubectl in the background, e.g. for {@code logs -f} or {@code port-forward}. */
  Process start(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(binary);
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }

  private static Thread pump(InputStream in, ByteArrayOutputStream sink) {
    Thread thread =
        new Thread(
            () -> {
              try {
                in.transferTo(sink);
              } catch (IOException e) {
                // the process ended
              }
            });
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  record Result(int exitCode, String stdout, String stderr) {}
}
