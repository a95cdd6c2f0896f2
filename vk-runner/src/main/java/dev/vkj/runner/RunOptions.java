package dev.vkj.runner;

import static java.util.Objects.requireNonNull;

import dev.vkj.spi.BackendLimits;
import io.fabric8.kubernetes.api.model.Taint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The validated options of {@code vk-runner run}.
 *
 * @param kubeconfig an explicit kubeconfig file; empty means fabric8's own search
 * @param taint the node taint, or empty when the taint is disabled
 * @param tlsCertificate serving certificate and key of the kubelet API, or empty for a generated
 *     self-signed pair
 * @param metricsPort the port of the runner's Prometheus endpoint; 0 disables it
 * @param providerCallTimeouts timeouts that replace the defaults, by provider operation
 * @param providerReadRate a reads rate that replaces the provider's declared one, or empty
 * @param providerWriteRate a writes rate that replaces the provider's declared one, or empty
 */
record RunOptions(
    String provider,
    String nodeName,
    Optional<Path> kubeconfig,
    Optional<Path> providerConfig,
    Optional<Path> providerPath,
    String nodeIp,
    int kubeletPort,
    String bindAddress,
    Optional<Taint> taint,
    int podSyncWorkers,
    EventLimits eventLimits,
    String logLevel,
    Optional<TlsFiles> tlsCertificate,
    Optional<Path> clientCa,
    boolean anonymousAuth,
    int metricsPort,
    Map<String, String> nodeLabels,
    Map<String, Duration> providerCallTimeouts,
    Optional<BackendLimits.Rate> providerReadRate,
    Optional<BackendLimits.Rate> providerWriteRate,
    Duration statusPollInterval,
    double providerReadBudget,
    int startupCleanupParallelism,
    Optional<LeaderElectionOptions> leaderElection) {

  /** Event writes per second and at once; the core checks the values and names a bad one. */
  record EventLimits(double qps, int burst) {}

  RunOptions {
    requireNonNull(provider, "provider is null");
    requireNonNull(eventLimits, "eventLimits is null");
    requireNonNull(nodeName, "nodeName is null");
    requireNonNull(kubeconfig, "kubeconfig is null");
    requireNonNull(providerConfig, "providerConfig is null");
    requireNonNull(providerPath, "providerPath is null");
    requireNonNull(nodeIp, "nodeIp is null");
    requireNonNull(bindAddress, "bindAddress is null");
    requireNonNull(taint, "taint is null");
    requireNonNull(logLevel, "logLevel is null");
    requireNonNull(tlsCertificate, "tlsCertificate is null");
    requireNonNull(clientCa, "clientCa is null");
    nodeLabels = Map.copyOf(nodeLabels);
    providerCallTimeouts = Map.copyOf(providerCallTimeouts);
    requireNonNull(providerReadRate, "providerReadRate is null");
    requireNonNull(providerWriteRate, "providerWriteRate is null");
    requireNonNull(statusPollInterval, "statusPollInterval is null");
    requireNonNull(leaderElection, "leaderElection is null");
  }

  /** The Lease through which replicas of one node elect the one that runs it. */
  record LeaderElectionOptions(
      String namespace,
      String identity,
      Duration leaseDuration,
      Duration renewDeadline,
      Duration retryPeriod) {
    LeaderElectionOptions {
      requireNonNull(namespace, "namespace is null");
      requireNonNull(identity, "identity is null");
      requireNonNull(leaseDuration, "leaseDuration is null");
      requireNonNull(renewDeadline, "renewDeadline is null");
      requireNonNull(retryPeriod, "retryPeriod is null");
    }
  }

  /** A serving certificate chain and its private key, both PEM. */
  record TlsFiles(Path certificate, Path key) {
    TlsFiles {
      requireNonNull(certificate, "certificate is null");
      requireNonNull(key, "key is null");
    }
  }
}
