package dev.vkj.provider.mock;

import java.time.Duration;
import java.time.Instant;

/** The simulated state of one container of a {@link SimPod}; guarded by the pod's lock. */
final class SimContainer {
  enum Phase {
    WAITING,
    RUNNING,
    TERMINATED
  }

  /** What happens to the container at {@link #nextAt}. */
  enum Action {
    /** Start a new instance. */
    START,
    /** Start a new instance after a CrashLoopBackOff wait; doubles the back-off. */
    START_AFTER_BACKOFF,
    /** The running instance exits with {@link #pendingExitCode}. */
    EXIT
  }

  /**
   * One finished instance.
   *
   * @param instance 1 for the first instance of the container, 2 after the first restart, ...
   */
  record Termination(
      int exitCode,
      String reason,
      String message,
      Instant startedAt,
      Instant finishedAt,
      String containerId,
      int instance) {}

  final String name;
  final boolean init;
  String image;

  Phase phase = Phase.WAITING;
  String waitingReason;
  String waitingMessage;

  /** Instances started so far; the current or last instance has this number. */
  int instances;

  Instant startedAt;
  String containerId;
  Termination terminated;
  Termination last;

  Instant nextAt;
  Action nextAction;
  int pendingExitCode;

  Duration backoff;
  Instant backoffUpdated;

  SimContainer(String name, boolean init, String image, String waitingReason) {
    this.name = name;
    this.init = init;
    this.image = image;
    this.waitingReason = waitingReason;
  }

  int restartCount() {
    return Math.max(0, instances - 1);
  }

  boolean running() {
    return phase == Phase.RUNNING;
  }

  void schedule(Instant at, Action action) {
    this.nextAt = at;
    this.nextAction = action;
  }

  void unschedule() {
    this.nextAt = null;
    this.nextAction = null;
  }

  void waiting(String reason, String message) {
    this.phase = Phase.WAITING;
    this.waitingReason = reason;
    this.waitingMessage = message;
  }
}
