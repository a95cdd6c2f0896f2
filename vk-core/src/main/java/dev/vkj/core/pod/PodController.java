package dev.vkj.core.pod;

import static java.util.Objects.requireNonNull;

import dev.vkj.core.resources.ApiClusterResources;
import dev.vkj.spi.EventRecorder;
import dev.vkj.spi.PodStatusNotifier;
import dev.vkj.spi.Provider;
import dev.vkj.spi.ProviderException;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
  private static final Duration SERVICE_TTL = Duration.ofSeconds(5);

  private final KubernetesClient client;
  private final Provider provider;
  private final EventRecorder events;
  private final PodControllerConfig config;
  private final Map<String, String> labelSelector;
  private final WorkQueue queue;
  private final PodSyncer syncer;
  private final Timer syncTimer;
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final ConcurrentHashMap<String, CachedServices> services = new ConcurrentHashMap<>();
  private volatile SharedIndexInformer<Pod> informer;
  private ExecutorService workers;
  private ScheduledExecutorService poller;

  /**
   * With a provider that pushes status, its status is read in full every this many poll intervals
   * (60 s with the default 5 s), the kubelet's sync period.
   */
  static final int NOTIFIER_RESYNC_FACTOR = 12;

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
    this.client = requireNonNull(client, "client is null");
    this.provider = requireNonNull(provider, "provider is null");
    this.events = requireNonNull(events, "events is null");
    this.config = requireNonNull(config, "config is null");
    this.labelSelector = labelSelector == null ? null : Map.copyOf(labelSelector);
    this.queue = new WorkQueue(Duration.ofMillis(100), Duration.ofMinutes(5), 20, 200);
    EnvResolver env =
        new EnvResolver(
            new ApiClusterResources(client),
            this::services,
            config.hostIp(),
            config.nodeAllocatable());
    this.syncer =
        new PodSyncer(
            client,
            provider,
            events,
            env,
            this::cached,
            config,
            provider instanceof PodStatusNotifier);
    Gauge.builder("vkj.pod.queue.depth", queue, WorkQueue::depth)
        .description("Pod keys waiting to be synced")
        .register(config.meterRegistry());
    this.syncTimer =
        Timer.builder("vkj.pod.sync")
            .description("Time to sync one pod")
            .register(config.meterRegistry());
  }

  /**
   * Starts the informer (field selector {@code spec.nodeName=<node>}), waits for its sync, runs
   * startup reconciliation, starts the workers; returns once running.
   */
  public synchronized void start() throws InterruptedException {
    if (closed.get()) {
      throw new IllegalStateException("the pod controller is closed");
    }
    if (running.get()) {
      return;
    }
    if (provider instanceof PodStatusNotifier notifier) {
      notifier.notifyPodStatus(
          pod -> {
            if (syncer.pushed(pod)) {
              queue.add(PodSyncer.key(pod));
            }
          });
    }
    var pods = client.pods().inAnyNamespace();
    SharedIndexInformer<Pod> inf =
        labelSelector == null
            ? pods.withField("spec.nodeName", config.nodeName()).runnableInformer(0)
            : pods.withLabels(labelSelector).runnableInformer(0);
    inf.addEventHandler(new Handler());
    informer = inf;
    try {
      inf.start().toCompletableFuture().get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("pod informer failed to start: " + e.getCause(), e);
    }
    reconcile();
    for (Pod pod : pods()) {
      queue.add(PodSyncer.key(pod));
    }
    workers =
        Executors.newFixedThreadPool(
            config.workers(), daemonThreads("vkj-pod-worker-", new AtomicInteger()));
    for (int i = 0; i < config.workers(); i++) {
      workers.execute(this::work);
    }
    // Providers that push are still read in full now and then, like the kubelet's periodic
    // sync: a push lost or delivered out of order must not leave a pod stuck.
    boolean pushes = provider instanceof PodStatusNotifier;
    poller =
        Executors.newSingleThreadScheduledExecutor(
            daemonThreads("vkj-pod-status-poll-", new AtomicInteger()));
    long ms = config.statusPollInterval().toMillis() * (pushes ? NOTIFIER_RESYNC_FACTOR : 1);
    poller.scheduleWithFixedDelay(() -> pollStatuses(pushes), ms, ms, TimeUnit.MILLISECONDS);
    running.set(true);
    log.info("Pod controller for node {} started", config.nodeName());
  }

  public boolean isRunning() {
    return running.get();
  }

  /** API pods bound to this node, from the informer cache (for the kubelet's /pods route). */
  public List<Pod> pods() {
    SharedIndexInformer<Pod> inf = informer;
    if (inf == null) {
      return List.of();
    }
    List<Pod> out = new ArrayList<>();
    for (Pod p : inf.getStore().list()) {
      if (ours(p)) {
        out.add(p);
      }
    }
    return out;
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    running.set(false);
    queue.shutdown();
    if (poller != null) {
      poller.shutdownNow();
    }
    SharedIndexInformer<Pod> inf = informer;
    if (inf != null) {
      inf.close();
    }
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

  /** Per-pod bookkeeping entries still held (for leak checks in tests). */
  int trackedPods() {
    return syncer.trackedPods();
  }

  /** Deletes backend pods without an API pod (or of another UID) and adopts the rest. */
  private void reconcile() {
    List<Pod> backend;
    try {
      backend = provider.listPods();
    } catch (ProviderException | RuntimeException e) {
      log.warn(
          "Startup reconciliation skipped: the provider could not list its pods: {}", e.toString());
      return;
    }
    for (Pod b : backend) {
      if (b == null || b.getMetadata() == null || b.getMetadata().getName() == null) {
        continue;
      }
      String key = PodSyncer.key(b);
      Pod api = cached(key);
      String uid = b.getMetadata().getUid();
      if (api != null && (uid == null || uid.equals(api.getMetadata().getUid()))) {
        log.info("Adopting pod {} that already runs in the provider", key);
        syncer.adopt(api);
        continue;
      }
      log.info(
          "Deleting pod {} from the provider: {}",
          key,
          api == null ? "it does not exist in the API" : "the API pod has another UID");
      try {
        provider.deletePod(b);
      } catch (ProviderException | RuntimeException e) {
        log.warn("Could not delete leftover pod {} from the provider: {}", key, e.toString());
      }
    }
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
        }
      } catch (PodSyncer.RetryException e) {
        retry(key, e.minDelay(), e);
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
    Pod pod = cached(key);
    if (pod != null) {
      events.warning(pod, "FailedSync", "error syncing pod: " + e.getMessage());
    }
  }

  private void pollStatuses(boolean resyncPushes) {
    try {
      for (Pod p : pods()) {
        String key = PodSyncer.key(p);
        // keys waiting for a retry keep their backoff
        if ((!KubeletStatus.isTerminal(p) || p.getMetadata().getDeletionTimestamp() != null)
            && queue.retries(key) == 0) {
          if (resyncPushes) {
            syncer.readProviderNext(key);
          }
          queue.add(key);
        }
      }
    } catch (RuntimeException e) {
      log.warn("Status poll failed: {}", e.toString());
    }
  }

  private Pod cached(String key) {
    SharedIndexInformer<Pod> inf = informer;
    if (inf == null) {
      return null;
    }
    Pod p = inf.getStore().getByKey(key);
    return p != null && ours(p) ? p : null;
  }

  private boolean ours(Pod p) {
    return p.getSpec() != null && config.nodeName().equals(p.getSpec().getNodeName());
  }

  private List<Service> services(String namespace) throws ProviderException {
    Instant now = config.clock().instant();
    CachedServices hit = services.get(namespace);
    if (hit != null && now.isBefore(hit.expires())) {
      return hit.services();
    }
    try {
      List<Service> list = client.services().inNamespace(namespace).list().getItems();
      // drop expired namespaces so that the cache does not grow with every namespace ever seen
      services.values().removeIf(c -> !now.isBefore(c.expires()));
      services.put(namespace, new CachedServices(List.copyOf(list), now.plus(SERVICE_TTL)));
      return list;
    } catch (KubernetesClientException e) {
      throw ProviderException.transientError(
          "cannot list services in namespace " + namespace + ": HTTP " + e.getCode(), e);
    }
  }

  private record CachedServices(List<Service> services, Instant expires) {}

  private final class Handler implements ResourceEventHandler<Pod> {
    @Override
    public void onAdd(Pod pod) {
      if (ours(pod)) {
        queue.add(PodSyncer.key(pod));
      }
    }

    @Override
    public void onUpdate(Pod oldPod, Pod newPod) {
      if (ours(newPod)) {
        queue.add(PodSyncer.key(newPod));
      }
    }

    @Override
    public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {
      if (ours(pod)) {
        queue.add(PodSyncer.key(pod));
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
