package dev.vkj.core.pod;

import static java.util.Objects.requireNonNull;

import dev.vkj.core.resources.ApiClusterResources;
import dev.vkj.spi.EventRecorder;
import dev.vkj.spi.Provider;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the pods bound to one node on a {@link Provider}: watches them, creates, updates and deletes
 * them in the backend, and writes their status back the way a kubelet does.
 */
public final class PodController implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PodController.class);

  private final PodControllerConfig config;
  private final EventRecorder events;
  private final PodCache cache;
  private final WorkQueue queue;
  private final ProviderOps ops;
  private final PodSyncer syncer;
  private final StatusPoller poller;
  private final StartupReconciler startup;
  private final PodStatusWriter writer;
  private final Timer syncTimer;
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private ExecutorService workers;

  public PodController(
      KubernetesClient client,
      Provider provider,
      EventRecorder events,
      PodControllerConfig config) {
    this(client, provider, events, config, null);
  }

  /**
   * @param labelSelector when not null, pods are watched by these labels instead of the {@code
   *     spec.nodeName} field selector (for API servers that do not support it, such as test mocks)
   */
  PodController(
      KubernetesClient client,
      Provider provider,
      EventRecorder events,
      PodControllerConfig config,
      Map<String, String> labelSelector) {
    this(config, events, Parts.wire(client, provider, events, config, labelSelector));
  }

  /** The controller over collaborators built by {@link Parts#wire}. */
  PodController(PodControllerConfig config, EventRecorder events, Parts parts) {
    this.config = requireNonNull(config, "config is null");
    this.events = requireNonNull(events, "events is null");
    requireNonNull(parts, "parts is null");
    this.cache = parts.cache();
    this.queue = parts.queue();
    this.ops = parts.ops();
    this.syncer = parts.syncer();
    this.poller = parts.poller();
    this.startup = parts.startup();
    this.writer = parts.writer();
    Gauge.builder("vkj.pod.queue.depth", queue, WorkQueue::depth)
        .description("Pod keys waiting to be synced")
        .register(config.meterRegistry());
    this.syncTimer =
        Timer.builder("vkj.pod.sync")
            .description("Time to sync one pod")
            .register(config.meterRegistry());
  }

  /** The pod controller's collaborators, wired once. */
  record Parts(
      PodCache cache,
      WorkQueue queue,
      ProviderOps ops,
      PodSyncer syncer,
      StatusPoller poller,
      StartupReconciler startup,
      PodStatusWriter writer) {
    Parts {
      requireNonNull(cache, "cache is null");
      requireNonNull(queue, "queue is null");
      requireNonNull(ops, "ops is null");
      requireNonNull(syncer, "syncer is null");
      requireNonNull(poller, "poller is null");
      requireNonNull(startup, "startup is null");
      requireNonNull(writer, "writer is null");
    }

    static Parts wire(
        KubernetesClient client,
        Provider provider,
        EventRecorder events,
        PodControllerConfig config,
        Map<String, String> labelSelector) {
      requireNonNull(client, "client is null");
      requireNonNull(provider, "provider is null");
      requireNonNull(events, "events is null");
      requireNonNull(config, "config is null");
      PodCache cache = new PodCache(client, config.nodeName(), labelSelector);
      WorkQueue queue = new WorkQueue(Duration.ofMillis(100), Duration.ofMinutes(5), 20, 200);
      ProviderOps ops = new ProviderOps(provider, config.meterRegistry());
      ServiceCache services = new ServiceCache(client, config.clock());
      EnvResolver env =
          new EnvResolver(
              new ApiClusterResources(client),
              services::services,
              config.hostIp(),
              config.nodeAllocatable());
      PodStatusWriter writer = new PodStatusWriter(client, cache);
      Duration poll = config.statusPollInterval();
      Duration recheck = poll.compareTo(Duration.ofSeconds(1)) < 0 ? poll : Duration.ofSeconds(1);
      PodLifecycle lifecycle =
          new PodLifecycle(ops, writer, events, config.clock(), config.hostIp(), recheck);
      PodSyncer syncer =
          new PodSyncer(
              cache,
              ops,
              writer,
              lifecycle,
              env,
              events,
              config.hostIp(),
              PodSyncer.readBudget(config.providerReadBudget(), System.nanoTime()),
              System::nanoTime);
      StatusPoller poller = new StatusPoller(ops, cache, syncer, queue, poll, System::nanoTime);
      StartupReconciler startup =
          new StartupReconciler(ops, cache, syncer, queue, config.startupCleanupParallelism());
      return new Parts(cache, queue, ops, syncer, poller, startup, writer);
    }
  }

  /**
   * Starts the informer (field selector {@code spec.nodeName=<node>}) and waits for its sync, then
   * starts the workers, the status poller and the startup adoption, and returns. Adoption and the
   * deletion of leftover backend pods continue in the background; no pod is created in the backend
   * before adoption has decided about it.
   */
  public synchronized void start() throws InterruptedException {
    if (closed.get()) {
      throw new IllegalStateException("the pod controller is closed");
    }
    if (running.get()) {
      return;
    }
    ops.notifier()
        .ifPresent(
            n ->
                n.notifyPodStatus(
                    pod -> {
                      if (syncer.pushed(pod)) {
                        // a sync under way that uses this push needs no second run
                        String key = PodSyncer.key(pod);
                        queue.addUnlessSeen(key, () -> syncer.hasPush(key));
                      }
                    }));
    cache.start(new Handler());
    workers =
        Executors.newFixedThreadPool(
            config.workers(), daemonThreads("vkj-pod-worker-", new AtomicInteger()));
    for (int i = 0; i < config.workers(); i++) {
      workers.execute(this::work);
    }
    startup.start();
    for (Pod pod : cache.pods()) {
      queue.add(PodSyncer.key(pod)); // deletions go ahead; creates wait for the adoption
    }
    poller.start();
    running.set(true);
    log.info("Pod controller for node {} started", config.nodeName());
  }

  /**
   * The provider is healthy again after failed health checks: syncs that failed meanwhile run now
   * instead of after their backoff, which grows to minutes during a long outage.
   */
  public void providerRecovered() {
    int n = queue.retryFailedNow();
    if (n > 0) {
      log.info("Provider healthy again: retrying {} pods now instead of after their backoff", n);
    }
  }

  /**
   * Whether the node is busy with pod work: more pods wait for a sync than there are workers, or
   * the node wrote pod status and deletes faster than {@code writesPerSecond} over the last second.
   * The second case is a bulk rollout or scale-down, where the API server, not this node's queue,
   * is the bottleneck.
   */
  public boolean busy(double writesPerSecond) {
    return queue.readyNow() > config.workers() || writer.writesPerSecond() > writesPerSecond;
  }

  public boolean isRunning() {
    return running.get();
  }

  /** API pods bound to this node, from the informer cache (for the kubelet's /pods route). */
  public List<Pod> pods() {
    return cache.pods();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    running.set(false);
    queue.shutdown();
    poller.close();
    startup.close();
    cache.close();
    if (workers != null) {
      workers.shutdown();
      try {
        if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
          workers.shutdownNow();
        }
      } catch (InterruptedException e) {
        workers.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
    log.info("Pod controller for node {} stopped", config.nodeName());
  }

  /** Keys with per-pod bookkeeping still held (for leak checks in tests). */
  int trackedPods() {
    return syncer.trackedPods();
  }

  private void work() {
    while (!closed.get()) {
      String key;
      try {
        key = queue.poll(Duration.ofMillis(500));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (key == null) {
        continue;
      }
      try {
        Duration again = syncTimer.recordCallable(() -> syncer.sync(key));
        queue.resetRetries(key);
        if (again != null) {
          queue.addAfter(key, again);
        } else if (cache.get(key) == null) {
          // the pod is gone and its backend side dealt with: a re-check or deadline timer set for
          // it would only run the gone path again, with a provider read and delete
          queue.unschedule(key);
        }
      } catch (RetryException e) {
        if (e.countsTowardGiveUp()) {
          retry(key, e.minDelay(), e);
        } else {
          // a wait for the backend (quota), not a failure: never ends in FailedSync
          log.debug("Sync of pod {} waits {} ms: {}", key, e.minDelay().toMillis(), e.getMessage());
          queue.resetRetries(key);
          queue.addAfter(key, e.minDelay());
        }
      } catch (Exception e) {
        retry(key, Duration.ZERO, e);
      } finally {
        queue.done(key);
      }
    }
  }

  private void retry(String key, Duration minDelay, Exception e) {
    if (closed.get()) {
      return;
    }
    int retries = queue.retries(key);
    if (retries < config.maxRetries()) {
      log.debug(
          "Sync of pod {} failed (attempt {}), retrying: {}", key, retries + 1, e.getMessage());
      queue.addRateLimited(key, minDelay);
      return;
    }
    queue.resetRetries(key);
    log.warn("Giving up on pod {} after {} retries: {}", key, retries, e.getMessage());
    Pod pod = cache.get(key);
    if (pod != null) {
      events.warning(pod, "FailedSync", "error syncing pod: " + e.getMessage());
    }
  }

  private final class Handler implements ResourceEventHandler<Pod> {
    @Override
    public void onAdd(Pod pod) {
      if (cache.ours(pod)) {
        queue.add(PodSyncer.key(pod));
      }
    }

    @Override
    public void onUpdate(Pod oldPod, Pod newPod) {
      if (cache.ours(newPod) && !syncer.echoesOwnWrite(oldPod, newPod)) {
        queue.add(PodSyncer.key(newPod));
      }
    }

    @Override
    public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {
      if (cache.ours(pod) && syncer.deletionDelivered(pod)) {
        // a worker that already took the key for another reason may run the gone path with this
        // delivery; then the pod is no longer known and needs no second run
        String key = PodSyncer.key(pod);
        queue.addUnlessSeen(key, () -> syncer.known(key));
      }
    }
  }

  private static java.util.concurrent.ThreadFactory daemonThreads(String prefix, AtomicInteger n) {
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
