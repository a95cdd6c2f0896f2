package dev.vkj.core.pod;

import static dev.vkj.core.pod.KubeletStatus.isTerminal;
import static dev.vkj.core.pod.KubeletStatus.list;
import static java.util.Objects.requireNonNull;

import dev.vkj.spi.ErrorCode;
import dev.vkj.spi.EventRecorder;
import dev.vkj.spi.Provider;
import dev.vkj.spi.ProviderException;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reconciles one pod key: provider side first, then the API status. */
final class PodSyncer {
  private static final Logger log = LoggerFactory.getLogger(PodSyncer.class);
  static final Duration LOST_AFTER = Duration.ofMinutes(1);
  static final String PROVIDER_FAILED = "ProviderFailed";
  static final String PROVIDER_LOST = "ProviderLost";
  static final String LOST_MESSAGE =
      "The pod no longer exists in the provider's backend; it was lost or removed outside Kubernetes";
  static final String DEADLINE_EXCEEDED = "DeadlineExceeded";
  static final String DEADLINE_MESSAGE =
      "Pod was active on the node longer than the specified deadline";
  static final String EVICTED = "Evicted";
  static final String EVICTED_MESSAGE = "The pod was evicted by the provider's backend";

  /** The API server's default when a pod sets no terminationGracePeriodSeconds. */
  static final long DEFAULT_GRACE_SECONDS = 30;

  /** Asks the worker to retry no sooner than the given delay. */
  static final class RetryException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient Duration minDelay;

    RetryException(String message, Duration minDelay, Throwable cause) {
      super(message, cause);
      this.minDelay = minDelay;
    }

    Duration minDelay() {
      return minDelay;
    }
  }

  /** What the controller remembers about a pod between syncs. */
  static final class PodState {
    final String uid;
    String syncedSpec;
    boolean adopted;
    boolean providerFailed;
    boolean seenRunning;
    boolean deleteIssued;
    boolean killingSent;
    boolean evictionSent;
    Instant startTime;
    Map<String, ContainerStateWaiting> configErrors = Map.of();
    final Map<String, Seen> containers = new HashMap<>();
    String writtenJson;
    String writtenAgainstVersion;
    PodStatus written;
    String rejected;
    String rejectedAgainstVersion;

    PodState(String uid) {
      this.uid = uid;
    }

    /**
     * The cached pod, or a copy carrying the status last written when the informer has not
     * delivered that write yet: computing against the stale status would write again and move
     * condition transition times.
     */
    Pod view(Pod cached) {
      if (written == null
          || !Objects.equals(writtenAgainstVersion, cached.getMetadata().getResourceVersion())) {
        return cached;
      }
      Pod view = new Pod();
      view.setApiVersion(cached.getApiVersion());
      view.setKind(cached.getKind());
      view.setMetadata(cached.getMetadata());
      view.setSpec(cached.getSpec());
      view.setStatus(written);
      return view;
    }
  }

  record Seen(String kind, String reason, int restartCount, String containerId) {}

  private final KubernetesClient client;
  private final Provider provider;
  private final EventRecorder events;
  private final EnvResolver env;
  private final Function<String, Pod> cache;
  private final String nodeName;
  private final Clock clock;
  private final Supplier<String> hostIp;
  private final Duration recheck;
  private final MeterRegistry meters;
  private final boolean notifier;
  private final ConcurrentHashMap<String, PodState> states = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Pod> pushed = new ConcurrentHashMap<>();

  PodSyncer(
      KubernetesClient client,
      Provider provider,
      EventRecorder events,
      EnvResolver env,
      Function<String, Pod> cache,
      PodControllerConfig config,
      boolean notifier) {
    this.client = requireNonNull(client, "client is null");
    this.provider = requireNonNull(provider, "provider is null");
    this.events = requireNonNull(events, "events is null");
    this.env = requireNonNull(env, "env is null");
    this.cache = requireNonNull(cache, "cache is null");
    this.nodeName = config.nodeName();
    this.clock = config.clock();
    this.hostIp = config.hostIp();
    this.meters = config.meterRegistry();
    Duration poll = config.statusPollInterval();
    this.recheck = poll.compareTo(Duration.ofSeconds(1)) < 0 ? poll : Duration.ofSeconds(1);
    this.notifier = notifier;
  }

  static String key(Pod pod) {
    return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
  }

  /** Remembers a pushed status; returns whether the pod is known and the key should be synced. */
  boolean pushed(Pod pod) {
    if (pod == null || pod.getMetadata() == null || pod.getMetadata().getName() == null) {
      return false;
    }
    String key = key(pod);
    Pod api = cache.apply(key);
    if (api == null) {
      return false; // unknown or gone: nothing to remember
    }
    if (isTerminal(api) && api.getMetadata().getDeletionTimestamp() == null) {
      return false; // terminal phases are sticky: the push would never be read
    }
    pushed.put(key, pod);
    return true;
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
   * Marks a backend pod found at startup as adopted: no create, status synced, no replayed events.
   */
  void adopt(Pod api) {
    PodState st = new PodState(api.getMetadata().getUid());
    st.adopted = true;
    states.put(key(api), st);
  }

  int trackedPods() {
    return states.size() + pushed.size();
  }

  /**
   * Syncs the key. Returns a delay after which the key must be looked at again (graceful deletion
   * in progress), or null.
   */
  Duration sync(String key) throws Exception {
    Pod cached = cache.apply(key);
    if (cached == null || !nodeName.equals(cached.getSpec().getNodeName())) {
      syncGone(key);
      return null;
    }
    PodState st =
        states.compute(
            key,
            (k, old) ->
                old != null && Objects.equals(old.uid, cached.getMetadata().getUid())
                    ? old
                    : new PodState(cached.getMetadata().getUid()));
    Pod api = st.view(cached);
    if (api.getMetadata().getDeletionTimestamp() != null) {
      return syncDeleting(key, api, st);
    }
    if (isTerminal(api) || st.providerFailed) {
      pushed.remove(key); // terminal phases are sticky and never re-run
      return null;
    }
    Duration left = untilDeadline(api, startTime(api, st), now());
    if (left != null && (left.isNegative() || left.isZero())) {
      deadlineExceeded(key, api, st);
      return null;
    }
    Pod evicted = evictedInBackend(key, api);
    if (evicted != null) {
      evict(key, api, st, evicted);
      return null;
    }
    if (syncSpec(key, api, st)) {
      syncStatus(key, api, st);
    }
    // the kubelet checks the deadline on a timer, not only when something else happens
    return untilDeadline(api, startTime(api, st), now());
  }

  /**
   * How long the pod may still run under {@code spec.activeDeadlineSeconds}: null without a
   * deadline or start time, zero or negative once it has passed.
   */
  static Duration untilDeadline(Pod api, Instant start, Instant now) {
    Long seconds = api.getSpec() == null ? null : api.getSpec().getActiveDeadlineSeconds();
    if (seconds == null || start == null) {
      return null;
    }
    return Duration.between(now, start.plusSeconds(seconds));
  }

  /** The API pod's startTime, or the one this controller computed before the cache caught up. */
  private static Instant startTime(Pod api, PodState st) {
    if (api.getStatus() != null) {
      Optional<Instant> start = KubeletStatus.parse(api.getStatus().getStartTime());
      if (start.isPresent()) {
        return start.get();
      }
    }
    return st.startTime;
  }

  /**
   * Stops the pod in the provider and marks it Failed with reason {@code DeadlineExceeded}, as the
   * kubelet's active deadline handler does. The API pod stays.
   */
  private void deadlineExceeded(String key, Pod api, PodState st) throws Exception {
    log.info(
        "Pod {} was active longer than its deadline of {} s; stopping it",
        key,
        api.getSpec().getActiveDeadlineSeconds());
    try {
      call(
          () -> {
            provider.deletePod(api);
            return null;
          });
    } catch (ProviderException e) {
      if (e.code() != ErrorCode.NOT_FOUND) {
        throw retry(key, "delete", e);
      }
    }
    String[] nn = key.split("/", 2);
    PodStatus reported;
    try {
      reported = call(() -> provider.getPodStatus(nn[0], nn[1])).orElse(null);
    } catch (ProviderException e) {
      if (e.code() != ErrorCode.NOT_FOUND) {
        throw retry(key, "get status", e);
      }
      reported = null;
    }
    PodStatus base =
        reported != null
            ? Serialization.clone(reported)
            : api.getStatus() == null ? new PodStatus() : Serialization.clone(api.getStatus());
    Instant now = now();
    base.setContainerStatuses(
        KubeletStatus.containerStatuses(
                api.getSpec().getContainers(), base.getContainerStatuses(), false, false, Map.of())
            .stream()
            .map(s -> KubeletStatus.terminateUnknown(s, now))
            .toList());
    base.setPhase(KubeletStatus.FAILED);
    base.setReason(DEADLINE_EXCEEDED);
    base.setMessage(DEADLINE_MESSAGE);
    base.setConditions(null);
    writeStatus(api, st, KubeletStatus.compute(api, base, hostIp.get(), now, Map.of()));
    events.normal(api, DEADLINE_EXCEEDED, DEADLINE_MESSAGE);
    st.providerFailed = true; // terminal once written: never synced again
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
   * The backend evicted the pod: write its last status, then delete the API pod with the provider's
   * grace period and a UID precondition so that its owner can replace it.
   */
  private void evict(String key, Pod api, PodState st, Pod backend) throws Exception {
    if (st.evictionSent) {
      return; // the deletionTimestamp is on its way through the informer
    }
    PodStatus reported = backend.getStatus();
    if (reported != null) {
      recordTransitions(api, st, reported);
      writeStatus(api, st, KubeletStatus.compute(api, reported, hostIp.get(), now(), Map.of()));
    }
    Long grace = backend.getMetadata().getDeletionGracePeriodSeconds();
    if (grace == null) {
      grace = api.getSpec().getTerminationGracePeriodSeconds();
    }
    long seconds = grace == null ? DEFAULT_GRACE_SECONDS : Math.max(0, grace);
    log.info("Pod {} is being removed by the provider's backend; deleting it from the API", key);
    deleteFromApi(api, seconds);
    st.evictionSent = true;
    String message =
        reported != null && !KubeletStatus.isBlank(reported.getMessage())
            ? reported.getMessage()
            : EVICTED_MESSAGE;
    events.warning(api, EVICTED, message);
  }

  private void syncGone(String key) throws Exception {
    // released first: a provider that keeps failing must not pin the pod's state forever
    states.remove(key);
    pushed.remove(key);
    String[] nn = key.split("/", 2);
    Optional<Pod> backend = call(() -> provider.getPod(nn[0], nn[1]));
    if (backend.isPresent()) {
      log.info("Deleting pod {} from the provider: it no longer exists in the API", key);
      try {
        call(
            () -> {
              provider.deletePod(backend.get());
              return null;
            });
      } catch (ProviderException e) {
        if (e.code() != ErrorCode.NOT_FOUND) {
          throw retry(key, "delete", e);
        }
      }
    }
  }

  /** Creates or updates the pod in the provider; false when the pod must not go further. */
  private boolean syncSpec(String key, Pod api, PodState st) throws Exception {
    String hash = specHash(api);
    if (hash.equals(st.syncedSpec)) {
      return true;
    }
    Pod resolved = Serialization.clone(api);
    List<EnvResolver.Warning> warnings;
    try {
      warnings = env.resolve(resolved);
    } catch (EnvResolver.ConfigException e) {
      st.configErrors =
          Map.of(
              e.container(),
              new ContainerStateWaiting(e.getMessage(), "CreateContainerConfigError"));
      events.container(api, e.container(), true, "Failed", "Error: " + e.getMessage());
      writeStatus(api, st, KubeletStatus.compute(api, null, hostIp.get(), now(), st.configErrors));
      throw new RetryException(
          "cannot build the environment of pod " + key + ": " + e.getMessage(), Duration.ZERO, e);
    } catch (ProviderException e) {
      throw retry(key, "resolve env", e);
    }
    st.configErrors = Map.of();
    warnings.forEach(w -> events.warning(api, w.reason(), w.message()));

    String[] nn = key.split("/", 2);
    String op = "create";
    try {
      Optional<Pod> existing = call(() -> provider.getPod(nn[0], nn[1]));
      if (existing.isPresent() && !sameUid(existing.get(), api)) {
        log.info("Replacing pod {} in the provider: it belongs to an older pod of that name", key);
        op = "delete";
        Pod old = existing.get();
        try {
          call(
              () -> {
                provider.deletePod(old);
                return null;
              });
        } catch (ProviderException e) {
          if (e.code() != ErrorCode.NOT_FOUND) {
            throw e;
          }
        }
        existing = Optional.empty();
      }
      if (existing.isEmpty()) {
        op = "create";
        call(
            () -> {
              provider.createPod(resolved);
              return null;
            });
        log.debug("Created pod {} in the provider", key);
      } else if (!sameSpec(existing.get(), resolved)) {
        op = "update";
        call(
            () -> {
              provider.updatePod(resolved);
              return null;
            });
        log.debug("Updated pod {} in the provider", key);
      }
    } catch (ProviderException e) {
      if (e.code() == ErrorCode.INVALID_INPUT
          || (e.code() == ErrorCode.UNSUPPORTED && "create".equals(op))) {
        providerFailed(api, st, e.getMessage());
        st.syncedSpec = hash;
        return false;
      }
      if (e.code() == ErrorCode.UNSUPPORTED) {
        events.warning(
            api, "ProviderUpdateFailed", "The provider cannot update this pod: " + e.getMessage());
        st.syncedSpec = hash;
        return true;
      }
      throw retry(key, op, e);
    }
    st.syncedSpec = hash;
    return true;
  }

  private void providerFailed(Pod api, PodState st, String message) throws Exception {
    log.warn("Provider rejected pod {}: {}", key(api), message);
    events.warning(api, PROVIDER_FAILED, message);
    PodStatus failed = new PodStatus();
    failed.setPhase(KubeletStatus.FAILED);
    failed.setReason(PROVIDER_FAILED);
    failed.setMessage(message);
    writeStatus(api, st, KubeletStatus.compute(api, failed, hostIp.get(), now(), Map.of()));
    st.providerFailed = true; // terminal once written: never synced again
  }

  private void syncStatus(String key, Pod api, PodState st) throws Exception {
    PodStatus reported = reportedStatus(key, api);
    if (reported == null) {
      if (isLost(api, st)) {
        lost(api, st);
        return;
      }
      writeStatus(api, st, KubeletStatus.compute(api, null, hostIp.get(), now(), st.configErrors));
      return;
    }
    recordTransitions(api, st, reported);
    PodStatus status = KubeletStatus.compute(api, reported, hostIp.get(), now(), Map.of());
    if (KubeletStatus.RUNNING.equals(status.getPhase())) {
      st.seenRunning = true; // remembered even while the informer cache lags behind our writes
    }
    writeStatus(api, st, status);
  }

  private boolean isLost(Pod api, PodState st) {
    if (st.syncedSpec == null || !st.configErrors.isEmpty()) {
      return false;
    }
    if (st.seenRunning
        || (api.getStatus() != null && KubeletStatus.RUNNING.equals(api.getStatus().getPhase()))) {
      return true;
    }
    Optional<Instant> created = KubeletStatus.parse(api.getMetadata().getCreationTimestamp());
    return created.isPresent() && Duration.between(created.get(), now()).compareTo(LOST_AFTER) > 0;
  }

  private void lost(Pod api, PodState st) throws Exception {
    log.warn("Pod {} is no longer known to the provider; marking it Failed", key(api));
    Instant now = now();
    PodStatus current = api.getStatus() == null ? new PodStatus() : api.getStatus();
    PodStatus lost = new PodStatus();
    lost.setPhase(KubeletStatus.FAILED);
    lost.setReason(PROVIDER_LOST);
    lost.setMessage(LOST_MESSAGE);
    lost.setPodIP(current.getPodIP());
    lost.setPodIPs(current.getPodIPs());
    List<ContainerStatus> regular =
        KubeletStatus.containerStatuses(
            api.getSpec().getContainers(), current.getContainerStatuses(), false, false, Map.of());
    lost.setContainerStatuses(
        regular.stream().map(s -> KubeletStatus.terminateUnknown(s, now)).toList());
    lost.setInitContainerStatuses(current.getInitContainerStatuses());
    writeStatus(api, st, KubeletStatus.compute(api, lost, hostIp.get(), now, Map.of()));
    events.warning(api, PROVIDER_LOST, LOST_MESSAGE);
    st.providerFailed = true; // terminal once written: never synced again
  }

  private Duration syncDeleting(String key, Pod api, PodState st) throws Exception {
    if (!st.killingSent) {
      st.killingSent = true;
      if (api.getStatus() != null) {
        for (ContainerStatus s : list(api.getStatus().getContainerStatuses())) {
          if (s.getState() != null && s.getState().getRunning() != null) {
            events.container(
                api, s.getName(), false, "Killing", "Stopping container " + s.getName());
          }
        }
      }
    }
    if (!st.deleteIssued) {
      try {
        call(
            () -> {
              provider.deletePod(api);
              return null;
            });
      } catch (ProviderException e) {
        if (e.code() != ErrorCode.NOT_FOUND) {
          // never remove the API pod while the backend may still run it
          throw retry(key, "delete", e);
        }
      }
      st.deleteIssued = true;
    }
    PodStatus reported;
    String[] nn = key.split("/", 2);
    try {
      reported = call(() -> provider.getPodStatus(nn[0], nn[1])).orElse(null);
    } catch (ProviderException e) {
      if (e.code() != ErrorCode.NOT_FOUND) {
        throw retry(key, "get status", e);
      }
      reported = null;
    }
    Instant now = now();
    Instant deadline =
        KubeletStatus.parse(api.getMetadata().getDeletionTimestamp()).orElse(Instant.MIN);
    boolean done =
        reported == null || allTerminated(api.getSpec(), reported) || !now.isBefore(deadline);
    if (!done) {
      recordTransitions(api, st, reported);
      if (!isTerminal(api)) {
        writeStatus(api, st, KubeletStatus.compute(api, reported, hostIp.get(), now, Map.of()));
      }
      return recheck;
    }
    if (!isTerminal(api)) {
      PodStatus base =
          reported != null
              ? Serialization.clone(reported)
              : api.getStatus() == null ? new PodStatus() : Serialization.clone(api.getStatus());
      List<ContainerStatus> regular =
          KubeletStatus.containerStatuses(
                  api.getSpec().getContainers(),
                  base.getContainerStatuses(),
                  false,
                  false,
                  Map.of())
              .stream()
              .map(s -> KubeletStatus.terminateUnknown(s, now))
              .toList();
      base.setContainerStatuses(regular);
      boolean allZero =
          regular.stream()
              .allMatch(
                  s -> {
                    Integer code = s.getState().getTerminated().getExitCode();
                    return code == null || code == 0;
                  });
      base.setPhase(allZero ? KubeletStatus.SUCCEEDED : KubeletStatus.FAILED);
      base.setConditions(null);
      writeStatus(api, st, KubeletStatus.compute(api, base, hostIp.get(), now, Map.of()));
    }
    finalDelete(api);
    return null;
  }

  /** DELETE with grace 0 and a UID precondition, as the kubelet does once containers stopped. */
  private void finalDelete(Pod api) throws Exception {
    deleteFromApi(api, 0);
  }

  /** DELETE of the API pod with a grace period and a UID precondition. */
  private void deleteFromApi(Pod api, long graceSeconds) throws Exception {
    String body =
        "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"gracePeriodSeconds\":"
            + graceSeconds
            + ",\"preconditions\":{\"uid\":\""
            + api.getMetadata().getUid()
            + "\"}}";
    String base = client.getMasterUrl().toString();
    if (!base.endsWith("/")) {
      base += "/";
    }
    String url =
        base
            + "api/v1/namespaces/"
            + api.getMetadata().getNamespace()
            + "/pods/"
            + api.getMetadata().getName();
    HttpClient http = client.getHttpClient();
    HttpRequest request =
        http.newHttpRequestBuilder().uri(url).delete("application/json", body).build();
    HttpResponse<String> response;
    try {
      response = http.sendAsync(request, String.class).get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new RetryException("delete of pod " + key(api) + " failed", Duration.ZERO, e);
    }
    int code = response.code();
    if (code == 404 || code == 409 || response.isSuccessful()) {
      log.info(
          "Pod {} deleted from the API with grace {} s (HTTP {})", key(api), graceSeconds, code);
      return;
    }
    throw new RetryException(
        "delete of pod " + key(api) + " failed: HTTP " + code, Duration.ZERO, null);
  }

  private PodStatus reportedStatus(String key, Pod api) throws Exception {
    if (notifier) {
      Pod p = pushed.get(key);
      if (p != null
          && p.getStatus() != null
          && (p.getMetadata().getUid() == null || sameUid(p, api))) {
        return p.getStatus();
      }
    }
    String[] nn = key.split("/", 2);
    try {
      return call(() -> provider.getPodStatus(nn[0], nn[1])).orElse(null);
    } catch (ProviderException e) {
      if (e.code() == ErrorCode.NOT_FOUND) {
        return null;
      }
      throw retry(key, "get status", e);
    }
  }

  /** Created/Started/BackOff events for container transitions the provider reported. */
  private void recordTransitions(Pod api, PodState st, PodStatus reported) {
    List<ContainerStatus> all = new ArrayList<>(list(reported.getInitContainerStatuses()));
    all.addAll(list(reported.getContainerStatuses()));
    boolean silent = st.adopted;
    st.adopted = false;
    for (ContainerStatus s : all) {
      if (s == null || s.getName() == null) {
        continue;
      }
      ContainerState state = s.getState();
      String kind =
          state == null
              ? "unknown"
              : state.getRunning() != null
                  ? "running"
                  : state.getTerminated() != null
                      ? "terminated"
                      : state.getWaiting() != null ? "waiting" : "unknown";
      String reason =
          "waiting".equals(kind) ? String.valueOf(state.getWaiting().getReason()) : null;
      int restarts = s.getRestartCount() == null ? 0 : s.getRestartCount();
      Seen now = new Seen(kind, reason, restarts, s.getContainerID());
      Seen prev = st.containers.put(s.getName(), now);
      if (silent) {
        continue;
      }
      boolean started = "running".equals(kind) || "terminated".equals(kind);
      boolean newInstance =
          started
              && (prev == null
                  || !("running".equals(prev.kind()) || "terminated".equals(prev.kind()))
                  || prev.restartCount() != restarts
                  || (s.getContainerID() != null
                      && !Objects.equals(prev.containerId(), s.getContainerID())));
      if (newInstance) {
        events.container(api, s.getName(), false, "Created", "Created container " + s.getName());
        events.container(api, s.getName(), false, "Started", "Started container " + s.getName());
      }
      if ("CrashLoopBackOff".equals(reason)
          && (prev == null || !"CrashLoopBackOff".equals(prev.reason()))) {
        events.container(api, s.getName(), true, "BackOff", "Back-off restarting failed container");
      }
    }
  }

  /** Writes the status when it differs, as a JSON patch guarded by the pod's UID. */
  private void writeStatus(Pod api, PodState st, PodStatus status) throws Exception {
    if (st.startTime == null) {
      st.startTime = KubeletStatus.parse(status.getStartTime()).orElse(null);
    }
    if (!KubeletStatus.differs(api.getStatus(), status)) {
      return;
    }
    String json = Serialization.asJson(status);
    String version = api.getMetadata().getResourceVersion();
    if (json.equals(st.writtenJson) && Objects.equals(version, st.writtenAgainstVersion)) {
      return; // already written; the cache has not caught up yet
    }
    if (st.rejected != null
        && Objects.equals(version, st.rejectedAgainstVersion)
        && st.rejected.equals(withoutTransitionTimes(status))) {
      return; // refused before; only new transition times would differ
    }
    String ops =
        "[{\"op\":\"test\",\"path\":\"/metadata/uid\",\"value\":"
            + Serialization.asJson(api.getMetadata().getUid())
            + "},{\"op\":\"add\",\"path\":\"/status\",\"value\":"
            + json
            + "}]";
    try {
      client
          .pods()
          .inNamespace(api.getMetadata().getNamespace())
          .resource(api)
          .subresource("status")
          .patch(PatchContext.of(PatchType.JSON), ops);
      st.writtenJson = json;
      st.writtenAgainstVersion = version;
      st.written = status;
      st.rejected = null;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404 || e.getCode() == 409) {
        log.debug("Status of pod {} not written: HTTP {}", key(api), e.getCode());
        return; // gone
      }
      if (e.getCode() == 422) {
        Pod now = cache.apply(key(api));
        if (now == null
            || !Objects.equals(now.getMetadata().getUid(), api.getMetadata().getUid())) {
          return; // recreated under the same name: the UID test refused the write
        }
        // the API server refused the status itself; retrying the same status cannot help
        log.warn("Status of pod {} was rejected by the API server: {}", key(api), e.getMessage());
        st.rejected = withoutTransitionTimes(status);
        st.rejectedAgainstVersion = version;
        return;
      }
      throw new RetryException(
          "status write of pod " + key(api) + " failed: HTTP " + e.getCode(), Duration.ZERO, e);
    }
  }

  /** The status as JSON with condition transition times left out (they move with the clock). */
  static String withoutTransitionTimes(PodStatus status) {
    PodStatus copy = Serialization.clone(status);
    for (PodCondition c : list(copy.getConditions())) {
      c.setLastTransitionTime(null);
    }
    return Serialization.asJson(copy);
  }

  private RetryException retry(String key, String op, ProviderException e) {
    Duration min =
        e.code() == ErrorCode.THROTTLED
            ? e.retryAfter().orElse(Duration.ofSeconds(1))
            : Duration.ZERO;
    return new RetryException(
        "provider " + op + " of pod " + key + " failed (" + e.code() + "): " + e.getMessage(),
        min,
        e);
  }

  @FunctionalInterface
  private interface ProviderCall<T> {
    T run() throws ProviderException;
  }

  private <T> T call(ProviderCall<T> c) throws ProviderException {
    try {
      return c.run();
    } catch (ProviderException e) {
      Counter.builder("vkj.pod.provider.errors")
          .description("Failed provider calls of the pod controller")
          .tag("code", e.code().name())
          .register(meters)
          .increment();
      throw e;
    } catch (RuntimeException e) {
      Counter.builder("vkj.pod.provider.errors")
          .description("Failed provider calls of the pod controller")
          .tag("code", ErrorCode.INTERNAL.name())
          .register(meters)
          .increment();
      throw new ProviderException(ErrorCode.INTERNAL, "provider failed: " + e, e);
    }
  }

  private Instant now() {
    return clock.instant();
  }

  private static boolean sameUid(Pod a, Pod b) {
    String ua = a.getMetadata() == null ? null : a.getMetadata().getUid();
    String ub = b.getMetadata() == null ? null : b.getMetadata().getUid();
    return ua == null || ub == null || ua.equals(ub);
  }

  private static boolean allTerminated(PodSpec spec, PodStatus reported) {
    Map<String, ContainerStatus> byName = new HashMap<>();
    list(reported.getContainerStatuses()).forEach(s -> byName.put(s.getName(), s));
    for (Container c : list(spec.getContainers())) {
      ContainerStatus s = byName.get(c.getName());
      if (s == null || s.getState() == null || s.getState().getTerminated() == null) {
        return false;
      }
    }
    return true;
  }

  /** Spec, labels and annotations, with env sorted by name: what the provider must match. */
  static String specView(Pod pod) {
    PodSpec spec = pod.getSpec() == null ? new PodSpec() : Serialization.clone(pod.getSpec());
    for (List<Container> l :
        java.util.Arrays.asList(spec.getInitContainers(), spec.getContainers())) {
      for (Container c : list(l)) {
        if (c.getEnv() != null) {
          List<io.fabric8.kubernetes.api.model.EnvVar> sorted = new ArrayList<>(c.getEnv());
          sorted.sort(EnvResolver.byName());
          c.setEnv(sorted);
        }
      }
    }
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("spec", spec);
    view.put("labels", new TreeMap<>(nonNull(pod.getMetadata().getLabels())));
    view.put("annotations", new TreeMap<>(nonNull(pod.getMetadata().getAnnotations())));
    return Serialization.asJson(view);
  }

  static boolean sameSpec(Pod a, Pod b) {
    return specView(a).equals(specView(b));
  }

  static String specHash(Pod pod) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(specView(pod).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  private static Map<String, String> nonNull(Map<String, String> m) {
    return m == null ? Map.of() : m;
  }
}
