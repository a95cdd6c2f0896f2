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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/** Services per namespace for service-link env vars, listed at most every few seconds. */
final class ServiceCache {
  private static final Duration TTL = Duration.ofSeconds(5);

  private final KubernetesClient client;
  private final Clock clock;
  private final ConcurrentHashMap<String, Entry> byNamespace = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, CompletableFuture<List<Service>>> inFlight =
      new ConcurrentHashMap<>();

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
    // one list per namespace at a time: the workers that miss together wait for it
    CompletableFuture<List<Service>> mine = new CompletableFuture<>();
    CompletableFuture<List<Service>> running = inFlight.putIfAbsent(namespace, mine);
    if (running != null) {
      return await(namespace, running);
    }
    try {
      List<Service> list = List.copyOf(client.services().inNamespace(namespace).list().getItems());
      // drop expired namespaces so that the cache does not grow with every namespace ever seen
      byNamespace.values().removeIf(c -> !now.isBefore(c.expires()));
      byNamespace.put(namespace, new Entry(list, clock.instant().plus(TTL)));
      mine.complete(list);
      return list;
    } catch (KubernetesClientException e) {
      ProviderException failure =
          ProviderException.transientError(
              "cannot list services in namespace " + namespace + ": HTTP " + e.getCode(), e);
      mine.completeExceptionally(failure);
      throw failure;
    } catch (RuntimeException e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      inFlight.remove(namespace, mine);
    }
  }

  private static List<Service> await(String namespace, CompletableFuture<List<Service>> running)
      throws ProviderException {
    try {
      return running.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ProviderException.transientError(
          "interrupted while listing services in namespace " + namespace, e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof ProviderException p) {
        throw p;
      }
      throw ProviderException.transientError(
          "cannot list services in namespace " + namespace + ": " + e.getCause(), e.getCause());
    }
  }

  private record Entry(List<Service> services, Instant expires) {}
}
