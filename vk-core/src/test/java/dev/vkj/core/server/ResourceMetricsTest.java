package dev.vkj.core.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vkj.core.server.Exposition.Family;
import dev.vkj.core.server.Exposition.Sample;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class ResourceMetricsTest {
  private static final long TS = 1795687200000L;

  private final List<Family> families =
      Exposition.parse(ResourceMetrics.render(Fixtures.summary()));

  private Family family(String name) {
    return families.stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void familiesAreTheKubeletsSortedByName() {
    assertThat(families)
        .extracting(Family::name)
        .containsExactly(
            "container_cpu_usage_seconds_total",
            "container_memory_working_set_bytes",
            "container_start_time_seconds",
            "node_cpu_usage_seconds_total",
            "node_memory_working_set_bytes",
            "pod_cpu_usage_seconds_total",
            "pod_memory_working_set_bytes",
            "scrape_error");
    assertThat(families)
        .extracting(Family::type)
        .containsExactly(
            "counter", "gauge", "gauge", "counter", "gauge", "counter", "gauge", "gauge");
    assertThat(family("container_cpu_usage_seconds_total").help())
        .isEqualTo("[ALPHA] Cumulative cpu time consumed by the container in core-seconds");
    assertThat(family("node_memory_working_set_bytes").help())
        .isEqualTo("[ALPHA] Current working set of the node in bytes");
    assertThat(family("scrape_error").help())
        .isEqualTo("[ALPHA] 1 if there was an error while getting container metrics, 0 otherwise");
  }

  @Test
  void everyContainerSampleHasItsLabelsValueAndMillisecondTimestamp() {
    List<Sample> cpu = family("container_cpu_usage_seconds_total").samples();

    assertThat(cpu)
        .containsExactly(
            new Sample(
                "container_cpu_usage_seconds_total",
                Map.of("container", "app", "namespace", "default", "pod", "web-0"),
                12.5,
                "12.5",
                TS),
            new Sample(
                "container_cpu_usage_seconds_total",
                Map.of("container", "main", "namespace", "team\"a", "pod", "job\\1\nx"),
                12.5,
                "12.5",
                TS),
            new Sample(
                "container_cpu_usage_seconds_total",
                Map.of("container", "sidecar", "namespace", "default", "pod", "web-0"),
                1e-9,
                "0.000000001",
                TS));
    for (Sample sample : cpu) {
      assertThat(sample.labels().keySet()).containsExactly("container", "namespace", "pod");
    }
    assertThat(family("container_memory_working_set_bytes").samples())
        .extracting(Sample::rawValue, Sample::timestamp)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("52428800", TS),
            org.assertj.core.groups.Tuple.tuple("52428800", TS),
            org.assertj.core.groups.Tuple.tuple("1", TS));
  }

  @Test
  void noContainerReportsZeroUsage() {
    for (String name :
        List.of("container_cpu_usage_seconds_total", "container_memory_working_set_bytes")) {
      assertThat(family(name).samples()).allSatisfy(s -> assertThat(s.value()).isPositive());
    }
  }

  @Test
  void startTimesHaveNoTimestamp() {
    assertThat(family("container_start_time_seconds").samples())
        .extracting(Sample::rawValue, Sample::timestamp)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("1795683605.25", null),
            org.assertj.core.groups.Tuple.tuple("1795685401", null),
            org.assertj.core.groups.Tuple.tuple("1795683606", null));
  }

  @Test
  void nodeAndPodSamples() {
    assertThat(family("node_cpu_usage_seconds_total").samples())
        .containsExactly(
            new Sample("node_cpu_usage_seconds_total", Map.of(), 3600.25, "3600.25", TS));
    assertThat(family("node_memory_working_set_bytes").samples())
        .containsExactly(
            new Sample("node_memory_working_set_bytes", Map.of(), 1073741824, "1073741824", TS));
    assertThat(family("pod_cpu_usage_seconds_total").samples())
        .extracting(Sample::labels)
        .containsExactly(
            Map.of("namespace", "default", "pod", "web-0"),
            Map.of("namespace", "team\"a", "pod", "job\\1\nx"));
    assertThat(family("pod_memory_working_set_bytes").samples()).hasSize(2);
    assertThat(family("scrape_error").samples())
        .containsExactly(new Sample("scrape_error", Map.of(), 0, "0", null));
  }

  @Test
  void aFailedScrapeIsOnlyScrapeErrorOne() {
    List<Family> failed = Exposition.parse(ResourceMetrics.renderScrapeError());

    assertThat(failed).extracting(Family::name).containsExactly("scrape_error");
    assertThat(failed.get(0).samples())
        .containsExactly(new Sample("scrape_error", Map.of(), 1, "1", null));
  }

  @Test
  void theParserRejectsMalformedText() {
    for (String bad :
        List.of(
            "# HELP a x\n# TYPE a gauge\na 1",
            "# HELP a x\n# TYPE a gauge\na{b=\"\\t\"} 1\n",
            "# HELP a x\n# TYPE a gauge\na{b=\"1\",b=\"2\"} 1\n",
            "# HELP a x\n# TYPE a gauge\na 1 1.5\n",
            "# HELP a x\n# TYPE a gauge\na one\n",
            "a 1\n",
            "# HELP a x\n# TYPE a gauge\na 1\na 2\n",
            "# HELP a x\n# TYPE a gauge\nb 1\n")) {
      assertThatThrownBy(() -> Exposition.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
