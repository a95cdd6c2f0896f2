package dev.vkj.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of the benchmark.
 *
 * @param sizes closed-loop pod counts
 * @param rates open-loop offered rates in pods per second
 * @param openLoopDuration how long each open-loop rate is offered
 * @param restartPods pods in place for the restart run; 0 skips it
 * @param kubelets which kubelets run, in order ({@code baseline}, {@code vkj})
 * @param out folder for kubelet.json, kubelet.md and kubelet.svg
 * @param heap maximum heap of each kubelet JVM
 * @param workers pod workers of each kubelet
 * @param createConcurrency parallel create requests of the driver
 * @param port first kubelet port
 * @param namespace namespace of the benchmark pods
 * @param note free text recorded with the results (machine load, ...)
 * @param kubeletLogLevel SLF4J level of the kubelet processes (their logs go to a temp folder)
 * @param kubeletJavaOptions extra JVM options of the kubelet processes (e.g. a flight recording)
 * @param histogram whether to save a class histogram of each kubelet with all pods Running
 * @param warmupPods pods of an unreported closed loop each kubelet runs first, so that the figures
 *     show a running kubelet rather than a JVM compiling its code; 0 skips it
 * @param repeat closed-loop runs per kubelet and size; the report gives their medians
 */
record BenchOptions(
    List<Integer> sizes,
    List<Double> rates,
    Duration openLoopDuration,
    int restartPods,
    List<String> kubelets,
    Path out,
    String heap,
    int workers,
    int createConcurrency,
    int port,
    String namespace,
    String note,
    String kubeletLogLevel,
    List<String> kubeletJavaOptions,
    boolean histogram,
    int warmupPods,
    int repeat) {

  static final String USAGE =
      """
      usage: vk-bench [--sizes 1000,10000] [--rates 25,50] [--duration 120s] [--restart-pods 5000]
                      [--kubelets baseline,vkj] [--out docs/benchmarks] [--heap 1g] [--workers 10]
                      [--create-concurrency 16] [--port 10250] [--namespace vkj-bench] [--note TEXT]
                      [--kubelet-log warn] [--kubelet-java-opts "-XX:..."] [--histogram true]
                      [--warmup 3000] [--repeat 3]
             vk-bench --render docs/benchmarks/kubelet.json   (tables and chart again)
      The cluster is the one of KUBECONFIG (or ~/.kube/config); its user must read /metrics.""";

  static BenchOptions parse(String... args) {
    List<Integer> sizes = List.of(1000, 10000);
    List<Double> rates = List.of(25.0, 50.0);
    Duration duration = Duration.ofMinutes(2);
    int restart = 5000;
    List<String> kubelets = List.of("baseline", "vkj");
    Path out = Path.of("docs", "benchmarks");
    String heap = "1g";
    int workers = 10;
    int concurrency = 16;
    int port = 10250;
    String namespace = "vkj-bench";
    String note = "";
    String logLevel = "warn";
    List<String> javaOptions = List.of();
    boolean histogram = false;
    int warmup = 3000;
    int repeat = 3;
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      if (flag.equals("--help") || flag.equals("-h")) {
        throw new IllegalArgumentException(USAGE);
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(flag + " needs a value\n" + USAGE);
      }
      String v = args[++i];
      switch (flag) {
        case "--sizes" -> sizes = ints(flag, v, 0);
        case "--rates" -> rates = positiveDoubles(flag, v);
        case "--duration" -> duration = duration(flag, v);
        case "--restart-pods" -> restart = integer(flag, v, 0);
        case "--kubelets" -> kubelets = kubelets(v);
        case "--out" -> out = Path.of(v);
        case "--heap" -> heap = heap(v);
        case "--workers" -> workers = integer(flag, v, 1);
        case "--create-concurrency" -> concurrency = integer(flag, v, 1);
        case "--port" -> port = integer(flag, v, 1);
        case "--namespace" -> namespace = v;
        case "--note" -> note = v;
        case "--kubelet-log" -> logLevel = logLevel(v);
        case "--kubelet-java-opts" ->
            javaOptions = v.isBlank() ? List.of() : List.of(v.strip().split("\\s+"));
        case "--histogram" -> histogram = bool(flag, v);
        case "--warmup" -> warmup = integer(flag, v, 0);
        case "--repeat" -> repeat = integer(flag, v, 1);
        default -> throw new IllegalArgumentException("unknown option " + flag + "\n" + USAGE);
      }
    }
    return new BenchOptions(
        sizes,
        rates,
        duration,
        restart,
        kubelets,
        out,
        heap,
        workers,
        concurrency,
        port,
        namespace,
        note,
        logLevel,
        javaOptions,
        histogram,
        warmup,
        repeat);
  }

  private static List<Integer> ints(String flag, String v, int min) {
    List<Integer> out = new ArrayList<>();
    if (v.isBlank()) {
      return out;
    }
    for (String s : v.split(",")) {
      out.add(integer(flag, s.strip(), min + 1));
    }
    return out;
  }

  private static List<Double> positiveDoubles(String flag, String v) {
    List<Double> out = new ArrayList<>();
    if (v.isBlank()) {
      return out;
    }
    for (String s : v.split(",")) {
      double d;
      try {
        d = Double.parseDouble(s.strip());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(flag + ": not a number: " + s);
      }
      if (!(d > 0) || Double.isInfinite(d)) {
        throw new IllegalArgumentException(flag + ": must be positive: " + s);
      }
      out.add(d);
    }
    return out;
  }

  private static int integer(String flag, String v, int min) {
    int n;
    try {
      n = Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + ": not an integer: " + v);
    }
    if (n < min) {
      throw new IllegalArgumentException(flag + ": must be at least " + min + ": " + v);
    }
    return n;
  }

  static Duration duration(String flag, String v) {
    String s = v.strip();
    try {
      Duration d;
      if (s.endsWith("ms")) {
        d = Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
      } else if (s.endsWith("s")) {
        d = Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
      } else if (s.endsWith("m")) {
        d = Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1)));
      } else {
        throw new NumberFormatException();
      }
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(flag + ": must be positive: " + v);
      }
      return d;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + ": use 500ms, 30s or 2m: " + v);
    }
  }

  private static List<String> kubelets(String v) {
    List<String> out = new ArrayList<>();
    for (String s : v.split(",")) {
      String k = s.strip();
      if (!k.equals("baseline") && !k.equals("vkj")) {
        throw new IllegalArgumentException("--kubelets: baseline or vkj, not " + k);
      }
      out.add(k);
    }
    return out;
  }

  private static boolean bool(String flag, String v) {
    if (!v.equals("true") && !v.equals("false")) {
      throw new IllegalArgumentException(flag + ": true or false: " + v);
    }
    return v.equals("true");
  }

  private static String logLevel(String v) {
    if (!List.of("trace", "debug", "info", "warn", "error").contains(v)) {
      throw new IllegalArgumentException("--kubelet-log: trace, debug, info, warn or error: " + v);
    }
    return v;
  }

  private static String heap(String v) {
    if (!v.matches("[0-9]+[kKmMgG]?")) {
      throw new IllegalArgumentException("--heap: a JVM size like 512m or 1g: " + v);
    }
    return v;
  }
}
