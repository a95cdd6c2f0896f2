package dev.vkj.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MediansTest {
  private static Results.ClosedLoop run(
      String kubelet,
      double up,
      double cpu,
      Map<String, Double> requests,
      Map<String, Long> failed) {
    return new Results.ClosedLoop(
        kubelet,
        1000,
        1000 / up,
        10,
        up,
        100,
        10,
        20,
        cpu,
        1,
        30_000_000,
        45_000_000,
        15,
        requests,
        requests,
        failed,
        Map.of("createPod", (long) up));
  }

  @Test
  void theMedianOfAnOddCountIsTheMiddleAndOfAnEvenCountTheMeanOfTheMiddleTwo() {
    assertThat(Medians.median(3, 1, 2)).isEqualTo(2);
    assertThat(Medians.median(4, 1, 3, 2)).isEqualTo(2.5);
    assertThat(Medians.median()).isNaN();
  }

  @Test
  void eachKubeletAndSizeFoldsToOneRowOfPerFigureMedians() {
    List<Results.ClosedLoop> rows =
        Medians.of(
            List.of(
                run("baseline", 100, 5, Map.of("DELETE pods", 1.0), Map.of()),
                run("vkj", 90, 7, Map.of("DELETE pods", 1.0, "POST events", 0.3), Map.of()),
                run("baseline", 120, 4, Map.of("DELETE pods", 1.0), Map.of()),
                run("vkj", 70, 9, Map.of("DELETE pods", 1.0), Map.of("PATCH pods/status 409", 2L)),
                run("baseline", 110, 6, Map.of("DELETE pods", 1.0), Map.of()),
                run("vkj", 80, 6, Map.of("DELETE pods", 1.0, "POST events", 0.1), Map.of())));
    assertThat(rows).extracting(Results.ClosedLoop::kubelet).containsExactly("baseline", "vkj");
    Results.ClosedLoop vkj = rows.get(1);
    assertThat(vkj.runningPerSecond()).isEqualTo(80);
    assertThat(vkj.cpuSecondsPer1000Pods()).isEqualTo(7);
    assertThat(vkj.toRunningSeconds()).isEqualTo(1000 / 80.0);
    // a run without the key counts as 0: median of 0.3, 0, 0.1
    assertThat(vkj.clientRequestsPerPod()).containsEntry("POST events", 0.1);
    assertThat(vkj.providerCalls()).containsEntry("createPod", 80L);
    // a failure in one run is kept, not outvoted
    assertThat(vkj.failedRequests()).containsEntry("PATCH pods/status 409", 2L);
    assertThat(rows.get(0).runningPerSecond()).isEqualTo(110);
  }
}
