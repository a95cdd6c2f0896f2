package dev.vkj.provider.fargate;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;

/**
 * Settings from the provider config that shape task definitions.
 *
 * @param cluster the ECS cluster
 * @param nodeName the virtual node
 * @param region the AWS region, for the {@code awslogs} driver
 * @param executionRoleArn the task execution role (image pulls, secrets, logs)
 * @param taskRoleArn the task role of pods that name none
 * @param logGroup the CloudWatch Logs group of the containers' output, or empty for no logs
 * @param cpuArchitecture {@code X86_64} or {@code ARM64}: the default when the pod has no {@code
 *     kubernetes.io/arch} node selector
 * @param parameterPrefix the SSM path under which secret values are stored, like {@code
 *     /vkj/<cluster>/<node>}, without a trailing slash
 */
record TaskSettings(
    String cluster,
    String nodeName,
    String region,
    Optional<String> executionRoleArn,
    Optional<String> taskRoleArn,
    Optional<String> logGroup,
    String cpuArchitecture,
    String parameterPrefix) {
  static final Set<String> ARCHITECTURES = Set.of("X86_64", "ARM64");

  TaskSettings {
    requireNonNull(cluster, "cluster is null");
    requireNonNull(nodeName, "nodeName is null");
    requireNonNull(region, "region is null");
    requireNonNull(executionRoleArn, "executionRoleArn is null");
    requireNonNull(taskRoleArn, "taskRoleArn is null");
    requireNonNull(logGroup, "logGroup is null");
    requireNonNull(cpuArchitecture, "cpuArchitecture is null");
    requireNonNull(parameterPrefix, "parameterPrefix is null");
    if (!ARCHITECTURES.contains(cpuArchitecture)) {
      throw new IllegalArgumentException(
          "cpuArchitecture must be X86_64 or ARM64, not '" + cpuArchitecture + "'");
    }
    // SSM names below a path start with '/'; the translator appends "/<namespace>/..."
    if (!parameterPrefix.isEmpty()
        && (!parameterPrefix.startsWith("/") || parameterPrefix.endsWith("/"))) {
      throw new IllegalArgumentException(
          "parameterPrefix must start with '/' and not end with '/', like /vkj/cluster/node, not '"
              + parameterPrefix
              + "'");
    }
    if (!parameterPrefix.matches("[a-zA-Z0-9_./-]*")) {
      throw new IllegalArgumentException(
          "parameterPrefix may contain letters, digits and _ . - / only, not '"
              + parameterPrefix
              + "'");
    }
  }

  /**
   * {@code vkj-} and the first 8 hex digits of the SHA-256 of {@code <cluster>/<nodeName>}, then
   * {@code -}: every task definition family of this node starts with it, so that families of
   * several nodes sharing one account never mix, and a node finds its own by prefix.
   */
  String familyPrefix() {
    return "vkj-" + sha256Hex(cluster + "/" + nodeName).substring(0, 8) + "-";
  }

  static String sha256Hex(String text) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
