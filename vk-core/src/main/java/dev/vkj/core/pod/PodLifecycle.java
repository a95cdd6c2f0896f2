package dev.vkj.core.pod;

import static dev.vkj.core.pod.KubeletStatus.isTerminal;
import static dev.vkj.core.pod.KubeletStatus.list;
import static java.util.Objects.requireNonNull;

import dev.vkj.spi.EventRecorder;
import dev.vkj.spi.ProviderException;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet's rules for a pod's life on the node: the active deadline, eviction by the backend,
 * pods the backend lost, terminal failures, graceful deletion, and the container events that go
 * with them.
 */
final class PodLifecycle {
  private static final Logger log = LoggerFactory.getLogger(PodLifecycle.class);
  static final Duration LOST_AFTER = Duration.ofMinutes(1);
  static final String PROVIDER_FAILED = "ProviderFailed";
  static final String PROVIDER_LOST = "ProviderLost";
  static final String LOST_MESSAGE =
      "The pod no longer exists in the provider's backend; it was lost or removed outside Kubernetes";
  static final String DEADLINE_EXCEEDED = "DeadlineExceeded";
  static final String DEADLINE_MESSAGE =
      "Pod was active on the node longer than the specified deadline";
  static final String EVICTED = "Evicted";
  static final String EVICTED_MESSAGE = "The pod was evicted by the provider's backend";

  /** The API server's default when a pod sets no terminationGracePeriodSeconds. */
  static final long DEFAULT_GRACE_SECONDS = 30;

  private final ProviderOps ops;
  private final PodStatusWriter writer;
  private final EventRecorder events;
  private final Clock clock;
  private final Supplier<String> hostIp;
  private final Duration recheck;

  PodLifecycle(
      ProviderOps ops,
      PodStatusWriter writer,
      EventRecorder events,
      Clock clock,
      Supplier<String> hostIp,
      Duration recheck) {
    this.ops = requireNonNull(ops, "ops is null");
    this.writer = requireNonNull(writer, "writer is null");
    this.events = requireNonNull(events, "events is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.hostIp = requireNonNull(hostIp, "hostIp is null");
    this.recheck = requireNonNull(recheck, "recheck is null");
  }

  /** Writes a status, remembering the start time it carries for the deadline. */
  void write(Pod api, PodState st, PodStatus status) throws RetryException {
    if (st.startTime == null) {
      st.startTime = KubeletStatus.parse(status.getStartTime()).orElse(null);
    }
    writer.write(api, status);
  }

  /** Computes the kubelet status from a reported one (may be null) and writes it. */
  void writeComputed(
      Pod api, PodState st, PodStatus reported, Map<String, ContainerStateWaiting> waiting)
      throws RetryException {
    write(api, st, KubeletStatus.compute(api, reported, hostIp.get(), now(), waiting));
  }

  /**
   * How long the pod may still run under {@code spec.activeDeadlineSeconds}: null without a
   * deadline or start time, zero or negative once it has passed.
   */
  static Duration untilDeadline(Pod api, Instant start, Instant now) {
    Long seconds = api.getSpec() == null ? null : api.getSpec().getActiveDeadlineSeconds();
    if (seconds == null || start == null) {
      return null;
    }
    return Duration.between(now, start.plusSeconds(seconds));
  }

  /** {@link #untilDeadline} from the pod's start time as known now. */
  Duration untilDeadline(Pod api, PodState st) {
    return untilDeadline(api, startTime(api, st), now());
  }

  /** The API pod's startTime, or the one this controller computed before the cache caught up. */
  private static Instant startTime(Pod api, PodState st) {
    if (api.getStatus() != null) {
      Optional<Instant> start = KubeletStatus.parse(api.getStatus().getStartTime());
      if (start.isPresent()) {
        return start.get();
      }
    }
    return st.startTime;
  }

  /**
   * Stops the pod in the provider and marks it Failed with reason {@code DeadlineExceeded}, as the
   * kubelet's active deadline handler does. The API pod stays.
   */
  void deadlineExceeded(String key, Pod api, PodState st) throws RetryException {
    log.info(
        "Pod {} was active longer than its deadline of {} s; stopping it",
        key,
        api.getSpec().getActiveDeadlineSeconds());
    PodStatus reported;
    try {
      ops.delete(api);
      killing(api, st);
      reported = ops.getPodStatus(key).orElse(null);
    } catch (ProviderException e) {
      throw ProviderOps.retry(key, "stop", e);
    }
    PodStatus base = baseOf(api, reported);
    Instant now = now();
    base.setContainerStatuses(terminatedContainers(api, base, now));
    base.setPhase(KubeletStatus.FAILED);
    base.setReason(DEADLINE_EXCEEDED);
    base.setMessage(DEADLINE_MESSAGE);
    base.setConditions(null);
    write(api, st, KubeletStatus.compute(api, base, hostIp.get(), now, Map.of()));
    events.normal(api, DEADLINE_EXCEEDED, DEADLINE_MESSAGE);
    st.providerFailed = true; // terminal once written: never synced again
  }

  /**
   * The backend evicted the pod: write its last status, then delete the API pod with the provider's
   * grace period and a UID precondition so that its owner can replace it.
   */
  void evict(String key, Pod api, PodState st, Pod backend) throws RetryException {
    if (st.evictionSent) {
      return; // the deletionTimestamp is on its way through the informer
    }
    PodStatus reported = backend.getStatus();
    if (reported != null) {
      recordTransitions(api, st, reported);
      write(api, st, KubeletStatus.compute(api, reported, hostIp.get(), now(), Map.of()));
    }
    Long grace = backend.getMetadata().getDeletionGracePeriodSeconds();
    if (grace == null) {
      grace = api.getSpec().getTerminationGracePeriodSeconds();
    }
    long seconds = grace == null ? DEFAULT_GRACE_SECONDS : Math.max(0, grace);
    log.info("Pod {} is being removed by the provider's backend; deleting it from the API", key);
    writer.delete(api, seconds);
    st.evictionSent = true;
    String message =
        reported != null && !KubeletStatus.isBlank(reported.getMessage())
            ? reported.getMessage()
            : EVICTED_MESSAGE;
    events.warning(api, EVICTED, message);
  }

  /** Marks the pod Failed with {@code ProviderFailed}: the backend can never run it. */
  void providerFailed(Pod api, PodState st, String message) throws RetryException {
    log.warn("Provider rejected pod {}: {}", PodCache.key(api), message);
    events.warning(api, PROVIDER_FAILED, message);
    PodStatus failed = new PodStatus();
    failed.setPhase(KubeletStatus.FAILED);
    failed.setReason(PROVIDER_FAILED);
    failed.setMessage(message);
    write(api, st, KubeletStatus.compute(api, failed, hostIp.get(), now(), Map.of()));
    st.providerFailed = true; // terminal once written: never synced again
  }

  /** Whether a pod the backend does not know was lost (rather than not started yet). */
  boolean isLost(Pod api, PodState st) {
    if (st.syncedSpec == null || !st.configErrors.isEmpty()) {
      return false;
    }
    if (st.seenRunning
        || (api.getStatus() != null && KubeletStatus.RUNNING.equals(api.getStatus().getPhase()))) {
      return true;
    }
    Optional<Instant> created = KubeletStatus.parse(api.getMetadata().getCreationTimestamp());
    return created.isPresent() && Duration.between(created.get(), now()).compareTo(LOST_AFTER) > 0;
  }

  /** Marks a lost pod Failed with {@code ProviderLost}. */
  void lost(Pod api, PodState st) throws RetryException {
    log.warn("Pod {} is no longer known to the provider; marking it Failed", PodCache.key(api));
    Instant now = now();
    PodStatus current = api.getStatus() == null ? new PodStatus() : api.getStatus();
    PodStatus lost = new PodStatus();
    lost.setPhase(KubeletStatus.FAILED);
    lost.setReason(PROVIDER_LOST);
    lost.setMessage(LOST_MESSAGE);
    lost.setPodIP(current.getPodIP());
    lost.setPodIPs(current.getPodIPs());
    lost.setContainerStatuses(terminatedContainers(api, current, now));
    lost.setInitContainerStatuses(current.getInitContainerStatuses());
    write(api, st, KubeletStatus.compute(api, lost, hostIp.get(), now, Map.of()));
    events.warning(api, PROVIDER_LOST, LOST_MESSAGE);
    st.providerFailed = true; // terminal once written: never synced again
  }

  /**
   * Graceful deletion: Killing events, provider delete, then once the containers stopped (or the
   * grace period is over) the final status and the API delete with grace 0 and a UID precondition.
   * Returns when to look again, or null when done.
   */
  Duration syncDeleting(String key, Pod api, PodState st, Observed.Reader status) throws Exception {
    if (st.apiDeleted) {
      // a sync queued before the informer delivered the deletion: a second DELETE would be a 404
      return null;
    }
    killing(api, st);
    if (!st.deleteIssued) {
      try {
        ops.delete(api);
      } catch (ProviderException e) {
        // never remove the API pod while the backend may still run it
        throw ProviderOps.retry(key, "delete", e);
      }
      st.deleteIssued = true;
    }
    Instant now = now();
    Instant deadline =
        KubeletStatus.parse(api.getMetadata().getDeletionTimestamp()).orElse(Instant.MIN);
    boolean overdue = !now.isBefore(deadline);
    Observed observed = status.read();
    if (!observed.known() && !overdue) {
      return recheck;
    }
    PodStatus reported = observed.status();
    boolean done = reported == null || allTerminated(api.getSpec(), reported) || overdue;
    if (!done) {
      recordTransitions(api, st, reported);
      if (!isTerminal(api)) {
        write(api, st, KubeletStatus.compute(api, reported, hostIp.get(), now, Map.of()));
      }
      return recheck;
    }
    if (!isTerminal(api) && outlivesDelete(api)) {
      PodStatus base = baseOf(api, reported);
      List<ContainerStatus> regular = terminatedContainers(api, base, now);
      base.setContainerStatuses(regular);
      boolean allZero =
          regular.stream()
              .allMatch(
                  s -> {
                    Integer code = s.getState().getTerminated().getExitCode();
                    return code == null || code == 0;
                  });
      base.setPhase(allZero ? KubeletStatus.SUCCEEDED : KubeletStatus.FAILED);
      base.setConditions(null);
      write(api, st, KubeletStatus.compute(api, base, hostIp.get(), now, Map.of()));
    }
    writer.delete(api, 0);
    st.apiDeleted = true;
    return null;
  }

  /**
   * Whether the pod stays in the API after the grace-0 delete, so that its final phase can still be
   * read: only a finalizer keeps it (a Job's tracking finalizer, say). The kubelet since 1.27
   * writes the terminal phase before every such delete; without a finalizer the object is removed a
   * moment later, so vkj saves that write, which costs the API server a third of a deletion.
   */
  static boolean outlivesDelete(Pod api) {
    List<String> finalizers = api.getMetadata().getFinalizers();
    return finalizers != null && !finalizers.isEmpty();
  }

  /** Killing events for the containers the API shows running, as the kubelet's kill does; once. */
  private void killing(Pod api, PodState st) {
    if (st.killingSent) {
      return;
    }
    st.killingSent = true;
    if (api.getStatus() == null) {
      return;
    }
    for (ContainerStatus s : list(api.getStatus().getContainerStatuses())) {
      if (s.getState() != null && s.getState().getRunning() != null) {
        events.container(api, s.getName(), false, "Killing", "Stopping container " + s.getName());
      }
    }
  }

  /** Created/Started/BackOff events for container transitions the provider reported. */
  void recordTransitions(Pod api, PodState st, PodStatus reported) {
    List<ContainerStatus> all = new ArrayList<>(list(reported.getInitContainerStatuses()));
    all.addAll(list(reported.getContainerStatuses()));
    boolean silent = st.adopted;
    st.adopted = false;
    for (ContainerStatus s : all) {
      if (s == null || s.getName() == null) {
        continue;
      }
      ContainerState state = s.getState();
      String kind =
          state == null
              ? "unknown"
              : state.getRunning() != null
                  ? "running"
                  : state.getTerminated() != null
                      ? "terminated"
                      : state.getWaiting() != null ? "waiting" : "unknown";
      String reason =
          "waiting".equals(kind) ? String.valueOf(state.getWaiting().getReason()) : null;
      int restarts = s.getRestartCount() == null ? 0 : s.getRestartCount();
      PodState.Seen now = new PodState.Seen(kind, reason, restarts, s.getContainerID());
      PodState.Seen prev = st.containers.put(s.getName(), now);
      if (silent) {
        continue;
      }
      boolean started = "running".equals(kind) || "terminated".equals(kind);
      boolean newInstance =
          started
              && (prev == null
                  || !("running".equals(prev.kind()) || "terminated".equals(prev.kind()))
                  || prev.restartCount() != restarts
                  || (s.getContainerID() != null
                      && !Objects.equals(prev.containerId(), s.getContainerID())));
      if (newInstance) {
        events.container(api, s.getName(), false, "Created", "Created container " + s.getName());
        events.container(api, s.getName(), false, "Started", "Started container " + s.getName());
      }
      if ("CrashLoopBackOff".equals(reason)
          && (prev == null || !"CrashLoopBackOff".equals(prev.reason()))) {
        events.container(api, s.getName(), true, "BackOff", "Back-off restarting failed container");
      }
    }
  }

  /**
   * Whether a pod is in transition: not yet running all its containers, or being deleted. Steady
   * pods are those whose containers all run (or that are terminal).
   */
  static boolean inTransition(Pod api) {
    if (api.getMetadata().getDeletionTimestamp() != null) {
      return true;
    }
    PodStatus s = api.getStatus();
    if (s == null || s.getPhase() == null || KubeletStatus.PENDING.equals(s.getPhase())) {
      return true;
    }
    if (!KubeletStatus.RUNNING.equals(s.getPhase())) {
      return false; // terminal
    }
    for (ContainerStatus c : list(s.getContainerStatuses())) {
      if (c.getState() == null || c.getState().getRunning() == null) {
        return true;
      }
    }
    return false;
  }

  private static PodStatus baseOf(Pod api, PodStatus reported) {
    return reported != null
        ? KubeletStatus.copy(reported)
        : api.getStatus() == null ? new PodStatus() : KubeletStatus.copy(api.getStatus());
  }

  private static List<ContainerStatus> terminatedContainers(Pod api, PodStatus base, Instant now) {
    return KubeletStatus.containerStatuses(
            api.getSpec().getContainers(), base.getContainerStatuses(), false, false, Map.of())
        .stream()
        .map(s -> KubeletStatus.terminateUnknown(s, now))
        .toList();
  }

  private static boolean allTerminated(PodSpec spec, PodStatus reported) {
    Map<String, ContainerStatus> byName = new HashMap<>();
    list(reported.getContainerStatuses()).forEach(s -> byName.put(s.getName(), s));
    for (Container c : list(spec.getContainers())) {
      ContainerStatus s = byName.get(c.getName());
      if (s == null || s.getState() == null || s.getState().getTerminated() == null) {
        return false;
      }
    }
    return true;
  }

  Instant now() {
    return clock.instant();
  }
}
