package dev.vkj.core.pod;

import static java.util.Objects.requireNonNull;

import dev.vkj.spi.ProviderException;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the backend's status in once per poll period, in one of three ways:
 *
 * <ul>
 *   <li>{@code BatchedPodStatus}: one {@code listPodStatuses} call; only pods whose status changed,
 *       that are missing, or that are in transition are synced.
 *   <li>per-pod polling: every pod that is not terminal is synced, each with one {@code
 *       getPodStatus}.
 *   <li>{@code PodStatusNotifier}: the same, from a fresh read, but only for pods whose status was
 *       last pushed or read {@link #NOTIFIER_RESYNC_FACTOR} periods ago or more, so that a lost
 *       push cannot leave a pod stuck. Like the kubelet's periodic sync, each pod is due a period
 *       after its own last sync, not at one tick for all.
 * </ul>
 */
final class StatusPoller implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StatusPoller.class);

  /**
   * With a provider that pushes status, a pod's status is read again once this many poll intervals
   * (60 s with the default 5 s, the kubelet's sync period) passed without a push or read.
   */
  static final int NOTIFIER_RESYNC_FACTOR = 12;

  private final ProviderOps ops;
  private final PodCache cache;
  private final PodSyncer syncer;
  private final WorkQueue queue;
  private final Duration interval;
  private final LongSupplier nanos;
  private ScheduledExecutorService executor;

  StatusPoller(
      ProviderOps ops,
      PodCache cache,
      PodSyncer syncer,
      WorkQueue queue,
      Duration interval,
      LongSupplier nanos) {
    this.ops = requireNonNull(ops, "ops is null");
    this.cache = requireNonNull(cache, "cache is null");
    this.syncer = requireNonNull(syncer, "syncer is null");
    this.queue = requireNonNull(queue, "queue is null");
    this.interval = requireNonNull(interval, "interval is null");
    this.nanos = requireNonNull(nanos, "nanos is null");
  }

  synchronized void start() {
    executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "vkj-pod-status-poll");
              t.setDaemon(true);
              return t;
            });
    long ms = interval.toMillis();
    // a batched list is cheap: the first one runs at once so that adopted pods get their status
    long first = ops.batchesStatus() ? 0 : ms;
    executor.scheduleWithFixedDelay(this::pollOnce, first, ms, TimeUnit.MILLISECONDS);
  }

  void pollOnce() {
    try {
      if (ops.batchesStatus()) {
        pollBatched();
      } else {
        pollEach();
      }
    } catch (RuntimeException e) {
      log.warn("Status poll failed: {}", e.toString());
    }
  }

  private void pollBatched() {
    long started = nanos.getAsLong();
    List<Pod> statuses;
    try {
      statuses = ops.listPodStatuses();
    } catch (ProviderException e) {
      log.warn("Batched status list failed ({}): {}", e.code(), e.getMessage());
      return;
    }
    for (String key : syncer.applyStatusList(statuses, started)) {
      if (!syncer.known(key)) {
        continue; // see pollEach
      }
      if (ops.pushesStatus()) {
        syncer.readProviderNext(key);
      }
      enqueue(key);
    }
  }

  private void pollEach() {
    boolean pushes = ops.pushesStatus();
    long staleBefore = nanos.getAsLong() - interval.toNanos() * NOTIFIER_RESYNC_FACTOR;
    for (Pod p : cache.pods()) {
      if (KubeletStatus.isTerminal(p) && p.getMetadata().getDeletionTimestamp() == null) {
        continue;
      }
      String key = PodCache.key(p);
      if (!syncer.known(key)) {
        // no sync has seen it yet: its informer event queues it. Or the walk, which works on a
        // snapshot of the cache, came to a pod whose gone path ran meanwhile; running that path
        // again would cost a provider read and delete.
        continue;
      }
      if (pushes) {
        if (!syncer.observedBefore(key, staleBefore)) {
          continue; // pushed or read within the sync period
        }
        syncer.readProviderNext(key);
      }
      enqueue(key);
    }
  }

  private void enqueue(String key) {
    // keys waiting for a retry keep their backoff
    if (queue.retries(key) == 0) {
      queue.add(key);
    }
  }

  @Override
  public synchronized void close() {
    if (executor != null) {
      executor.shutdownNow();
    }
  }
}
