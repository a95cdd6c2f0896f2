package dev.vkj.bench;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * Watches the pods of one benchmark run and records, with the driver's own clock ({@link
 * System#nanoTime()}), when each was first seen, first seen Running and seen deleted. The API's
 * timestamps have whole seconds only.
 */
final class PodTracker implements AutoCloseable {
  static final String RUN_LABEL = "bench.vkj.dev/run";

  private final KubernetesClient client;
  private final String namespace;
  private final String run;
  final Map<String, Long> added = new ConcurrentHashMap<>();
  final Map<String, Long> running = new ConcurrentHashMap<>();
  final Map<String, Long> gone = new ConcurrentHashMap<>();
  private final AtomicInteger runningCount = new AtomicInteger();
  private final AtomicInteger goneCount = new AtomicInteger();
  private volatile Watch watch;
  private volatile boolean closed;

  PodTracker(KubernetesClient client, String namespace, String run) {
    this.client = requireNonNull(client, "client is null");
    this.namespace = requireNonNull(namespace, "namespace is null");
    this.run = requireNonNull(run, "run is null");
    open();
  }

  private void open() {
    watch =
        client
            .pods()
            .inNamespace(namespace)
            .withLabel(RUN_LABEL, run)
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, Pod pod) {
                    seen(action, pod, System.nanoTime());
                  }

                  @Override
                  public void onClose(WatcherException cause) {
                    if (!closed) {
                      System.err.println("bench: pod watch closed (" + cause + "); reopening");
                      open();
                    }
                  }
                });
  }

  void seen(Watcher.Action action, Pod pod, long now) {
    String name = pod.getMetadata().getName();
    added.putIfAbsent(name, now);
    if (action == Watcher.Action.DELETED) {
      if (gone.putIfAbsent(name, now) == null) {
        goneCount.incrementAndGet();
      }
      return;
    }
    if (pod.getStatus() != null
        && "Running".equals(pod.getStatus().getPhase())
        && running.putIfAbsent(name, now) == null) {
      runningCount.incrementAndGet();
    }
  }

  int runningCount() {
    return runningCount.get();
  }

  int goneCount() {
    return goneCount.get();
  }

  /** Waits until {@code count} reaches {@code target}; returns the nanoTime it was seen. */
  static long await(IntSupplier count, int target, long timeoutNanos, String what)
      throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + timeoutNanos;
    while (count.getAsInt() < target) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException(what + ": " + count.getAsInt() + " of " + target);
      }
      Thread.sleep(20);
    }
    return System.nanoTime();
  }

  /** The latest of the recorded times. */
  static long last(Map<String, Long> times) {
    return times.values().stream().mapToLong(Long::longValue).max().orElse(0);
  }

  /** Creation (first seen) to Running, in milliseconds, for the pods seen Running. */
  double[] latenciesMillis() {
    return running.entrySet().stream()
        .filter(e -> added.containsKey(e.getKey()))
        .mapToDouble(e -> (e.getValue() - added.get(e.getKey())) / 1e6)
        .toArray();
  }

  @Override
  public void close() {
    closed = true;
    Watch w = watch;
    if (w != null) {
      w.close();
    }
  }
}
