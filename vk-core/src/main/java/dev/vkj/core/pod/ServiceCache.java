package dev.vkj.core.pod;

import static java.util.Objects.requireNonNull;

import dev.vkj.spi.ProviderException;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/** Services per namespace for service-link env vars, listed at most every few seconds. */
final class ServiceCache {
  private static final Duration TTL = Duration.ofSeconds(5);

  private final KubernetesClient client;
  private final Clock clock;
  private final ConcurrentHashMap<String, Entry> byNamespace = new ConcurrentHashMap<>();

  ServiceCache(KubernetesClient client, Clock clock) {
    this.client = requireNonNull(client, "client is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  List<Service> services(String namespace) throws ProviderException {
    Instant now = clock.instant();
    Entry hit = byNamespace.get(namespace);
    if (hit != null && now.isBefore(hit.expires())) {
      return hit.services();
    }
    try {
      List<Service> list = client.services().inNamespace(namespace).list().getItems();
      // drop expired namespaces so that the cache does not grow with every namespace ever seen
      byNamespace.values().removeIf(c -> !now.isBefore(c.expires()));
      byNamespace.put(namespace, new Entry(List.copyOf(list), now.plus(TTL)));
      return list;
    } catch (KubernetesClientException e) {
      throw ProviderException.transientError(
          "cannot list services in namespace " + namespace + ": HTTP " + e.getCode(), e);
    }
  }

  private record Entry(List<Service> services, Instant expires) {}
}
