package dev.vkj.core.server;

import dev.vkj.spi.stats.ContainerStats;
import dev.vkj.spi.stats.PodStats;
import dev.vkj.spi.stats.StatsSummary;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Renders {@code /metrics/resource} in the Prometheus text format 0.0.4 with the kubelet's metric
 * names, HELP and TYPE lines, labels and millisecond timestamps, as metrics-server 0.6+ reads them.
 * Families are sorted by name, label pairs by label name, series by label values. When the stats
 * could not be read only {@code scrape_error 1} is written, as the kubelet does.
 */
final class ResourceMetrics {
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private record Series(String labels, String value, String timestamp) {}

  private ResourceMetrics() {}

  static String render(StatsSummary summary) {
    List<PodStats> pods = new ArrayList<>(summary.pods());
    pods.sort(Comparator.comparing(PodStats::namespace).thenComparing(PodStats::name));
    List<Series> containerCpu = new ArrayList<>();
    List<Series> containerMemory = new ArrayList<>();
    List<Series> containerStart = new ArrayList<>();
    List<Series> podCpu = new ArrayList<>();
    List<Series> podMemory = new ArrayList<>();
    for (PodStats pod : pods) {
      String podLabels =
          "{namespace=\"" + escape(pod.namespace()) + "\",pod=\"" + escape(pod.name()) + "\"}";
      podCpu.add(
          new Series(
              podLabels, seconds(Usage.cpuNanoSeconds(pod.cpu())), millis(pod.cpu().time())));
      podMemory.add(
          new Series(
              podLabels,
              Long.toString(Usage.workingSetBytes(pod.memory())),
              millis(pod.memory().time())));
    }
    // series within a family are ordered by label values: container, namespace, pod
    List<Object[]> containers = new ArrayList<>();
    for (PodStats pod : pods) {
      for (ContainerStats container : pod.containers()) {
        containers.add(new Object[] {pod, container});
      }
    }
    containers.sort(
        Comparator.<Object[], String>comparing(o -> ((ContainerStats) o[1]).name())
            .thenComparing(o -> ((PodStats) o[0]).namespace())
            .thenComparing(o -> ((PodStats) o[0]).name()));
    for (Object[] o : containers) {
      PodStats pod = (PodStats) o[0];
      ContainerStats container = (ContainerStats) o[1];
      String labels =
          "{container=\""
              + escape(container.name())
              + "\",namespace=\""
              + escape(pod.namespace())
              + "\",pod=\""
              + escape(pod.name())
              + "\"}";
      containerCpu.add(
          new Series(
              labels,
              seconds(Usage.cpuNanoSeconds(container.cpu())),
              millis(container.cpu().time())));
      containerMemory.add(
          new Series(
              labels,
              Long.toString(Usage.workingSetBytes(container.memory())),
              millis(container.memory().time())));
      if (container.startTime().getEpochSecond() > 0) {
        containerStart.add(
            new Series(
                labels,
                BigDecimal.valueOf(container.startTime().getEpochSecond())
                    .add(BigDecimal.valueOf(container.startTime().getNano(), 9))
                    .stripTrailingZeros()
                    .toPlainString(),
                null));
      }
    }
    StringBuilder out = new StringBuilder(4096);
    family(
        out,
        "container_cpu_usage_seconds_total",
        "Cumulative cpu time consumed by the container in core-seconds",
        "counter",
        containerCpu);
    family(
        out,
        "container_memory_working_set_bytes",
        "Current working set of the container in bytes",
        "gauge",
        containerMemory);
    family(
        out,
        "container_start_time_seconds",
        "Start time of the container since unix epoch in seconds",
        "gauge",
        containerStart);
    family(
        out,
        "node_cpu_usage_seconds_total",
        "Cumulative cpu time consumed by the node in core-seconds",
        "counter",
        List.of(
            new Series(
                "",
                seconds(Usage.cpuNanoSeconds(summary.node().cpu())),
                millis(summary.node().cpu().time()))));
    family(
        out,
        "node_memory_working_set_bytes",
        "Current working set of the node in bytes",
        "gauge",
        List.of(
            new Series(
                "",
                Long.toString(Usage.workingSetBytes(summary.node().memory())),
                millis(summary.node().memory().time()))));
    family(
        out,
        "pod_cpu_usage_seconds_total",
        "Cumulative cpu time consumed by the pod in core-seconds",
        "counter",
        podCpu);
    family(
        out,
        "pod_memory_working_set_bytes",
        "Current working set of the pod in bytes",
        "gauge",
        podMemory);
    scrapeError(out, false);
    return out.toString();
  }

  /** The answer when the provider could not report stats. */
  static String renderScrapeError() {
    StringBuilder out = new StringBuilder();
    scrapeError(out, true);
    return out.toString();
  }

  private static void scrapeError(StringBuilder out, boolean failed) {
    family(
        out,
        "scrape_error",
        "1 if there was an error while getting container metrics, 0 otherwise",
        "gauge",
        List.of(new Series("", failed ? "1" : "0", null)));
  }

  private static void family(
      StringBuilder out, String name, String help, String type, List<Series> series) {
    if (series.isEmpty()) {
      return;
    }
    out.append("# HELP ").append(name).append(" [ALPHA] ").append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    for (Series s : series) {
      out.append(name).append(s.labels()).append(' ').append(s.value());
      if (s.timestamp() != null) {
        out.append(' ').append(s.timestamp());
      }
      out.append('\n');
    }
  }

  private static String seconds(long nanos) {
    return BigDecimal.valueOf(nanos, 9).stripTrailingZeros().toPlainString();
  }

  private static String millis(java.time.Instant instant) {
    return Long.toString(instant.toEpochMilli());
  }

  static String escape(String value) {
    StringBuilder out = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '"' -> out.append("\\\"");
        case '\n' -> out.append("\\n");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
