package dev.vkj.core.pod;

import dev.vkj.spi.ErrorCode;
import dev.vkj.spi.NodeDescription;
import dev.vkj.spi.PodStatusNotifier;
import dev.vkj.spi.Provider;
import dev.vkj.spi.ProviderException;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory backend: created pods run at once with an IP; deleted pods stop with exit 0 and
 * disappear. Failures can be scripted per operation.
 */
class FakeProvider implements Provider {
  final Map<String, Pod> pods = new ConcurrentHashMap<>();
  final Map<String, PodStatus> statuses = new ConcurrentHashMap<>();
  final List<Pod> created = new CopyOnWriteArrayList<>();
  final List<Pod> updated = new CopyOnWriteArrayList<>();
  final List<Pod> deleted = new CopyOnWriteArrayList<>();
  final AtomicInteger createAttempts = new AtomicInteger();
  final AtomicInteger deleteAttempts = new AtomicInteger();
  final AtomicInteger statusCalls = new AtomicInteger();
  final Map<String, AtomicInteger> statusCallsByKey = new ConcurrentHashMap<>();
  final AtomicInteger getCalls = new AtomicInteger();
  volatile ProviderException createError;
  volatile ProviderException updateError;
  volatile ProviderException deleteError;
  volatile ProviderException getError;

  /** When set, listPods fails with it (counted in {@link #listAttempts}). */
  volatile ProviderException listError;

  final AtomicInteger listAttempts = new AtomicInteger();

  /** When set, deletes wait for it to open (a slow cloud delete). */
  volatile java.util.concurrent.CountDownLatch deleteGate;

  final AtomicInteger deletesInFlight = new AtomicInteger();
  final AtomicInteger maxDeletesInFlight = new AtomicInteger();

  /** When true, deleted pods keep running (a slow backend). */
  volatile boolean ignoreDelete;

  /** Where start times come from; the test harness hands in the controller's clock. */
  volatile Clock clock = Clock.systemUTC();

  /** How long before the create the backend reports the pod as started. */
  volatile Duration startedAgo = Duration.ZERO;

  /** Thrown by the next create only. */
  volatile ProviderException createErrorOnce;

  private final AtomicInteger ips = new AtomicInteger(1);

  static String key(String ns, String name) {
    return ns + "/" + name;
  }

  @Override
  public void createPod(Pod pod) throws ProviderException {
    createAttempts.incrementAndGet();
    if (createError != null) {
      throw createError;
    }
    ProviderException once = createErrorOnce;
    if (once != null) {
      createErrorOnce = null;
      throw once;
    }
    String key = key(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
    Pod copy = Serialization.clone(pod);
    copy.setStatus(null);
    pods.put(key, copy);
    created.add(copy);
    String now = clock.instant().minus(startedAgo).truncatedTo(ChronoUnit.SECONDS).toString();
    List<ContainerStatus> cs = new ArrayList<>();
    pod.getSpec()
        .getContainers()
        .forEach(
            c ->
                cs.add(
                    new ContainerStatusBuilder()
                        .withName(c.getName())
                        .withImage(c.getImage())
                        .withImageID("fake://" + c.getImage())
                        .withContainerID("fake://" + key + "/" + c.getName())
                        .withReady(true)
                        .withRestartCount(0)
                        .withNewState()
                        .withNewRunning()
                        .withStartedAt(now)
                        .endRunning()
                        .endState()
                        .build()));
    setStatus(
        key,
        copy,
        new PodStatusBuilder()
            .withPodIP("10.1.0." + ips.getAndIncrement())
            .withStartTime(now)
            .withContainerStatuses(cs)
            .build());
  }

  @Override
  public void updatePod(Pod pod) throws ProviderException {
    if (updateError != null) {
      throw updateError;
    }
    String key = key(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
    if (!pods.containsKey(key)) {
      throw ProviderException.notFound("pod " + key + " not found");
    }
    Pod copy = Serialization.clone(pod);
    copy.setStatus(null);
    pods.put(key, copy);
    updated.add(copy);
  }

  @Override
  public void deletePod(Pod pod) throws ProviderException {
    deleteAttempts.incrementAndGet();
    if (deleteError != null) {
      throw deleteError;
    }
    java.util.concurrent.CountDownLatch gate = deleteGate;
    if (gate != null) {
      maxDeletesInFlight.accumulateAndGet(deletesInFlight.incrementAndGet(), Math::max);
      try {
        gate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw ProviderException.transientError("interrupted", e);
      } finally {
        deletesInFlight.decrementAndGet();
      }
    }
    String key = key(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
    Pod existing = pods.get(key);
    if (existing == null) {
      throw new ProviderException(ErrorCode.NOT_FOUND, "pod " + key + " not found");
    }
    deleted.add(Serialization.clone(pod));
    if (ignoreDelete) {
      return;
    }
    pods.remove(key);
    statuses.remove(key);
  }

  /** Stops every container of a pod with exit 0, as a backend finishing a graceful stop. */
  void stopAll(String ns, String name) {
    String key = key(ns, name);
    PodStatus s = Serialization.clone(statuses.get(key));
    for (ContainerStatus c : s.getContainerStatuses()) {
      c.setReady(false);
      c.setState(
          new io.fabric8.kubernetes.api.model.ContainerStateBuilder()
              .withNewTerminated()
              .withExitCode(0)
              .withReason("Completed")
              .withFinishedAt(clock.instant().truncatedTo(ChronoUnit.SECONDS).toString())
              .endTerminated()
              .build());
    }
    setStatus(key, pods.get(key), s);
  }

  /** Puts the first container into CrashLoopBackOff after a failed run. */
  void crashLoop(String ns, String name) {
    String key = key(ns, name);
    PodStatus s = Serialization.clone(statuses.get(key));
    ContainerStatus c = s.getContainerStatuses().get(0);
    c.setReady(false);
    c.setRestartCount(1);
    c.setLastState(
        new io.fabric8.kubernetes.api.model.ContainerStateBuilder()
            .withNewTerminated()
            .withExitCode(1)
            .withReason("Error")
            .endTerminated()
            .build());
    c.setState(
        new io.fabric8.kubernetes.api.model.ContainerStateBuilder()
            .withNewWaiting()
            .withReason("CrashLoopBackOff")
            .withMessage("back-off 10s restarting failed container")
            .endWaiting()
            .build());
    setStatus(key, pods.get(key), s);
  }

  /** Forgets a pod as if the backend lost it. */
  void lose(String ns, String name) {
    pods.remove(key(ns, name));
    statuses.remove(key(ns, name));
  }

  /** Puts a pod into the backend directly, as if left from an earlier run. */
  void preload(Pod pod, PodStatus status) {
    String key = key(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
    pods.put(key, Serialization.clone(pod));
    statuses.put(key, status);
  }

  void setStatus(String key, Pod pod, PodStatus status) {
    statuses.put(key, status);
  }

  @Override
  public Optional<Pod> getPod(String namespace, String name) throws ProviderException {
    getCalls.incrementAndGet();
    if (getError != null) {
      throw getError;
    }
    Pod p = pods.get(key(namespace, name));
    if (p == null) {
      return Optional.empty();
    }
    Pod copy = Serialization.clone(p);
    PodStatus s = statuses.get(key(namespace, name));
    copy.setStatus(s == null ? null : Serialization.clone(s));
    return Optional.of(copy);
  }

  @Override
  public Optional<PodStatus> getPodStatus(String namespace, String name) {
    statusCalls.incrementAndGet();
    statusCallsByKey
        .computeIfAbsent(key(namespace, name), k -> new AtomicInteger())
        .incrementAndGet();
    PodStatus s = statuses.get(key(namespace, name));
    return Optional.ofNullable(s == null ? null : Serialization.clone(s));
  }

  @Override
  public List<Pod> listPods() throws ProviderException {
    listAttempts.incrementAndGet();
    if (listError != null) {
      throw listError;
    }
    List<Pod> out = new ArrayList<>();
    for (String k : pods.keySet()) {
      String[] nn = k.split("/", 2);
      getPod(nn[0], nn[1]).ifPresent(out::add);
    }
    return out;
  }

  @Override
  public NodeDescription describeNode() {
    throw new UnsupportedOperationException("not used by the pod controller");
  }

  /** The same backend pushing every status change. */
  static final class Notifying extends FakeProvider implements PodStatusNotifier {
    private volatile Listener listener;
    final AtomicInteger registrations = new AtomicInteger();

    /** When set, the backend evicts each pod with this message inside the call that created it. */
    volatile String evictOnCreate;

    @Override
    public void createPod(Pod pod) throws ProviderException {
      super.createPod(pod);
      String message = evictOnCreate;
      if (message != null) {
        evict(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), null, message);
      }
    }

    @Override
    public void notifyPodStatus(Listener listener) {
      registrations.incrementAndGet();
      this.listener = listener;
    }

    /**
     * The backend evicts a pod on its own: it pushes the pod with a deletionTimestamp, the given
     * grace period (may be null) and a Failed status.
     */
    void evict(String ns, String name, Long graceSeconds, String message) {
      String key = key(ns, name);
      Pod pod = pods.get(key);
      pod.getMetadata()
          .setDeletionTimestamp(clock.instant().truncatedTo(ChronoUnit.SECONDS).toString());
      pod.getMetadata().setDeletionGracePeriodSeconds(graceSeconds);
      PodStatus s = Serialization.clone(statuses.get(key));
      s.setPhase("Failed");
      s.setReason("Evicted");
      s.setMessage(message);
      setStatus(key, pod, s);
    }

    @Override
    void setStatus(String key, Pod pod, PodStatus status) {
      super.setStatus(key, pod, status);
      Listener l = listener;
      if (l != null) {
        Pod push = new Pod();
        push.setMetadata(Serialization.clone(pod.getMetadata()));
        push.setStatus(Serialization.clone(status));
        l.podStatusChanged(push);
      }
    }
  }

  /** The same backend reporting all statuses in one list call. */
  static final class Batched extends FakeProvider implements dev.vkj.spi.BatchedPodStatus {
    final AtomicInteger listStatusCalls = new AtomicInteger();

    /** When set, the next list call takes its snapshot, then waits for this latch. */
    volatile java.util.concurrent.CountDownLatch holdNextList;

    final java.util.concurrent.CountDownLatch listHeld = new java.util.concurrent.CountDownLatch(1);

    @Override
    public List<Pod> listPodStatuses() {
      listStatusCalls.incrementAndGet();
      List<Pod> out = new ArrayList<>();
      for (Map.Entry<String, PodStatus> e : statuses.entrySet()) {
        Pod spec = pods.get(e.getKey());
        if (spec == null) {
          continue;
        }
        Pod p = new Pod();
        p.setMetadata(
            new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
                .withNamespace(spec.getMetadata().getNamespace())
                .withName(spec.getMetadata().getName())
                .withUid(spec.getMetadata().getUid())
                .build());
        p.setStatus(Serialization.clone(e.getValue()));
        out.add(p);
      }
      java.util.concurrent.CountDownLatch hold = holdNextList;
      if (hold != null) {
        holdNextList = null;
        listHeld.countDown();
        try {
          hold.await();
        } catch (InterruptedException ex) {
          Thread.currentThread().interrupt();
        }
      }
      return out;
    }
  }
}
