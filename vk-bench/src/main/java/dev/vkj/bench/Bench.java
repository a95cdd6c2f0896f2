package dev.vkj.bench;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The scenarios: closed loop, open loop and restart, each against one kubelet process. */
final class Bench {
  private final KubernetesClient client;
  private final RequestCounter driverRequests;
  private final BenchOptions options;
  private final Path work;
  private final AtomicInteger runs = new AtomicInteger();

  Bench(KubernetesClient client, RequestCounter driverRequests, BenchOptions options, Path work) {
    this.client = requireNonNull(client, "client is null");
    this.driverRequests = requireNonNull(driverRequests, "driverRequests is null");
    this.options = requireNonNull(options, "options is null");
    this.work = requireNonNull(work, "work is null");
  }

  KubeletHandle start(String kind, String node, int port, Path stateFile, int adopt)
      throws IOException {
    log("starting %s kubelet as node %s", kind, node);
    return new KubeletHandle(
        kind,
        node,
        port,
        options.workers(),
        options.heap(),
        options.kubeletLogLevel(),
        options.kubeletJavaOptions(),
        work.resolve(node + ".log"),
        stateFile,
        adopt);
  }

  void prepareNamespace() throws InterruptedException {
    String ns = options.namespace();
    if (client.namespaces().withName(ns).get() != null) {
      log("deleting namespace %s left from an earlier run", ns);
      client.namespaces().withName(ns).delete();
      client.namespaces().withName(ns).waitUntilCondition(n -> n == null, 10, TimeUnit.MINUTES);
    }
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .create();
    // the service account admission refuses pods until the default account exists
    client
        .serviceAccounts()
        .inNamespace(ns)
        .withName("default")
        .waitUntilCondition(s -> s != null, 2, TimeUnit.MINUTES);
  }

  Results.ClosedLoop closedLoop(KubeletHandle kubelet, int n) throws Exception {
    String run = runId();
    log("%s closed loop: %d pods", kubelet.kind, n);
    long heapIdle = kubelet.heapAfterGc();
    KubeletHandle.Stats before = kubelet.stats();
    Map<String, Long> apiBefore = apiRequests();
    Map<String, Long> driverBefore = driverRequests.snapshot();
    try (PodTracker tracker = new PodTracker(client, options.namespace(), run)) {
      long t0 = System.nanoTime();
      createAll(kubelet.node, run, n);
      PodTracker.await(tracker::runningCount, n, timeout(n), "pods Running");
      long tRunning = PodTracker.last(tracker.running);
      long heapRunning = kubelet.heapAfterGc();
      if (options.histogram()) {
        histogram(kubelet, work.resolve(kubelet.node + "-" + n + "-histogram.txt"));
      }
      long t1 = System.nanoTime();
      deleteRun(run);
      PodTracker.await(tracker::goneCount, n, timeout(n), "pods gone");
      long tGone = PodTracker.last(tracker.gone);
      KubeletHandle.Stats after = kubelet.stats();
      Map<String, Long> server =
          Counts.minus(
              Counts.delta(apiBefore, apiRequests()),
              Counts.resourcesOnly(Counts.delta(driverBefore, driverRequests.snapshot())));
      Percentiles latency = new Percentiles(tracker.latenciesMillis());
      double toRunning = (tRunning - t0) / 1e9;
      double toGone = (tGone - t1) / 1e9;
      Results.ClosedLoop r =
          new Results.ClosedLoop(
              kubelet.kind,
              n,
              toRunning,
              toGone,
              n / toRunning,
              n / toGone,
              latency.at(50),
              latency.at(99),
              (after.cpuNanos() - before.cpuNanos()) / 1e9 / n * 1000,
              (after.compileMillis() - before.compileMillis()) / 1e3 / n * 1000,
              heapIdle,
              heapRunning,
              (heapRunning - heapIdle) / 1024.0 / n,
              Counts.perPod(Counts.delta(before.requests(), after.requests()), n),
              Counts.perPod(server, n),
              Counts.delta(before.failures(), after.failures()),
              Counts.delta(before.provider(), after.provider()));
      log("%s", r);
      return r;
    }
  }

  Results.OpenLoop openLoop(KubeletHandle kubelet, double rate) throws Exception {
    String run = runId();
    int n = (int) Math.max(1, Math.round(rate * options.openLoopDuration().toMillis() / 1000.0));
    log(
        "%s open loop: %.1f pods/s for %s (%d pods)",
        kubelet.kind, rate, options.openLoopDuration(), n);
    try (PodTracker tracker = new PodTracker(client, options.namespace(), run)) {
      ExecutorService pool = Executors.newFixedThreadPool(options.createConcurrency());
      List<Future<?>> creates = new ArrayList<>();
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        long due = t0 + (long) (i * 1e9 / rate);
        long wait = due - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        int index = i;
        creates.add(pool.submit(() -> create(kubelet.node, run, index)));
      }
      for (Future<?> f : creates) {
        f.get();
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      pool.shutdown();
      PodTracker.await(tracker::runningCount, n, timeout(n), "pods Running");
      Percentiles latency = new Percentiles(tracker.latenciesMillis());
      deleteRun(run);
      PodTracker.await(tracker::goneCount, n, timeout(n), "pods gone");
      Results.OpenLoop r =
          new Results.OpenLoop(
              kubelet.kind,
              rate,
              seconds,
              n,
              n / seconds,
              latency.at(50),
              latency.at(90),
              latency.at(99),
              latency.max());
      log("%s", r);
      return r;
    }
  }

  /** K pods Running under vkj with a state file; a clean stop; a new vkj over the same backend. */
  Results.Restart restart(int k) throws Exception {
    String run = runId();
    String node = "bench-vkj-restart";
    Path state = work.resolve("mock-state.json");
    Files.deleteIfExists(state);
    log("restart: %d pods", k);
    try (PodTracker tracker = new PodTracker(client, options.namespace(), run)) {
      try (KubeletHandle first = start("vkj", node, options.port(), state, 0)) {
        createAll(node, run, k);
        PodTracker.await(tracker::runningCount, k, timeout(k), "pods Running");
      }
      Results.Restart r;
      try (KubeletHandle second = start("vkj", node, options.port(), state, k)) {
        Map<String, Object> adopted = second.adopted();
        KubeletHandle.Stats stats = KubeletHandle.Stats.of(adopted);
        long notRunning =
            client
                .pods()
                .inNamespace(options.namespace())
                .withLabel(PodTracker.RUN_LABEL, run)
                .list()
                .getItems()
                .stream()
                .filter(p -> p.getStatus() == null || !"Running".equals(p.getStatus().getPhase()))
                .count();
        r =
            new Results.Restart(
                k,
                second.startSeconds,
                ((Number) adopted.get("adoptSeconds")).doubleValue(),
                stats.provider(),
                stats.requests(),
                (int) notRunning);
        log("%s", r);
        deleteRun(run);
        PodTracker.await(tracker::goneCount, k, timeout(k), "pods gone");
      }
      deleteNode(node);
      return r;
    }
  }

  /** The live-object class histogram of the kubelet's JVM, through jcmd of the same JDK. */
  private static void histogram(KubeletHandle kubelet, Path file)
      throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p =
        new ProcessBuilder(jcmd.toString(), Long.toString(kubelet.pid()), "GC.class_histogram")
            .redirectErrorStream(true)
            .redirectOutput(file.toFile())
            .start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
    }
    log("class histogram of %s in %s", kubelet.kind, file);
  }

  void deleteNode(String node) {
    client.nodes().withName(node).delete();
    client.leases().inNamespace("kube-node-lease").withName(node).delete();
  }

  private void createAll(String node, String run, int n) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(options.createConcurrency());
    try {
      List<Future<?>> creates = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int index = i;
        creates.add(pool.submit(() -> create(node, run, index)));
      }
      for (Future<?> f : creates) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
  }

  private Void create(String node, String run, int index) {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(run + "-" + index)
            .withNamespace(options.namespace())
            .addToLabels(PodTracker.RUN_LABEL, run)
            .endMetadata()
            .withNewSpec()
            .withNodeName(node)
            .withAutomountServiceAccountToken(false)
            .addNewContainer()
            .withName("app")
            .withImage("nginx")
            .endContainer()
            .endSpec()
            .build();
    for (int attempt = 1; ; attempt++) {
      try {
        client.pods().inNamespace(options.namespace()).resource(pod).create();
        return null;
      } catch (KubernetesClientException e) {
        if (attempt >= 5 || (e.getCode() != 0 && e.getCode() < 500 && e.getCode() != 429)) {
          throw e;
        }
      }
    }
  }

  /** Marks every pod of the run for deletion with one DELETE of the collection. */
  private void deleteRun(String run) {
    client.pods().inNamespace(options.namespace()).withLabel(PodTracker.RUN_LABEL, run).delete();
  }

  Map<String, Long> apiRequests() throws Exception {
    String base = client.getMasterUrl().toString().replaceAll("/$", "");
    HttpRequest request =
        client.getHttpClient().newHttpRequestBuilder().uri(base + "/metrics").build();
    HttpResponse<String> response =
        client.getHttpClient().sendAsync(request, String.class).get(60, TimeUnit.SECONDS);
    if (!response.isSuccessful()) {
      throw new IOException("GET /metrics of the API server answered HTTP " + response.code());
    }
    return ApiServerMetrics.requestTotals(response.body());
  }

  private String runId() {
    return "b" + ProcessHandle.current().pid() + "-" + runs.incrementAndGet();
  }

  private static long timeout(int pods) {
    return TimeUnit.SECONDS.toNanos(120 + pods / 5);
  }

  static void log(String format, Object... args) {
    System.err.printf("bench: " + format + "%n", args);
  }
}
