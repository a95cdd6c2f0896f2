package dev.vkj.provider.azure;

import static java.util.Objects.requireNonNull;

import dev.vkj.spi.ConfigKey;
import dev.vkj.spi.ProviderConfig;
import dev.vkj.spi.ProviderException;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The configuration of the {@code azure} provider, checked when the runner starts: a malformed
 * value stops it with {@code INVALID_CONFIG} naming the key. Credentials are not configuration:
 * they come from the environment ({@code AZURE_TENANT_ID}, {@code AZURE_CLIENT_ID}, {@code
 * AZURE_CLIENT_SECRET}), a managed identity or workload identity.
 */
record AzureConfig(
    String subscriptionId,
    String resourceGroup,
    String region,
    String operatingSystem,
    Quantity cpu,
    Quantity memory,
    int pods,
    int gpus,
    Optional<String> gpuSku,
    Optional<String> subnetId,
    Optional<String> dnsNameLabelScope,
    Optional<String> clusterDnsIp,
    String clusterDomain,
    Optional<String> logAnalyticsWorkspaceId,
    Optional<String> logAnalyticsWorkspaceKey,
    URI armEndpoint) {

  static final String SUBSCRIPTION_ID = "subscriptionId";
  static final String RESOURCE_GROUP = "resourceGroup";
  static final String REGION = "region";
  static final String OPERATING_SYSTEM = "operatingSystem";
  static final String CPU = "cpu";
  static final String MEMORY = "memory";
  static final String PODS = "pods";
  static final String GPUS = "gpus";
  static final String GPU_SKU = "gpuSku";
  static final String SUBNET_ID = "subnetId";
  static final String DNS_NAME_LABEL_SCOPE = "dnsNameLabelScope";
  static final String CLUSTER_DNS_IP = "clusterDnsIp";
  static final String CLUSTER_DOMAIN = "clusterDomain";
  static final String LOG_ANALYTICS_WORKSPACE_ID = "logAnalyticsWorkspaceId";
  static final String LOG_ANALYTICS_WORKSPACE_KEY = "logAnalyticsWorkspaceKey";
  static final String ARM_ENDPOINT = "armEndpoint";

  static final List<ConfigKey> KEYS =
      List.of(
          ConfigKey.optional(
              SUBSCRIPTION_ID,
              null,
              "Azure subscription of the container groups; default: AZURE_SUBSCRIPTION_ID"),
          ConfigKey.required(RESOURCE_GROUP, "resource group that holds the container groups"),
          ConfigKey.required(REGION, "Azure region of the container groups, e.g. japaneast"),
          ConfigKey.optional(OPERATING_SYSTEM, "Linux", "Linux or Windows"),
          ConfigKey.optional(CPU, "10000", "node CPU capacity"),
          ConfigKey.optional(MEMORY, "4Ti", "node memory capacity"),
          ConfigKey.optional(PODS, "5000", "how many pods the node accepts"),
          ConfigKey.optional(GPUS, "0", "node capacity of nvidia.com/gpu"),
          ConfigKey.optional(
              GPU_SKU, null, "GPU SKU of GPU pods without an annotation: K80, P100, V100"),
          ConfigKey.optional(
              SUBNET_ID,
              null,
              "resource ID of a delegated subnet; groups then get private IPs instead of public ones"),
          ConfigKey.optional(
              DNS_NAME_LABEL_SCOPE,
              null,
              "reuse scope of DNS name labels: Unsecure, TenantReuse, SubscriptionReuse,"
                  + " ResourceGroupReuse, NoReuse"),
          ConfigKey.optional(
              CLUSTER_DNS_IP, null, "cluster DNS server for ClusterFirst pods (VNet groups only)"),
          ConfigKey.optional(CLUSTER_DOMAIN, "cluster.local", "cluster DNS domain"),
          ConfigKey.optional(
              LOG_ANALYTICS_WORKSPACE_ID, null, "Log Analytics workspace that receives the logs"),
          ConfigKey.secret(LOG_ANALYTICS_WORKSPACE_KEY, false, "key of that workspace"),
          ConfigKey.optional(
              ARM_ENDPOINT, "https://management.azure.com/", "Azure Resource Manager endpoint"));

  private static final Pattern GUID =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Pattern RESOURCE_GROUP_NAME = Pattern.compile("[-\\w._()]{1,90}");
  private static final Pattern SUBNET =
      Pattern.compile(
          "/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\\.Network"
              + "/virtualNetworks/[^/]+/subnets/[^/]+",
          Pattern.CASE_INSENSITIVE);
  private static final Pattern IPV4 =
      Pattern.compile("((25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1?\\d?\\d)");
  static final List<String> GPU_SKUS = List.of("K80", "P100", "V100");
  private static final List<String> SCOPES =
      List.of("Unsecure", "TenantReuse", "SubscriptionReuse", "ResourceGroupReuse", "NoReuse");

  AzureConfig {
    requireNonNull(subscriptionId, "subscriptionId is null");
    requireNonNull(resourceGroup, "resourceGroup is null");
    requireNonNull(region, "region is null");
    requireNonNull(operatingSystem, "operatingSystem is null");
    requireNonNull(cpu, "cpu is null");
    requireNonNull(memory, "memory is null");
    requireNonNull(gpuSku, "gpuSku is null");
    requireNonNull(subnetId, "subnetId is null");
    requireNonNull(dnsNameLabelScope, "dnsNameLabelScope is null");
    requireNonNull(clusterDnsIp, "clusterDnsIp is null");
    requireNonNull(clusterDomain, "clusterDomain is null");
    requireNonNull(logAnalyticsWorkspaceId, "logAnalyticsWorkspaceId is null");
    requireNonNull(logAnalyticsWorkspaceKey, "logAnalyticsWorkspaceKey is null");
    requireNonNull(armEndpoint, "armEndpoint is null");
  }

  /**
   * Reads and checks the configuration. {@code environmentSubscription} is the value of {@code
   * AZURE_SUBSCRIPTION_ID}, used when the file names no subscription.
   */
  static AzureConfig from(ProviderConfig config, Optional<String> environmentSubscription)
      throws ProviderException {
    String subscription =
        config
            .get(SUBSCRIPTION_ID)
            .or(() -> environmentSubscription.filter(s -> !s.isBlank()))
            .orElseThrow(
                () ->
                    ProviderException.invalidConfig(
                        SUBSCRIPTION_ID, "required key is missing (or set AZURE_SUBSCRIPTION_ID)"));
    if (!GUID.matcher(subscription).matches()) {
      throw ProviderException.invalidConfig(SUBSCRIPTION_ID, "not a subscription ID (a GUID)");
    }
    String group = config.require(RESOURCE_GROUP);
    if (!RESOURCE_GROUP_NAME.matcher(group).matches() || group.endsWith(".")) {
      throw ProviderException.invalidConfig(RESOURCE_GROUP, "not a resource group name: " + group);
    }
    String region = config.require(REGION).replace(" ", "").toLowerCase(Locale.ROOT);
    if (!region.matches("[a-z0-9]+")) {
      throw ProviderException.invalidConfig(REGION, "not a region name, e.g. japaneast");
    }
    String os = oneOf(config, OPERATING_SYSTEM, List.of("Linux", "Windows")).orElse("Linux");
    Quantity cpu = quantity(config, CPU);
    Quantity memory = quantity(config, MEMORY);
    int pods = config.getInt(PODS, 5000);
    if (pods < 1) {
      throw ProviderException.invalidConfig(PODS, "must be at least 1");
    }
    int gpus = config.getInt(GPUS, 0);
    if (gpus < 0) {
      throw ProviderException.invalidConfig(GPUS, "must not be negative");
    }
    Optional<String> gpuSku = oneOf(config, GPU_SKU, GPU_SKUS);
    Optional<String> subnet = config.get(SUBNET_ID);
    if (subnet.isPresent() && !SUBNET.matcher(subnet.get()).matches()) {
      throw ProviderException.invalidConfig(
          SUBNET_ID,
          "not a subnet resource ID (/subscriptions/…/resourceGroups/…/providers/"
              + "Microsoft.Network/virtualNetworks/…/subnets/…)");
    }
    Optional<String> dns = config.get(CLUSTER_DNS_IP);
    if (dns.isPresent() && !IPV4.matcher(dns.get()).matches()) {
      throw ProviderException.invalidConfig(CLUSTER_DNS_IP, "not an IPv4 address");
    }
    Optional<String> workspace = config.get(LOG_ANALYTICS_WORKSPACE_ID);
    Optional<String> key = config.get(LOG_ANALYTICS_WORKSPACE_KEY);
    if (workspace.isPresent() != key.isPresent()) {
      throw ProviderException.invalidConfig(
          workspace.isPresent() ? LOG_ANALYTICS_WORKSPACE_KEY : LOG_ANALYTICS_WORKSPACE_ID,
          "set both logAnalyticsWorkspaceId and logAnalyticsWorkspaceKey, or neither");
    }
    URI arm;
    try {
      arm = URI.create(config.getOrDefault(ARM_ENDPOINT, "https://management.azure.com/"));
    } catch (IllegalArgumentException e) {
      throw ProviderException.invalidConfig(ARM_ENDPOINT, "not a URL");
    }
    if (!"https".equals(arm.getScheme()) || arm.getHost() == null) {
      throw ProviderException.invalidConfig(ARM_ENDPOINT, "must be an https:// URL");
    }
    return new AzureConfig(
        subscription,
        group,
        region,
        os,
        cpu,
        memory,
        pods,
        gpus,
        gpuSku,
        subnet,
        oneOf(config, DNS_NAME_LABEL_SCOPE, SCOPES),
        dns,
        config.getOrDefault(CLUSTER_DOMAIN, "cluster.local"),
        workspace,
        key,
        arm);
  }

  boolean windows() {
    return "Windows".equals(operatingSystem);
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

  private static Quantity quantity(ProviderConfig config, String key) throws ProviderException {
    String raw = config.require(key);
    try {
      Quantity q = new Quantity(raw);
      if (Quantity.getAmountInBytes(q).compareTo(BigDecimal.ZERO) <= 0) {
        throw ProviderException.invalidConfig(key, "must be greater than 0");
      }
      return q;
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw ProviderException.invalidConfig(key, "not a quantity, e.g. 10000 or 4Ti: " + raw);
    }
  }
}
