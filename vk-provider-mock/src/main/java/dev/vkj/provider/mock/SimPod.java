package dev.vkj.provider.mock;

import static java.util.Objects.requireNonNull;

import dev.vkj.provider.mock.SimContainer.Action;
import dev.vkj.provider.mock.SimContainer.Phase;
import dev.vkj.provider.mock.SimContainer.Termination;
import dev.vkj.spi.SecretEnv;
import dev.vkj.toolkit.ContainerStatuses;
import dev.vkj.toolkit.PodResources;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.HostIP;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.PodReadinessGate;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One simulated pod: a state machine driven by instants, never by threads. {@link #advance} applies
 * every transition that is due (at the instant it was due, so the timestamps are exact however late
 * the simulation is looked at). All methods are synchronized on the pod.
 */
final class SimPod {
  static final Duration INITIAL_BACKOFF = Duration.ofSeconds(10);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(300);

  /** How long a deleted pod whose containers all stopped is still reported. */
  static final Duration REMOVE_AFTER = Duration.ofSeconds(2);

  /** The kubelet floors the kill grace period at 2 s. */
  static final Duration MIN_GRACE = Duration.ofSeconds(2);

  static final String DEADLINE_MESSAGE =
      "Pod was active on the node longer than the specified deadline";

  /** Receives what the simulation does, for events and usage accounting. */
  interface Hooks {
    void event(Pod pod, String container, boolean warning, String reason, String message);

    void instanceEnded(SimPod pod, SimContainer container, Instant startedAt, Instant finishedAt);

    /** The pod's next transition moved to {@code at}: the provider's ticker must look then. */
    void due(SimPod pod, Instant at);
  }

  private record Cond(String status, String reason, String message, Instant since) {}

  final String namespace;
  final String name;
  final String uid;
  final String ip;
  final Instant createdAt;
  private final Hooks hooks;

  private Pod pod;
  // what getPod and listPods return: the pod without secret-derived values
  private Pod visible;
  // of the current spec: every status carries it, and working it out parses every quantity
  private String qos;
  private Behavior behavior;
  private final Duration startupDelay;
  private final List<SimContainer> initContainers = new ArrayList<>();
  private final List<SimContainer> containers = new ArrayList<>();

  private boolean deleted;
  private Instant deletedAt;
  private Instant removeAt;
  private boolean removed;
  private Instant deadlineAt;
  private boolean deadlineExceeded;
  private String phase = "Pending";
  private final Map<String, Cond> conditions = new LinkedHashMap<>();

  private volatile Instant due;

  /** The state-file change that holds this pod's creation; 0 for a pod loaded from the file. */
  volatile long createTicket;

  private SimPod(
      Pod pod,
      String ip,
      Instant createdAt,
      Duration startupDelay,
      Behavior behavior,
      Hooks hooks) {
    this.pod = stripStatus(pod);
    this.visible = withoutSecretValues(this.pod);
    this.qos = qosClass(this.pod);
    this.namespace = pod.getMetadata().getNamespace();
    this.name = pod.getMetadata().getName();
    this.uid = pod.getMetadata().getUid();
    this.ip = requireNonNull(ip, "ip is null");
    this.createdAt = requireNonNull(createdAt, "createdAt is null");
    this.startupDelay = requireNonNull(startupDelay, "startupDelay is null");
    this.behavior = requireNonNull(behavior, "behavior is null");
    this.hooks = requireNonNull(hooks, "hooks is null");
    List<Container> init =
        pod.getSpec().getInitContainers() == null ? List.of() : pod.getSpec().getInitContainers();
    String waiting = init.isEmpty() ? "ContainerCreating" : "PodInitializing";
    for (Container c : init) {
      initContainers.add(new SimContainer(c.getName(), true, c.getImage(), waiting));
    }
    for (Container c : pod.getSpec().getContainers()) {
      containers.add(new SimContainer(c.getName(), false, c.getImage(), waiting));
    }
  }

  /** A new pod, created at {@code now}; its first container starts after the startup delay. */
  static SimPod create(
      Pod pod, String ip, Instant now, Duration startupDelay, Behavior behavior, Hooks hooks) {
    SimPod sim = new SimPod(pod, ip, now, startupDelay, behavior, hooks);
    synchronized (sim) {
      Instant first = now.plus(startupDelay);
      if (!sim.initContainers.isEmpty()) {
        sim.initContainers.get(0).schedule(first, Action.START);
      } else {
        sim.containers.forEach(c -> c.schedule(first, Action.START));
      }
      sim.deadlineAt = deadline(pod, now);
      sim.recompute(now);
      sim.advance(now); // with no startup delay the containers run from the create on
    }
    return sim;
  }

  /** Restores a pod from the state file, exactly as it was saved. */
  static SimPod restore(StateStore.PodRecord record, Behavior behavior, Hooks hooks) {
    SimPod sim =
        new SimPod(
            record.pod(),
            record.ip(),
            Instant.parse(record.createdAt()),
            Duration.ofMillis(record.startupDelayMillis()),
            behavior,
            hooks);
    synchronized (sim) {
      sim.deleted = record.deletedAt() != null;
      sim.deletedAt = parse(record.deletedAt());
      sim.removeAt = parse(record.removeAt());
      sim.deadlineAt = parse(record.deadlineAt());
      sim.deadlineExceeded = record.deadlineExceeded();
      sim.phase = record.phase();
      for (StateStore.ContainerRecord c : record.containers()) {
        SimContainer target = sim.find(c.name()).orElse(null);
        if (target == null) {
          continue;
        }
        target.image = c.image();
        target.phase = Phase.valueOf(c.phase());
        target.waitingReason = c.waitingReason();
        target.waitingMessage = c.waitingMessage();
        target.instances = c.instances();
        target.startedAt = parse(c.startedAt());
        target.containerId = c.containerId();
        target.terminated = c.terminated() == null ? null : c.terminated().toTermination();
        target.last = c.last() == null ? null : c.last().toTermination();
        target.nextAt = parse(c.nextAt());
        target.nextAction = c.nextAction() == null ? null : Action.valueOf(c.nextAction());
        target.pendingExitCode = c.pendingExitCode();
        target.backoff = c.backoffMillis() < 0 ? null : Duration.ofMillis(c.backoffMillis());
        target.backoffUpdated = parse(c.backoffUpdated());
      }
      for (StateStore.ConditionRecord c : record.conditions()) {
        sim.conditions.put(
            c.type(), new Cond(c.status(), c.reason(), c.message(), Instant.parse(c.since())));
      }
      sim.refreshDue();
    }
    return sim;
  }

  synchronized StateStore.PodRecord toRecord() {
    List<StateStore.ContainerRecord> records = new ArrayList<>();
    for (SimContainer c : all()) {
      records.add(
          new StateStore.ContainerRecord(
              c.name,
              c.image,
              c.phase.name(),
              c.waitingReason,
              c.waitingMessage,
              c.instances,
              str(c.startedAt),
              c.containerId,
              StateStore.TerminationRecord.of(c.terminated),
              StateStore.TerminationRecord.of(c.last),
              str(c.nextAt),
              c.nextAction == null ? null : c.nextAction.name(),
              c.pendingExitCode,
              c.backoff == null ? -1 : c.backoff.toMillis(),
              str(c.backoffUpdated)));
    }
    List<StateStore.ConditionRecord> conds = new ArrayList<>();
    conditions.forEach(
        (type, c) ->
            conds.add(
                new StateStore.ConditionRecord(
                    type, c.status(), c.reason(), c.message(), c.since().toString())));
    return new StateStore.PodRecord(
        pod,
        ip,
        createdAt.toString(),
        startupDelay.toMillis(),
        str(deletedAt),
        str(removeAt),
        str(deadlineAt),
        deadlineExceeded,
        phase,
        records,
        conds);
  }

  /** The earliest instant at which something will change, or null. Lock-free for the ticker. */
  Instant due() {
    return due;
  }

  synchronized boolean removed() {
    return removed;
  }

  synchronized Pod spec() {
    return pod;
  }

  /** Applies every transition due at or before {@code now}; returns whether anything changed. */
  synchronized boolean advance(Instant now) {
    boolean changed = false;
    // Bounded so that a pathological configuration can never spin forever.
    for (int step = 0; step < 100_000; step++) {
      Instant t = earliest();
      if (t == null || t.isAfter(now)) {
        break;
      }
      processAt(t);
      recompute(t);
      changed = true;
    }
    refreshDue();
    return changed;
  }

  /** Stops the containers as the kubelet does on a graceful delete. Idempotent. */
  synchronized void delete(Instant now, Duration grace) {
    advance(now);
    if (deleted) {
      return;
    }
    deleted = true;
    deletedAt = now;
    stopAll(now, grace, false); // the core announces the stops of the deletes it sends
    recompute(now);
    refreshDue();
  }

  /** Applies a new spec: metadata, deadline, and images (a changed image restarts a container). */
  synchronized void update(Pod newPod, Behavior newBehavior, Instant now) {
    advance(now);
    Pod old = pod;
    pod = stripStatus(newPod);
    visible = withoutSecretValues(pod);
    qos = qosClass(pod);
    behavior = newBehavior;
    if (!deleted && !deadlineExceeded) {
      deadlineAt = deadline(pod, createdAt);
      for (Container spec : pod.getSpec().getContainers()) {
        SimContainer c = find(spec.getName()).orElse(null);
        if (c == null || c.init || spec.getImage() == null || spec.getImage().equals(c.image)) {
          continue;
        }
        c.image = spec.getImage();
        if (c.running()) {
          hooks.event(
              old,
              c.name,
              false,
              "Killing",
              "Container " + c.name + " definition changed, will be restarted");
          finish(c, now, sigtermExitCode(), "");
          c.last = c.terminated;
          c.terminated = null;
          c.waiting("ContainerCreating", null);
          c.schedule(now.plus(startupDelay), Action.START);
        }
      }
    }
    recompute(now);
    refreshDue();
  }

  private int sigtermExitCode() {
    return switch (behavior.sigterm()) {
      case EXIT -> 0;
      case TERMINATE -> 143;
      case IGNORE -> 137;
    };
  }

  private Instant earliest() {
    Instant min = removeAt;
    if (deadlineAt != null && !deadlineExceeded && !deleted) {
      min = min == null ? deadlineAt : Times.min(min, deadlineAt);
    }
    for (SimContainer c : all()) {
      if (c.nextAt != null) {
        min = min == null ? c.nextAt : Times.min(min, c.nextAt);
      }
    }
    return min;
  }

  private void refreshDue() {
    Instant next = removed ? null : earliest();
    Instant previous = due;
    due = next;
    if (next != null && !next.equals(previous)) {
      hooks.due(this, next);
    }
  }

  private void processAt(Instant t) {
    if (removeAt != null && !removeAt.isAfter(t)) {
      removeAt = null;
      removed = true;
      all().forEach(SimContainer::unschedule);
      return;
    }
    if (deadlineAt != null && !deadlineExceeded && !deleted && !deadlineAt.isAfter(t)) {
      deadlineExceeded = true;
      hooks.event(pod, null, false, "DeadlineExceeded", DEADLINE_MESSAGE);
      stopAll(t, grace(pod, null), true);
    }
    for (SimContainer c : all()) {
      if (c.nextAt == null || c.nextAt.isAfter(t)) {
        continue;
      }
      Action action = c.nextAction;
      c.unschedule();
      switch (action) {
        case START -> start(c, t);
        case START_AFTER_BACKOFF -> {
          c.backoff = c.backoff.multipliedBy(2);
          if (c.backoff.compareTo(MAX_BACKOFF) > 0) {
            c.backoff = MAX_BACKOFF;
          }
          c.backoffUpdated = t;
          start(c, t);
        }
        case EXIT -> {
          int code = c.pendingExitCode;
          finish(c, t, code, "");
          afterExit(c, t, false);
        }
      }
    }
  }

  private void start(SimContainer c, Instant t) {
    if (deleted || deadlineExceeded) {
      return;
    }
    c.instances++;
    c.containerId = "mock://" + sha256(uid + "/" + c.name + "/" + c.instances);
    Optional<String> failure = behavior.failStart(c.name, c.init);
    if (failure.isPresent()) {
      c.phase = Phase.TERMINATED;
      c.startedAt = null;
      c.terminated =
          new Termination(128, "StartError", failure.get(), t, t, c.containerId, c.instances);
      hooks.event(pod, c.name, true, "Failed", "Error: " + failure.get());
      afterExit(c, t, true);
      return;
    }
    c.phase = Phase.RUNNING;
    c.startedAt = t;
    c.waitingReason = null;
    c.waitingMessage = null;
    c.terminated = null;
    hooks.event(
        pod,
        c.name,
        false,
        "Pulled",
        "Container image \"" + c.image + "\" already present on machine");
    // Created and Started are recorded by the core for every provider, from the pushed status
    Optional<Duration> runFor = behavior.exitAfter(c.name, c.init);
    if (runFor.isPresent()) {
      c.pendingExitCode = behavior.exitCode(c.name, c.init);
      c.schedule(t.plus(runFor.get()), Action.EXIT);
    }
  }

  /** Ends the running instance of {@code c} at {@code t}. */
  private void finish(SimContainer c, Instant t, int exitCode, String message) {
    Instant started = c.startedAt;
    c.phase = Phase.TERMINATED;
    c.unschedule();
    c.terminated =
        new Termination(
            exitCode,
            exitCode == 0 ? "Completed" : "Error",
            message,
            started,
            t,
            c.containerId,
            c.instances);
    if (started != null) {
      hooks.instanceEnded(this, c, started, t);
    }
  }

  private void afterExit(SimContainer c, Instant t, boolean startError) {
    if (deleted || deadlineExceeded) {
      scheduleRemovalIfStopped(t);
      return;
    }
    int code = c.terminated.exitCode();
    String policy = restartPolicy();
    if (c.init) {
      if (code == 0) {
        startAfterInit(c, t);
        return;
      }
      if (policy.equals("Never")) {
        return;
      }
    } else {
      boolean restart = policy.equals("Always") || (policy.equals("OnFailure") && code != 0);
      if (!restart) {
        return;
      }
    }
    c.last = c.terminated;
    c.terminated = null;
    boolean expired =
        c.backoffUpdated == null
            || Duration.between(c.backoffUpdated, t).compareTo(MAX_BACKOFF.multipliedBy(2)) > 0;
    if (expired) {
      // The kubelet restarts at once the first time and arms a 10 s window.
      c.backoff = INITIAL_BACKOFF;
      c.backoffUpdated = t;
      if (startError) {
        c.waiting("RunContainerError", c.last.message());
        c.schedule(t.plusSeconds(1), Action.START);
      } else {
        c.waiting("ContainerCreating", null);
        c.schedule(t, Action.START);
      }
    } else {
      c.waiting(
          "CrashLoopBackOff",
          "back-off "
              + Times.goDuration(c.backoff)
              + " restarting failed container="
              + c.name
              + " pod="
              + name
              + "_"
              + namespace
              + "("
              + uid
              + ")");
      c.schedule(t.plus(c.backoff), Action.START_AFTER_BACKOFF);
      hooks.event(pod, c.name, true, "BackOff", "Back-off restarting failed container");
    }
  }

  private void startAfterInit(SimContainer done, Instant t) {
    int index = initContainers.indexOf(done);
    if (index + 1 < initContainers.size()) {
      initContainers.get(index + 1).schedule(t, Action.START);
    } else {
      containers.forEach(c -> c.schedule(t, Action.START));
    }
  }

  private void stopAll(Instant t, Duration grace, boolean announce) {
    for (SimContainer c : all()) {
      if (c.running()) {
        if (announce) {
          hooks.event(pod, c.name, false, "Killing", "Stopping container " + c.name);
        }
        switch (behavior.sigterm()) {
          case EXIT -> finish(c, t, 0, "");
          case TERMINATE -> finish(c, t, 143, "");
          case IGNORE -> {
            c.pendingExitCode = 137;
            c.schedule(t.plus(grace.compareTo(MIN_GRACE) < 0 ? MIN_GRACE : grace), Action.EXIT);
          }
        }
      } else if (c.nextAt != null) {
        c.unschedule();
      }
    }
    scheduleRemovalIfStopped(t);
  }

  private void scheduleRemovalIfStopped(Instant t) {
    if (!deleted || removeAt != null || removed) {
      return;
    }
    if (all().stream().noneMatch(c -> c.running() || c.nextAt != null)) {
      removeAt = t.plus(REMOVE_AFTER);
    }
  }

  private String restartPolicy() {
    String policy = pod.getSpec().getRestartPolicy();
    return policy == null ? "Always" : policy;
  }

  // ---- status ----

  private void recompute(Instant t) {
    phase = computePhase();
    boolean succeeded = phase.equals("Succeeded");
    boolean failed = phase.equals("Failed");

    List<String> incompleteInit =
        initContainers.stream()
            .filter(c -> !initDone(c))
            .map(c -> c.name)
            .collect(Collectors.toList());
    if (incompleteInit.isEmpty() || succeeded) {
      setCondition(
          "Initialized",
          "True",
          succeeded && !initContainers.isEmpty() ? "PodCompleted" : null,
          null,
          t);
    } else {
      setCondition(
          "Initialized",
          "False",
          "ContainersNotInitialized",
          "containers with incomplete status: [" + String.join(" ", incompleteInit) + "]",
          t);
    }

    List<String> unready =
        containers.stream()
            .filter(c -> !c.running())
            .map(c -> c.name)
            .sorted()
            .collect(Collectors.toList());
    String readyStatus;
    String readyReason;
    String readyMessage;
    if (succeeded || failed) {
      readyStatus = "False";
      readyReason = succeeded ? "PodCompleted" : "PodFailed";
      readyMessage = null;
    } else if (unready.isEmpty()) {
      readyStatus = "True";
      readyReason = null;
      readyMessage = null;
    } else {
      readyStatus = "False";
      readyReason = "ContainersNotReady";
      readyMessage = "containers with unready status: [" + String.join(" ", unready) + "]";
    }
    setCondition("ContainersReady", readyStatus, readyReason, readyMessage, t);
    List<PodReadinessGate> gates = pod.getSpec().getReadinessGates();
    if (readyStatus.equals("True") && gates != null && !gates.isEmpty()) {
      setCondition(
          "Ready",
          "False",
          "ReadinessGatesNotReady",
          "corresponding condition of pod readiness gate \""
              + gates.get(0).getConditionType()
              + "\" does not exist.",
          t);
    } else {
      setCondition("Ready", readyStatus, readyReason, readyMessage, t);
    }
    setCondition("PodScheduled", "True", null, null, t);
  }

  private void setCondition(String type, String status, String reason, String message, Instant t) {
    Cond previous = conditions.get(type);
    Instant since = previous != null && previous.status().equals(status) ? previous.since() : t;
    conditions.put(type, new Cond(status, reason, message, since));
  }

  private static boolean initDone(SimContainer c) {
    return c.phase == Phase.TERMINATED && c.terminated.exitCode() == 0;
  }

  /** The kubelet's getPhase, plus the terminal phase of a deleted pod (Kubernetes 1.27+). */
  private String computePhase() {
    if (phase.equals("Succeeded") || phase.equals("Failed")) {
      return phase;
    }
    if (deadlineExceeded) {
      return "Failed";
    }
    String policy = restartPolicy();
    int pendingInit = 0;
    int failedInit = 0;
    for (SimContainer c : initContainers) {
      if (c.phase == Phase.RUNNING) {
        pendingInit++;
      } else if (c.phase == Phase.TERMINATED) {
        if (c.terminated.exitCode() != 0) {
          failedInit++;
        }
      } else if (c.last != null && c.last.exitCode() != 0) {
        failedInit++;
      } else {
        pendingInit++;
      }
    }
    int running = 0;
    int stopped = 0;
    int succeeded = 0;
    int waiting = 0;
    for (SimContainer c : containers) {
      if (c.phase == Phase.RUNNING) {
        running++;
      } else if (c.phase == Phase.TERMINATED) {
        stopped++;
        if (c.terminated.exitCode() == 0) {
          succeeded++;
        }
      } else if (c.last != null) {
        stopped++;
      } else {
        waiting++;
      }
    }
    if (deleted && all().stream().noneMatch(SimContainer::running)) {
      return stopped == containers.size() && succeeded == containers.size()
          ? "Succeeded"
          : "Failed";
    }
    if (failedInit > 0 && policy.equals("Never")) {
      return "Failed";
    }
    if (pendingInit > 0 || waiting > 0) {
      return "Pending";
    }
    if (running > 0) {
      return "Running";
    }
    if (stopped > 0) {
      return switch (policy) {
        case "Never" -> succeeded == stopped ? "Succeeded" : "Failed";
        case "OnFailure" -> succeeded == stopped ? "Succeeded" : "Running";
        default -> "Running";
      };
    }
    return "Pending";
  }

  synchronized PodStatus status(String hostIp) {
    PodStatusBuilder status =
        new PodStatusBuilder()
            .withPhase(phase)
            .withHostIP(hostIp)
            .withHostIPs(new HostIP(hostIp))
            .withPodIP(ip)
            .withPodIPs(new PodIP(ip))
            .withStartTime(Times.status(createdAt))
            .withQosClass(qos);
    if (deadlineExceeded) {
      status.withReason("DeadlineExceeded").withMessage(DEADLINE_MESSAGE);
    }
    List<PodCondition> conds = new ArrayList<>();
    for (String type : List.of("Initialized", "Ready", "ContainersReady", "PodScheduled")) {
      Cond c = conditions.get(type);
      if (c != null) {
        conds.add(
            new PodConditionBuilder()
                .withType(type)
                .withStatus(c.status())
                .withReason(c.reason())
                .withMessage(c.message())
                .withLastTransitionTime(Times.status(c.since()))
                .build());
      }
    }
    status.withConditions(conds);
    if (!initContainers.isEmpty()) {
      List<ContainerStatus> init = new ArrayList<>(initContainers.size());
      for (SimContainer c : initContainers) {
        init.add(containerStatus(c));
      }
      status.withInitContainerStatuses(init);
    }
    List<ContainerStatus> regular = new ArrayList<>(containers.size());
    for (SimContainer c : containers) {
      regular.add(containerStatus(c));
    }
    if (regular.size() > 1) {
      regular.sort(Comparator.comparing(ContainerStatus::getName)); // the kubelet sorts by name
    }
    status.withContainerStatuses(regular);
    return status.build();
  }

  /**
   * The pod as stored, with the current status. Metadata and spec are shared, not copied: copying
   * thousands of pods on every list is what made this slow, and callers only read them.
   */
  synchronized Pod withStatus(String hostIp) {
    return new Pod(
        visible.getApiVersion(),
        visible.getKind(),
        visible.getMetadata(),
        visible.getSpec(),
        status(hostIp));
  }

  private ContainerStatus containerStatus(SimContainer c) {
    ContainerStatuses.Builder status =
        ContainerStatuses.of(c.name, c.image)
            .imageId(c.instances > 0 ? imageId(c.image) : "")
            .containerId(c.containerId)
            .restartCount(c.restartCount())
            .lastState(c.last == null ? null : terminatedState(c.last));
    switch (c.phase) {
      case RUNNING -> status.state(ContainerStatuses.running(c.startedAt));
      case TERMINATED -> status.state(terminatedState(c.terminated));
      case WAITING -> status.state(ContainerStatuses.waiting(c.waitingReason, c.waitingMessage));
    }
    if (c.init) {
      // like the kubelet of the reference version: no started field for init containers
      status.ready(initDone(c)).started(null);
    } else {
      status.ready(c.running());
    }
    return status.build();
  }

  private static ContainerState terminatedState(Termination t) {
    return ContainerStatuses.terminated(
        t.exitCode(), t.reason(), t.message(), t.startedAt(), t.finishedAt(), t.containerId());
  }

  // ---- views for logs, exec, port-forward and stats ----

  /**
   * One instance of a container.
   *
   * @param finishedAt null while it runs
   */
  record Instance(
      String containerId, int number, Instant startedAt, Instant finishedAt, int exitCode) {}

  /**
   * What logs and exec need to know about a container.
   *
   * @param current the running or last finished instance, null if it never ran
   * @param previous the instance before {@code current}, null if none
   */
  record ContainerView(
      String name,
      boolean init,
      Phase phase,
      String waitingReason,
      Instance current,
      Instance previous,
      Container spec) {}

  synchronized Optional<ContainerView> view(String container) {
    Optional<SimContainer> found = find(container);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    SimContainer c = found.get();
    Instance current = null;
    Instance previous = null;
    if (c.phase == Phase.RUNNING) {
      current = new Instance(c.containerId, c.instances, c.startedAt, null, 0);
      previous = instance(c.last);
    } else if (c.phase == Phase.TERMINATED && c.terminated.startedAt() != null) {
      current = instance(c.terminated);
      previous = instance(c.last);
    } else if (c.last != null) {
      // Waiting to restart: the kubelet shows the last instance as the current log.
      current = instance(c.last);
    }
    return Optional.of(
        new ContainerView(
            c.name, c.init, c.phase, c.waitingReason, current, previous, specOf(c.name)));
  }

  /** When the given instance finished, empty while it still runs; ended now if unknown. */
  synchronized Optional<Instant> instanceEnd(String container, String containerId, Instant now) {
    if (removed) {
      return Optional.of(now);
    }
    SimContainer c = find(container).orElse(null);
    if (c == null) {
      return Optional.of(now);
    }
    if (c.running() && containerId.equals(c.containerId)) {
      return Optional.empty();
    }
    for (Termination t : new Termination[] {c.terminated, c.last}) {
      if (t != null && containerId.equals(t.containerId())) {
        return Optional.of(t.finishedAt());
      }
    }
    return Optional.of(now);
  }

  /** A running container for stats. */
  record Running(String name, Instant startedAt, Container spec) {}

  synchronized List<Running> runningContainers() {
    List<Running> result = new ArrayList<>();
    for (SimContainer c : all()) {
      if (c.running()) {
        result.add(new Running(c.name, c.startedAt, specOf(c.name)));
      }
    }
    return result;
  }

  private Container specOf(String container) {
    List<Container> specs = new ArrayList<>(pod.getSpec().getContainers());
    if (pod.getSpec().getInitContainers() != null) {
      specs.addAll(pod.getSpec().getInitContainers());
    }
    return specs.stream().filter(s -> s.getName().equals(container)).findFirst().orElse(null);
  }

  private static Instance instance(Termination t) {
    if (t == null || t.startedAt() == null) {
      return null;
    }
    return new Instance(t.containerId(), t.instance(), t.startedAt(), t.finishedAt(), t.exitCode());
  }

  // ---- helpers ----

  private List<SimContainer> all() {
    List<SimContainer> all = new ArrayList<>(initContainers.size() + containers.size());
    all.addAll(initContainers);
    all.addAll(containers);
    return all;
  }

  private Optional<SimContainer> find(String container) {
    for (SimContainer c : all()) {
      if (c.name.equals(container)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  private static Instant deadline(Pod pod, Instant start) {
    Long seconds = pod.getSpec().getActiveDeadlineSeconds();
    return seconds == null || seconds <= 0 ? null : start.plusSeconds(seconds);
  }

  /** The kill grace period: deletion grace, else the spec's, else 30 s. */
  static Duration grace(Pod pod, Long deletionGrace) {
    if (deletionGrace != null) {
      return Duration.ofSeconds(Math.max(0, deletionGrace));
    }
    Long spec = pod.getSpec() == null ? null : pod.getSpec().getTerminationGracePeriodSeconds();
    return Duration.ofSeconds(spec == null ? 30 : Math.max(0, spec));
  }

  /**
   * The pod without its status. Metadata and spec are shared with the caller (the core hands over a
   * pod and does not change it afterwards); deep copies of thousands of pods were too slow.
   */
  /**
   * The pod with the values of secret-derived variables ({@link SecretEnv}) removed; the same
   * object when it has none, so that listing thousands of pods copies nothing.
   */
  static Pod withoutSecretValues(Pod pod) {
    boolean secrets =
        pod.getSpec() != null
            && Stream.concat(
                    list(pod.getSpec().getInitContainers()).stream(),
                    list(pod.getSpec().getContainers()).stream())
                .flatMap(c -> list(c.getEnv()).stream())
                .anyMatch(SecretEnv::fromSecret);
    if (!secrets) {
      return pod;
    }
    Pod copy = new PodBuilder(pod).build();
    for (List<Container> containers :
        List.of(list(copy.getSpec().getInitContainers()), list(copy.getSpec().getContainers()))) {
      for (Container c : containers) {
        if (c.getEnv() != null) {
          c.setEnv(
              c.getEnv().stream()
                  .map(
                      e ->
                          SecretEnv.fromSecret(e)
                              ? new EnvVarBuilder(e).withValue(null).build()
                              : e)
                  .collect(Collectors.toList()));
        }
      }
    }
    return copy;
  }

  private static <T> List<T> list(List<T> items) {
    return items == null ? List.of() : items;
  }

  private static Pod stripStatus(Pod pod) {
    return new Pod(pod.getApiVersion(), pod.getKind(), pod.getMetadata(), pod.getSpec(), null);
  }

  private static Instant parse(String text) {
    return text == null ? null : Instant.parse(text);
  }

  private static String str(Instant instant) {
    return instant == null ? null : instant.toString();
  }

  static String sha256(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }

  /** A registry-qualified digest reference, like containerd reports. */
  static String imageId(String image) {
    String ref = image == null ? "" : image;
    int at = ref.indexOf('@');
    if (at >= 0) {
      ref = ref.substring(0, at);
    }
    int slash = ref.lastIndexOf('/');
    int colon = ref.lastIndexOf(':');
    if (colon > slash) {
      ref = ref.substring(0, colon);
    }
    String first = ref.contains("/") ? ref.substring(0, ref.indexOf('/')) : "";
    if (!ref.contains("/")) {
      ref = "docker.io/library/" + ref;
    } else if (!first.contains(".") && !first.contains(":") && !first.equals("localhost")) {
      ref = "docker.io/" + ref;
    }
    return ref + "@sha256:" + sha256(image == null ? "" : image);
  }

  /** The kubelet's QoS class (the toolkit's rules, shared with the core). */
  static String qosClass(Pod pod) {
    return PodResources.qosClass(pod.getSpec()).value();
  }
}
