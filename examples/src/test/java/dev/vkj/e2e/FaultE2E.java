package dev.vkj.e2e;

import static dev.vkj.e2e.E2eCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The runner under faults, on the real control plane, while pods are created and deleted: API
 * server and etcd restarts and outages, SIGKILL at random points, backend failures injected through
 * the mock provider's faults file, other clients editing the same objects, and SIGTERM during
 * creates. After every scenario the API and the backend must agree: every pod of the namespace runs
 * exactly once in the backend, the backend runs nothing else, statuses agree, no pod is left
 * Terminating and the Events stay bounded.
 *
 * <p>Random choices come from one seed, printed at the start; {@code -Dvkj.e2e.faultSeed=N} replays
 * it. {@code -Dvkj.e2e.killIterations=N} changes the number of SIGKILLs (20).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultE2E {
  private static final String NODE = E2eCluster.NODE;
  private static final String PROBE = "FaultE2EProbe";

  private final long seed = Long.getLong("vkj.e2e.faultSeed", new Random().nextLong());
  private final Random random = new Random(seed);
  private final Path work =
      Path.of(System.getProperty("vkj.e2e.logs", "target/e2e-logs"), "fault").toAbsolutePath();
  private final Path stateFile = work.resolve("mock-state.json");
  private final Path faultsFile = work.resolve("faults.properties");
  private final List<String> namespaces = new ArrayList<>();
  private final List<String> figures = new ArrayList<>();
  private E2eCluster cluster;
  private KubernetesClient client;

  @BeforeAll
  void startRunner() throws IOException {
    System.out.printf("fault-e2e: seed %d (replay with -Dvkj.e2e.faultSeed=%d)%n", seed, seed);
    Files.createDirectories(work);
    Files.deleteIfExists(stateFile);
    Files.deleteIfExists(faultsFile);
    String config =
        "stateFile: "
            + stateFile
            + "\nstartupDelay: 300ms\nfaultsFile: "
            + faultsFile
            + "\nfaultSeed: "
            + seed
            + "\n";
    cluster =
        new E2eCluster(
            "fault",
            new E2eCluster.Backend(
                "mock",
                config,
                List.of(),
                // the runner is started 22 times: a quicker start on a loaded machine
                List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"),
                Map.of()));
    client = cluster.client;
    cluster.startRunner();
  }

  @AfterAll
  void cleanUp() throws InterruptedException, IOException {
    Files.deleteIfExists(faultsFile);
    for (String ns : namespaces) {
      cluster.kubectl.exec(null, Duration.ofSeconds(60), "delete", "namespace", ns, "--wait=false");
    }
    try {
      await(
          Duration.ofMinutes(2),
          "the test namespaces' pods to be gone",
          () -> namespaces.stream().allMatch(ns -> cluster.apiPods(ns).isEmpty()));
    } catch (AssertionError e) {
      System.out.println("clean-up: " + e.getMessage());
    }
    figures.forEach(f -> System.out.println("fault-e2e: " + f));
    cluster.close();
  }

  // ---- a. the control plane restarts and goes away ----

  @Test
  @Order(1)
  void apiServerAndEtcdRestartsAndAnOutageLoseNothing() throws Exception {
    Path dir = controlPlaneDir();
    Assumptions.assumeTrue(
        dir != null, "needs the control plane of scripts/control-plane.sh (VKJ_CONTROL_PLANE_DIR)");
    String ns = namespace("a");
    PodChurn workload = churn(ns, "a");
    workload.start();
    try {
      await(Duration.ofMinutes(2), "pods Running", () -> running(ns) >= 5);

      Instant restarted = Instant.now();
      controlPlane(dir, "restart", "apiserver");
      awaitNodeRecovered(restarted, "API server restart");
      awaitCreatedAfter(workload, restarted);

      // 30 s without an API server: the runner's writes and watches fail all along
      Instant stopped = Instant.now();
      controlPlane(dir, "stop", "apiserver");
      E2eCluster.sleep(Duration.ofSeconds(30));
      controlPlane(dir, "start", "apiserver");
      figures.add(
          "a: API server away for "
              + Duration.between(stopped, Instant.now()).toSeconds()
              + " s (stop, 30 s, start until ready)");
      awaitNodeRecovered(Instant.now(), "30 s API server outage");
      awaitCreatedAfter(workload, Instant.now());

      Instant etcd = Instant.now();
      controlPlane(dir, "restart", "etcd");
      awaitNodeRecovered(etcd, "etcd restart");
      awaitCreatedAfter(workload, Instant.now());
    } finally {
      workload.stop();
    }
    checkInvariants(ns, workload);
  }

  /** The node is Ready and its Lease was renewed after {@code since}. */
  private void awaitNodeRecovered(Instant since, String after) {
    long start = System.nanoTime();
    await(
        Duration.ofMinutes(3),
        "node Ready with its Lease renewed after the " + after,
        () -> {
          try {
            Lease lease = client.leases().inNamespace("kube-node-lease").withName(NODE).get();
            return cluster.nodeReady()
                && lease != null
                && lease.getSpec().getRenewTime() != null
                && lease.getSpec().getRenewTime().toInstant().isAfter(since);
          } catch (RuntimeException e) {
            return false;
          }
        });
    figures.add(
        "a: node Ready and Lease renewed "
            + Duration.ofNanos(System.nanoTime() - start).toMillis()
            + " ms after the "
            + after);
  }

  /** Pods created after {@code since} run: the runner's pod watch works again. */
  private void awaitCreatedAfter(PodChurn workload, Instant since) {
    int from = workload.created();
    await(
        Duration.ofMinutes(3),
        "3 pods created after " + since + " Running",
        () -> {
          try {
            return workload.runningSince(from) >= 3;
          } catch (RuntimeException e) {
            return false;
          }
        });
  }

  // ---- b. SIGKILL at random points ----

  @Test
  @Order(2)
  void sigkillAtRandomPointsNeitherLosesNorDuplicatesNorRecreates() throws Exception {
    String ns = namespace("b");
    int iterations = Integer.getInteger("vkj.e2e.killIterations", 20);
    PodChurn workload = churn(ns, "b");
    workload.start();
    int adopted = 0;
    int created = 0;
    try {
      await(Duration.ofMinutes(2), "pods Running", () -> running(ns) >= 3);
      for (int i = 0; i < iterations; i++) {
        // somewhere within the create/delete cycle of a few pods
        long delay = random.nextInt(2500);
        E2eCluster.sleep(Duration.ofMillis(delay));
        cluster.killRunner();
        workload.pause();
        Set<String> before = savedUids(ns);
        cluster.startRunner();
        checkConverged(ns);
        Set<String> expected = new TreeSet<>();
        for (Pod pod : cluster.apiPods(ns)) {
          if (!before.contains(pod.getMetadata().getUid())) {
            expected.add(pod.getMetadata().getName());
          }
        }
        double creates =
            cluster.metric("vkj_provider_calls_seconds_count", "operation=\"createPod\"");
        assertThat(creates)
            .as(
                "kill %d (after %d ms): provider creates of the restarted runner; pods not in the"
                    + " backend at the kill: %s",
                i, delay, expected)
            .isEqualTo(expected.size());
        adopted += before.size();
        created += expected.size();
        workload.resume();
      }
    } finally {
      workload.stop();
    }
    figures.add(
        "b: "
            + iterations
            + " SIGKILLs (seed "
            + seed
            + "): "
            + adopted
            + " pods adopted without a create, "
            + created
            + " created after a restart, 0 duplicates, 0 orphans");
    checkInvariants(ns, workload);
  }

  // ---- c. backend faults ----

  @Test
  @Order(3)
  void backendErrorsThrottlingAndAnOutageAreRiddenOut() throws Exception {
    String ns = namespace("c");
    PodChurn workload = churn(ns, "c");
    workload.start();
    try {
      await(Duration.ofMinutes(2), "pods Running", () -> running(ns) >= 3);

      faults("errorRate: 0.3\nlatency: 50ms\n");
      awaitFaults("TRANSIENT", 10);
      workload.pause();
      checkConverged(ns);
      workload.resume();

      // few throttles: each one pauses every provider write, and pods deleted before their create
      // ran are never created, so a high rate would leave few creates to refuse for quota
      faults("throttleRate: 0.05\nquotaRate: 0.3\nretryAfter: 1s\n");
      awaitFaults("THROTTLED", 3);
      awaitFaults("QUOTA_EXCEEDED", 3);
      workload.pause();
      checkConverged(ns);
      workload.resume();
      faults("");

      // a hard outage: every call and ping fails
      faults("outage: true\n");
      await(Duration.ofMinutes(2), "node NotReady during the outage", () -> !cluster.nodeReady());
      assertThat(cluster.readyCondition().getMessage()).contains("outage");
      long pid = cluster.runnerPid();
      long cpuBefore = cpuMillis(pid);
      long windowStart = System.nanoTime();
      // the outage goes on while pods keep coming and going
      E2eCluster.sleep(Duration.ofSeconds(20));
      long cpu = cpuMillis(pid) - cpuBefore;
      long window = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - windowStart);
      figures.add(
          String.format(
              "c: runner CPU during %d ms of outage: %d ms (%.1f%% of one core)",
              window, cpu, 100.0 * cpu / window));
      assertThat(cluster.nodeReady()).as("Ready during the outage").isFalse();
      // backoff, no spin: a loop retrying at once would use a whole core
      assertThat(cpu).as("runner CPU ms over %d ms of outage", window).isLessThan(window / 4);
      assertThat(warnings(ns)).as("Warning events about the failing backend").isNotEmpty();
      assertThat(nodeEvents())
          .as("node events")
          .extracting(Event::getReason)
          .contains("NodeNotReady");

      faults("");
      long recovery = System.nanoTime();
      await(Duration.ofMinutes(2), "node Ready after the outage", cluster::nodeReady);
      long ready = System.nanoTime();
      figures.add(
          "c: node Ready "
              + TimeUnit.NANOSECONDS.toMillis(ready - recovery)
              + " ms after the outage ended");
      workload.pause();
      checkConverged(ns);
      long converged = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - ready);
      figures.add("c: every pod converged " + converged + " ms after the node was Ready again");
      // the creates and deletes that failed during the outage run when the backend is back, not
      // after a backoff that grew all through the outage
      assertThat(Duration.ofMillis(converged)).isLessThan(Duration.ofSeconds(20));
      workload.resume();
      awaitCreatedAfter(workload, Instant.now());
    } finally {
      workload.stop();
      faults("");
    }
    checkInvariants(ns, workload);
  }

  private List<Event> nodeEvents() {
    return client
        .v1()
        .events()
        .inAnyNamespace()
        .withField("involvedObject.name", NODE)
        .list()
        .getItems();
  }

  private void awaitFaults(String code, int count) {
    await(
        Duration.ofMinutes(2),
        count + " injected " + code + " failures",
        () -> cluster.metric("vkj_mock_faults_total", "code=\"" + code + "\"") >= count);
  }

  /** The runner's CPU time (user and system) from /proc/PID/stat, in ms. */
  private static long cpuMillis(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    // fields after the command name, which is in parentheses and may contain spaces
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    return ticks * 10; // USER_HZ is 100 on Linux
  }

  private List<Event> warnings(String ns) {
    return client.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> "Warning".equals(e.getType()))
        .toList();
  }

  // ---- d. other clients edit the same objects ----

  @Test
  @Order(4)
  void editsOfOtherClientsSurviveTheRunnersStatusWrites() throws Exception {
    String ns = namespace("d");
    PodChurn workload = churn(ns, "d");
    Editor editor = new Editor(ns);
    workload.start();
    editor.start();
    try {
      await(Duration.ofMinutes(2), "pods Running", () -> running(ns) >= 5);
      // the runner writes the node status twice per flip, while the editor writes it too;
      // pods wait meanwhile, so that no delete waits out a backoff
      workload.pause();
      flipHealth();
      workload.resume();
      await(Duration.ofMinutes(1), "20 edits", () -> editor.rounds.get() >= 20);
    } finally {
      workload.stop();
      editor.stop();
    }
    // one more runner write after the last edit
    flipHealth();
    Node node = client.nodes().withName(NODE).get();
    NodeCondition probe =
        node.getStatus().getConditions().stream()
            .filter(c -> PROBE.equals(c.getType()))
            .findFirst()
            .orElseThrow(() -> new AssertionError("the node lost condition " + PROBE));
    assertThat(probe.getReason()).isEqualTo("Edit" + editor.lastNodeEdit);
    assertThat(cluster.nodeReady()).isTrue();
    checkInvariants(ns, workload);
    int checked = 0;
    for (Pod pod : cluster.apiPods(ns)) {
      String value = editor.lastPodEdit.get(pod.getMetadata().getName());
      if (value == null) {
        continue;
      }
      checked++;
      assertThat(pod.getMetadata().getLabels()).containsEntry("edit", value);
      assertThat(pod.getMetadata().getAnnotations()).containsEntry("fault.vkj.dev/edit", value);
    }
    figures.add(
        "d: "
            + editor.rounds.get()
            + " rounds of label, annotation and node condition edits; "
            + checked
            + " pods checked, "
            + editor.conflicts.get()
            + " conflicts seen by the editor");
    assertThat(checked).isPositive();
  }

  /** Makes the runner write the node status: NotReady through an outage, then Ready again. */
  private void flipHealth() throws IOException {
    faults("outage: true\n");
    await(Duration.ofMinutes(1), "node NotReady", () -> !cluster.nodeReady());
    faults("");
    await(Duration.ofMinutes(1), "node Ready", cluster::nodeReady);
  }

  /** Another client: edits the labels and annotations of every pod, and a node condition. */
  private final class Editor {
    final String ns;
    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicInteger rounds = new AtomicInteger();
    final AtomicInteger conflicts = new AtomicInteger();
    final Map<String, String> lastPodEdit = new ConcurrentHashMap<>();
    volatile int lastNodeEdit = -1;
    private Thread thread;

    Editor(String ns) {
      this.ns = ns;
    }

    void start() {
      thread =
          new Thread(
              () -> {
                for (int round = 0; !stop.get(); round++) {
                  try {
                    edit(round);
                    rounds.incrementAndGet();
                    Thread.sleep(200);
                  } catch (InterruptedException e) {
                    return;
                  } catch (RuntimeException e) {
                    if (e.getMessage() != null && e.getMessage().contains("409")) {
                      conflicts.incrementAndGet();
                    }
                  }
                }
              },
              "fault-editor");
      thread.setDaemon(true);
      thread.start();
    }

    private void edit(int round) {
      String value = Integer.toString(round);
      for (Pod pod : cluster.apiPods(ns)) {
        String name = pod.getMetadata().getName();
        if (pod.getMetadata().getDeletionTimestamp() != null) {
          continue;
        }
        try {
          client
              .pods()
              .inNamespace(ns)
              .withName(name)
              .patch(
                  PatchContext.of(PatchType.JSON_MERGE),
                  "{\"metadata\":{\"labels\":{\"edit\":\""
                      + value
                      + "\"},\"annotations\":{\"fault.vkj.dev/edit\":\""
                      + value
                      + "\"}}}");
          lastPodEdit.put(name, value);
        } catch (RuntimeException e) {
          // deleted meanwhile
        }
      }
      String now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
      client
          .nodes()
          .withName(NODE)
          .subresource("status")
          .patch(
              PatchContext.of(PatchType.STRATEGIC_MERGE),
              "{\"status\":{\"conditions\":[{\"type\":\""
                  + PROBE
                  + "\",\"status\":\"True\",\"reason\":\"Edit"
                  + round
                  + "\",\"message\":\"set by another client\",\"lastHeartbeatTime\":\""
                  + now
                  + "\",\"lastTransitionTime\":\""
                  + now
                  + "\"}]}}");
      lastNodeEdit = round;
    }

    void stop() throws InterruptedException {
      stop.set(true);
      if (thread != null) {
        thread.join(30_000);
      }
    }
  }

  // ---- e. SIGTERM while creates are in flight ----

  @Test
  @Order(5)
  void sigtermDuringCreatesExitsCleanlyAndLeavesTheBackendConsistent() throws Exception {
    String ns = namespace("e");
    // slow creates, so that some are in flight when the signal comes
    faults("latency: 1500ms\n");
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      String name = "e-" + i;
      client.pods().inNamespace(ns).resource(pod(ns, name)).create();
      names.add(name);
    }
    await(Duration.ofMinutes(2), "the first create done", () -> !savedUids(ns).isEmpty());
    long signalled = System.nanoTime();
    int code = cluster.stopRunner();
    long exit = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
    Set<String> before = savedUids(ns);
    figures.add(
        "e: SIGTERM with creates in flight: exit "
            + code
            + " after "
            + exit
            + " ms; "
            + before.size()
            + " of 30 pods in the backend");
    assertThat(code).as("exit code after SIGTERM").isZero();
    assertThat(Duration.ofMillis(exit)).isLessThan(Duration.ofSeconds(30));
    faults("");
    cluster.startRunner();
    checkInvariants(ns, null);
    long missing =
        cluster.apiPods(ns).stream()
            .filter(p -> !before.contains(p.getMetadata().getUid()))
            .count();
    assertThat(cluster.metric("vkj_provider_calls_seconds_count", "operation=\"createPod\""))
        .as("provider creates after the restart: only the %d pods not in the backend", missing)
        .isEqualTo(missing);
  }

  // ---- the invariants ----

  /** Waits until the API and the backend agree, then checks the Events. */
  private void checkInvariants(String ns, PodChurn workload) {
    checkConverged(ns);
    List<Event> events = client.v1().events().inNamespace(ns).list().getItems();
    int pods = workload == null ? cluster.apiPods(ns).size() : workload.created();
    long objects = events.size();
    long count = events.stream().mapToLong(e -> e.getCount() == null ? 1 : e.getCount()).sum();
    List<Event> nodeEvents = nodeEvents();
    figures.add(
        String.format(
            "%s: %d pods, %d Events (%d occurrences), %d node Events",
            ns, pods, objects, count, nodeEvents.size()));
    // Scheduled is not ours; Pulled, Created, Started, Killing are 4 per pod
    assertThat(objects)
        .as("Event objects in %s for %d pods", ns, pods)
        .isLessThanOrEqualTo(8L * pods + 40);
    assertThat(count)
        .as("Event occurrences in %s for %d pods", ns, pods)
        .isLessThanOrEqualTo(12L * pods + 100);
  }

  private void checkConverged(String ns) {
    List<String> problems = new ArrayList<>();
    try {
      await(
          Duration.ofMinutes(3),
          "API pods and backend pods of " + ns + " to agree",
          () -> {
            problems.clear();
            try {
              problems.addAll(differences(ns));
            } catch (RuntimeException e) {
              problems.add(e.toString());
            }
            return problems.isEmpty();
          });
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + ": " + problems, e);
    }
  }

  /**
   * Every pod bound to the node runs exactly once in the backend, and Running in both; the backend
   * runs nothing the API does not have; nothing is Terminating.
   */
  private List<String> differences(String ns) {
    List<String> problems = new ArrayList<>();
    Map<String, List<Saved>> backend = saved(ns);
    backend.forEach(
        (uid, copies) -> {
          if (copies.size() > 1) {
            problems.add("uid " + uid + " is " + copies.size() + " times in the backend");
          }
        });
    Set<String> api = new TreeSet<>();
    for (Pod pod : cluster.apiPods(ns)) {
      String uid = pod.getMetadata().getUid();
      String name = pod.getMetadata().getName();
      api.add(uid);
      List<Saved> copies = backend.get(uid);
      if (pod.getMetadata().getDeletionTimestamp() != null) {
        problems.add("Terminating: " + name);
      } else if (!E2eCluster.running(pod)) {
        problems.add("not Running in the API: " + name);
      } else if (copies == null) {
        problems.add("lost (Running, not in the backend): " + name);
      } else if (!"Running".equals(copies.get(0).phase()) || copies.get(0).deleted()) {
        problems.add(
            "status differs: "
                + name
                + " Running in the API, "
                + copies.get(0).phase()
                + (copies.get(0).deleted() ? " (deleted)" : "")
                + " in the backend");
      }
    }
    for (String uid : backend.keySet()) {
      if (!api.contains(uid)) {
        problems.add("orphan in the backend: " + backend.get(uid).get(0).name());
      }
    }
    return problems;
  }

  private record Saved(String name, String phase, boolean deleted) {}

  private Set<String> savedUids(String ns) {
    return new TreeSet<>(saved(ns).keySet());
  }

  /** The records of a namespace in the mock's state file, by UID. */
  @SuppressWarnings("unchecked")
  private Map<String, List<Saved>> saved(String ns) {
    Map<String, List<Saved>> result = new TreeMap<>();
    for (Map<String, Object> record : E2eCluster.stateRecords(stateFile)) {
      Map<String, Object> metadata =
          (Map<String, Object>) ((Map<String, Object>) record.get("pod")).get("metadata");
      if (ns.equals(metadata.get("namespace"))) {
        result
            .computeIfAbsent((String) metadata.get("uid"), k -> new ArrayList<>())
            .add(
                new Saved(
                    (String) metadata.get("name"),
                    (String) record.get("phase"),
                    record.get("deletedAt") != null));
      }
    }
    return result;
  }

  // ---- plumbing ----

  private String namespace(String scenario) {
    String ns = "vkj-e2e-fault-" + scenario;
    namespaces.add(ns);
    cluster.createNamespace(ns);
    return ns;
  }

  private long running(String ns) {
    return cluster.apiPods(ns).stream().filter(E2eCluster::running).count();
  }

  private static Pod pod(String ns, String name) {
    return E2eCluster.virtualNodePod(ns, name, "nginx")
        .editSpec()
        .withNodeName(NODE)
        .endSpec()
        .build();
  }

  /** A pod bound to the node every 300 ms, each deleted once 8 newer ones exist. */
  private PodChurn churn(String ns, String prefix) {
    return new PodChurn(client, ns, NODE, prefix, Duration.ofMillis(300), 8);
  }

  /** Replaces the mock's faults file in one step; empty text clears every fault. */
  private void faults(String text) throws IOException {
    if (text.isEmpty()) {
      Files.deleteIfExists(faultsFile);
      return;
    }
    Path temp = Files.createTempFile(work, "faults", ".tmp");
    Files.writeString(temp, text);
    Files.move(
        temp, faultsFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** The directory of the scripts/control-plane.sh control plane, or null. */
  private static Path controlPlaneDir() {
    String dir = System.getenv("VKJ_CONTROL_PLANE_DIR");
    if (dir != null && Files.exists(Path.of(dir, "apiserver.pid"))) {
      return Path.of(dir);
    }
    String kubeconfig = System.getenv("KUBECONFIG");
    if (kubeconfig != null) {
      Path parent = Path.of(kubeconfig).toAbsolutePath().getParent();
      if (parent != null && Files.exists(parent.resolve("apiserver.pid"))) {
        return parent;
      }
    }
    return null;
  }

  private void controlPlane(Path dir, String action, String component) throws Exception {
    Path script =
        Path.of(System.getProperty("vkj.examples.dir", "."), "..", "scripts", "control-plane.sh")
            .normalize();
    Process process =
        new ProcessBuilder("bash", script.toString(), action, component, dir.toString())
            .redirectErrorStream(true)
            .redirectOutput(
                ProcessBuilder.Redirect.appendTo(work.resolve("control-plane.log").toFile()))
            .start();
    assertThat(process.waitFor(3, TimeUnit.MINUTES))
        .as("control-plane.sh %s %s", action, component)
        .isTrue();
    assertThat(process.exitValue())
        .as("control-plane.sh %s %s exit code", action, component)
        .isZero();
  }
}
