package dev.vkj.bench;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/** The driver's side of a {@link KubeletProcess}: starts the JVM and exchanges commands with it. */
final class KubeletHandle implements AutoCloseable {
  private final Process process;
  private final BufferedReader replies;
  private final Writer commands;
  final String kind;
  final String node;
  final double startSeconds;

  KubeletHandle(
      String kind,
      String node,
      int port,
      int workers,
      String heap,
      String logLevel,
      List<String> javaOptions,
      Path log,
      Path stateFile,
      int adopt)
      throws IOException {
    this.kind = requireNonNull(kind, "kind is null");
    this.node = requireNonNull(node, "node is null");
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.add("-Xmx" + heap);
    cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=" + logLevel);
    cmd.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
    cmd.addAll(javaOptions);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(KubeletProcess.class.getName());
    cmd.addAll(
        List.of(
            kind,
            node,
            Integer.toString(port),
            Integer.toString(workers),
            stateFile == null ? "-" : stateFile.toString(),
            Integer.toString(adopt)));
    process =
        new ProcessBuilder(cmd)
            .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    replies =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Map<String, Object> ready = read();
    if (!Boolean.TRUE.equals(ready.get("ready"))) {
      throw new IOException(kind + " kubelet did not start: " + ready + "; see " + log);
    }
    startSeconds = ((Number) ready.get("startSeconds")).doubleValue();
  }

  long pid() {
    return process.pid();
  }

  Stats stats() throws IOException {
    return Stats.of(ask("stats"));
  }

  long heapAfterGc() throws IOException {
    return ((Number) ask("gc").get("heapAfterGc")).longValue();
  }

  Map<String, Object> adopted() throws IOException {
    return ask("adopted");
  }

  private synchronized Map<String, Object> ask(String command) throws IOException {
    commands.write(command + "\n");
    commands.flush();
    return read();
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> read() throws IOException {
    String line = replies.readLine();
    // the JVM itself may print to stdout (e.g. a flight recording starting): replies are objects
    while (line != null && !line.startsWith("{")) {
      line = replies.readLine();
    }
    if (line == null) {
      throw new IOException(kind + " kubelet process ended (exit " + exitOrRunning() + ")");
    }
    return Serialization.unmarshal(line, Map.class);
  }

  private String exitOrRunning() {
    try {
      return process.waitFor(5, TimeUnit.SECONDS) ? Integer.toString(process.exitValue()) : "?";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "?";
    }
  }

  @Override
  public void close() throws IOException {
    try {
      if (process.isAlive()) {
        ask("stop");
      }
    } catch (IOException e) {
      // already gone
    }
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  /** What a kubelet process reports: its CPU time, heap, API requests and provider calls. */
  record Stats(
      long cpuNanos,
      long compileMillis,
      long heapUsed,
      Map<String, Long> requests,
      Map<String, Long> failures,
      Map<String, Long> provider) {
    static Stats of(Map<String, Object> json) {
      return new Stats(
          ((Number) json.get("cpuNanos")).longValue(),
          ((Number) json.get("compileMillis")).longValue(),
          ((Number) json.get("heapUsed")).longValue(),
          longs(json.get("requests")),
          longs(json.get("failures")),
          longs(json.get("provider")));
    }

    static Map<String, Long> longs(Object o) {
      Map<String, Long> out = new TreeMap<>();
      if (o instanceof Map<?, ?> m) {
        m.forEach((k, v) -> out.put(String.valueOf(k), ((Number) v).longValue()));
      }
      return out;
    }
  }
}
