package dev.vkj.core.pod;

import dev.vkj.toolkit.PodResources;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.PodReadinessGate;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** Pod status the way the kubelet computes it: phase, conditions, defaults, QoS, normalization. */
final class KubeletStatus {
  static final String SUCCEEDED = "Succeeded";
  static final String FAILED = "Failed";
  static final String RUNNING = "Running";
  static final String PENDING = "Pending";

  static final String INITIALIZED = "Initialized";
  static final String READY = "Ready";
  static final String CONTAINERS_READY = "ContainersReady";
  static final String POD_SCHEDULED = "PodScheduled";
  static final Set<String> KUBELET_CONDITIONS =
      Set.of(INITIALIZED, READY, CONTAINERS_READY, POD_SCHEDULED);

  static final String UNKNOWN_REASON = "ContainerStatusUnknown";
  static final String UNKNOWN_MESSAGE =
      "The container could not be located when the pod was terminated";

  private KubeletStatus() {}

  static boolean isTerminal(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return SUCCEEDED.equals(phase) || FAILED.equals(phase);
  }

  /**
   * The status to write for an API pod, from what the provider reports.
   *
   * @param api the pod as the API server has it
   * @param reported the provider's status, or null when it reported none
   * @param hostIp the node IP
   * @param now the current time
   * @param waitingOverrides waiting states for containers the provider has not reported (config
   *     errors)
   */
  static PodStatus compute(
      Pod api,
      PodStatus reported,
      String hostIp,
      Instant now,
      Map<String, ContainerStateWaiting> waitingOverrides) {
    PodSpec spec = api.getSpec();
    PodStatus current = api.getStatus() == null ? new PodStatus() : api.getStatus();
    PodStatus in = reported == null ? new PodStatus() : reported;
    boolean hasInit = !list(spec.getInitContainers()).isEmpty();

    List<ContainerStatus> init =
        containerStatuses(
            spec.getInitContainers(), in.getInitContainerStatuses(), true, true, waitingOverrides);
    List<ContainerStatus> regular =
        containerStatuses(
            spec.getContainers(), in.getContainerStatuses(), hasInit, false, waitingOverrides);
    regular.sort(Comparator.comparing(ContainerStatus::getName));

    // start from the API status so that fields owned by others (resize, resource claims, fields
    // the API server fills in) survive the write
    PodStatus out = copy(current);
    out.setInitContainerStatuses(init);
    out.setContainerStatuses(regular);
    out.setPhase(isBlank(in.getPhase()) ? phase(spec, init, regular) : in.getPhase());
    out.setReason(in.getReason());
    out.setMessage(in.getMessage());
    if (!isBlank(hostIp) && !hostIp.equals(current.getHostIP())) {
      out.setHostIP(hostIp);
      out.setHostIPs(List.of(new io.fabric8.kubernetes.api.model.HostIP(hostIp)));
    }
    List<PodIP> ips = new ArrayList<>();
    for (PodIP ip : list(in.getPodIPs())) {
      if (ip != null && !isBlank(ip.getIp())) {
        ips.add(new PodIP(ip.getIp()));
      }
    }
    if (ips.isEmpty() && !isBlank(in.getPodIP())) {
      ips.add(new PodIP(in.getPodIP()));
    }
    if (!ips.isEmpty()) {
      out.setPodIP(ips.get(0).getIp());
      out.setPodIPs(ips);
    } else {
      out.setPodIP(current.getPodIP());
      out.setPodIPs(current.getPodIPs());
    }
    String start = current.getStartTime();
    if (isBlank(start)) {
      start = isBlank(in.getStartTime()) ? format(now) : in.getStartTime();
    }
    out.setStartTime(truncate(start));
    out.setQosClass(isBlank(current.getQosClass()) ? qosClass(spec) : current.getQosClass());
    out.setConditions(conditions(api, in.getConditions(), out, now));
    return normalize(out);
  }

  /** Merges conditions: foreign ones kept, kubelet ones recomputed with stable transition times. */
  static List<PodCondition> conditions(
      Pod api, List<PodCondition> reported, PodStatus computed, Instant now) {
    Map<String, PodCondition> previous = new HashMap<>();
    LinkedHashMap<String, PodCondition> foreign = new LinkedHashMap<>();
    if (api.getStatus() != null) {
      for (PodCondition c : list(api.getStatus().getConditions())) {
        previous.put(c.getType(), c);
        if (!KUBELET_CONDITIONS.contains(c.getType())) {
          foreign.put(c.getType(), c);
        }
      }
    }
    for (PodCondition c : list(reported)) {
      if (c != null && c.getType() != null && !KUBELET_CONDITIONS.contains(c.getType())) {
        foreign.put(c.getType(), c);
      }
    }
    String phase = computed.getPhase();
    PodSpec spec = api.getSpec();

    PodCondition initialized;
    if (list(spec.getInitContainers()).isEmpty()) {
      initialized = condition(INITIALIZED, "True", null, null);
    } else if (SUCCEEDED.equals(phase)) {
      initialized = condition(INITIALIZED, "True", "PodCompleted", null);
    } else {
      List<String> incomplete =
          computed.getInitContainerStatuses().stream()
              .filter(s -> !Boolean.TRUE.equals(s.getReady()))
              .map(ContainerStatus::getName)
              .toList();
      initialized =
          incomplete.isEmpty()
              ? condition(INITIALIZED, "True", null, null)
              : condition(
                  INITIALIZED,
                  "False",
                  "ContainersNotInitialized",
                  "containers with incomplete status: [" + String.join(" ", incomplete) + "]");
    }

    PodCondition containersReady;
    if (SUCCEEDED.equals(phase)) {
      containersReady = condition(CONTAINERS_READY, "False", "PodCompleted", null);
    } else {
      List<String> unready =
          computed.getContainerStatuses().stream()
              .filter(s -> !Boolean.TRUE.equals(s.getReady()))
              .map(ContainerStatus::getName)
              .toList();
      containersReady =
          unready.isEmpty()
              ? condition(CONTAINERS_READY, "True", null, null)
              : condition(
                  CONTAINERS_READY,
                  "False",
                  "ContainersNotReady",
                  "containers with unready status: [" + String.join(" ", unready) + "]");
    }

    PodCondition ready;
    if (!"True".equals(containersReady.getStatus())) {
      ready =
          condition(
              READY,
              containersReady.getStatus(),
              containersReady.getReason(),
              containersReady.getMessage());
    } else {
      List<String> problems = new ArrayList<>();
      for (PodReadinessGate gate : list(spec.getReadinessGates())) {
        PodCondition c = foreign.get(gate.getConditionType());
        if (c == null) {
          problems.add(
              "corresponding condition of pod readiness gate \""
                  + gate.getConditionType()
                  + "\" does not exist.");
        } else if (!"True".equals(c.getStatus())) {
          problems.add(
              "the status of pod readiness gate \""
                  + gate.getConditionType()
                  + "\" is not \"True\", but "
                  + c.getStatus());
        }
      }
      ready =
          problems.isEmpty()
              ? condition(READY, "True", null, null)
              : condition(READY, "False", "ReadinessGatesNotReady", String.join(", ", problems));
    }
    PodCondition scheduled = condition(POD_SCHEDULED, "True", null, null);

    List<PodCondition> out = new ArrayList<>(foreign.values());
    for (PodCondition c : List.of(initialized, ready, containersReady, scheduled)) {
      PodCondition old = previous.get(c.getType());
      c.setLastTransitionTime(
          old != null
                  && Objects.equals(old.getStatus(), c.getStatus())
                  && !isBlank(old.getLastTransitionTime())
              ? old.getLastTransitionTime()
              : format(now));
      out.add(c);
    }
    return out;
  }

  /** The kubelet's {@code getPhase} (v1.20). */
  static String phase(PodSpec spec, List<ContainerStatus> init, List<ContainerStatus> regular) {
    Map<String, ContainerStatus> byName = new HashMap<>();
    list(init).forEach(s -> byName.put("init:" + s.getName(), s));
    list(regular).forEach(s -> byName.put(s.getName(), s));
    int pendingInit = 0;
    int failedInit = 0;
    for (Container c : list(spec.getInitContainers())) {
      ContainerStatus s = byName.get("init:" + c.getName());
      ContainerState st = s == null ? null : s.getState();
      if (st == null || (st.getRunning() == null && st.getTerminated() == null)) {
        ContainerStateTerminated last = lastTerminated(s);
        if (st != null && st.getWaiting() != null && last != null && exit(last) != 0) {
          failedInit++;
        } else {
          pendingInit++;
        }
      } else if (st.getRunning() != null) {
        pendingInit++;
      } else if (exit(st.getTerminated()) != 0) {
        failedInit++;
      }
    }
    int unknown = 0;
    int running = 0;
    int waiting = 0;
    int stopped = 0;
    int succeeded = 0;
    for (Container c : list(spec.getContainers())) {
      ContainerStatus s = byName.get(c.getName());
      ContainerState st = s == null ? null : s.getState();
      if (st == null
          || (st.getRunning() == null && st.getTerminated() == null && st.getWaiting() == null)) {
        unknown++;
      } else if (st.getRunning() != null) {
        running++;
      } else if (st.getTerminated() != null) {
        stopped++;
        if (exit(st.getTerminated()) == 0) {
          succeeded++;
        }
      } else if (lastTerminated(s) != null) {
        stopped++;
      } else {
        waiting++;
      }
    }
    String policy = spec.getRestartPolicy() == null ? "Always" : spec.getRestartPolicy();
    if (failedInit > 0 && "Never".equals(policy)) {
      return FAILED;
    }
    if (pendingInit > 0 || waiting > 0) {
      return PENDING;
    }
    if (running > 0 && unknown == 0) {
      return RUNNING;
    }
    if (running == 0 && stopped > 0 && unknown == 0) {
      if ("Always".equals(policy)) {
        return RUNNING;
      }
      if (stopped == succeeded) {
        return SUCCEEDED;
      }
      if ("Never".equals(policy)) {
        return FAILED;
      }
      return RUNNING;
    }
    return PENDING;
  }

  /** The kubelet's QoS class (the toolkit's rules, shared with providers). */
  static String qosClass(PodSpec spec) {
    return PodResources.qosClass(spec).value();
  }

  /** Statuses of one list of containers: reported ones cleaned up, defaults for the rest. */
  static List<ContainerStatus> containerStatuses(
      List<Container> containers,
      List<ContainerStatus> reported,
      boolean podInitializing,
      boolean init,
      Map<String, ContainerStateWaiting> waitingOverrides) {
    Map<String, ContainerStatus> byName = new HashMap<>();
    for (ContainerStatus s : list(reported)) {
      if (s != null && s.getName() != null) {
        byName.put(s.getName(), s);
      }
    }
    List<ContainerStatus> out = new ArrayList<>();
    for (Container c : list(containers)) {
      ContainerStatus s = byName.get(c.getName());
      if (s == null) {
        ContainerStateWaiting waiting = waitingOverrides.get(c.getName());
        if (waiting == null) {
          waiting =
              new ContainerStateWaiting(
                  null, podInitializing ? "PodInitializing" : "ContainerCreating");
        }
        ContainerStatusBuilder b =
            new ContainerStatusBuilder()
                .withName(c.getName())
                .withImage(c.getImage())
                .withImageID("")
                .withReady(false)
                .withRestartCount(0)
                .withNewState()
                .withWaiting(waiting)
                .endState();
        if (!init) {
          b.withStarted(false);
        }
        out.add(b.build());
      } else {
        ContainerStatus copy = copy(s);
        if (copy.getImage() == null) {
          copy.setImage(c.getImage());
        }
        if (copy.getImageID() == null) {
          copy.setImageID("");
        }
        if (copy.getReady() == null) {
          copy.setReady(false);
        }
        if (copy.getRestartCount() == null) {
          copy.setRestartCount(0);
        }
        if (!init && copy.getStarted() == null) {
          copy.setStarted(copy.getState() != null && copy.getState().getRunning() != null);
        }
        out.add(copy);
      }
    }
    return out;
  }

  /** A terminated {@code ContainerStatusUnknown} state (exit 137) for a container that vanished. */
  static ContainerStatus terminateUnknown(ContainerStatus s, Instant now) {
    ContainerStatus copy = copy(s);
    ContainerState state = copy.getState();
    if (state != null && state.getTerminated() != null) {
      return copy;
    }
    if (state != null && state.getRunning() != null) {
      ContainerStateTerminated last = new ContainerStateTerminated();
      last.setExitCode(137);
      last.setReason(UNKNOWN_REASON);
      last.setMessage(
          "The container could not be located when the pod was deleted.  The container used to be"
              + " Running");
      last.setStartedAt(state.getRunning().getStartedAt());
      last.setFinishedAt(format(now));
      copy.setLastState(new ContainerState(null, last, null));
    }
    ContainerStateTerminated t = new ContainerStateTerminated();
    t.setExitCode(137);
    t.setReason(UNKNOWN_REASON);
    t.setMessage(UNKNOWN_MESSAGE);
    t.setFinishedAt(format(now));
    copy.setState(new ContainerState(null, t, null));
    copy.setReady(false);
    if (copy.getStarted() != null) {
      copy.setStarted(false);
    }
    return copy;
  }

  /** A copy with timestamps truncated to seconds, containers sorted and empty lists nulled. */
  static PodStatus normalize(PodStatus status) {
    PodStatus s = status == null ? new PodStatus() : copy(status);
    s.setStartTime(truncate(s.getStartTime()));
    s.setConditions(emptyToNull(s.getConditions()));
    if (s.getConditions() != null) {
      for (PodCondition c : s.getConditions()) {
        c.setLastTransitionTime(truncate(c.getLastTransitionTime()));
        c.setLastProbeTime(truncate(c.getLastProbeTime()));
      }
    }
    s.setContainerStatuses(emptyToNull(s.getContainerStatuses()));
    if (s.getContainerStatuses() != null) {
      s.getContainerStatuses().sort(Comparator.comparing(c -> String.valueOf(c.getName())));
    }
    s.setInitContainerStatuses(emptyToNull(s.getInitContainerStatuses()));
    s.setEphemeralContainerStatuses(emptyToNull(s.getEphemeralContainerStatuses()));
    s.setPodIPs(emptyToNull(s.getPodIPs()));
    s.setHostIPs(emptyToNull(s.getHostIPs()));
    for (List<ContainerStatus> l :
        java.util.Arrays.asList(s.getContainerStatuses(), s.getInitContainerStatuses())) {
      for (ContainerStatus c : list(l)) {
        truncateState(c.getState());
        truncateState(c.getLastState());
      }
    }
    return s;
  }

  /** A deep copy (through the model's builder, several times cheaper than through JSON). */
  static PodStatus copy(PodStatus status) {
    return new PodStatusBuilder(status).build();
  }

  static ContainerStatus copy(ContainerStatus status) {
    return new ContainerStatusBuilder(status).build();
  }

  /** Whether the two statuses differ once normalized. */
  static boolean differs(PodStatus a, PodStatus b) {
    // the model classes compare field by field, which is much cheaper than their JSON; equal as
    // they are (a resync that finds nothing new) needs no normalized copies
    return !Objects.equals(a, b) && !Objects.equals(normalize(a), normalize(b));
  }

  static String truncate(String timestamp) {
    if (isBlank(timestamp)) {
      return timestamp;
    }
    try {
      return format(OffsetDateTime.parse(timestamp).toInstant());
    } catch (DateTimeParseException e) {
      return timestamp; // keep what we cannot parse
    }
  }

  static String format(Instant instant) {
    return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
  }

  static Optional<Instant> parse(String timestamp) {
    if (isBlank(timestamp)) {
      return Optional.empty();
    }
    try {
      return Optional.of(OffsetDateTime.parse(timestamp).toInstant());
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  static <T> List<T> list(List<T> l) {
    return l == null ? List.of() : l;
  }

  private static void truncateState(ContainerState st) {
    if (st == null) {
      return;
    }
    if (st.getRunning() != null) {
      st.getRunning().setStartedAt(truncate(st.getRunning().getStartedAt()));
    }
    if (st.getTerminated() != null) {
      st.getTerminated().setStartedAt(truncate(st.getTerminated().getStartedAt()));
      st.getTerminated().setFinishedAt(truncate(st.getTerminated().getFinishedAt()));
    }
  }

  private static PodCondition condition(String type, String status, String reason, String msg) {
    return new PodConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(msg)
        .build();
  }

  private static ContainerStateTerminated lastTerminated(ContainerStatus s) {
    return s == null || s.getLastState() == null ? null : s.getLastState().getTerminated();
  }

  private static int exit(ContainerStateTerminated t) {
    return t.getExitCode() == null ? 0 : t.getExitCode();
  }

  private static <T> List<T> emptyToNull(List<T> l) {
    return l == null || l.isEmpty() ? null : new ArrayList<>(l);
  }

  static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }
}
