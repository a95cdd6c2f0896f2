package dev.vkj.runner;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Taint;
import java.nio.file.Path;
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
    Tuning tuning,
    String logLevel,
    Optional<TlsFiles> tlsCertificate,
    Optional<Path> clientCa,
    boolean anonymousAuth,
    int metricsPort,
    Map<String, String> nodeLabels) {

  /** Rates and periods of the core; the core checks their values and names a bad one. */
  record Tuning(
      double eventQps,
      int eventBurst,
      java.time.Duration statusPollInterval,
      double providerReadBudget,
      int startupCleanupParallelism) {}

  RunOptions {
    requireNonNull(provider, "provider is null");
    requireNonNull(tuning, "tuning is null");
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
  }

  /** A serving certificate chain and its private key, both PEM. */
  record TlsFiles(Path certificate, Path key) {
    TlsFiles {
      requireNonNull(certificate, "certificate is null");
      requireNonNull(key, "key is null");
    }
  }
}
