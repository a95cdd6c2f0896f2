package dev.vkj.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiServerMetricsTest {
  private static final String TEXT =
      """
      # HELP apiserver_request_total [STABLE] Counter of apiserver requests
      # TYPE apiserver_request_total counter
      apiserver_request_total{code="200",component="apiserver",contentType="application/json",dry_run="",group="",resource="pods",scope="resource",subresource="status",verb="PATCH",version="v1"} 3264
      apiserver_request_total{code="409",component="apiserver",contentType="application/json",dry_run="",group="",resource="pods",scope="resource",subresource="status",verb="PATCH",version="v1"} 6
      apiserver_request_total{code="200",component="apiserver",contentType="application/json",dry_run="",group="",resource="pods",scope="resource",subresource="",verb="DELETE",version="v1"} 1600
      apiserver_request_total{code="200",component="apiserver",contentType="application/json",dry_run="",group="",resource="pods",scope="namespace",subresource="",verb="DELETE",version="v1"} 5
      apiserver_request_total{code="200",component="apiserver",contentType="",dry_run="",group="",resource="",scope="",subresource="/metrics",verb="GET",version=""} 12
      apiserver_request_total{code="201",component="apiserver",contentType="application/json",dry_run="",group="coordination.k8s.io",resource="leases",scope="namespace",subresource="",verb="POST",version="v1"} 1.0e+00
      apiserver_request_duration_seconds_count{verb="PATCH",resource="pods"} 99
      """;

  @Test
  void sumsOverCodesAndKeysLikeTheClient() {
    Map<String, Long> totals = ApiServerMetrics.requestTotals(TEXT);
    assertThat(totals)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "PATCH pods/status", 3270L,
                "DELETE pods", 1600L,
                "DELETECOLLECTION pods", 5L,
                "POST leases", 1L));
  }

  @Test
  void deltasAndDifferencesDropKeysThatCancel() {
    Map<String, Long> before = Map.of("PATCH pods/status", 10L, "PUT leases", 3L);
    Map<String, Long> after = Map.of("PATCH pods/status", 40L, "PUT leases", 3L, "POST pods", 20L);
    Map<String, Long> delta = Counts.delta(before, after);
    assertThat(delta)
        .containsExactlyInAnyOrderEntriesOf(Map.of("PATCH pods/status", 30L, "POST pods", 20L));
    assertThat(Counts.minus(delta, Map.of("POST pods", 20L)))
        .containsExactlyInAnyOrderEntriesOf(Map.of("PATCH pods/status", 30L));
    assertThat(Counts.perPod(delta, 10))
        .containsEntry("PATCH pods/status", 3.0)
        .containsEntry("POST pods", 2.0);
    assertThat(Counts.total(delta)).isEqualTo(50);
    assertThat(Counts.resourcesOnly(Map.of("GET /metrics", 2L, "WATCH pods", 1L)))
        .containsExactlyInAnyOrderEntriesOf(Map.of("WATCH pods", 1L));
  }
}
