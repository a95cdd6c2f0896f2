package dev.vkj.spi.stats;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A snapshot of node and pod usage.
 *
 * @param node the usage of the whole node
 * @param pods the usage of each running pod
 */
public record StatsSummary(NodeStats node, List<PodStats> pods) {
  /**
   * Checks the node and copies the list.
   *
   * @param node the usage of the whole node
   * @param pods the usage of each running pod
   */
  public StatsSummary {
    requireNonNull(node, "node is null");
    pods = List.copyOf(pods);
  }
}
