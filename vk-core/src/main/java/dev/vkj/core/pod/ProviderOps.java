package dev.vkj.core.pod;

import static java.util.Objects.requireNonNull;

import dev.vkj.spi.BatchedPodStatus;
import dev.vkj.spi.ErrorCode;
import dev.vkj.spi.PodStatusNotifier;
import dev.vkj.spi.Provider;
import dev.vkj.spi.ProviderException;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The pod controller's calls into the provider: failures counted per pod sync by {@link ErrorCode},
 * and "not found" answers of deletes and status reads taken as the result they mean. Timeouts,
 * retries of reads, rate limits, the class loader and turning runtime exceptions into {@code
 * INTERNAL} belong to the provider boundary ({@code dev.vkj.core.provider.ProviderBoundary}) that
 * wraps the {@link Provider} handed in.
 */
final class ProviderOps {
  private final Provider provider;
  private final MeterRegistry meters;

  ProviderOps(Provider provider, MeterRegistry meters) {
    this.provider = requireNonNull(provider, "provider is null");
    this.meters = requireNonNull(meters, "meters is null");
  }

  boolean pushesStatus() {
    return provider instanceof PodStatusNotifier;
  }

  boolean batchesStatus() {
    return provider instanceof BatchedPodStatus;
  }

  Optional<PodStatusNotifier> notifier() {
    return provider instanceof PodStatusNotifier n ? Optional.of(n) : Optional.empty();
  }

  void create(Pod pod) throws ProviderException {
    call(
        () -> {
          provider.createPod(pod);
          return null;
        });
  }

  void update(Pod pod) throws ProviderException {
    call(
        () -> {
          provider.updatePod(pod);
          return null;
        });
  }

  /** Deletes the pod from the backend; an unknown pod counts as deleted. */
  void delete(Pod pod) throws ProviderException {
    try {
      call(
          () -> {
            provider.deletePod(pod);
            return null;
          });
    } catch (ProviderException e) {
      if (e.code() != ErrorCode.NOT_FOUND) {
        throw e;
      }
    }
  }

  Optional<Pod> getPod(String key) throws ProviderException {
    String[] nn = split(key);
    Optional<Pod> p = call(() -> provider.getPod(nn[0], nn[1]));
    return p == null ? Optional.empty() : p;
  }

  /** The backend's status of the pod; empty when the backend does not know it. */
  Optional<PodStatus> getPodStatus(String key) throws ProviderException {
    String[] nn = split(key);
    try {
      Optional<PodStatus> s = call(() -> provider.getPodStatus(nn[0], nn[1]));
      return s == null ? Optional.empty() : s;
    } catch (ProviderException e) {
      if (e.code() == ErrorCode.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  List<Pod> listPods() throws ProviderException {
    List<Pod> l = call(provider::listPods);
    return l == null ? List.of() : l;
  }

  /** Only for providers with {@link BatchedPodStatus}. */
  List<Pod> listPodStatuses() throws ProviderException {
    BatchedPodStatus batched = (BatchedPodStatus) provider;
    List<Pod> l = call(batched::listPodStatuses);
    return l == null ? List.of() : l;
  }

  /** A failed provider call as a retry of the pod's sync; THROTTLED waits for its retry-after. */
  static RetryException retry(String key, String op, ProviderException e) {
    Duration min =
        e.code() == ErrorCode.THROTTLED
            ? e.retryAfter().orElse(Duration.ofSeconds(1))
            : Duration.ZERO;
    return new RetryException(
        "provider " + op + " of pod " + key + " failed (" + e.code() + "): " + e.getMessage(),
        min,
        e);
  }

  static String[] split(String key) {
    return key.split("/", 2);
  }

  @FunctionalInterface
  private interface Call<T> {
    T run() throws ProviderException;
  }

  private <T> T call(Call<T> c) throws ProviderException {
    try {
      return c.run();
    } catch (ProviderException e) {
      count(e.code());
      throw e;
    }
  }

  private void count(ErrorCode code) {
    Counter.builder("vkj.pod.provider.errors")
        .description("Failed provider calls of the pod controller")
        .tag("code", code.name())
        .register(meters)
        .increment();
  }
}
