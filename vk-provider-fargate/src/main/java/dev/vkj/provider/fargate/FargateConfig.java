package dev.vkj.provider.fargate;

import static java.util.Objects.requireNonNull;

import dev.vkj.spi.ConfigKey;
import dev.vkj.spi.ProviderConfig;
import dev.vkj.spi.ProviderException;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The configuration of the {@code fargate} provider, checked when the runner starts: a malformed
 * value stops it with {@code INVALID_CONFIG} naming the key. Credentials are not configuration:
 * they come from the AWS default provider chain (environment, profile, web identity for IRSA,
 * container or instance credentials).
 */
record FargateConfig(
    String region,
    String cluster,
    boolean createCluster,
    List<String> subnets,
    List<String> securityGroups,
    boolean assignPublicIp,
    Optional<String> executionRoleArn,
    Optional<String> taskRoleArn,
    Optional<String> logGroup,
    String platformVersion,
    Optional<String> capacityProvider,
    String cpuArchitecture,
    Optional<String> parameterPrefix,
    Quantity cpu,
    Quantity memory,
    Quantity ephemeralStorage,
    int pods,
    Optional<URI> endpoint) {

  static final String REGION = "region";
  static final String CLUSTER = "cluster";
  static final String CREATE_CLUSTER = "createCluster";
  static final String SUBNETS = "subnets";
  static final String SECURITY_GROUPS = "securityGroups";
  static final String ASSIGN_PUBLIC_IP = "assignPublicIp";
  static final String EXECUTION_ROLE_ARN = "executionRoleArn";
  static final String TASK_ROLE_ARN = "taskRoleArn";
  static final String LOG_GROUP = "logGroup";
  static final String PLATFORM_VERSION = "platformVersion";
  static final String CAPACITY_PROVIDER = "capacityProvider";
  static final String CPU_ARCHITECTURE = "cpuArchitecture";
  static final String PARAMETER_PREFIX = "parameterPrefix";
  static final String CPU = "cpu";
  static final String MEMORY = "memory";
  static final String EPHEMERAL_STORAGE = "ephemeralStorage";
  static final String PODS = "pods";
  static final String ENDPOINT = "endpoint";

  static final List<ConfigKey> KEYS =
      List.of(
          ConfigKey.optional(
              REGION, null, "AWS region of the cluster, e.g. us-east-1; default: AWS_REGION"),
          ConfigKey.optional(CLUSTER, "default", "ECS cluster that runs the tasks"),
          ConfigKey.optional(
              CREATE_CLUSTER, "true", "create the cluster at startup when it does not exist"),
          ConfigKey.required(
              SUBNETS, "comma-separated subnet IDs of the tasks' network interfaces"),
          ConfigKey.optional(
              SECURITY_GROUPS,
              null,
              "comma-separated security group IDs; default: the VPC's default group"),
          ConfigKey.optional(
              ASSIGN_PUBLIC_IP, "false", "give each task a public IPv4 address (public subnets)"),
          ConfigKey.optional(
              EXECUTION_ROLE_ARN,
              null,
              "task execution role: pulls images, writes logs, reads the pods' secrets; required"
                  + " with logGroup and for pods with env from Secrets"),
          ConfigKey.optional(
              TASK_ROLE_ARN,
              null,
              "default task role of pods without a vkj.dev/task-role-arn annotation"),
          ConfigKey.optional(
              LOG_GROUP, null, "CloudWatch Logs group of the containers' output (awslogs)"),
          ConfigKey.optional(PLATFORM_VERSION, "LATEST", "Fargate platform version"),
          ConfigKey.optional(
              CAPACITY_PROVIDER,
              null,
              "FARGATE or FARGATE_SPOT for pods without a vkj.dev/capacity-provider annotation;"
                  + " default: launch type FARGATE"),
          ConfigKey.optional(
              CPU_ARCHITECTURE,
              "X86_64",
              "X86_64 or ARM64 for pods without a kubernetes.io/arch node selector"),
          ConfigKey.optional(
              PARAMETER_PREFIX,
              null,
              "SSM Parameter Store path of the pods' secret values; default: /vkj/<cluster>/<node>"),
          ConfigKey.optional(CPU, "20", "node CPU capacity"),
          ConfigKey.optional(MEMORY, "40Gi", "node memory capacity"),
          ConfigKey.optional(EPHEMERAL_STORAGE, "40Gi", "node ephemeral-storage capacity"),
          ConfigKey.optional(PODS, "20", "how many pods the node accepts"),
          ConfigKey.optional(
              ENDPOINT,
              null,
              "one endpoint for ECS, CloudWatch Logs and SSM (a local emulator); default: AWS's"));

  private static final Pattern REGION_NAME = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d");
  private static final Pattern CLUSTER_NAME = Pattern.compile("[A-Za-z0-9_-]{1,255}");
  private static final Pattern SUBNET = Pattern.compile("subnet-[0-9a-f]{1,32}");
  private static final Pattern SECURITY_GROUP = Pattern.compile("sg-[0-9a-f]{1,32}");
  private static final Pattern ROLE_ARN =
      Pattern.compile("arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]{1,512}");
  private static final Pattern LOG_GROUP_NAME = Pattern.compile("[\\w.#/-]{1,512}");
  private static final Pattern PLATFORM = Pattern.compile("LATEST|\\d+\\.\\d+\\.\\d+");
  private static final Pattern PREFIX = Pattern.compile("(/[A-Za-z0-9_.-]+)+");

  FargateConfig {
    requireNonNull(region, "region is null");
    requireNonNull(cluster, "cluster is null");
    subnets = List.copyOf(subnets);
    securityGroups = List.copyOf(securityGroups);
    requireNonNull(executionRoleArn, "executionRoleArn is null");
    requireNonNull(taskRoleArn, "taskRoleArn is null");
    requireNonNull(logGroup, "logGroup is null");
    requireNonNull(platformVersion, "platformVersion is null");
    requireNonNull(capacityProvider, "capacityProvider is null");
    requireNonNull(cpuArchitecture, "cpuArchitecture is null");
    requireNonNull(parameterPrefix, "parameterPrefix is null");
    requireNonNull(cpu, "cpu is null");
    requireNonNull(memory, "memory is null");
    requireNonNull(ephemeralStorage, "ephemeralStorage is null");
    requireNonNull(endpoint, "endpoint is null");
  }

  /**
   * Reads and checks the configuration. {@code environmentRegion} is the value of {@code
   * AWS_REGION}, used when the file names no region.
   */
  static FargateConfig from(ProviderConfig config, Optional<String> environmentRegion)
      throws ProviderException {
    String region =
        config
            .get(REGION)
            .or(() -> environmentRegion.filter(r -> !r.isBlank()))
            .orElseThrow(
                () ->
                    ProviderException.invalidConfig(
                        REGION, "required key is missing (or set AWS_REGION)"));
    if (!REGION_NAME.matcher(region).matches()) {
      throw ProviderException.invalidConfig(REGION, "not a region name, e.g. us-east-1");
    }
    String cluster = config.getOrDefault(CLUSTER, "default");
    if (!CLUSTER_NAME.matcher(cluster).matches()) {
      throw ProviderException.invalidConfig(
          CLUSTER, "up to 255 letters, digits, hyphens and underscores");
    }
    List<String> subnets = ids(config, SUBNETS, SUBNET, "subnet-0123abcd");
    if (subnets.isEmpty()) {
      throw ProviderException.invalidConfig(SUBNETS, "name at least one subnet");
    }
    if (subnets.size() > 16) {
      throw ProviderException.invalidConfig(SUBNETS, "ECS takes at most 16 subnets");
    }
    List<String> groups = ids(config, SECURITY_GROUPS, SECURITY_GROUP, "sg-0123abcd");
    if (groups.size() > 5) {
      throw ProviderException.invalidConfig(SECURITY_GROUPS, "ECS takes at most 5 groups");
    }
    Optional<String> execution = arn(config, EXECUTION_ROLE_ARN);
    Optional<String> task = arn(config, TASK_ROLE_ARN);
    Optional<String> logGroup = config.get(LOG_GROUP);
    if (logGroup.isPresent() && !LOG_GROUP_NAME.matcher(logGroup.get()).matches()) {
      throw ProviderException.invalidConfig(LOG_GROUP, "not a log group name");
    }
    if (logGroup.isPresent() && execution.isEmpty()) {
      throw ProviderException.invalidConfig(
          EXECUTION_ROLE_ARN,
          "required with logGroup: Fargate writes awslogs output with the task execution role");
    }
    String platform = config.getOrDefault(PLATFORM_VERSION, "LATEST");
    if (!PLATFORM.matcher(platform).matches()) {
      throw ProviderException.invalidConfig(PLATFORM_VERSION, "LATEST or a version like 1.4.0");
    }
    Optional<String> capacity =
        oneOf(config, CAPACITY_PROVIDER, List.of("FARGATE", "FARGATE_SPOT"));
    String arch = oneOf(config, CPU_ARCHITECTURE, List.of("X86_64", "ARM64")).orElse("X86_64");
    Optional<String> prefix = config.get(PARAMETER_PREFIX);
    if (prefix.isPresent() && !PREFIX.matcher(prefix.get()).matches()) {
      throw ProviderException.invalidConfig(
          PARAMETER_PREFIX, "a path like /vkj/prod, without a trailing slash");
    }
    int pods = config.getInt(PODS, 20);
    if (pods < 1) {
      throw ProviderException.invalidConfig(PODS, "must be at least 1");
    }
    Optional<URI> endpoint = Optional.empty();
    if (config.get(ENDPOINT).isPresent()) {
      try {
        URI uri = URI.create(config.get(ENDPOINT).get());
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
            || uri.getHost() == null) {
          throw ProviderException.invalidConfig(ENDPOINT, "must be an http:// or https:// URL");
        }
        endpoint = Optional.of(uri);
      } catch (IllegalArgumentException e) {
        throw ProviderException.invalidConfig(ENDPOINT, "not a URL");
      }
    }
    return new FargateConfig(
        region,
        cluster,
        config.getBoolean(CREATE_CLUSTER, true),
        subnets,
        groups,
        config.getBoolean(ASSIGN_PUBLIC_IP, false),
        execution,
        task,
        logGroup,
        platform,
        capacity,
        arch,
        prefix,
        quantity(config, CPU, "20"),
        quantity(config, MEMORY, "40Gi"),
        quantity(config, EPHEMERAL_STORAGE, "40Gi"),
        pods,
        endpoint);
  }

  /** The settings that shape task definitions on the node {@code nodeName}. */
  TaskSettings taskSettings(String nodeName) {
    return new TaskSettings(
        cluster,
        nodeName,
        region,
        executionRoleArn,
        taskRoleArn,
        logGroup,
        cpuArchitecture,
        parameterPrefix.orElse(
            "/vkj/" + cluster + "/" + nodeName.replaceAll("[^A-Za-z0-9_.-]", "-")));
  }

  private static List<String> ids(
      ProviderConfig config, String key, Pattern pattern, String example) throws ProviderException {
    List<String> out = new ArrayList<>();
    for (String raw : config.getOrDefault(key, "").split(",")) {
      String id = raw.strip();
      if (id.isEmpty()) {
        continue;
      }
      if (!pattern.matcher(id).matches()) {
        throw ProviderException.invalidConfig(key, "not an ID like " + example + ": " + id);
      }
      out.add(id);
    }
    return out;
  }

  private static Optional<String> arn(ProviderConfig config, String key) throws ProviderException {
    Optional<String> value = config.get(key);
    if (value.isPresent() && !ROLE_ARN.matcher(value.get()).matches()) {
      throw ProviderException.invalidConfig(
          key, "not an IAM role ARN like arn:aws:iam::123456789012:role/name");
    }
    return value;
  }

  private static Optional<String> oneOf(ProviderConfig config, String key, List<String> allowed)
      throws ProviderException {
    Optional<String> value = config.get(key);
    if (value.isEmpty()) {
      return value;
    }
    for (String a : allowed) {
      if (a.equalsIgnoreCase(value.get())) {
        return Optional.of(a);
      }
    }
    throw ProviderException.invalidConfig(key, "must be one of " + allowed);
  }

  private static Quantity quantity(ProviderConfig config, String key, String defaultValue)
      throws ProviderException {
    String raw = config.getOrDefault(key, defaultValue);
    try {
      Quantity q = new Quantity(raw);
      if (Quantity.getAmountInBytes(q).compareTo(BigDecimal.ZERO) <= 0) {
        throw ProviderException.invalidConfig(key, "must be greater than 0");
      }
      return q;
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw ProviderException.invalidConfig(key, "not a quantity, e.g. 20 or 40Gi: " + raw);
    }
  }

  String lowerArchitecture() {
    return "ARM64".equals(cpuArchitecture) ? "arm64" : "amd64";
  }
}
