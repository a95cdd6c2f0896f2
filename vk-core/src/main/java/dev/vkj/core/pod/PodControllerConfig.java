package dev.vkj.core.pod;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Quantity;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Settings of the {@link PodController}.
 *
 * @param nodeName the Node whose pods are run ({@code spec.nodeName})
 * @param workers how many pods are synced in parallel
 * @param clock the clock for timestamps in pod status
 * @param meterRegistry where queue, sync and provider error metrics go
 * @param hostIp the node's InternalIP, for {@code status.hostIP} and the downward API
 * @param nodeAllocatable the node's allocatable resources, the default for {@code resourceFieldRef}
 *     limits of containers that set none
 * @param statusPollInterval how often the backend's status is read: one {@code getPodStatus} per
 *     pod, or one {@code listPodStatuses} call for providers with {@code BatchedPodStatus} (for
 *     providers that push, only pods without a push or read for 12 periods are read)
 * @param maxRetries how many times a failing sync is retried before it is dropped with a {@code
 *     FailedSync} event
 * @param providerReadBudget reads per second (token bucket, one second of burst) of the extra
 *     {@code getPodStatus} calls that a {@code BatchedPodStatus} provider gets for pods in
 *     transition; steady pods are never read one by one
 * @param startupCleanupParallelism how many leftover pods are deleted from the backend at once
 *     after a restart
 */
public record PodControllerConfig(
    String nodeName,
    int workers,
    Clock clock,
    MeterRegistry meterRegistry,
    Supplier<String> hostIp,
    Supplier<Map<String, Quantity>> nodeAllocatable,
    Duration statusPollInterval,
    int maxRetries,
    double providerReadBudget,
    int startupCleanupParallelism) {

  public PodControllerConfig {
    requireNonNull(nodeName, "nodeName is null");
    if (nodeName.isBlank()) {
      throw new IllegalArgumentException("nodeName is blank");
    }
    requireNonNull(clock, "clock is null");
    requireNonNull(meterRegistry, "meterRegistry is null");
    requireNonNull(hostIp, "hostIp is null");
    requireNonNull(nodeAllocatable, "nodeAllocatable is null");
    requireNonNull(statusPollInterval, "statusPollInterval is null");
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be at least 1, got " + workers);
    }
    if (maxRetries < 0) {
      throw new IllegalArgumentException("maxRetries must not be negative, got " + maxRetries);
    }
    if (statusPollInterval.isNegative() || statusPollInterval.isZero()) {
      throw new IllegalArgumentException("statusPollInterval must be positive");
    }
    if (!(providerReadBudget > 0) || Double.isInfinite(providerReadBudget)) {
      throw new IllegalArgumentException(
          "providerReadBudget must be a positive number of reads per second, got "
              + providerReadBudget);
    }
    if (startupCleanupParallelism < 1) {
      throw new IllegalArgumentException(
          "startupCleanupParallelism must be at least 1, got " + startupCleanupParallelism);
    }
  }

  /**
   * 10 workers, system clock, no host IP, empty allocatable, 5 s polling, 20 retries, 10 status
   * reads per second for pods in transition, 4 leftover deletes at once.
   */
  public static PodControllerConfig defaults(String nodeName) {
    return new PodControllerConfig(
        nodeName,
        10,
        Clock.systemUTC(),
        new SimpleMeterRegistry(),
        () -> "",
        Map::of,
        Duration.ofSeconds(5),
        20,
        10,
        4);
  }

  public PodControllerConfig withWorkers(int workers) {
    return new PodControllerConfig(
        nodeName,
        workers,
        clock,
        meterRegistry,
        hostIp,
        nodeAllocatable,
        statusPollInterval,
        maxRetries,
        providerReadBudget,
        startupCleanupParallelism);
  }

  public PodControllerConfig withClock(Clock clock) {
    return new PodControllerConfig(
        nodeName,
        workers,
        clock,
        meterRegistry,
        hostIp,
        nodeAllocatable,
        statusPollInterval,
        maxRetries,
        providerReadBudget,
        startupCleanupParallelism);
  }

  public PodControllerConfig withMeterRegistry(MeterRegistry meterRegistry) {
    return new PodControllerConfig(
        nodeName,
        workers,
        clock,
        meterRegistry,
        hostIp,
        nodeAllocatable,
        statusPollInterval,
        maxRetries,
        providerReadBudget,
        startupCleanupParallelism);
  }

  public PodControllerConfig withHostIp(Supplier<String> hostIp) {
    return new PodControllerConfig(
        nodeName,
        workers,
        clock,
        meterRegistry,
        hostIp,
        nodeAllocatable,
        statusPollInterval,
        maxRetries,
        providerReadBudget,
        startupCleanupParallelism);
  }

  public PodControllerConfig withNodeAllocatable(Supplier<Map<String, Quantity>> nodeAllocatable) {
    return new PodControllerConfig(
        nodeName,
        workers,
        clock,
        meterRegistry,
        hostIp,
        nodeAllocatable,
        statusPollInterval,
        maxRetries,
        providerReadBudget,
        startupCleanupParallelism);
  }

  public PodControllerConfig withStatusPollInterval(Duration statusPollInterval) {
    return new PodControllerConfig(
        nodeName,
        workers,
        clock,
        meterRegistry,
        hostIp,
        nodeAllocatable,
        statusPollInterval,
        maxRetries,
        providerReadBudget,
        startupCleanupParallelism);
  }

  public PodControllerConfig withMaxRetries(int maxRetries) {
    return new PodControllerConfig(
        nodeName,
        workers,
        clock,
        meterRegistry,
        hostIp,
        nodeAllocatable,
        statusPollInterval,
        maxRetries,
        providerReadBudget,
        startupCleanupParallelism);
  }

  public PodControllerConfig withProviderReadBudget(double providerReadBudget) {
    return new PodControllerConfig(
        nodeName,
        workers,
        clock,
        meterRegistry,
        hostIp,
        nodeAllocatable,
        statusPollInterval,
        maxRetries,
        providerReadBudget,
        startupCleanupParallelism);
  }

  public PodControllerConfig withStartupCleanupParallelism(int startupCleanupParallelism) {
    return new PodControllerConfig(
        nodeName,
        workers,
        clock,
        meterRegistry,
        hostIp,
        nodeAllocatable,
        statusPollInterval,
        maxRetries,
        providerReadBudget,
        startupCleanupParallelism);
  }
}
