package dev.vkj.bench;

import java.util.List;
import java.util.Map;

/**
 * Everything one benchmark run measured; written as kubelet.json.
 *
 * @param date the day of the run (ISO-8601)
 * @param machine processor count, memory, load average and Java version
 * @param note free text given on the command line
 * @param closedLoop closed-loop results per kubelet and pod count: the medians of {@code
 *     closedLoopRuns}
 * @param closedLoopRuns every closed-loop run in the order it ran; null in files written before
 *     runs were repeated
 * @param openLoop open-loop results per kubelet and offered rate
 * @param restart the restart run of vkj, or null
 */
record Results(
    String date,
    String machine,
    String note,
    List<ClosedLoop> closedLoop,
    List<ClosedLoop> closedLoopRuns,
    List<OpenLoop> openLoop,
    Restart restart) {

  /**
   * N pods created bound to the node, then deleted together.
   *
   * @param clientRequestsPerPod the kubelet's requests counted by its client interceptor
   * @param serverRequestsPerPod the API server's {@code apiserver_request_total} delta minus the
   *     driver's own requests: the kubelet's plus those of the controllers during the run
   * @param jitSecondsPer1000Pods the JVM's total compilation time over the run: elapsed time of the
   *     compiler threads, not their CPU time, so on busy cores it can exceed the CPU figure
   */
  record ClosedLoop(
      String kubelet,
      int pods,
      double toRunningSeconds,
      double toGoneSeconds,
      double runningPerSecond,
      double gonePerSecond,
      double p50Millis,
      double p99Millis,
      double cpuSecondsPer1000Pods,
      double jitSecondsPer1000Pods,
      long heapIdleBytes,
      long heapRunningBytes,
      double heapKbPerPod,
      Map<String, Double> clientRequestsPerPod,
      Map<String, Double> serverRequestsPerPod,
      Map<String, Long> failedRequests,
      Map<String, Long> providerCalls) {}

  /** The runs of the closed loop, or an empty list for files written before runs were repeated. */
  List<ClosedLoop> runs() {
    return closedLoopRuns == null ? List.of() : closedLoopRuns;
  }

  /** Pods created at a fixed offered rate; latency from first seen to Running. */
  record OpenLoop(
      String kubelet,
      double offeredRate,
      double seconds,
      int pods,
      double achievedRate,
      double p50Millis,
      double p90Millis,
      double p99Millis,
      double maxMillis) {}

  /**
   * vkj restarted over pods already Running in the backend.
   *
   * @param startSeconds until {@code VirtualKubelet.start()} returned (node Ready)
   * @param adoptSeconds from the start until the backend was listed, every pod synced since and the
   *     queue empty
   */
  record Restart(
      int pods,
      double startSeconds,
      double adoptSeconds,
      Map<String, Long> providerCalls,
      Map<String, Long> requests,
      int notRunningAfter) {}
}
