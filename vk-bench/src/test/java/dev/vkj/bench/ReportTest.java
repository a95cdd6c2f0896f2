package dev.vkj.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportTest {
  private static Results.ClosedLoop closed(
      String kubelet, int pods, double up, double cpu, double heapKb) {
    return new Results.ClosedLoop(
        kubelet,
        pods,
        pods / up,
        pods / 100.0,
        up,
        100,
        400,
        900,
        cpu,
        cpu / 4,
        20_000_000,
        40_000_000,
        heapKb,
        Map.of("PATCH pods/status", kubelet.equals("vkj") ? 3.0 : 1.0, "DELETE pods", 1.0),
        Map.of("PATCH pods/status", kubelet.equals("vkj") ? 3.0 : 1.0, "DELETE pods", 1.0),
        Map.of(),
        Map.of());
  }

  private static Results results() {
    return new Results(
        "2026-12-05",
        "2 cores",
        "a note",
        List.of(closed("baseline", 1000, 60, 16, 10), closed("vkj", 1000, 50, 20, 39)),
        null,
        List.of(
            new Results.OpenLoop("baseline", 25, 120, 3000, 25, 10, 15, 30, 40),
            new Results.OpenLoop("vkj", 25, 120, 3000, 25, 80, 130, 2500, 3000)),
        new Results.Restart(5000, 3, 12.5, Map.of("listPods", 1L, "createPod", 0L), Map.of(), 0));
  }

  @Test
  void ratiosAreVkjOverBaseline() {
    String md = Report.markdown(results());
    assertThat(md).contains("| 1,000 | **vkj / baseline** | | **0.83×** | | **1.00×** |");
    assertThat(md).contains("**1.25×**"); // CPU 20 / 16
    assertThat(md).contains("| 1,000 | `PATCH pods/status` | 1.00 (1.00) | 3.00 (3.00) |");
    assertThat(md).contains("| 5,000 | 3.0 s | 12.5 s | 0 | 0 | 0 | 1 | 0 | 0 |");
  }

  @Test
  void eachTargetGetsAVerdict() {
    List<String[]> targets = Report.targets(results());
    assertThat(targets)
        .extracting(t -> t[0].replaceAll(" \\(.*", "") + " -> " + t[2])
        .containsExactly(
            "throughput to Running ≥ 0.9× baseline -> **no**",
            "throughput to gone ≥ 0.9× baseline -> yes",
            "CPU per pod ≤ 1.2× baseline -> **no**",
            "heap after GC ≤ 20 KB per pod -> **no**",
            "adoption ≤ 30 s, 0 creates and updates -> yes",
            "p99 create → Running ≤ 2 s at 25 pods/s -> **no**");
  }

  @Test
  void aRestartThatCreatesOrIsSlowMissesItsTarget() {
    Results base = results();
    for (Results.Restart bad :
        List.of(
            new Results.Restart(5000, 3, 12.5, Map.of("createPod", 3L), Map.of(), 0),
            new Results.Restart(5000, 3, 12.5, Map.of("updatePod", 1L), Map.of(), 0),
            new Results.Restart(5000, 3, 31, Map.of(), Map.of(), 0),
            new Results.Restart(5000, 3, -1, Map.of(), Map.of(), 0))) {
      Results r =
          new Results(
              base.date(), base.machine(), base.note(), List.of(), List.of(), List.of(), bad);
      assertThat(Report.targets(r))
          .singleElement()
          .satisfies(t -> assertThat(t[2]).isEqualTo("**no**"));
    }
  }

  @Test
  void repeatedRunsAreReportedEachAndAsMediansWithRatiosPerRound() {
    List<Results.ClosedLoop> runs =
        List.of(
            closed("baseline", 1000, 60, 16, 10),
            closed("vkj", 1000, 66, 20, 12),
            closed("vkj", 1000, 30, 24, 14),
            closed("baseline", 1000, 50, 12, 10));
    Results base = results();
    Results r =
        new Results(
            base.date(), base.machine(), base.note(), Medians.of(runs), runs, List.of(), null);
    String md = Report.markdown(r);
    assertThat(md).contains("### Closed loop, each run");
    assertThat(md).contains("| 1,000 | 2 | vkj | 30.0 | 100.0 | 24.00 | 6.00 | 14.0 KB |");
    // round 1: 66 / 60 and 20 / 16; round 2: 30 / 50 and 24 / 12
    assertThat(md).contains("| 1,000 | 1 | 1.10× | 1.00× | 1.25× |");
    assertThat(md).contains("| 1,000 | 2 | 0.60× | 1.00× | 2.00× |");
    // medians: baseline 55 pods/s and 14 s CPU, vkj 48 pods/s and 22 s CPU
    assertThat(md).contains("| 1,000 | **vkj / baseline** | | **0.87×** | | **1.00×** |");
    assertThat(md).contains("**1.57×**");
  }

  @Test
  void aFileWithoutRunsIsRenderedWithoutTheRunsTable() {
    assertThat(Report.markdown(results())).doesNotContain("each run");
  }

  @Test
  void aRatioOverZeroIsADash() {
    assertThat(Report.ratio(1, 0)).isEqualTo("–");
    assertThat(Report.ratio(Double.NaN, 1)).isEqualTo("–");
    assertThat(Report.ratio(3, 2)).isEqualTo("1.50×");
  }

  @Test
  void theChartHasAPanelPerViewAndALinePerSeries() {
    String svg = Report.svg(results());
    assertThat(svg).startsWith("<svg ").endsWith("</svg>\n");
    assertThat(svg)
        .contains("Closed loop: throughput against N", "Open loop: create → Running against rate");
    assertThat(svg.split("<polyline", -1)).hasSize(1 + 4 + 4 + 4);
  }
}
