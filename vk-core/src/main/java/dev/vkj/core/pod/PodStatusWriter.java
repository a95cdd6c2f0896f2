package dev.vkj.core.pod;

import static dev.vkj.core.pod.KubeletStatus.list;
import static java.util.Objects.requireNonNull;

import dev.vkj.core.KubeClients;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes pod status and deletes API pods the way the kubelet does: status as one JSON patch that
 * first tests {@code metadata.uid}, deletes with a UID precondition. Remembers per pod what it
 * wrote and what the API server rejected, so that neither is sent again while the informer cache
 * lags behind.
 */
final class PodStatusWriter {
  private static final Logger log = LoggerFactory.getLogger(PodStatusWriter.class);

  private final KubernetesClient client;
  private final PodCache cache;
  private final ConcurrentHashMap<String, Memory> memory = new ConcurrentHashMap<>();
  private final WriteRate writes = new WriteRate(System.nanoTime());

  PodStatusWriter(KubernetesClient client, PodCache cache) {
    this.client = requireNonNull(client, "client is null");
    this.cache = requireNonNull(cache, "cache is null");
  }

  /**
   * What was written to and refused for one pod (by UID). The worker that holds the pod's key
   * changes it; the informer thread only releases an echoed write, so the written fields change
   * under the memory's lock.
   */
  static final class Memory {
    final String uid;
    String writtenAgainstVersion;

    /** The pod's resourceVersion the API server gave the last write; null when unknown. */
    String writtenAsVersion;

    PodStatus written;
    String rejected;
    String rejectedAgainstVersion;

    Memory(String uid) {
      this.uid = uid;
    }

    /** Whether {@code status} was written against {@code againstVersion} and is still held. */
    synchronized boolean alreadyWritten(String againstVersion, PodStatus status) {
      return written != null
          && Objects.equals(againstVersion, writtenAgainstVersion)
          && written.equals(status);
    }

    /** Records a write the API server accepted. */
    synchronized void wrote(String againstVersion, String asVersion, PodStatus status) {
      writtenAgainstVersion = againstVersion;
      writtenAsVersion = asVersion;
      written = status;
    }

    synchronized String lastWriteVersion() {
      return writtenAsVersion;
    }

    /** Releases the written status once the cache holds a newer version of the pod. */
    synchronized void settle(Pod cached) {
      if (written != null
          && Objects.equals(uid, cached.getMetadata().getUid())
          && !Objects.equals(writtenAgainstVersion, cached.getMetadata().getResourceVersion())) {
        release();
      }
    }

    /**
     * Releases the written status if the last write is still the one that produced {@code version};
     * a write made meanwhile keeps its status.
     */
    synchronized void releaseIfWrittenAs(String version) {
      if (version.equals(writtenAsVersion)) {
        release();
      }
    }

    private void release() {
      written = null;
      writtenAgainstVersion = null;
    }

    /**
     * The cached pod, or a copy carrying the status last written when the informer has not
     * delivered that write yet: computing against the stale status would write again and move
     * condition transition times.
     */
    synchronized Pod view(Pod cached) {
      if (written == null
          || !Objects.equals(uid, cached.getMetadata().getUid())
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

  /** The cached pod as it is after this controller's last write. */
  Pod view(Pod cached) {
    Memory m = memory.get(PodCache.key(cached));
    return m == null ? cached : m.view(cached);
  }

  /**
   * Lets go of the last written status once the informer has delivered a newer version of the pod
   * than the one it was written against: from then on the cache holds it (a status per pod fewer in
   * memory). Called by the worker that holds the key.
   */
  void settle(Pod cached) {
    Memory m = memory.get(PodCache.key(cached));
    if (m != null) {
      m.settle(cached);
    }
  }

  /** Status writes and deletes sent over the last second. */
  double writesPerSecond() {
    return writes.perSecond(System.nanoTime());
  }

  /** Drops the memory of the key (the pod is gone or replaced). */
  void forget(String key) {
    memory.remove(key);
  }

  java.util.Set<String> trackedKeys() {
    return java.util.Set.copyOf(memory.keySet());
  }

  /** Writes the status when it differs from the API's, as a JSON patch guarded by the UID. */
  void write(Pod api, PodStatus status) throws RetryException {
    if (!KubeletStatus.differs(api.getStatus(), status)) {
      return;
    }
    String key = PodCache.key(api);
    String uid = api.getMetadata().getUid();
    Memory m =
        memory.compute(
            key, (k, old) -> old != null && Objects.equals(old.uid, uid) ? old : new Memory(uid));
    String version = api.getMetadata().getResourceVersion();
    if (m.alreadyWritten(version, status)) {
      return; // already written; the cache has not caught up yet
    }
    if (m.rejected != null
        && Objects.equals(version, m.rejectedAgainstVersion)
        && m.rejected.equals(withoutTransitionTimes(status))) {
      return; // refused before; only new transition times would differ
    }
    String json = Serialization.asJson(status);
    String ops =
        "[{\"op\":\"test\",\"path\":\"/metadata/uid\",\"value\":"
            + Serialization.asJson(uid)
            + "},{\"op\":\"add\",\"path\":\"/status\",\"value\":"
            + json
            + "}]";
    Answer answer =
        send("PATCH", podPath(api) + "/status", "application/json-patch+json", ops, key);
    int code = answer.code();
    if (code >= 200 && code < 300) {
      m.wrote(version, answer.resourceVersion(), status);
      m.rejected = null;
      return;
    }
    if (code == 404 || code == 409) {
      log.debug("Status of pod {} not written: HTTP {}", key, code);
      return; // gone
    }
    if (code == 422) {
      Pod now = cache.get(key);
      if (now == null || !Objects.equals(now.getMetadata().getUid(), uid)) {
        return; // recreated under the same name: the UID test refused the write
      }
      // the API server refused the status itself; retrying the same status cannot help
      log.warn("Status of pod {} was rejected by the API server: {}", key, answer.error());
      m.rejected = withoutTransitionTimes(status);
      m.rejectedAgainstVersion = version;
      return;
    }
    throw new RetryException(
        "status write of pod " + key + " failed: HTTP " + code, Duration.ZERO, null);
  }

  /** DELETE of the API pod with a grace period and a UID precondition. */
  void delete(Pod api, long graceSeconds) throws RetryException {
    String key = PodCache.key(api);
    String body =
        "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"gracePeriodSeconds\":"
            + graceSeconds
            + ",\"preconditions\":{\"uid\":\""
            + api.getMetadata().getUid()
            + "\"}}";
    int code = send("DELETE", podPath(api), "application/json", body, key).code();
    if (code == 404 || code == 409 || (code >= 200 && code < 300)) {
      log.info("Pod {} deleted from the API with grace {} s (HTTP {})", key, graceSeconds, code);
      return;
    }
    throw new RetryException("delete of pod " + key + " failed: HTTP " + code, Duration.ZERO, null);
  }

  /**
   * Sends one request and returns its HTTP code. The answer's body (the whole pod) is read as bytes
   * and not parsed: nothing here needs it, and the informer delivers the new pod anyway. Refusals
   * keep the start of their message for the log.
   */
  private Answer send(String method, String path, String contentType, String body, String key)
      throws RetryException {
    HttpResponse<byte[]> response;
    writes.mark(System.nanoTime());
    try {
      response = KubeClients.send(client, method, path, contentType, body);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RetryException(method + " of pod " + key + " interrupted", Duration.ZERO, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new RetryException(method + " of pod " + key + " failed", Duration.ZERO, e);
    }
    int code = response.code();
    byte[] bytes = response.body();
    if (code >= 400) {
      String error =
          bytes == null
              ? ""
              : new String(bytes, 0, Math.min(bytes.length, 2048), StandardCharsets.UTF_8);
      return new Answer(code, error, null);
    }
    return new Answer(code, "", resourceVersion(bytes));
  }

  private record Answer(int code, String error, String resourceVersion) {}

  private static final byte[] RESOURCE_VERSION =
      "\"resourceVersion\":\"".getBytes(StandardCharsets.US_ASCII);

  /**
   * The pod's {@code metadata.resourceVersion} in an answer, without parsing it: the first
   * occurrence of the key is the pod's own, as the API server writes {@code metadata} before spec
   * and status and the key before labels and annotations (whose values could not match anyway, as
   * their quotes are escaped). Null when absent.
   */
  static String resourceVersion(byte[] json) {
    if (json == null) {
      return null;
    }
    outer:
    for (int i = 0; i + RESOURCE_VERSION.length < json.length; i++) {
      for (int j = 0; j < RESOURCE_VERSION.length; j++) {
        if (json[i + j] != RESOURCE_VERSION[j]) {
          continue outer;
        }
      }
      int start = i + RESOURCE_VERSION.length;
      int end = start;
      while (end < json.length && json[end] != '"' && end - start < 64) {
        end++;
      }
      return end < json.length && json[end] == '"' && end > start
          ? new String(json, start, end - start, StandardCharsets.US_ASCII)
          : null;
    }
    return null;
  }

  /**
   * Whether an informer update only brings back this controller's last status write: the new pod is
   * the version the write produced, and nothing but the status differs from the old one. Such an
   * update needs no sync; anything else does.
   *
   * <p>An echo also releases the written status: the informer cache holds it from now on, and
   * without a sync to {@link #settle} it, it would stay in memory until the next one.
   */
  boolean echoesOwnWrite(Pod oldPod, Pod newPod) {
    Memory m = memory.get(PodCache.key(newPod));
    if (m == null) {
      return false;
    }
    String version = m.lastWriteVersion();
    if (version == null || !isEcho(m, version, oldPod, newPod)) {
      return false;
    }
    m.releaseIfWrittenAs(version);
    return true;
  }

  private static boolean isEcho(Memory m, String version, Pod oldPod, Pod newPod) {
    ObjectMeta o = oldPod.getMetadata();
    ObjectMeta n = newPod.getMetadata();
    return version.equals(n.getResourceVersion())
        && Objects.equals(m.uid, n.getUid())
        && Objects.equals(o.getUid(), n.getUid())
        && Objects.equals(o.getDeletionTimestamp(), n.getDeletionTimestamp())
        && Objects.equals(o.getDeletionGracePeriodSeconds(), n.getDeletionGracePeriodSeconds())
        && Objects.equals(o.getLabels(), n.getLabels())
        && Objects.equals(o.getAnnotations(), n.getAnnotations())
        && Objects.equals(o.getFinalizers(), n.getFinalizers())
        && Objects.equals(oldPod.getSpec(), newPod.getSpec());
  }

  private static String podPath(Pod api) {
    return "api/v1/namespaces/"
        + api.getMetadata().getNamespace()
        + "/pods/"
        + api.getMetadata().getName();
  }

  /** The status as JSON with condition transition times left out (they move with the clock). */
  static String withoutTransitionTimes(PodStatus status) {
    PodStatus copy = KubeletStatus.copy(status);
    for (PodCondition c : list(copy.getConditions())) {
      c.setLastTransitionTime(null);
    }
    return Serialization.asJson(copy);
  }
}
