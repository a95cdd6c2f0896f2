package dev.vkj.runner;

import dev.vkj.core.VirtualKubelet;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * When {@code run} stops. SIGTERM and SIGINT request a clean stop, after which {@code run} closes
 * everything and returns exit code 0; a second signal stops the process at once. A shutdown hook
 * closes what is still open when the JVM exits another way.
 */
class RunnerLifecycle {
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final CountDownLatch started = new CountDownLatch(1);
  private final AtomicReference<VirtualKubelet> kubelet = new AtomicReference<>();
  private final boolean process;

  private RunnerLifecycle(boolean process) {
    this.process = process;
  }

  /** A lifecycle for tests: stopped with {@link #requestStop()}, no signals, no JVM hooks. */
  static RunnerLifecycle manual() {
    return new RunnerLifecycle(false);
  }

  /**
   * The lifecycle of the {@code vk-runner} process. It handles the signals itself (jdk.unsupported
   * {@code sun.misc.Signal}): with only a shutdown hook the JVM would exit with 143 on SIGTERM,
   * and a clean stop is meant to exit with 0.
   */
  static RunnerLifecycle process() {
    RunnerLifecycle lifecycle = new RunnerLifecycle(true);
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        Signal.handle(new Signal(name), signal -> lifecycle.onSignal(name));
      } catch (IllegalArgumentException e) {
        // not available on this platform; the shutdown hook still closes everything
      }
    }
    return lifecycle;
  }

  private void onSignal(String name) {
    if (stopRequested.getCount() == 0) {
      System.err.println("vk-runner: second SIG" + name + ", exiting now");
      Runtime.getRuntime().halt(1);
    }
    LoggerFactory.getLogger(RunnerLifecycle.class).info("SIG{} received, shutting down", name);
    requestStop();
  }

  /** Closes {@code closer} if the JVM exits before {@code run} returns. */
  void onJvmExit(AutoCloseable closer) {
    if (!process) {
      return;
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

  void started(VirtualKubelet kubelet) {
    this.kubelet.set(kubelet);
    started.countDown();
  }

  /** The running kubelet once {@code run} has started it; for tests. */
  VirtualKubelet awaitStarted(Duration timeout) throws InterruptedException {
    return started.await(timeout.toMillis(), TimeUnit.MILLISECONDS) ? kubelet.get() : null;
  }

  void requestStop() {
    stopRequested.countDown();
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
