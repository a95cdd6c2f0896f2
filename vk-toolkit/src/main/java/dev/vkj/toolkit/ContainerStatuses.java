package dev.vkj.toolkit;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStateRunningBuilder;
import io.fabric8.kubernetes.api.model.ContainerStateTerminatedBuilder;
import io.fabric8.kubernetes.api.model.ContainerStateWaitingBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * Container statuses as the kubelet writes them. States are built with {@link #waiting}, {@link
 * #running} and {@link #terminated}; a whole status with {@link #of}:
 *
 * <pre>{@code
 * ContainerStatus s = ContainerStatuses.of("app", "nginx:1.27")
 *     .containerId("aci://0123")
 *     .restartCount(1)
 *     .lastState(ContainerStatuses.terminated(137, "Error", null, started, finished))
 *     .state(ContainerStatuses.running(startedAt))
 *     .ready(true)
 *     .build();
 * }</pre>
 *
 * <p>Timestamps are RFC 3339 in UTC with whole seconds ({@code 2025-03-01T10:00:02Z}), the
 * precision of the API's {@code metav1.Time}; fractions are cut, not rounded. Empty messages are
 * left out, as the kubelet leaves them out.
 */
public final class ContainerStatuses {
  /** The reason the kubelet gives a container that is being created. */
  public static final String CONTAINER_CREATING = "ContainerCreating";

  /** The reason of a container waiting for the pod's init containers. */
  public static final String POD_INITIALIZING = "PodInitializing";

  /** The reason of a container that exited with code 0. */
  public static final String COMPLETED = "Completed";

  /** The reason of a container that exited with another code. */
  public static final String ERROR = "Error";

  private ContainerStatuses() {}

  /**
   * The status of a pod whose backend resource is being deleted, as after a graceful stop: every
   * container not terminated yet is terminated with exit code 0 at {@code at} (keeping its start
   * time), so that the core sees the stop at once; terminated containers, the pod IPs and the start
   * time are kept. A backend that later reports real exit codes replaces this status.
   *
   * @param message the containers' termination message, e.g. "container group deleted"
   */
  public static io.fabric8.kubernetes.api.model.PodStatus stopping(
      io.fabric8.kubernetes.api.model.PodStatus status, Instant at, String message) {
    requireNonNull(status, "status is null");
    requireNonNull(at, "at is null");
    io.fabric8.kubernetes.api.model.PodStatus copy =
        new io.fabric8.kubernetes.api.model.PodStatus();
    copy.setPodIP(status.getPodIP());
    copy.setPodIPs(status.getPodIPs());
    copy.setHostIP(status.getHostIP());
    copy.setStartTime(status.getStartTime());
    copy.setInitContainerStatuses(status.getInitContainerStatuses());
    java.util.List<ContainerStatus> out = new java.util.ArrayList<>();
    if (status.getContainerStatuses() != null) {
      for (ContainerStatus c : status.getContainerStatuses()) {
        if (c.getState() != null && c.getState().getTerminated() != null) {
          out.add(c);
          continue;
        }
        Instant started =
            c.getState() != null && c.getState().getRunning() != null
                ? Instant.parse(c.getState().getRunning().getStartedAt())
                : null;
        out.add(
            of(c.getName(), c.getImage())
                .containerId(c.getContainerID())
                .restartCount(c.getRestartCount() == null ? 0 : c.getRestartCount())
                .state(
                    terminated(
                        0,
                        null,
                        message,
                        started == null || started.isAfter(at) ? null : started,
                        at))
                .build());
      }
    }
    copy.setContainerStatuses(out);
    return copy;
  }

  /** RFC 3339, UTC, whole seconds (cut), as in pod status. */
  public static String timestamp(Instant instant) {
    requireNonNull(instant, "instant is null");
    return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
  }

  /**
   * A waiting state, like {@code ContainerCreating}, {@code ImagePullBackOff}, {@code
   * CrashLoopBackOff}.
   */
  public static ContainerState waiting(String reason, String message) {
    requireText(reason, "reason");
    return new ContainerStateBuilder()
        .withWaiting(
            new ContainerStateWaitingBuilder()
                .withReason(reason)
                .withMessage(emptyToNull(message))
                .build())
        .build();
  }

  /** A running state since {@code startedAt}. */
  public static ContainerState running(Instant startedAt) {
    requireNonNull(startedAt, "startedAt is null");
    return new ContainerStateBuilder()
        .withRunning(new ContainerStateRunningBuilder().withStartedAt(timestamp(startedAt)).build())
        .build();
  }

  /**
   * A terminated state.
   *
   * @param reason the reason, or null for the kubelet's default: {@code Completed} for exit code 0,
   *     {@code Error} otherwise
   * @param message the message, or null
   * @param startedAt when it started, or null when it never ran
   * @param finishedAt when it finished
   */
  public static ContainerState terminated(
      int exitCode, String reason, String message, Instant startedAt, Instant finishedAt) {
    return terminated(exitCode, reason, message, startedAt, finishedAt, null);
  }

  /** A terminated state that names the container instance that ended ({@code type://id}). */
  public static ContainerState terminated(
      int exitCode,
      String reason,
      String message,
      Instant startedAt,
      Instant finishedAt,
      String containerId) {
    requireNonNull(finishedAt, "finishedAt is null");
    if (startedAt != null && startedAt.isAfter(finishedAt)) {
      throw new IllegalArgumentException(
          "startedAt " + startedAt + " is after finishedAt " + finishedAt);
    }
    if (containerId != null) {
      checkContainerId(containerId);
    }
    return new ContainerStateBuilder()
        .withTerminated(
            new ContainerStateTerminatedBuilder()
                .withExitCode(exitCode)
                .withReason(reason == null || reason.isEmpty() ? exitReason(exitCode) : reason)
                .withMessage(emptyToNull(message))
                .withStartedAt(startedAt == null ? null : timestamp(startedAt))
                .withFinishedAt(timestamp(finishedAt))
                .withContainerID(containerId)
                .build())
        .build();
  }

  /** The kubelet's reason for an exit code when the runtime gives none. */
  public static String exitReason(int exitCode) {
    return exitCode == 0 ? COMPLETED : ERROR;
  }

  /** A status builder for the container {@code name} running {@code image} (as in the spec). */
  public static Builder of(String name, String image) {
    return new Builder(name, image);
  }

  /**
   * Builds one container status. Defaults: state waiting {@code ContainerCreating}, no last state,
   * restart count 0, not ready, {@code started} true exactly when running, empty image ID.
   */
  public static final class Builder {
    private final String name;
    private final String image;
    private String imageId = "";
    private String containerId;
    private int restartCount;
    private boolean ready;
    private Boolean started;
    private boolean startedSet;
    private ContainerState state = waiting(CONTAINER_CREATING, null);
    private ContainerState lastState = new ContainerState();

    private Builder(String name, String image) {
      this.name = requireText(name, "name");
      this.image = image;
    }

    /** The runtime's ID of the current instance, {@code <type>://<id>}. */
    public Builder containerId(String containerId) {
      this.containerId = containerId == null ? null : checkContainerId(containerId);
      return this;
    }

    /** The image digest reference, like {@code docker.io/library/nginx@sha256:...}. */
    public Builder imageId(String imageId) {
      this.imageId = imageId == null ? "" : imageId;
      return this;
    }

    public Builder restartCount(int restartCount) {
      if (restartCount < 0) {
        throw new IllegalArgumentException("restartCount must not be negative: " + restartCount);
      }
      this.restartCount = restartCount;
      return this;
    }

    /** Readiness; for an init container, true once it completed. */
    public Builder ready(boolean ready) {
      this.ready = ready;
      return this;
    }

    /**
     * Overrides {@code started} (true exactly when running by default), e.g. while a startup probe
     * has not passed; null leaves the field out, as kubelets before sidecar support did for init
     * containers.
     */
    public Builder started(Boolean started) {
      this.started = started;
      this.startedSet = true;
      return this;
    }

    /** The current state: {@link #waiting}, {@link #running} or {@link #terminated}. */
    public Builder state(ContainerState state) {
      this.state = checkState(state, "state");
      return this;
    }

    /** The state of the previous instance (terminated), or an empty state when there was none. */
    public Builder lastState(ContainerState lastState) {
      this.lastState = lastState == null ? new ContainerState() : lastState;
      return this;
    }

    public ContainerStatus build() {
      return new ContainerStatusBuilder()
          .withName(name)
          .withImage(image)
          .withImageID(imageId)
          .withContainerID(containerId)
          .withRestartCount(restartCount)
          .withReady(ready)
          .withStarted(startedSet ? started : Boolean.valueOf(state.getRunning() != null))
          .withState(state)
          .withLastState(lastState)
          .build();
    }
  }

  private static ContainerState checkState(ContainerState state, String what) {
    requireNonNull(state, what + " is null");
    int set =
        (state.getWaiting() != null ? 1 : 0)
            + (state.getRunning() != null ? 1 : 0)
            + (state.getTerminated() != null ? 1 : 0);
    if (set != 1) {
      throw new IllegalArgumentException(
          what + " must be exactly one of waiting, running or terminated");
    }
    return state;
  }

  private static String checkContainerId(String id) {
    int sep = id.indexOf("://");
    if (sep <= 0 || sep + 3 == id.length()) {
      throw new IllegalArgumentException(
          "a container ID has the form <type>://<id> (like containerd://0123), not '" + id + "'");
    }
    return id;
  }

  private static String requireText(String value, String what) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    return value;
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
