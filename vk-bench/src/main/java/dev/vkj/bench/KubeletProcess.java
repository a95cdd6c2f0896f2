package dev.vkj.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.vkj.core.KubeClients;
import dev.vkj.core.VirtualKubelet;
import dev.vkj.provider.mock.MockProviderFactory;
import dev.vkj.spi.ProviderConfig;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One kubelet under test in its own JVM, so that its CPU time and heap are its own: {@code
 * baseline} or {@code vkj} (the core through the {@link VirtualKubelet} builder with the mock
 * provider at zero start delay). The driver talks to it over stdin/stdout, one command and one JSON
 * line per exchange: {@code stats}, {@code gc}, {@code adopted}, {@code stop}.
 *
 * <pre>
 * KubeletProcess baseline|vkj NODE PORT WORKERS [STATE_FILE] [ADOPT_PODS]
 * </pre>
 */
public final class KubeletProcess {
  private final RequestCounter requests = new RequestCounter();
  private final MeterRegistry meters = new SimpleMeterRegistry();
  private final PrintStream out;
  private volatile long adoptedNanos = -1;
  private long startNanos;

  private KubeletProcess(PrintStream out) {
    this.out = out;
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 4) {
      System.err.println(
          "usage: KubeletProcess baseline|vkj NODE PORT WORKERS [STATE_FILE] [ADOPT_PODS]");
      System.exit(2);
    }
    PrintStream protocol = System.out;
    System.setOut(System.err); // stdout carries the protocol only
    new KubeletProcess(protocol).run(args);
  }

  private void run(String[] args) throws Exception {
    String kind = args[0];
    String node = args[1];
    int port = Integer.parseInt(args[2]);
    int workers = Integer.parseInt(args[3]);
    String stateFile = args.length > 4 && !args[4].equals("-") ? args[4] : null;
    int adoptPods = args.length > 5 ? Integer.parseInt(args[5]) : 0;
    KubernetesClient client =
        KubeClients.create(
            Config.autoConfigure(null), b -> b.addOrReplaceInterceptor("bench-count", requests));
    AutoCloseable kubelet;
    startNanos = System.nanoTime();
    if (kind.equals("baseline")) {
      BaselineKubelet b = new BaselineKubelet(client, node, workers);
      b.start();
      kubelet = b;
    } else if (kind.equals("vkj")) {
      Map<String, String> config = new HashMap<>();
      config.put("startupDelay", "0ms");
      config.put("pods", "100000");
      config.put("cpu", "1000");
      config.put("memory", "4Ti");
      if (stateFile != null) {
        config.put("stateFile", stateFile);
      }
      VirtualKubelet.Builder builder =
          VirtualKubelet.builder()
              .client(client)
              .nodeName(node)
              .nodeIp("127.0.0.1")
              .kubeletPort(port)
              .podSyncWorkers(workers)
              .meterRegistry(meters)
              .provider(new MockProviderFactory(), ProviderConfig.of(config));
      String cert = System.getenv("VKJ_KUBELET_CERT");
      if (cert != null && !cert.isEmpty()) {
        builder.tlsCertificate(Path.of(cert), Path.of(System.getenv("VKJ_KUBELET_KEY")));
      }
      VirtualKubelet v = builder.build();
      if (adoptPods > 0) {
        watchAdoption(adoptPods);
      }
      v.start();
      kubelet = v;
    } else {
      throw new IllegalArgumentException("unknown kubelet " + kind + "; use baseline or vkj");
    }
    reply(Map.of("ready", true, "startSeconds", (System.nanoTime() - startNanos) / 1e9));
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      switch (line.strip()) {
        case "stats" -> reply(stats());
        case "gc" -> reply(Map.of("heapAfterGc", heapAfterGc()));
        case "adopted" -> reply(adopted());
        case "stop" -> {
          kubelet.close();
          client.close();
          reply(Map.of("stopped", true));
          System.exit(0);
        }
        default -> reply(Map.of("error", "unknown command " + line));
      }
    }
    kubelet.close();
    client.close();
  }

  private Map<String, Object> stats() {
    Map<String, Object> s = new LinkedHashMap<>();
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    s.put("cpuNanos", os.getProcessCpuTime());
    // elapsed time summed over the compiler threads: how much compiling went on, not its CPU
    s.put("compileMillis", ManagementFactory.getCompilationMXBean().getTotalCompilationTime());
    s.put("heapUsed", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    s.put("requests", requests.snapshot());
    s.put("failures", requests.failures());
    s.put("provider", providerCalls());
    return s;
  }

  /** Provider calls by operation, from the core's {@code vkj.provider.calls} timer. */
  private Map<String, Long> providerCalls() {
    Map<String, Long> calls = new TreeMap<>();
    for (Meter m : meters.getMeters()) {
      if (m instanceof Timer t && m.getId().getName().equals("vkj.provider.calls")) {
        calls.merge(m.getId().getTag("operation"), t.count(), Long::sum);
      }
    }
    return calls;
  }

  private static long heapAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      memory.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }

  /**
   * Adopted = the backend list has been made, every pod has been synced since, and the queue is
   * empty; sampled every 10 ms from the start of the kubelet.
   */
  private void watchAdoption(int pods) {
    Thread t =
        new Thread(
            () -> {
              long syncsAtList = -1;
              while (adoptedNanos < 0) {
                Timer list =
                    meters
                        .find("vkj.provider.calls")
                        .tag("operation", "listPods")
                        .tag("code", "ok")
                        .timer();
                Timer sync = meters.find("vkj.pod.sync").timer();
                Gauge depth = meters.find("vkj.pod.queue.depth").gauge();
                if (syncsAtList < 0 && list != null && list.count() > 0) {
                  syncsAtList = sync == null ? 0 : sync.count();
                }
                if (syncsAtList >= 0
                    && sync != null
                    && sync.count() - syncsAtList >= pods
                    && depth != null
                    && depth.value() == 0) {
                  adoptedNanos = System.nanoTime();
                }
                try {
                  Thread.sleep(10);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "bench-adoption");
    t.setDaemon(true);
    t.start();
  }

  private Map<String, Object> adopted() throws InterruptedException {
    long deadline = System.nanoTime() + 600_000_000_000L;
    while (adoptedNanos < 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("adoptSeconds", adoptedNanos < 0 ? -1 : (adoptedNanos - startNanos) / 1e9);
    r.putAll(stats());
    return r;
  }

  private void reply(Map<String, ?> value) {
    out.println(Serialization.asJson(value));
    out.flush();
  }
}
