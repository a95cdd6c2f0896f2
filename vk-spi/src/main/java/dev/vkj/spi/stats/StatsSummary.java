package dev.vkj.spi.stats;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** A snapshot of node and pod usage. */
public record StatsSummary(NodeStats node, List<PodStats> pods) {
  public StatsSummary {
    requireNonNull(node, "node is null");
    pods = List.copyOf(pods);
  }
}
