package dev.vkj.core.pod;

import static dev.vkj.core.pod.KubeletStatus.isTerminal;
import static dev.vkj.core.pod.KubeletStatus.list;
import static java.util.Objects.requireNonNull;

import dev.vkj.spi.ErrorCode;
import dev.vkj.spi.EventRecorder;
import dev.vkj.spi.PodIdentity;
import dev.vkj.spi.ProviderException;
import dev.vkj.toolkit.TokenBucket;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles one pod key: the provider side first (create, update, replace), then the API status.
 * The lifecycle rules live in {@link PodLifecycle}, status writes in {@link PodStatusWriter} and
 * provider calls in {@link ProviderOps}; this class decides which of them a sync needs and where
 * the backend's status comes from (a push, the last batched list, or a read).
 */
final class PodSyncer {
  private static final Logger log = LoggerFactory.getLogger(PodSyncer.class);
  static final String QUOTA_EXCEEDED = "ProviderQuotaExceeded";
  static final Duration QUOTA_BACKOFF = Duration.ofSeconds(1);
  static final Duration QUOTA_BACKOFF_MAX = Duration.ofMinutes(5);

  private final PodCache cache;
  private final ProviderOps ops;
  private final PodStatusWriter writer;
  private final PodLifecycle lifecycle;
  private final EnvResolver env;
  private final EventRecorder events;
  private final Supplier<String> hostIp;
  private final TokenBucket budget;
  private final LongSupplier nanos;
  private final boolean notifier;
  private final boolean batched;
  private final ConcurrentHashMap<String, PodState> states = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Pod> pushed = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Listed> listed = new ConcurrentHashMap<>();
  private final Set<String> cleaning = ConcurrentHashMap.newKeySet();
  private volatile boolean adoptionDecided;

  /** A pod's entry in the last batched status list; status null = missing from the list. */
  private record Listed(PodStatus status, String json, long listStartedNanos) {}

  PodSyncer(
      PodCache cache,
      ProviderOps ops,
      PodStatusWriter writer,
      PodLifecycle lifecycle,
      EnvResolver env,
      EventRecorder events,
      Supplier<String> hostIp,
      TokenBucket budget,
      LongSupplier nanos) {
    this.cache = requireNonNull(cache, "cache is null");
    this.ops = requireNonNull(ops, "ops is null");
    this.writer = requireNonNull(writer, "writer is null");
    this.lifecycle = requireNonNull(lifecycle, "lifecycle is null");
    this.env = requireNonNull(env, "env is null");
    this.events = requireNonNull(events, "events is null");
    this.hostIp = requireNonNull(hostIp, "hostIp is null");
    this.budget = requireNonNull(budget, "budget is null");
    this.nanos = requireNonNull(nanos, "nanos is null");
    this.notifier = ops.pushesStatus();
    this.batched = ops.batchesStatus();
  }

  /**
   * The budget of single status reads for pods in transition: {@code perSecond} reads per second,
   * one second's worth at once, never waiting.
   */
  static TokenBucket readBudget(double perSecond, long now) {
    if (!(perSecond > 0)) {
      throw new IllegalArgumentException("read budget must be positive, got " + perSecond);
    }
    return new TokenBucket(perSecond, Math.max(1, Math.ceil(perSecond)), now);
  }

  static String key(Pod pod) {
    return PodCache.key(pod);
  }

  /** Remembers a pushed status; returns whether the pod is known and the key should be synced. */
  boolean pushed(Pod pod) {
    if (pod == null || pod.getMetadata() == null || pod.getMetadata().getName() == null) {
      return false;
    }
    String key = key(pod);
    Pod api = cache.get(key);
    if (api == null) {
      return false; // unknown or gone: nothing to remember
    }
    if (isTerminal(api) && api.getMetadata().getDeletionTimestamp() == null) {
      // terminal phases are sticky, so this push is not kept; neither is an older one: once the
      // deletion arrives (an eviction's, say), the status must be read, not taken from a stale push
      pushed.remove(key);
      return false;
    }
    pushed.put(key, trimmed(pod));
    return true;
  }

  /**
   * Whether the pod's backend status was last pushed or read before {@code nanos} ({@link
   * System#nanoTime()} scale), or never.
   */
  boolean observedBefore(String key, long nanos) {
    PodState st = states.get(key);
    return st == null || st.observedNanos == 0 || st.observedNanos - nanos < 0;
  }

  /**
   * Whether a sync has seen the pod since it was last gone. A pod in the cache that none has is
   * queued by its own informer event; a gone pod that none has is done.
   */
  boolean known(String key) {
    PodState st = states.get(key);
    return st != null && !st.gone;
  }

  /** Whether a pushed status waits that no sync has used yet. */
  boolean hasPush(String key) {
    return pushed.containsKey(key);
  }

  /** What a sync reads of a pushed pod: identity, deletion and status; not the spec. */
  private static Pod trimmed(Pod pod) {
    ObjectMeta m = pod.getMetadata();
    ObjectMeta meta = new ObjectMeta();
    meta.setNamespace(m.getNamespace());
    meta.setName(m.getName());
    meta.setUid(m.getUid());
    meta.setDeletionTimestamp(m.getDeletionTimestamp());
    meta.setDeletionGracePeriodSeconds(m.getDeletionGracePeriodSeconds());
    Pod p = new Pod();
    p.setMetadata(meta);
    p.setStatus(pod.getStatus());
    return p;
  }

  /**
   * Makes the next sync of the key read the status from the provider instead of the last push, so
   * that a push that was lost or arrived out of order cannot hide the backend's current state.
   */
  void readProviderNext(String key) {
    Pod last = pushed.get(key);
    if (last != null && last.getMetadata().getDeletionTimestamp() == null) {
      pushed.remove(key, last);
    }
  }

  /**
   * Takes one batched status list (started at {@code listStartedNanos}) and returns the keys to
   * sync: pods whose listed status changed, pods missing from the list, and pods in transition.
   * Steady pods are not returned, so they cost neither a sync nor a read.
   */
  List<String> applyStatusList(List<Pod> statuses, long listStartedNanos) {
    Map<String, Pod> byKey = new HashMap<>();
    for (Pod p : statuses) {
      if (p != null && p.getMetadata() != null && p.getMetadata().getName() != null) {
        byKey.put(key(p), p);
      }
    }
    List<String> toSync = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Pod api : cache.pods()) {
      String key = key(api);
      seen.add(key);
      if (isTerminal(api) && api.getMetadata().getDeletionTimestamp() == null) {
        listed.remove(key);
        continue;
      }
      Pod b = byKey.get(key);
      PodStatus status = null;
      if (b != null && sameUid(b, api)) {
        status = b.getStatus() == null ? new PodStatus() : b.getStatus();
      }
      String json = status == null ? "" : Serialization.asJson(status);
      Listed prev = listed.put(key, new Listed(status, json, listStartedNanos));
      if (prev == null
          || !prev.json().equals(json)
          || PodLifecycle.inTransition(writer.view(api))) {
        toSync.add(key);
      }
    }
    listed.keySet().retainAll(seen);
    return toSync;
  }

  /**
   * Marks a backend pod found at startup as adopted: no create, status synced, no replayed events.
   * The backend's spec hash decides whether an update is due; a pod without one is unchanged.
   */
  void adopt(Pod api, Pod backend) {
    PodState st = new PodState(api.getMetadata().getUid());
    st.adopted = true;
    String hash = st.specHash(api);
    Optional<String> theirs = PodIdentity.specHash(backend);
    if (theirs.isEmpty() || theirs.get().equals(hash)) {
      st.syncedSpec = hash;
    }
    states.put(key(api), st);
  }

  /** From now on pods may be created: startup adoption has decided about every backend pod. */
  void adoptionDecided() {
    adoptionDecided = true;
  }

  /** A startup cleanup delete of the key is under way: the key is not synced meanwhile. */
  void cleaningStarted(String key) {
    cleaning.add(key);
  }

  void cleaningDone(String key) {
    cleaning.remove(key);
  }

  /** Whether an informer update only brings back this controller's own status write. */
  boolean echoesOwnWrite(Pod oldPod, Pod newPod) {
    return writer.echoesOwnWrite(oldPod, newPod);
  }

  /** Keys with per-pod bookkeeping still held (for leak checks in tests). */
  int trackedPods() {
    Set<String> keys = new HashSet<>(states.keySet());
    keys.addAll(pushed.keySet());
    keys.addAll(listed.keySet());
    keys.addAll(writer.trackedKeys());
    return keys.size();
  }

  /**
   * Syncs the key. Returns a delay after which the key must be looked at again (graceful deletion
   * in progress, a deadline, a quota wait), or null.
   */
  Duration sync(String key) throws Exception {
    if (cleaning.contains(key)) {
      return null; // the startup cleanup queues the key again once its delete is done
    }
    Pod cached = cache.get(key);
    if (cached == null) {
      syncGone(key);
      return null;
    }
    PodState st =
        states.compute(
            key,
            (k, old) ->
                old != null && !old.gone && Objects.equals(old.uid, cached.getMetadata().getUid())
                    ? old
                    : new PodState(cached.getMetadata().getUid()));
    writer.settle(cached);
    Pod api = writer.view(cached);
    if (api.getMetadata().getDeletionTimestamp() != null) {
      if (!st.deleteIssued) {
        // a push from before the provider delete says nothing about the pod after it; the push
        // the delete itself causes arrives later and is kept, which saves a status read
        pushed.remove(key);
      }
      return lifecycle.syncDeleting(key, api, st, () -> observe(key, api, st));
    }
    if (isTerminal(api) || st.providerFailed) {
      pushed.remove(key); // terminal phases are sticky and never re-run
      listed.remove(key);
      return null;
    }
    if (!adoptionDecided) {
      return null; // the startup adoption queues every pod once it has decided
    }
    Duration left = lifecycle.untilDeadline(api, st);
    if (left != null && (left.isNegative() || left.isZero())) {
      lifecycle.deadlineExceeded(key, api, st);
      return null;
    }
    Pod evicted = evictedInBackend(key, api);
    if (evicted != null) {
      lifecycle.evict(key, api, st, evicted);
      return null;
    }
    if (st.quotaFailures > 0) {
      long wait = st.quotaRetryAtNanos - nanos.getAsLong();
      if (wait > 0) {
        return Duration.ofNanos(wait); // polls must not shorten the quota backoff
      }
    }
    if (st.throttledUntilNanos != 0) {
      long wait = st.throttledUntilNanos - nanos.getAsLong();
      if (wait > 0) {
        return Duration.ofNanos(wait); // a poll or an event must not cut the retry-after short
      }
      st.throttledUntilNanos = 0;
    }
    try {
      if (syncSpec(key, api, st)) {
        syncStatus(key, api, st);
      }
    } catch (RetryException e) {
      if (e.minDelay().compareTo(Duration.ZERO) > 0) {
        st.throttledUntilNanos = nanos.getAsLong() + e.minDelay().toNanos();
      }
      throw e;
    }
    // the kubelet checks the deadline on a timer, not only when something else happens
    return lifecycle.untilDeadline(api, st);
  }

  /** The pushed pod when the backend is removing it while the API pod is not being deleted. */
  private Pod evictedInBackend(String key, Pod api) {
    if (!notifier) {
      return null;
    }
    Pod p = pushed.get(key);
    if (p == null || p.getMetadata().getDeletionTimestamp() == null || !sameUid(p, api)) {
      return null;
    }
    return p;
  }

  /**
   * The pod left the cache and its backend side is dealt with. The informer removes a pod from its
   * store before it delivers the deletion, so a sync queued for another reason can get here first;
   * the state then stays, marked gone, until the deletion is delivered, so that the delivery does
   * not run this path again with a provider read and delete.
   */
  private void syncGone(String key) throws Exception {
    PodState st =
        states.computeIfPresent(
            key,
            (k, s) -> {
              s.goneRunning = !s.gone;
              return s;
            });
    if (st != null && st.gone) {
      return; // the same deletion, queued again before the informer delivered it
    }
    pushed.remove(key);
    listed.remove(key);
    writer.forget(key);
    if (st == null || !st.deleteIssued) {
      try {
        Optional<Pod> backend = ops.getPod(key);
        if (backend.isPresent()) {
          log.info("Deleting pod {} from the provider: it no longer exists in the API", key);
          ops.delete(backend.get());
        }
      } catch (ProviderException e) {
        // released: a provider that keeps failing must not pin the pod's state; the retry reads
        // the backend again
        states.remove(key);
        throw ProviderOps.retry(key, "delete", e);
      }
    }
    states.computeIfPresent(key, (k, s) -> s.deletionDelivered ? null : PodState.goneMarker(s.uid));
  }

  /**
   * The informer delivered the pod's deletion; returns whether the key needs a sync for it. It does
   * not when the gone path ran or is running for this pod.
   */
  boolean deletionDelivered(Pod pod) {
    boolean[] sync = {true};
    states.computeIfPresent(
        key(pod),
        (k, s) -> {
          if (!Objects.equals(s.uid, pod.getMetadata().getUid())) {
            return s; // the state of a newer pod of that name
          }
          if (s.gone) {
            sync[0] = false;
            return null;
          }
          s.deletionDelivered = true;
          sync[0] = !s.goneRunning;
          return s;
        });
    return sync[0];
  }

  /**
   * Creates, replaces or updates the pod in the provider; false when the pod must not go further. A
   * backend pod of the same UID is updated only when its spec hash differs (absent = unchanged), so
   * nothing depends on the backend echoing the spec.
   */
  private boolean syncSpec(String key, Pod api, PodState st) throws Exception {
    String hash = st.specHash(api);
    if (hash.equals(st.syncedSpec)) {
      return true;
    }
    String op = "get";
    try {
      Optional<Pod> existing = ops.getPod(key);
      if (existing.isPresent() && !sameUid(existing.get(), api)) {
        log.info("Replacing pod {} in the provider: it belongs to an older pod of that name", key);
        op = "delete";
        ops.delete(existing.get());
        existing = Optional.empty();
      }
      if (existing.isPresent()) {
        Optional<String> theirs = PodIdentity.specHash(existing.get());
        if (theirs.isEmpty() || theirs.get().equals(hash)) {
          st.syncedSpec = hash;
          return true;
        }
      }
      op = "resolve env";
      Pod resolved = resolve(key, api, st, hash);
      if (existing.isEmpty()) {
        op = "create";
        ops.create(resolved);
        st.createdNanos = nanos.getAsLong();
        st.quotaFailures = 0;
        log.debug("Created pod {} in the provider", key);
      } else {
        op = "update";
        ops.update(resolved);
        log.debug("Updated pod {} in the provider", key);
      }
    } catch (ProviderException e) {
      if (e.code() == ErrorCode.INVALID_INPUT
          || (e.code() == ErrorCode.UNSUPPORTED && "create".equals(op))) {
        lifecycle.providerFailed(api, st, e.getMessage());
        st.syncedSpec = hash;
        return false;
      }
      if (e.code() == ErrorCode.UNSUPPORTED && "update".equals(op)) {
        events.warning(
            api, "ProviderUpdateFailed", "The provider cannot update this pod: " + e.getMessage());
        st.syncedSpec = hash;
        return true;
      }
      if (e.code() == ErrorCode.QUOTA_EXCEEDED && "create".equals(op)) {
        throw quotaExceeded(key, api, st, e);
      }
      throw ProviderOps.retry(key, op, e);
    }
    st.syncedSpec = hash;
    return true;
  }

  /** A copy of the pod with env resolved and the spec hash set, as the provider receives it. */
  private Pod resolve(String key, Pod api, PodState st, String hash) throws Exception {
    Pod resolved = new PodBuilder(api).build(); // deep, and much cheaper than through JSON
    List<EnvResolver.Warning> warnings;
    try {
      warnings = env.resolve(resolved);
    } catch (EnvResolver.ConfigException e) {
      st.configErrors =
          Map.of(
              e.container(),
              new ContainerStateWaiting(e.getMessage(), "CreateContainerConfigError"));
      events.container(api, e.container(), true, "Failed", "Error: " + e.getMessage());
      lifecycle.writeComputed(api, st, null, st.configErrors);
      throw new RetryException(
          "cannot build the environment of pod " + key + ": " + e.getMessage(), Duration.ZERO, e);
    }
    st.configErrors = Map.of();
    warnings.forEach(w -> events.warning(api, w.reason(), w.message()));
    Map<String, String> annotations =
        new LinkedHashMap<>(
            resolved.getMetadata().getAnnotations() == null
                ? Map.of()
                : resolved.getMetadata().getAnnotations());
    annotations.put(PodIdentity.SPEC_HASH, hash);
    resolved.getMetadata().setAnnotations(annotations);
    return resolved;
  }

  /**
   * The backend has no room for the pod now: it stays Pending with reason {@code
   * ProviderQuotaExceeded} on the pod and its containers, a Warning event is recorded at the first
   * refusal, and the create is retried with its own backoff (at least the provider's retryAfter)
   * that never leads to {@code FailedSync}.
   */
  private RetryException quotaExceeded(String key, Pod api, PodState st, ProviderException e)
      throws RetryException {
    st.quotaFailures++;
    String message = e.getMessage();
    if (st.quotaFailures == 1) {
      log.info("Provider has no capacity for pod {}: {}", key, message);
      events.warning(api, QUOTA_EXCEEDED, message);
    }
    Map<String, ContainerStateWaiting> waiting = new HashMap<>();
    List<Container> all = new ArrayList<>(list(api.getSpec().getInitContainers()));
    all.addAll(list(api.getSpec().getContainers()));
    for (Container c : all) {
      waiting.put(c.getName(), new ContainerStateWaiting(message, QUOTA_EXCEEDED));
    }
    PodStatus pending = new PodStatus();
    pending.setPhase(KubeletStatus.PENDING);
    pending.setReason(QUOTA_EXCEEDED);
    pending.setMessage(message);
    lifecycle.writeComputed(api, st, pending, waiting);
    Duration delay = quotaBackoff(st.quotaFailures);
    Duration asked = e.retryAfter().orElse(Duration.ZERO);
    if (asked.compareTo(delay) > 0) {
      delay = asked;
    }
    st.quotaRetryAtNanos = nanos.getAsLong() + delay.toNanos();
    return new RetryException(
        "provider has no capacity for pod " + key + " (QUOTA_EXCEEDED): " + message,
        delay,
        false,
        e);
  }

  /** 1 s after the first refusal, doubling up to 5 minutes. */
  static Duration quotaBackoff(int failures) {
    int shift = Math.min(Math.max(failures - 1, 0), 20);
    Duration d = QUOTA_BACKOFF.multipliedBy(1L << shift);
    return d.compareTo(QUOTA_BACKOFF_MAX) > 0 ? QUOTA_BACKOFF_MAX : d;
  }

  private void syncStatus(String key, Pod api, PodState st) throws Exception {
    Observed observed = observe(key, api, st);
    if (!observed.known()) {
      return; // nothing fresh: the next list or read will tell
    }
    PodStatus reported = observed.status();
    if (reported == null) {
      if (lifecycle.isLost(api, st)) {
        lifecycle.lost(api, st);
        return;
      }
      lifecycle.writeComputed(api, st, null, st.configErrors);
      return;
    }
    lifecycle.recordTransitions(api, st, reported);
    PodStatus status =
        KubeletStatus.compute(api, reported, hostIp.get(), lifecycle.now(), Map.of());
    if (KubeletStatus.RUNNING.equals(status.getPhase())) {
      st.seenRunning = true; // remembered even while the informer cache lags behind our writes
    }
    lifecycle.write(api, st, status);
  }

  /**
   * The backend's status of the pod: the last push; with batched status the last list, read
   * directly only for pods in transition (or not in a list yet) within the read budget; else one
   * read.
   */
  private Observed observe(String key, Pod api, PodState st) throws RetryException {
    if (notifier) {
      Pod p = pushed.get(key);
      if (p != null
          && p.getStatus() != null
          && (p.getMetadata().getUid() == null || sameUid(p, api))) {
        if (p.getMetadata().getDeletionTimestamp() != null
            && api.getMetadata().getDeletionTimestamp() == null) {
          // an eviction pushed during this sync: its status is written by the eviction, which the
          // re-run the push queued takes; written here, it would make the pod terminal first
          return Observed.UNKNOWN;
        }
        // used once: a later sync without a new push reads the provider, and a steady pod holds
        // no copy of its status here
        pushed.remove(key, p);
        st.observedNanos = nanos.getAsLong();
        return Observed.of(p.getStatus());
      }
    }
    if (!batched) {
      Observed read = read(key);
      st.observedNanos = nanos.getAsLong();
      return read;
    }
    Listed entry = listed.get(key);
    // a list that started before the create finished may not show the pod yet
    boolean fresh =
        entry != null && (st.createdNanos == 0 || entry.listStartedNanos() - st.createdNanos > 0);
    if ((!fresh || PodLifecycle.inTransition(api)) && budget.tryAcquire(nanos.getAsLong())) {
      return read(key);
    }
    if (!fresh) {
      return Observed.UNKNOWN;
    }
    return Observed.of(entry.status());
  }

  private Observed read(String key) throws RetryException {
    try {
      return Observed.of(ops.getPodStatus(key).orElse(null));
    } catch (ProviderException e) {
      throw ProviderOps.retry(key, "get status", e);
    }
  }

  private static boolean sameUid(Pod a, Pod b) {
    String ua = a.getMetadata() == null ? null : a.getMetadata().getUid();
    String ub = b.getMetadata() == null ? null : b.getMetadata().getUid();
    return ua == null || ub == null || ua.equals(ub);
  }
}
