package dev.vkj.core.resources;

import static java.util.Objects.requireNonNull;

import dev.vkj.spi.ClusterResources;
import dev.vkj.spi.ErrorCode;
import dev.vkj.spi.ProviderException;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * {@link ClusterResources} backed by live GETs against the API server, cached for a short time so
 * that a pod with many references costs one request per object.
 */
public final class ApiClusterResources implements ClusterResources {
  private static final Duration DEFAULT_TTL = Duration.ofSeconds(2);
  private static final int MAX_ENTRIES = 10_000;

  private final KubernetesClient client;
  private final Duration ttl;
  private final Clock clock;
  private final ConcurrentHashMap<String, Entry<?>> cache = new ConcurrentHashMap<>();

  public ApiClusterResources(KubernetesClient client) {
    this(client, DEFAULT_TTL, Clock.systemUTC());
  }

  ApiClusterResources(KubernetesClient client, Duration ttl, Clock clock) {
    this.client = requireNonNull(client, "client is null");
    this.ttl = requireNonNull(ttl, "ttl is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  @Override
  public Optional<ConfigMap> configMap(String namespace, String name) throws ProviderException {
    return cached(
        "configmap/" + namespace + "/" + name,
        "configmap",
        namespace,
        name,
        () -> client.configMaps().inNamespace(namespace).withName(name).get());
  }

  @Override
  public Optional<Secret> secret(String namespace, String name) throws ProviderException {
    return cached(
        "secret/" + namespace + "/" + name,
        "secret",
        namespace,
        name,
        () -> client.secrets().inNamespace(namespace).withName(name).get());
  }

  @SuppressWarnings("unchecked")
  private <T> Optional<T> cached(
      String key, String kind, String namespace, String name, Supplier<T> fetch)
      throws ProviderException {
    requireNonNull(namespace, "namespace is null");
    requireNonNull(name, "name is null");
    Instant now = clock.instant();
    Entry<?> hit = cache.get(key);
    if (hit != null && now.isBefore(hit.expires())) {
      return Optional.ofNullable((T) hit.value());
    }
    T value;
    try {
      value = fetch.get(); // null when not found
    } catch (KubernetesClientException e) {
      ErrorCode code =
          e.getCode() == 401 || e.getCode() == 403 ? ErrorCode.AUTH : ErrorCode.TRANSIENT;
      // the message names the object, never its content
      throw new ProviderException(
          code, "cannot read " + kind + " " + namespace + "/" + name + ": HTTP " + e.getCode(), e);
    }
    if (cache.size() >= MAX_ENTRIES) {
      cache.entrySet().removeIf(en -> !now.isBefore(en.getValue().expires()));
      if (cache.size() >= MAX_ENTRIES) {
        cache.clear();
      }
    }
    cache.put(key, new Entry<>(value, now.plus(ttl)));
    return Optional.ofNullable(value);
  }

  private record Entry<T>(T value, Instant expires) {}
}
