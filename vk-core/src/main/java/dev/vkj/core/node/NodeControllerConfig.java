package dev.vkj.core.node;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Taint;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Settings of the node controller. Defaults follow the kubelet: Lease of 40 s renewed every 10 s,
 * status checked every 10 s and written when it changed or once a minute.
 *
 * @param nodeName the Node's name
 * @param nodeIp the InternalIP address the API server uses to reach the kubelet port
 * @param kubeletPort the kubelet API port advertised in {@code daemonEndpoints}
 * @param taint the taint put on the node, or empty for none
 * @param extraLabels labels added to the node besides the standard and provider labels
 * @param kubeletVersion what {@code kubectl get nodes} shows as VERSION
 * @param clock time source
 * @param pingInterval how often the provider's health is checked
 * @param pingTimeout how long a ping may take before it counts as failed
 * @param statusCheckInterval how often the desired status is recomputed
 * @param statusReportInterval the longest time between two status writes
 * @param leaseDuration {@code leaseDurationSeconds} of the node Lease
 * @param leaseRenewInterval how often the Lease is renewed
 */
public record NodeControllerConfig(
    String nodeName,
    String nodeIp,
    int kubeletPort,
    Optional<Taint> taint,
    Map<String, String> extraLabels,
    String kubeletVersion,
    Clock clock,
    Duration pingInterval,
    Duration pingTimeout,
    Duration statusCheckInterval,
    Duration statusReportInterval,
    Duration leaseDuration,
    Duration leaseRenewInterval) {

  public NodeControllerConfig {
    requireNonNull(nodeName, "nodeName is null");
    requireNonNull(nodeIp, "nodeIp is null");
    requireNonNull(taint, "taint is null");
    extraLabels = Map.copyOf(extraLabels);
    requireNonNull(kubeletVersion, "kubeletVersion is null");
    requireNonNull(clock, "clock is null");
    requireNonNull(pingInterval, "pingInterval is null");
    requireNonNull(pingTimeout, "pingTimeout is null");
    requireNonNull(statusCheckInterval, "statusCheckInterval is null");
    requireNonNull(statusReportInterval, "statusReportInterval is null");
    requireNonNull(leaseDuration, "leaseDuration is null");
    requireNonNull(leaseRenewInterval, "leaseRenewInterval is null");
    if (leaseRenewInterval.compareTo(leaseDuration) >= 0) {
      throw new IllegalArgumentException("lease renew interval must be shorter than its duration");
    }
  }

  /** Kubelet defaults for a node. */
  public static NodeControllerConfig defaults(
      String nodeName, String nodeIp, int kubeletPort, Optional<Taint> taint) {
    return new NodeControllerConfig(
        nodeName,
        nodeIp,
        kubeletPort,
        taint,
        Map.of(),
        "v1.31.0-vkj",
        Clock.systemUTC(),
        Duration.ofSeconds(10),
        Duration.ofSeconds(5),
        Duration.ofSeconds(10),
        Duration.ofMinutes(1),
        Duration.ofSeconds(40),
        Duration.ofSeconds(10));
  }

  public NodeControllerConfig withClock(Clock clock) {
    return new NodeControllerConfig(
        nodeName,
        nodeIp,
        kubeletPort,
        taint,
        extraLabels,
        kubeletVersion,
        clock,
        pingInterval,
        pingTimeout,
        statusCheckInterval,
        statusReportInterval,
        leaseDuration,
        leaseRenewInterval);
  }

  public NodeControllerConfig withExtraLabels(Map<String, String> labels) {
    return new NodeControllerConfig(
        nodeName,
        nodeIp,
        kubeletPort,
        taint,
        labels,
        kubeletVersion,
        clock,
        pingInterval,
        pingTimeout,
        statusCheckInterval,
        statusReportInterval,
        leaseDuration,
        leaseRenewInterval);
  }

  public NodeControllerConfig withKubeletVersion(String version) {
    return new NodeControllerConfig(
        nodeName,
        nodeIp,
        kubeletPort,
        taint,
        extraLabels,
        version,
        clock,
        pingInterval,
        pingTimeout,
        statusCheckInterval,
        statusReportInterval,
        leaseDuration,
        leaseRenewInterval);
  }

  /** Shorter intervals, for tests that must see several cycles quickly. */
  public NodeControllerConfig withIntervals(
      Duration ping, Duration statusCheck, Duration statusReport, Duration leaseRenew) {
    return new NodeControllerConfig(
        nodeName,
        nodeIp,
        kubeletPort,
        taint,
        extraLabels,
        kubeletVersion,
        clock,
        ping,
        pingTimeout,
        statusCheck,
        statusReport,
        leaseDuration,
        leaseRenew);
  }
}
