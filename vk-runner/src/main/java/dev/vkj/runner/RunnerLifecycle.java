package dev.vkj.runner;

import dev.vkj.core.VirtualKubelet;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * When {@code run} stops. Once the node is starting, SIGTERM and SIGINT request a clean stop, after
 * which {@code run} closes everything and returns exit code 0; a second signal stops the process at
 * once. A shutdown hook closes what is still open when the JVM exits another way.
 */
class RunnerLifecycle {
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final CountDownLatch started = new CountDownLatch(1);
  private final AtomicReference<VirtualKubelet> kubelet = new AtomicReference<>();
  private final java.util.concurrent.atomic.AtomicBoolean leadershipLost =
      new java.util.concurrent.atomic.AtomicBoolean();
  private final boolean process;

  private RunnerLifecycle(boolean process) {
    this.process = process;
  }

  /** A lifecycle for tests: stopped with {@link #requestStop()}, no signals, no JVM hooks. */
  static RunnerLifecycle manual() {
    return new RunnerLifecycle(false);
  }

  /** The lifecycle of the {@code vk-runner} process. */
  static RunnerLifecycle process() {
    return new RunnerLifecycle(true);
  }

  /**
   * From now on SIGTERM and SIGINT request a clean stop, and {@code closer} is closed if the JVM
   * exits before {@code run} returns. The signals are handled directly (jdk.unsupported {@code
   * sun.misc.Signal}): with only a shutdown hook the JVM would exit with 143 on SIGTERM, and a
   * clean stop is meant to exit with 0.
   */
  void handleProcessExit(AutoCloseable closer) {
    if (!process) {
      return;
    }
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        Signal.handle(new Signal(name), signal -> onSignal(name));
      } catch (IllegalArgumentException e) {
        // not available here (or ignored, as in background jobs); the hook still cleans up
      }
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    closer.close();
                  } catch (Exception e) {
                    // the JVM is exiting; nothing left to report to
                  }
                },
                "vk-runner-shutdown"));
  }

  private void onSignal(String name) {
    if (stopRequested.getCount() == 0) {
      System.err.println("vk-runner: second SIG" + name + ", exiting now");
      Runtime.getRuntime().halt(1);
    }
    LoggerFactory.getLogger(RunnerLifecycle.class).info("SIG{} received, shutting down", name);
    requestStop();
  }

  void started(VirtualKubelet kubelet) {
    this.kubelet.set(kubelet);
    started.countDown();
  }

  /** The running kubelet once {@code run} has started it; for tests. */
  VirtualKubelet awaitStarted(Duration timeout) throws InterruptedException {
    return started.await(timeout.toMillis(), TimeUnit.MILLISECONDS) ? kubelet.get() : null;
  }

  boolean stopRequested() {
    return stopRequested.getCount() == 0;
  }

  void requestStop() {
    stopRequested.countDown();
  }

  /** This replica stopped leading its node: {@code run} stops at once and exits with 1. */
  void leadershipLost() {
    leadershipLost.set(true);
    requestStop();
  }

  boolean leadershipWasLost() {
    return leadershipLost.get();
  }

  void awaitStopRequest() {
    boolean interrupted = false;
    while (true) {
      try {
        stopRequested.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
