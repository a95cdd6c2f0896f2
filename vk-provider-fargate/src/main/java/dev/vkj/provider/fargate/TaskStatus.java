package dev.vkj.provider.fargate;

import static java.util.Objects.requireNonNull;

import dev.vkj.toolkit.ContainerStatuses;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.ecs.model.Attachment;
import software.amazon.awssdk.services.ecs.model.Container;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.NetworkInterface;
import software.amazon.awssdk.services.ecs.model.Task;

/**
 * The pod status ECS reports for a task, as the kubelet would write it. Every field of the task may
 * be missing; nothing here throws for a sparse task.
 *
 * <h2>Containers</h2>
 *
 * Statuses are matched by ECS container name: init containers (by the names the plan gave) go into
 * {@code initContainerStatuses} in the given order, the others into {@code containerStatuses}
 * sorted by name. {@code image} is the task container's, {@code imageID} its repository with the
 * digest ECS resolved ({@code repo@sha256:...}), {@code containerID} {@code ecs://<runtimeId>} (or
 * the container ARN while there is no runtime ID). ECS keeps no per-container times, so containers
 * start at the task's {@code startedAt} (else {@code pullStoppedAt}, {@code createdAt}, now) and
 * finish at its {@code executionStoppedAt} (else {@code stoppedAt}, {@code stoppingAt}, the start).
 *
 * <ul>
 *   <li>ECS {@code RUNNING}: running. Ready unless the task's or the container's health is {@code
 *       UNHEALTHY}; a running init container is ready only once an app container started (it is
 *       then a sidecar).
 *   <li>ECS {@code STOPPED} with an exit code: terminated with that code; the reason is ECS's error
 *       name translated to the kubelet's ({@code OutOfMemoryError} is {@code OOMKilled}), else
 *       {@code Completed} or {@code Error}; the message is the container's reason text, else the
 *       task's {@code stoppedReason}.
 *   <li>Any container of a task in {@code STOPPED}: terminated. Without an exit code it never ran
 *       to an end ECS saw: exit 128 when the task failed to start (stop code {@code
 *       TaskFailedToStart}, the code containerd gives a container it could not start), else 137
 *       (the kubelet's code for a container whose end is unknown). Its reason is the translated ECS
 *       error: {@code CannotPullContainerError} is {@code ErrImagePull}, {@code
 *       ResourceInitializationError} (secrets, log group, network) is {@code
 *       CreateContainerConfigError}, {@code CannotCreateContainerError} is {@code
 *       CreateContainerError}, {@code CannotStartContainerError} is {@code StartError}; without one
 *       {@code TaskFailedToStart} or {@code ContainerStatusUnknown}. A stopped task never runs its
 *       containers again, so they are terminated as the kubelet reports every container of a
 *       terminal pod, and {@code kubectl get pod} shows the reason (like {@code ErrImagePull}).
 *   <li>Otherwise waiting: with the translated ECS error when the container has one (a container
 *       ECS gave up on while the task still stops), else {@code PodInitializing} for an app
 *       container while init containers have not all completed, else {@code ContainerCreating}. No
 *       exit code is made up before the task is {@code STOPPED}: a container ECS reports {@code
 *       STOPPED} without a code while the task stops stays running (not ready) until it has one or
 *       the task is {@code STOPPED}. Completed init containers carry no task message.
 * </ul>
 *
 * <h2>Pod</h2>
 *
 * <ul>
 *   <li>Phase: {@code Pending} in {@code PROVISIONING}, {@code PENDING} and {@code ACTIVATING} (and
 *       without a status); in {@code RUNNING} {@code Running} once an app container started, else
 *       {@code Pending} (init containers run); in {@code DEACTIVATING}, {@code STOPPING} and {@code
 *       DEPROVISIONING} {@code Running} if the task started, else {@code Pending}: never a final
 *       phase before ECS reports the task {@code STOPPED}, because the kubelet cannot take a final
 *       phase back. In {@code STOPPED}: {@code Failed} with reason {@code TaskFailedToStart} and
 *       the task's {@code stoppedReason} when the task failed to start; else {@code Succeeded} when
 *       every app container exited 0, else {@code Failed}, with the stop code as reason and {@code
 *       stoppedReason} as message for {@code SpotInterruption}, {@code TerminationNotice} and
 *       {@code InfrastructureHealth}. Task statuses ECS adds later leave the phase to the core.
 *   <li>{@code podIP}/{@code podIPs}: the {@code privateIPv4Address} (and an {@code ipv6Address})
 *       of the {@code ElasticNetworkInterface} attachment, else of the first container network
 *       interface; {@code hostIP} the same (each task has its own ENI). {@code startTime}: the
 *       task's {@code createdAt}, else now. Conditions and QoS class are left to the core.
 * </ul>
 */
final class TaskStatus {
  static final String TASK_FAILED_TO_START = "TaskFailedToStart";
  static final String CONTAINER_STATUS_UNKNOWN = "ContainerStatusUnknown";
  static final String ENI_ATTACHMENT = "ElasticNetworkInterface";

  /** containerd's exit code for a container it could not start. */
  static final int NOT_STARTED_EXIT_CODE = 128;

  /** The kubelet's exit code for a container whose end it did not see. */
  static final int UNKNOWN_EXIT_CODE = 137;

  /** Stop codes that tell something the container states do not: a pod reason. */
  private static final Set<String> REASON_STOP_CODES =
      Set.of("SpotInterruption", "TerminationNotice", "InfrastructureHealth");

  /** ECS error names (the text before the first colon) and the kubelet's reason for them. */
  private static final Map<String, String> KUBELET_REASONS =
      Map.of(
          "CannotPullContainerError", "ErrImagePull",
          "CannotPullECRContainerError", "ErrImagePull",
          "ResourceInitializationError", "CreateContainerConfigError",
          "CannotCreateContainerError", "CreateContainerError",
          "CannotStartContainerError", "StartError",
          "OutOfMemoryError", "OOMKilled");

  private static final Pattern ERROR_NAME =
      Pattern.compile("\\s*([A-Z][A-Za-z]+)(?::.*)?", Pattern.DOTALL);

  private TaskStatus() {}

  /** The pod status ECS reports for this task. */
  static PodStatus of(Task task, Set<String> initContainers, Instant now) {
    requireNonNull(task, "task is null");
    requireNonNull(initContainers, "initContainers is null");
    requireNonNull(now, "now is null");
    String last = upper(task.lastStatus());
    boolean stopped = "STOPPED".equals(last);
    boolean failedToStart = TASK_FAILED_TO_START.equals(task.stopCodeAsString());
    boolean unhealthy = "UNHEALTHY".equals(task.healthStatusAsString());

    Map<String, Container> inits = new LinkedHashMap<>();
    List<Container> apps = new ArrayList<>();
    for (Container c : list(task.containers())) {
      if (c == null || c.name() == null || c.name().isEmpty()) {
        continue;
      }
      if (initContainers.contains(c.name())) {
        inits.put(c.name(), c);
      } else {
        apps.add(c);
      }
    }
    boolean appStarted = false;
    for (Container c : apps) {
      String s = upper(c.lastStatus());
      appStarted |= "RUNNING".equals(s) || "STOPPED".equals(s) && c.exitCode() != null;
    }
    boolean initsDone = true;
    for (String name : initContainers) {
      Container c = inits.get(name);
      boolean completed =
          c != null
              && "STOPPED".equals(upper(c.lastStatus()))
              && Integer.valueOf(0).equals(c.exitCode());
      initsDone &= completed || appStarted;
    }

    Times times = Times.of(task, now);
    Context ctx = new Context(task, stopped, failedToStart, unhealthy, appStarted, times);
    List<ContainerStatus> initStatuses = new ArrayList<>();
    for (String name : initContainers) {
      Container c = inits.get(name);
      if (c != null) {
        initStatuses.add(status(c, true, ContainerStatuses.CONTAINER_CREATING, ctx));
      }
    }
    String appWaiting =
        initsDone ? ContainerStatuses.CONTAINER_CREATING : ContainerStatuses.POD_INITIALIZING;
    List<ContainerStatus> appStatuses = new ArrayList<>();
    for (Container c : apps) {
      appStatuses.add(status(c, false, appWaiting, ctx));
    }
    appStatuses.sort(Comparator.comparing(ContainerStatus::getName));

    PodStatus status = new PodStatus();
    status.setContainerStatuses(appStatuses);
    if (!initStatuses.isEmpty()) {
      status.setInitContainerStatuses(initStatuses);
    }
    status.setStartTime(
        ContainerStatuses.timestamp(task.createdAt() == null ? now : task.createdAt()));
    List<String> ips = ips(task);
    if (!ips.isEmpty()) {
      status.setPodIP(ips.get(0));
      List<PodIP> podIps = new ArrayList<>();
      ips.forEach(ip -> podIps.add(new PodIP(ip)));
      status.setPodIPs(podIps);
      status.setHostIP(ips.get(0));
    }
    phase(status, task, last, appStarted, appStatuses, failedToStart);
    return status;
  }

  private static void phase(
      PodStatus status,
      Task task,
      String last,
      boolean appStarted,
      List<ContainerStatus> apps,
      boolean failedToStart) {
    boolean taskStarted = appStarted || task.startedAt() != null;
    switch (last == null ? "" : last) {
      case "", "PROVISIONING", "PENDING", "ACTIVATING" -> status.setPhase("Pending");
      case "RUNNING" -> status.setPhase(appStarted ? "Running" : "Pending");
      case "DEACTIVATING", "STOPPING", "DEPROVISIONING" ->
          status.setPhase(taskStarted ? "Running" : "Pending");
      case "STOPPED" -> {
        String code = task.stopCodeAsString();
        if (failedToStart) {
          status.setPhase("Failed");
          status.setReason(TASK_FAILED_TO_START);
          status.setMessage(blankToNull(task.stoppedReason()));
          return;
        }
        boolean succeeded = !apps.isEmpty();
        for (ContainerStatus s : apps) {
          var t = s.getState().getTerminated();
          succeeded &= t != null && Integer.valueOf(0).equals(t.getExitCode());
        }
        status.setPhase(succeeded ? "Succeeded" : "Failed");
        if (!succeeded && code != null && REASON_STOP_CODES.contains(code)) {
          status.setReason(code);
          status.setMessage(blankToNull(task.stoppedReason()));
        }
      }
      default -> {} // a status ECS added later: the core derives the phase
    }
  }

  /** What every container status needs from the task. */
  private record Context(
      Task task,
      boolean stopped,
      boolean failedToStart,
      boolean unhealthy,
      boolean appStarted,
      Times times) {}

  /** The task's times: when its containers started and ended, as far as ECS tells. */
  private record Times(Instant started, Instant finished) {
    static Times of(Task t, Instant now) {
      Instant started = first(t.startedAt(), t.pullStoppedAt(), t.createdAt(), now);
      Instant finished = first(t.executionStoppedAt(), t.stoppedAt(), t.stoppingAt(), started);
      return new Times(started, finished);
    }
  }

  private static ContainerStatus status(
      Container c, boolean init, String waitingReason, Context ctx) {
    String id = containerId(c);
    String s = upper(c.lastStatus());
    ContainerState state;
    boolean ready;
    if (ctx.stopped() || "STOPPED".equals(s) && c.exitCode() != null) {
      state = terminated(c, init, id, ctx);
      ready = init && Integer.valueOf(0).equals(state.getTerminated().getExitCode());
    } else if ("RUNNING".equals(s)) {
      state = ContainerStatuses.running(ctx.times().started());
      boolean healthy = !ctx.unhealthy() && !"UNHEALTHY".equals(c.healthStatusAsString());
      // a running init container is a sidecar once the app runs; before, it is still initializing
      ready = healthy && (!init || ctx.appStarted());
    } else {
      String ecsError = kubeletReason(c.reason());
      if (ecsError != null) {
        state = ContainerStatuses.waiting(ecsError, blankToNull(c.reason()));
      } else if ("STOPPED".equals(s) && ctx.task().startedAt() != null) {
        // stopped while the task stops, its exit code not reported yet: no code is made up
        state = ContainerStatuses.running(ctx.times().started());
      } else {
        state = ContainerStatuses.waiting(waitingReason, null);
      }
      ready = false;
    }
    return ContainerStatuses.of(c.name(), c.image())
        .containerId(id)
        .imageId(imageId(c.image(), c.imageDigest()))
        .state(state)
        .ready(ready)
        .build();
  }

  private static ContainerState terminated(Container c, boolean init, String id, Context ctx) {
    Integer code = c.exitCode();
    String reason = kubeletReason(c.reason());
    Instant finished = ctx.times().finished();
    Instant started = ctx.times().started();
    if (code == null) {
      // ECS saw no end: the container never ran (failed start) or its end is not known
      code = ctx.failedToStart() ? NOT_STARTED_EXIT_CODE : UNKNOWN_EXIT_CODE;
      if (reason == null) {
        reason = ctx.failedToStart() ? TASK_FAILED_TO_START : CONTAINER_STATUS_UNKNOWN;
      }
      if (ctx.failedToStart()) {
        started = null;
      }
    }
    if (started != null && started.isAfter(finished)) {
      started = finished;
    }
    String message = blankToNull(c.reason());
    if (message == null && !(init && code == 0)) {
      // an init container that completed did not end because the task stopped
      message = blankToNull(ctx.task().stoppedReason());
    }
    return ContainerStatuses.terminated(code, reason, message, started, finished, id);
  }

  /**
   * The kubelet's reason for an ECS error text like {@code CannotPullContainerError: pull image
   * manifest...}: a known name translated, another error name as is, free text null.
   */
  static String kubeletReason(String ecsReason) {
    if (ecsReason == null || ecsReason.isBlank()) {
      return null;
    }
    Matcher m = ERROR_NAME.matcher(ecsReason);
    if (!m.matches()) {
      return null;
    }
    String name = m.group(1);
    String known = KUBELET_REASONS.get(name);
    if (known != null) {
      return known;
    }
    // an error name ECS did not have when this was written: shown as is, if it is one
    return name.endsWith("Error") || name.endsWith("Exception") ? name : null;
  }

  private static String containerId(Container c) {
    if (c.runtimeId() != null && !c.runtimeId().isBlank()) {
      return "ecs://" + c.runtimeId();
    }
    if (c.containerArn() != null && !c.containerArn().isBlank()) {
      return "ecs://" + c.containerArn();
    }
    return null;
  }

  /** The image's repository with the digest ECS resolved, as the kubelet shows image IDs. */
  static String imageId(String image, String digest) {
    if (digest == null || digest.isBlank()) {
      return null;
    }
    if (image == null || image.isBlank()) {
      return digest;
    }
    String repo = image;
    int at = repo.indexOf('@');
    if (at >= 0) {
      repo = repo.substring(0, at);
    }
    int colon = repo.lastIndexOf(':');
    if (colon > repo.lastIndexOf('/')) {
      repo = repo.substring(0, colon); // the tag; a colon before the last '/' is a registry port
    }
    return repo + "@" + digest;
  }

  /** The task's IPv4 address, then its IPv6 one, when ECS reported them. */
  private static List<String> ips(Task task) {
    String v4 = null;
    String v6 = null;
    for (Attachment a : list(task.attachments())) {
      if (a == null || !ENI_ATTACHMENT.equals(a.type())) {
        continue;
      }
      for (KeyValuePair kv : list(a.details())) {
        if (kv == null || blankToNull(kv.value()) == null) {
          continue;
        }
        if ("privateIPv4Address".equals(kv.name()) && v4 == null) {
          v4 = kv.value();
        } else if ("ipv6Address".equals(kv.name()) && v6 == null) {
          v6 = kv.value();
        }
      }
    }
    if (v4 == null && v6 == null) {
      for (Container c : list(task.containers())) {
        for (NetworkInterface n :
            c == null ? List.<NetworkInterface>of() : list(c.networkInterfaces())) {
          if (n == null) {
            continue;
          }
          if (v4 == null) {
            v4 = blankToNull(n.privateIpv4Address());
          }
          if (v6 == null) {
            v6 = blankToNull(n.ipv6Address());
          }
        }
        if (v4 != null || v6 != null) {
          break;
        }
      }
    }
    List<String> out = new ArrayList<>();
    if (v4 != null) {
      out.add(v4);
    }
    if (v6 != null) {
      out.add(v6);
    }
    return out;
  }

  @SafeVarargs
  private static <T> T first(T... values) {
    for (T v : values) {
      if (v != null) {
        return v;
      }
    }
    return null;
  }

  private static String upper(String s) {
    return s == null ? null : s.strip().toUpperCase(Locale.ROOT);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private static <T> List<T> list(List<T> l) {
    return l == null ? List.of() : l;
  }
}
