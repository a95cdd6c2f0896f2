package dev.vkj.spi;

import dev.vkj.spi.stats.StatsSummary;

/**
 * Optional capability: resource usage for {@code /stats/summary} and {@code /metrics/resource},
 * which back {@code kubectl top}, metrics-server and the HorizontalPodAutoscaler.
 */
public interface StatsProvider {
  /**
   * Current usage of the node and each running pod. Report non-zero CPU and memory for every
   * running container: metrics-server drops a pod whose containers lack either value.
   *
   * @return the usage now
   * @throws ProviderException when the backend cannot be read
   */
  StatsSummary statsSummary() throws ProviderException;
}
