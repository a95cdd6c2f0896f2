package dev.vkj.core.pod;

import static java.util.Objects.requireNonNull;

import dev.vkj.spi.ProviderException;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Startup adoption and cleanup, off the caller's thread: lists the backend's pods (retrying with
 * backoff until the list succeeds), adopts those that still exist in the API with the same UID and
 * deletes the others, a bounded number at a time. Until the list succeeded no pod is created in the
 * backend, so a pod the backend already runs is never created twice; deletes and status syncs of
 * other pods do not wait for the cleanup.
 */
final class StartupReconciler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StartupReconciler.class);
  static final Duration LIST_BACKOFF = Duration.ofMillis(500);
  static final Duration LIST_BACKOFF_MAX = Duration.ofSeconds(30);

  private final ProviderOps ops;
  private final PodCache cache;
  private final PodSyncer syncer;
  private final WorkQueue queue;
  private final int parallelism;
  private volatile boolean closed;
  private Thread thread;
  private ExecutorService deletes;

  StartupReconciler(
      ProviderOps ops, PodCache cache, PodSyncer syncer, WorkQueue queue, int parallelism) {
    this.ops = requireNonNull(ops, "ops is null");
    this.cache = requireNonNull(cache, "cache is null");
    this.syncer = requireNonNull(syncer, "syncer is null");
    this.queue = requireNonNull(queue, "queue is null");
    if (parallelism < 1) {
      throw new IllegalArgumentException("cleanup parallelism must be at least 1");
    }
    this.parallelism = parallelism;
  }

  synchronized void start() {
    AtomicInteger n = new AtomicInteger();
    deletes =
        Executors.newFixedThreadPool(
            parallelism,
            r -> {
              Thread t = new Thread(r, "vkj-pod-cleanup-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    thread = new Thread(this::run, "vkj-pod-startup");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    try {
      reconcile();
    } catch (RuntimeException e) {
      // creates stay safe without adoption: every create is preceded by a getPod of that pod
      log.error("Startup adoption failed; pods are synced without it", e);
      syncer.adoptionDecided();
      for (Pod p : cache.pods()) {
        queue.add(PodCache.key(p));
      }
    }
  }

  private void reconcile() {
    List<Pod> backend = listUntilItWorks();
    if (backend == null) {
      return; // closed
    }
    List<Pod> leftovers = new ArrayList<>();
    int adopted = 0;
    for (Pod b : backend) {
      if (b == null || b.getMetadata() == null || b.getMetadata().getName() == null) {
        continue;
      }
      String key = PodCache.key(b);
      Pod api = cache.get(key);
      String uid = b.getMetadata().getUid();
      if (api != null && (uid == null || uid.equals(api.getMetadata().getUid()))) {
        log.debug("Adopting pod {} that already runs in the provider", key);
        syncer.adopt(api, b);
        adopted++;
        continue;
      }
      log.info(
          "Deleting pod {} from the provider: {}",
          key,
          api == null ? "it does not exist in the API" : "the API pod has another UID");
      syncer.cleaningStarted(key);
      leftovers.add(b);
    }
    syncer.adoptionDecided();
    log.info(
        "Startup adoption: {} pods adopted, {} leftover pods to delete", adopted, leftovers.size());
    for (Pod p : cache.pods()) {
      queue.add(PodCache.key(p));
    }
    for (Pod b : leftovers) {
      deletes.execute(() -> deleteLeftover(b));
    }
  }

  private List<Pod> listUntilItWorks() {
    Duration backoff = LIST_BACKOFF;
    for (int attempt = 1; !closed; attempt++) {
      try {
        return ops.listPods();
      } catch (ProviderException e) {
        log.warn(
            "Startup adoption waits: the provider could not list its pods (attempt {}, {}): {};"
                + " retrying in {} ms",
            attempt,
            e.code(),
            e.getMessage(),
            backoff.toMillis());
      }
      try {
        Thread.sleep(backoff.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
      backoff = backoff.multipliedBy(2);
      if (backoff.compareTo(LIST_BACKOFF_MAX) > 0) {
        backoff = LIST_BACKOFF_MAX;
      }
    }
    return null;
  }

  private void deleteLeftover(Pod b) {
    String key = PodCache.key(b);
    boolean deleted = false;
    try {
      ops.delete(b);
      deleted = true;
    } catch (ProviderException e) {
      log.warn(
          "Could not delete leftover pod {} from the provider ({}): {}; retrying through its sync",
          key,
          e.code(),
          e.getMessage());
    } finally {
      syncer.cleaningDone(key);
    }
    // an API pod of that name (another UID) can be created now; a failed delete is retried
    if (!deleted || cache.get(key) != null) {
      queue.add(key);
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (thread != null) {
      thread.interrupt();
    }
    if (deletes != null) {
      deletes.shutdownNow();
      try {
        deletes.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
