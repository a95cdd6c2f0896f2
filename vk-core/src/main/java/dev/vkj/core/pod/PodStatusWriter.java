package dev.vkj.core.pod;

import static dev.vkj.core.pod.KubeletStatus.list;
import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
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

  PodStatusWriter(KubernetesClient client, PodCache cache) {
    this.client = requireNonNull(client, "client is null");
    this.cache = requireNonNull(cache, "cache is null");
  }

  /** What was written to and refused for one pod (by UID). */
  static final class Memory {
    final String uid;
    String writtenJson;
    String writtenAgainstVersion;
    PodStatus written;
    String rejected;
    String rejectedAgainstVersion;

    Memory(String uid) {
      this.uid = uid;
    }

    /**
     * The cached pod, or a copy carrying the status last written when the informer has not
     * delivered that write yet: computing against the stale status would write again and move
     * condition transition times.
     */
    Pod view(Pod cached) {
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
    String json = Serialization.asJson(status);
    String version = api.getMetadata().getResourceVersion();
    if (json.equals(m.writtenJson) && Objects.equals(version, m.writtenAgainstVersion)) {
      return; // already written; the cache has not caught up yet
    }
    if (m.rejected != null
        && Objects.equals(version, m.rejectedAgainstVersion)
        && m.rejected.equals(withoutTransitionTimes(status))) {
      return; // refused before; only new transition times would differ
    }
    String ops =
        "[{\"op\":\"test\",\"path\":\"/metadata/uid\",\"value\":"
            + Serialization.asJson(uid)
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
      m.writtenJson = json;
      m.writtenAgainstVersion = version;
      m.written = status;
      m.rejected = null;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404 || e.getCode() == 409) {
        log.debug("Status of pod {} not written: HTTP {}", key, e.getCode());
        return; // gone
      }
      if (e.getCode() == 422) {
        Pod now = cache.get(key);
        if (now == null || !Objects.equals(now.getMetadata().getUid(), uid)) {
          return; // recreated under the same name: the UID test refused the write
        }
        // the API server refused the status itself; retrying the same status cannot help
        log.warn("Status of pod {} was rejected by the API server: {}", key, e.getMessage());
        m.rejected = withoutTransitionTimes(status);
        m.rejectedAgainstVersion = version;
        return;
      }
      throw new RetryException(
          "status write of pod " + key + " failed: HTTP " + e.getCode(), Duration.ZERO, e);
    }
  }

  /** DELETE of the API pod with a grace period and a UID precondition. */
  void delete(Pod api, long graceSeconds) throws RetryException, InterruptedException {
    String key = PodCache.key(api);
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
      throw new RetryException("delete of pod " + key + " failed", Duration.ZERO, e);
    }
    int code = response.code();
    if (code == 404 || code == 409 || response.isSuccessful()) {
      log.info("Pod {} deleted from the API with grace {} s (HTTP {})", key, graceSeconds, code);
      return;
    }
    throw new RetryException("delete of pod " + key + " failed: HTTP " + code, Duration.ZERO, null);
  }

  /** The status as JSON with condition transition times left out (they move with the clock). */
  static String withoutTransitionTimes(PodStatus status) {
    PodStatus copy = Serialization.clone(status);
    for (PodCondition c : list(copy.getConditions())) {
      c.setLastTransitionTime(null);
    }
    return Serialization.asJson(copy);
  }
}
