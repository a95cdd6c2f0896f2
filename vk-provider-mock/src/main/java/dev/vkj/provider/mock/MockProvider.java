package dev.vkj.provider.mock;

import static java.util.Objects.requireNonNull;

import dev.vkj.spi.AttachIO;
import dev.vkj.spi.ContainerExec;
import dev.vkj.spi.ContainerLogs;
import dev.vkj.spi.LogOptions;
import dev.vkj.spi.NodeDescription;
import dev.vkj.spi.PodStatusNotifier;
import dev.vkj.spi.PortForward;
import dev.vkj.spi.Provider;
import dev.vkj.spi.ProviderContext;
import dev.vkj.spi.ProviderException;
import dev.vkj.spi.StatsProvider;
import dev.vkj.spi.stats.ContainerStats;
import dev.vkj.spi.stats.CpuStats;
import dev.vkj.spi.stats.MemoryStats;
import dev.vkj.spi.stats.NodeStats;
import dev.vkj.spi.stats.PodStats;
import dev.vkj.spi.stats.StatsSummary;
import dev.vkj.toolkit.PollingLogStream;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mock provider: every pod is a {@link SimPod} in a concurrent map, moved forward by one
 * periodic task on the context scheduler (and on demand when someone looks), so thousands of pods
 * cost no threads.
 */
final class MockProvider
    implements Provider,
        PodStatusNotifier,
        ContainerLogs,
        ContainerExec,
        PortForward,
        StatsProvider {
  private static final Logger log = LoggerFactory.getLogger(MockProvider.class);

  static final long TICK_MILLIS = 100;
  static final long STATE_WRITE_DELAY_MILLIS = 500;

  /** How often a following log stream looks for new lines (a fetch here costs nothing). */
  private static final Duration LOG_POLL_INTERVAL = Duration.ofMillis(20);

  private static final long NODE_BASE_MEMORY = 256L * 1024 * 1024;

  private final ProviderContext context;
  private final MockConfig config;
  private final Clock clock;
  private final Map<String, SimPod> pods = new ConcurrentHashMap<>();
  // when pods have their next transition; the ticker visits only those that are due
  private final PriorityBlockingQueue<Due> dueQueue = new PriorityBlockingQueue<>();
  private final AtomicLong dueSequence = new AtomicLong();
  private final Map<String, Admission.Requests> admitted = new ConcurrentHashMap<>();
  private final Object admissionLock = new Object();
  private long usedMilliCpu;
  private long usedMemory;
  private final IpPool ipPool;
  private final Instant startedAt;
  private final AtomicLong retiredCpu = new AtomicLong();
  private final long capacityMilliCpu;
  private final long capacityMemory;
  private final StateStore store;
  private final GroupCommit commit;
  private final ExecutorService stateWriter;
  private final AtomicBoolean writeScheduled = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final ScheduledFuture<?> ticker;
  private final Counter created;
  private final Counter deleted;
  private final Faults faults;
  private volatile Listener listener;

  MockProvider(MockConfig config, ProviderContext context) throws ProviderException {
    this.config = requireNonNull(config, "config is null");
    this.context = requireNonNull(context, "context is null");
    this.clock = context.clock();
    this.ipPool = IpPool.parse(config.podCidr());
    this.startedAt = clock.instant();
    this.capacityMilliCpu = Admission.milliCpu(config.cpu());
    this.capacityMemory = Admission.bytes(config.memory());
    this.store = config.stateFile().map(StateStore::new).orElse(null);
    this.commit = store == null ? null : new GroupCommit(this::writeState);
    if (store != null) {
      load();
    }
    this.stateWriter =
        store == null
            ? null
            : Executors.newSingleThreadExecutor(
                runnable -> {
                  Thread thread = new Thread(runnable, "mock-provider-state-writer");
                  thread.setDaemon(true);
                  return thread;
                });
    this.created =
        Counter.builder("vkj.mock.creates")
            .description("pods created in the mock backend")
            .tag("provider", "mock")
            .register(context.meterRegistry());
    this.deleted =
        Counter.builder("vkj.mock.deletes")
            .description("pods deleted from the mock backend")
            .tag("provider", "mock")
            .register(context.meterRegistry());
    Gauge.builder("vkj.mock.pods", pods, Map::size)
        .description("pods the mock backend holds")
        .tag("provider", "mock")
        .register(context.meterRegistry());
    long seed = config.faultSeed().orElseGet(() -> new java.util.Random().nextLong());
    this.faults =
        new Faults(
            config.faults(),
            config.faultsFile().orElse(null),
            seed,
            code ->
                context
                    .meterRegistry()
                    .counter("vkj.mock.faults", "provider", "mock", "code", code.name())
                    .increment());
    if (config.faults().any() || config.faultsFile().isPresent()) {
      log.info(
          "fault injection on: {}{}, seed {}",
          config.faults(),
          config.faultsFile().map(f -> ", faults file " + f).orElse(""),
          seed);
    }
    this.ticker =
        context
            .scheduler()
            .scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
  }

  // ---- lifecycle ----

  @Override
  public void createPod(Pod pod) throws ProviderException {
    requireNonNull(pod, "pod is null");
    faults.before(Faults.Call.CREATE);
    Admission.checkShape(pod);
    String key = key(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
    SimPod existing = pods.get(key);
    if (existing != null) {
      if (existing.uid.equals(pod.getMetadata().getUid())) {
        // a retry after a failed save must not return before the pod is on disk
        persist(existing.createTicket, "create");
        return;
      }
      // A new incarnation of the name: the old one is gone in the API, so drop it here too.
      forget(key, existing);
    }
    Behavior behavior = Behavior.of(pod);
    if (behavior.unrunnable().isPresent()) {
      throw ProviderException.invalidInput(
          behavior.unrunnable().get().isBlank()
              ? "the pod is marked unrunnable (" + Behavior.UNRUNNABLE + ")"
              : behavior.unrunnable().get());
    }
    Admission.checkQuantities(pod);
    Admission.Requests requests = Admission.requests(pod);
    SimPod sim;
    synchronized (admissionLock) {
      Admission.checkFits(
          requests,
          usedMilliCpu,
          usedMemory,
          admitted.size(),
          capacityMilliCpu,
          capacityMemory,
          config.pods());
      String ip = ipPool.allocate();
      sim =
          SimPod.create(
              pod,
              ip,
              clock.instant(),
              behavior.startupDelay().orElse(config.startupDelay()),
              behavior,
              hooks());
      pods.put(key, sim);
      admit(key, requests);
    }
    created.increment();
    push(sim);
    sim.createTicket = stateChanged();
    persist(sim.createTicket, "create");
  }

  @Override
  public void updatePod(Pod pod) throws ProviderException {
    requireNonNull(pod, "pod is null");
    faults.before(Faults.Call.UPDATE);
    Admission.checkShape(pod);
    String key = key(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
    SimPod sim = pods.get(key);
    if (sim == null || sim.removed() || !sim.uid.equals(pod.getMetadata().getUid())) {
      throw ProviderException.notFound(
          "pod " + key + " (uid " + pod.getMetadata().getUid() + ") is not in the mock backend");
    }
    sim.update(pod, Behavior.of(pod), clock.instant());
    push(sim);
    stateChanged();
  }

  @Override
  public void deletePod(Pod pod) throws ProviderException {
    requireNonNull(pod, "pod is null");
    faults.before(Faults.Call.DELETE);
    if (pod.getMetadata() == null) {
      return;
    }
    String key = key(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
    SimPod sim = pods.get(key);
    String uid = pod.getMetadata().getUid();
    if (sim == null || (uid != null && !uid.equals(sim.uid))) {
      return;
    }
    Long grace = pod.getMetadata().getDeletionGracePeriodSeconds();
    sim.delete(clock.instant(), SimPod.grace(sim.spec(), grace));
    deleted.increment();
    push(sim);
    persist(stateChanged(), "delete");
  }

  @Override
  public Optional<Pod> getPod(String namespace, String name) throws ProviderException {
    faults.before(Faults.Call.READ);
    return current(namespace, name).map(sim -> sim.withStatus(context.nodeIp()));
  }

  @Override
  public Optional<PodStatus> getPodStatus(String namespace, String name) throws ProviderException {
    faults.before(Faults.Call.READ);
    return current(namespace, name).map(sim -> sim.status(context.nodeIp()));
  }

  @Override
  public List<Pod> listPods() throws ProviderException {
    faults.before(Faults.Call.READ);
    Instant now = clock.instant();
    List<Pod> result = new ArrayList<>(pods.size());
    for (SimPod sim : List.copyOf(pods.values())) {
      settle(sim, now);
      if (!sim.removed()) {
        result.add(sim.withStatus(context.nodeIp()));
      }
    }
    return result;
  }

  @Override
  public NodeDescription describeNode() {
    return NodeDescription.builder()
        .capacity("cpu", config.cpu().toString())
        .capacity("memory", config.memory().toString())
        .capacity("pods", Integer.toString(config.pods()))
        .operatingSystem(config.operatingSystem())
        .architecture("amd64")
        .kernelVersion("6.1.0-vkj-mock")
        .osImage("vkj mock provider")
        .containerRuntimeVersion("mock://0.1.0")
        .build();
  }

  @Override
  public void ping() throws ProviderException {
    if (closed.get()) {
      throw ProviderException.transientError("the mock provider is closed", null);
    }
    faults.before(Faults.Call.PING);
  }

  @Override
  public void notifyPodStatus(Listener listener) {
    this.listener = requireNonNull(listener, "listener is null");
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    ticker.cancel(false);
    if (store != null) {
      stateWriter.shutdown();
      try {
        stateWriter.awaitTermination(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      try {
        commit.await(commit.changed());
      } catch (IOException e) {
        log.warn("cannot write the mock state file {}: {}", store.file(), e.getMessage());
      }
    }
  }

  // ---- simulation plumbing ----

  private Optional<SimPod> current(String namespace, String name) {
    SimPod sim = pods.get(key(namespace, name));
    if (sim == null) {
      return Optional.empty();
    }
    settle(sim, clock.instant());
    return sim.removed() ? Optional.empty() : Optional.of(sim);
  }

  /** Brings a pod up to {@code now}; pushes its status or forgets it when it was removed. */
  private void settle(SimPod sim, Instant now) {
    boolean changed = sim.advance(now);
    if (sim.removed()) {
      forget(key(sim.namespace, sim.name), sim);
    } else if (changed) {
      push(sim);
      stateChanged();
    }
  }

  private void forget(String key, SimPod sim) {
    if (pods.remove(key, sim)) {
      release(key);
      ipPool.release(sim.ip);
      stateChanged();
    }
  }

  /** Counts a pod's requests against the node. */
  private void admit(String key, Admission.Requests requests) {
    synchronized (admissionLock) {
      Admission.Requests previous = admitted.put(key, requests);
      if (previous != null) {
        usedMilliCpu -= previous.milliCpu();
        usedMemory -= previous.memoryBytes();
      }
      usedMilliCpu += requests.milliCpu();
      usedMemory += requests.memoryBytes();
    }
  }

  private void release(String key) {
    synchronized (admissionLock) {
      Admission.Requests previous = admitted.remove(key);
      if (previous != null) {
        usedMilliCpu -= previous.milliCpu();
        usedMemory -= previous.memoryBytes();
      }
    }
  }

  private record Due(Instant at, long sequence, SimPod sim) implements Comparable<Due> {
    @Override
    public int compareTo(Due o) {
      int c = at.compareTo(o.at);
      return c != 0 ? c : Long.compare(sequence, o.sequence);
    }
  }

  private void tick() {
    try {
      Instant now = clock.instant();
      List<Due> failed = new ArrayList<>();
      Due next;
      while ((next = dueQueue.poll()) != null) {
        if (next.at().isAfter(now)) {
          dueQueue.add(next);
          break;
        }
        SimPod sim = next.sim();
        Instant due = sim.due();
        // entries outlive moved transitions and replaced pods: only a current, due pod settles
        if (due != null && !due.isAfter(now) && pods.get(key(sim.namespace, sim.name)) == sim) {
          try {
            settle(sim, now);
          } catch (RuntimeException e) {
            log.warn("mock provider tick failed for {}/{}", sim.namespace, sim.name, e);
            failed.add(next); // tried again at the next tick, not forgotten
          }
        }
      }
      dueQueue.addAll(failed);
    } catch (RuntimeException e) {
      // Never let the periodic task die: the scheduler would silently stop running it.
      log.warn("mock provider tick failed", e);
    }
  }

  private void push(SimPod sim) {
    Listener current = listener;
    if (current == null) {
      return;
    }
    try {
      // snapshot and delivery under the pod's lock: pushes from the ticker and from provider
      // calls must reach the listener in the order the states happened (the listener never blocks)
      synchronized (sim) {
        current.podStatusChanged(
            new PodBuilder()
                .withMetadata(
                    new ObjectMetaBuilder()
                        .withNamespace(sim.namespace)
                        .withName(sim.name)
                        .withUid(sim.uid)
                        .build())
                .withStatus(sim.status(context.nodeIp()))
                .build());
      }
    } catch (RuntimeException e) {
      log.warn("pod status listener failed for {}/{}", sim.namespace, sim.name, e);
    }
  }

  private SimPod.Hooks hooks() {
    return new SimPod.Hooks() {
      @Override
      public void event(Pod pod, String container, boolean warning, String reason, String message) {
        try {
          if (container == null) {
            if (warning) {
              context.events().warning(pod, reason, message);
            } else {
              context.events().normal(pod, reason, message);
            }
          } else {
            context.events().container(pod, container, warning, reason, message);
          }
        } catch (RuntimeException e) {
          log.debug("event recorder failed", e);
        }
      }

      @Override
      public void due(SimPod pod, Instant at) {
        dueQueue.add(new Due(at, dueSequence.incrementAndGet(), pod));
      }

      @Override
      public void instanceEnded(
          SimPod pod, SimContainer container, Instant started, Instant finished) {
        Container spec =
            pod.spec().getSpec().getContainers().stream()
                .filter(c -> c.getName().equals(container.name))
                .findFirst()
                .orElse(null);
        retiredCpu.addAndGet(
            UsageModel.sample(usageKey(pod, container.name), spec, started, finished)
                .cumulativeCoreNanos());
      }
    };
  }

  private static String usageKey(SimPod pod, String container) {
    return pod.uid + "/" + container;
  }

  // ---- state file ----

  private void load() throws ProviderException {
    StateStore.State state = store.load(context.nodeName());
    for (StateStore.PodRecord record : state.pods()) {
      Pod pod = record.pod();
      Behavior behavior;
      try {
        behavior = Behavior.of(pod);
      } catch (ProviderException e) {
        throw ProviderException.invalidConfig(
            MockConfig.STATE_FILE,
            "the state file "
                + store.file()
                + " holds a pod with invalid annotations: "
                + e.getMessage());
      }
      SimPod sim = SimPod.restore(record, behavior, hooks());
      if (!ipPool.reserve(sim.ip)) {
        log.warn(
            "pod {}/{} keeps IP {} from the state file although it is outside podCidr {}",
            sim.namespace,
            sim.name,
            sim.ip,
            config.podCidr());
      }
      String key = key(sim.namespace, sim.name);
      pods.put(key, sim);
      admit(key, Admission.requests(pod));
    }
    if (!state.pods().isEmpty()) {
      log.info("adopted {} pods from the state file {}", state.pods().size(), store.file());
    }
  }

  /**
   * Records a change of the state and schedules a save within {@link #STATE_WRITE_DELAY_MILLIS},
   * which is enough for status progress; returns the change's ticket for {@link #persist}.
   */
  private long stateChanged() {
    if (store == null || closed.get()) {
      return 0;
    }
    long ticket = commit.changed();
    if (!writeScheduled.compareAndSet(false, true)) {
      return ticket;
    }
    try {
      context
          .scheduler()
          .schedule(
              () -> {
                try {
                  stateWriter.execute(
                      () -> {
                        writeScheduled.set(false);
                        try {
                          commit.flush();
                        } catch (IOException e) {
                          log.warn(
                              "cannot write the mock state file {}: {}",
                              store.file(),
                              e.getMessage());
                        }
                      });
                } catch (RuntimeException e) {
                  writeScheduled.set(false);
                }
              },
              STATE_WRITE_DELAY_MILLIS,
              TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      // The scheduler is shutting down; close() writes the final state.
      writeScheduled.set(false);
    }
    return ticket;
  }

  /**
   * Returns once the change of {@code ticket} is in the state file, so a create or delete survives
   * a SIGKILL right after the call. Concurrent callers share writes (see {@link GroupCommit}).
   */
  private void persist(long ticket, String what) throws ProviderException {
    if (commit == null || ticket == 0) {
      return;
    }
    try {
      commit.await(ticket);
    } catch (IOException e) {
      throw ProviderException.transientError(
          "the " + what + " is not saved to the state file " + store.file() + ": " + e.getMessage(),
          e);
    }
  }

  private void writeState() throws IOException {
    List<StateStore.PodRecord> records = new ArrayList<>();
    List<SimPod> sorted = new ArrayList<>(pods.values());
    sorted.sort(Comparator.comparing((SimPod p) -> p.namespace).thenComparing(p -> p.name));
    for (SimPod sim : sorted) {
      if (!sim.removed()) {
        records.add(sim.toRecord());
      }
    }
    store.save(new StateStore.State(StateStore.FORMAT_VERSION, context.nodeName(), records));
  }

  /** The fault injection; for tests. */
  Faults faults() {
    return faults;
  }

  /** The group commit of the state file, or null without one; for tests. */
  GroupCommit stateCommit() {
    return commit;
  }

  // ---- logs ----

  @Override
  public InputStream containerLogs(
      String namespace, String pod, String container, LogOptions options) throws ProviderException {
    SimPod sim = requirePod(namespace, pod);
    SimPod.ContainerView view = requireContainer(sim, container);
    SimPod.Instance instance;
    if (options.previous()) {
      instance = view.previous();
      if (instance == null) {
        throw ProviderException.notFound(
            "previous terminated container \"" + container + "\" in pod \"" + pod + "\" not found");
      }
    } else {
      instance = view.current();
      if (instance == null) {
        throw ProviderException.invalidInput(
            "container \""
                + container
                + "\" in pod \""
                + pod
                + "\" is waiting to start: "
                + view.waitingReason());
      }
    }
    return openLog(sim, container, instance, options, () -> false);
  }

  private InputStream openLog(
      SimPod sim,
      String container,
      SimPod.Instance instance,
      LogOptions options,
      BooleanSupplier cancelled)
      throws ProviderException {
    String id = instance.containerId();
    Instant fixedEnd = instance.finishedAt();
    MockLogSource source =
        new MockLogSource(
            clock,
            config.logInterval(),
            instance.startedAt(),
            sim.namespace + "/" + sim.name + "/" + container,
            fixedEnd != null
                ? () -> Optional.of(fixedEnd)
                : () -> {
                  // settle, not just advance: a change seen here must still be pushed
                  Instant now = clock.instant();
                  settle(sim, now);
                  return sim.instanceEnd(container, id, now);
                },
            cancelled);
    return PollingLogStream.open(source, options, LOG_POLL_INTERVAL, clock);
  }

  // ---- exec and attach ----

  @Override
  public int exec(String namespace, String pod, String container, List<String> command, AttachIO io)
      throws ProviderException {
    requireNonNull(io, "io is null");
    SimPod sim = requirePod(namespace, pod);
    SimPod.ContainerView view = requireRunning(sim, container);
    if (command == null || command.isEmpty()) {
      throw ProviderException.invalidInput("no command given to exec");
    }
    Pod spec = sim.spec();
    VirtualFiles files = VirtualFiles.of(spec, view.spec(), context.resources(), sim.ip);
    MockShell.Environment environment =
        new MockShell.Environment(sim.name, environment(sim, view.spec(), io.tty()), files, clock);
    return new MockShell(environment, io).run(command);
  }

  /** The environment a process in the container sees, as a container runtime would set it. */
  private Map<String, String> environment(SimPod sim, Container spec, boolean tty) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    env.put("HOSTNAME", sim.name);
    if (tty) {
      env.put("TERM", "xterm");
    }
    if (spec.getEnv() != null) {
      for (EnvVar var : spec.getEnv()) {
        String value = var.getValue();
        if (value == null
            && var.getValueFrom() != null
            && var.getValueFrom().getFieldRef() != null) {
          value = fieldRef(sim, var.getValueFrom().getFieldRef().getFieldPath());
        }
        if (value == null && var.getValueFrom() == null) {
          value = "";
        }
        if (value != null) {
          env.put(var.getName(), value);
        }
      }
    }
    env.put("HOME", "/root");
    return env;
  }

  private String fieldRef(SimPod sim, String path) {
    if (path == null) {
      return null;
    }
    return switch (path) {
      case "metadata.name" -> sim.name;
      case "metadata.namespace" -> sim.namespace;
      case "metadata.uid" -> sim.uid;
      case "spec.nodeName" -> context.nodeName();
      case "status.podIP", "status.podIPs" -> sim.ip;
      case "status.hostIP", "status.hostIPs" -> context.nodeIp();
      default -> null;
    };
  }

  @Override
  public int attach(String namespace, String pod, String container, AttachIO io)
      throws ProviderException {
    requireNonNull(io, "io is null");
    SimPod sim = requirePod(namespace, pod);
    SimPod.ContainerView view = requireRunning(sim, container);
    SimPod.Instance instance = view.current();
    OutputStream stdout = io.stdout().orElse(null);
    Object writeLock = new Object();
    Thread echo = null;
    if (io.stdin().isPresent() && stdout != null) {
      InputStream stdin = io.stdin().get();
      echo =
          new Thread(
              () -> echoInput(stdin, stdout, io.tty(), writeLock, io),
              "mock-attach-stdin-" + sim.name);
      echo.setDaemon(true);
      echo.start();
    }
    LogOptions fromNow =
        new LogOptions(
            OptionalInt.of(0), OptionalLong.empty(), false, true, false, Optional.empty());
    try (InputStream lines =
        openLog(
            sim,
            container,
            instance,
            fromNow,
            () -> io.isClosed() || Thread.currentThread().isInterrupted())) {
      byte[] buffer = new byte[8192];
      int n;
      while ((n = lines.read(buffer, 0, buffer.length)) >= 0) {
        if (stdout == null) {
          continue;
        }
        byte[] chunk = Arrays.copyOf(buffer, n);
        synchronized (writeLock) {
          stdout.write(io.tty() ? MockShell.crlf(chunk) : chunk);
          stdout.flush();
        }
      }
    } catch (IOException e) {
      return 0;
    } finally {
      if (echo != null) {
        echo.interrupt();
      }
    }
    if (io.isClosed() || Thread.currentThread().isInterrupted()) {
      return 0;
    }
    SimPod.Instance ended = sim.view(container).map(SimPod.ContainerView::current).orElse(null);
    return ended != null && instance.containerId().equals(ended.containerId())
        ? ended.exitCode()
        : 0;
  }

  private static void echoInput(
      InputStream stdin, OutputStream stdout, boolean tty, Object writeLock, AttachIO io) {
    byte[] buffer = new byte[4096];
    try {
      while (!io.isClosed() && !Thread.currentThread().isInterrupted()) {
        int n = stdin.read(buffer);
        if (n < 0) {
          return;
        }
        byte[] chunk = Arrays.copyOf(buffer, n);
        if (tty) {
          chunk =
              new String(chunk, StandardCharsets.UTF_8)
                  .replace("\r\n", "\n")
                  .replace('\r', '\n')
                  .replace("\n", "\r\n")
                  .getBytes(StandardCharsets.UTF_8);
        }
        synchronized (writeLock) {
          stdout.write(chunk);
          stdout.flush();
        }
      }
    } catch (IOException e) {
      // the client closed its streams
    }
  }

  // ---- port-forward ----

  @Override
  public void portForward(
      String namespace, String pod, int port, InputStream fromClient, OutputStream toClient)
      throws ProviderException {
    SimPod sim = requirePod(namespace, pod);
    Container listening = null;
    for (Container c : sim.spec().getSpec().getContainers()) {
      if (c.getPorts() == null) {
        continue;
      }
      for (ContainerPort p : c.getPorts()) {
        if (p.getContainerPort() != null && p.getContainerPort() == port) {
          listening = c;
        }
      }
    }
    if (listening == null) {
      throw ProviderException.invalidInput(
          "no container in pod " + namespace + "/" + pod + " listens on port " + port);
    }
    SimPod.ContainerView view = sim.view(listening.getName()).orElseThrow();
    if (view.phase() != SimContainer.Phase.RUNNING) {
      throw ProviderException.invalidInput(
          "container \""
              + listening.getName()
              + "\" of pod "
              + namespace
              + "/"
              + pod
              + " is not running, so nothing listens on port "
              + port);
    }
    try {
      PortForwardSession.serve(
          fromClient,
          toClient,
          namespace + "/" + pod,
          listening.getName(),
          port,
          context.nodeName());
    } catch (IOException e) {
      // The client or the core closed the streams: the connection is over.
      log.debug("port-forward to {}/{}:{} ended: {}", namespace, pod, port, e.getMessage());
    }
  }

  // ---- stats ----

  @Override
  public StatsSummary statsSummary() {
    Instant now = clock.instant();
    List<PodStats> podStats = new ArrayList<>();
    long nodeRate = 0;
    long nodeCumulative = retiredCpu.get();
    long nodeMemory = NODE_BASE_MEMORY;
    for (SimPod sim : List.copyOf(pods.values())) {
      settle(sim, now);
      if (sim.removed()) {
        continue;
      }
      List<ContainerStats> containers = new ArrayList<>();
      long podRate = 0;
      long podCumulative = 0;
      long podWorkingSet = 0;
      long podUsage = 0;
      long podRss = 0;
      for (SimPod.Running running : sim.runningContainers()) {
        UsageModel.Sample sample =
            UsageModel.sample(
                usageKey(sim, running.name()), running.spec(), running.startedAt(), now);
        containers.add(
            new ContainerStats(
                running.name(),
                running.startedAt(),
                new CpuStats(now, sample.nanoCores(), sample.cumulativeCoreNanos()),
                new MemoryStats(now, sample.usage(), sample.workingSet(), sample.rss())));
        podRate += sample.nanoCores();
        podCumulative += sample.cumulativeCoreNanos();
        podWorkingSet += sample.workingSet();
        podUsage += sample.usage();
        podRss += sample.rss();
      }
      if (containers.isEmpty()) {
        continue;
      }
      podStats.add(
          new PodStats(
              sim.namespace,
              sim.name,
              sim.uid,
              sim.createdAt,
              containers,
              new CpuStats(now, podRate, podCumulative),
              new MemoryStats(now, podUsage, podWorkingSet, podRss)));
      nodeRate += podRate;
      nodeCumulative += podCumulative;
      nodeMemory += podWorkingSet;
    }
    // The node is never idle: the runtime itself uses a little.
    long systemRate = 10_000_000L;
    long systemCumulative = Math.max(1, Duration.between(startedAt, now).toNanos() / 100);
    return new StatsSummary(
        new NodeStats(
            context.nodeName(),
            startedAt,
            new CpuStats(now, nodeRate + systemRate, nodeCumulative + systemCumulative),
            new MemoryStats(now, nodeMemory + nodeMemory / 5, nodeMemory, nodeMemory * 4 / 5)),
        podStats);
  }

  // ---- lookups ----

  private SimPod requirePod(String namespace, String pod) throws ProviderException {
    return current(namespace, pod)
        .orElseThrow(
            () ->
                ProviderException.notFound(
                    "pod \"" + pod + "\" in namespace \"" + namespace + "\" does not exist"));
  }

  private static SimPod.ContainerView requireContainer(SimPod sim, String container)
      throws ProviderException {
    return sim.view(container)
        .orElseThrow(
            () ->
                ProviderException.notFound(
                    "container \"" + container + "\" not found in pod \"" + sim.name + "\""));
  }

  private static SimPod.ContainerView requireRunning(SimPod sim, String container)
      throws ProviderException {
    SimPod.ContainerView view = requireContainer(sim, container);
    if (view.phase() != SimContainer.Phase.RUNNING) {
      String state =
          view.phase() == SimContainer.Phase.WAITING
              ? "waiting: " + view.waitingReason()
              : "terminated";
      throw ProviderException.invalidInput(
          "container \""
              + container
              + "\" in pod \""
              + sim.name
              + "\" is not running ("
              + state
              + ")");
    }
    return view;
  }

  private static String key(String namespace, String name) {
    return namespace + "/" + name;
  }
}
