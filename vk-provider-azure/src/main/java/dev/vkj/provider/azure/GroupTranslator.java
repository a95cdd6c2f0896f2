package dev.vkj.provider.azure;

import static java.util.Objects.requireNonNull;

import com.azure.json.JsonProviders;
import com.azure.json.JsonReader;
import com.azure.resourcemanager.containerinstance.fluent.models.ContainerGroupInner;
import com.azure.resourcemanager.containerinstance.models.AzureFileVolume;
import com.azure.resourcemanager.containerinstance.models.Container;
import com.azure.resourcemanager.containerinstance.models.ContainerExec;
import com.azure.resourcemanager.containerinstance.models.ContainerGroupDiagnostics;
import com.azure.resourcemanager.containerinstance.models.ContainerGroupIpAddressType;
import com.azure.resourcemanager.containerinstance.models.ContainerGroupNetworkProtocol;
import com.azure.resourcemanager.containerinstance.models.ContainerGroupRestartPolicy;
import com.azure.resourcemanager.containerinstance.models.ContainerGroupSubnetId;
import com.azure.resourcemanager.containerinstance.models.ContainerHttpGet;
import com.azure.resourcemanager.containerinstance.models.ContainerNetworkProtocol;
import com.azure.resourcemanager.containerinstance.models.ContainerPort;
import com.azure.resourcemanager.containerinstance.models.ContainerProbe;
import com.azure.resourcemanager.containerinstance.models.DnsConfiguration;
import com.azure.resourcemanager.containerinstance.models.DnsNameLabelReusePolicy;
import com.azure.resourcemanager.containerinstance.models.EnvironmentVariable;
import com.azure.resourcemanager.containerinstance.models.GitRepoVolume;
import com.azure.resourcemanager.containerinstance.models.GpuResource;
import com.azure.resourcemanager.containerinstance.models.GpuSku;
import com.azure.resourcemanager.containerinstance.models.HttpHeader;
import com.azure.resourcemanager.containerinstance.models.ImageRegistryCredential;
import com.azure.resourcemanager.containerinstance.models.InitContainerDefinition;
import com.azure.resourcemanager.containerinstance.models.IpAddress;
import com.azure.resourcemanager.containerinstance.models.LogAnalytics;
import com.azure.resourcemanager.containerinstance.models.LogAnalyticsLogType;
import com.azure.resourcemanager.containerinstance.models.OperatingSystemTypes;
import com.azure.resourcemanager.containerinstance.models.Port;
import com.azure.resourcemanager.containerinstance.models.ResourceLimits;
import com.azure.resourcemanager.containerinstance.models.ResourceRequests;
import com.azure.resourcemanager.containerinstance.models.ResourceRequirements;
import com.azure.resourcemanager.containerinstance.models.Scheme;
import com.azure.resourcemanager.containerinstance.models.SecurityContextCapabilitiesDefinition;
import com.azure.resourcemanager.containerinstance.models.SecurityContextDefinition;
import com.azure.resourcemanager.containerinstance.models.Volume;
import com.azure.resourcemanager.containerinstance.models.VolumeMount;
import dev.vkj.spi.ClusterResources;
import dev.vkj.spi.ProviderException;
import dev.vkj.spi.SecretEnv;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodDNSConfig;
import io.fabric8.kubernetes.api.model.PodDNSConfigOption;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a pod, its environment already resolved by the core, into the container group that runs it.
 * What ACI cannot express is refused with {@code INVALID_INPUT} naming the field, so the pod fails
 * with a reason instead of running differently from its spec. The rules are listed field by field
 * in {@code docs/provider-azure.md}.
 */
final class GroupTranslator {
  /** The pod annotation of the Go provider that sets the DNS name label of the public IP. */
  static final String DNS_NAME_LABEL = "virtualkubelet.io/dnsnamelabel";

  /** The pod annotation of the Go provider that picks the GPU SKU. */
  static final String GPU_TYPE = "virtual-kubelet.io/gpu-type";

  static final String GPU_RESOURCE = "nvidia.com/gpu";

  /** What a container without a CPU or memory request gets, as with the Go provider. */
  static final BigDecimal DEFAULT_CPU = BigDecimal.ONE;

  static final BigDecimal DEFAULT_MEMORY_GB = new BigDecimal("1.5");

  /** Kubernetes' default file mode of secret, configMap and projected volumes (0644). */
  private static final int DEFAULT_MODE = 0644;

  private static final BigDecimal GB = BigDecimal.valueOf(1_000_000_000L);

  private final AzureConfig config;
  private final String nodeName;
  private final ClusterResources resources;

  GroupTranslator(AzureConfig config, String nodeName, ClusterResources resources) {
    this.config = requireNonNull(config, "config is null");
    this.nodeName = requireNonNull(nodeName, "nodeName is null");
    this.resources = requireNonNull(resources, "resources is null");
  }

  /** The container group for the pod. */
  ContainerGroupInner translate(Pod pod) throws ProviderException {
    var spec = pod.getSpec();
    String ns = pod.getMetadata().getNamespace();
    refuse(Boolean.TRUE.equals(spec.getHostNetwork()), "spec.hostNetwork", "ACI has no host");
    refuse(Boolean.TRUE.equals(spec.getHostPID()), "spec.hostPID", "ACI has no host");
    refuse(Boolean.TRUE.equals(spec.getHostIPC()), "spec.hostIPC", "ACI has no host");
    refuse(
        !list(spec.getHostAliases()).isEmpty(), "spec.hostAliases", "ACI cannot edit /etc/hosts");
    PodSecurityContext podSecurity = spec.getSecurityContext();
    if (podSecurity != null) {
      refuse(
          !list(podSecurity.getSysctls()).isEmpty(),
          "spec.securityContext.sysctls",
          "ACI sets no sysctls");
    }

    Set<String> volumeNames = new LinkedHashSet<>();
    List<Volume> volumes = new ArrayList<>();
    for (io.fabric8.kubernetes.api.model.Volume v : list(spec.getVolumes())) {
      volume(pod, v).ifPresent(volumes::add);
      volumeNames.add(v.getName());
    }

    List<Container> containers = new ArrayList<>();
    Set<Port> groupPorts = new LinkedHashSet<>();
    for (io.fabric8.kubernetes.api.model.Container c : spec.getContainers()) {
      String at = "spec.containers[" + c.getName() + "]";
      refuse(c.getStartupProbe() != null, at + ".startupProbe", "ACI has no startup probes");
      refuse(c.getLifecycle() != null, at + ".lifecycle", "ACI runs no lifecycle hooks");
      Container out =
          new Container()
              .withName(c.getName())
              .withImage(c.getImage())
              .withCommand(command(at, c))
              .withEnvironmentVariables(env(c.getEnv()))
              .withVolumeMounts(mounts(at, c.getVolumeMounts(), volumeNames))
              .withResources(resources(pod, at, c))
              .withSecurityContext(security(at, c.getSecurityContext(), podSecurity))
              .withLivenessProbe(probe(at + ".livenessProbe", c, c.getLivenessProbe()))
              .withReadinessProbe(probe(at + ".readinessProbe", c, c.getReadinessProbe()));
      List<ContainerPort> ports = new ArrayList<>();
      for (var p : list(c.getPorts())) {
        String protocol = p.getProtocol() == null ? "TCP" : p.getProtocol();
        refuse(
            !"TCP".equals(protocol) && !"UDP".equals(protocol),
            at + ".ports[" + p.getContainerPort() + "].protocol",
            "ACI carries TCP and UDP only");
        refuse(
            p.getHostPort() != null && !p.getHostPort().equals(p.getContainerPort()),
            at + ".ports[" + p.getContainerPort() + "].hostPort",
            "ACI publishes a port under its own number only");
        ports.add(
            new ContainerPort()
                .withPort(p.getContainerPort())
                .withProtocol(ContainerNetworkProtocol.fromString(protocol)));
        groupPorts.add(
            new Port()
                .withPort(p.getContainerPort())
                .withProtocol(ContainerGroupNetworkProtocol.fromString(protocol)));
      }
      containers.add(out.withPorts(ports));
    }

    List<InitContainerDefinition> inits = new ArrayList<>();
    for (io.fabric8.kubernetes.api.model.Container c : list(spec.getInitContainers())) {
      String at = "spec.initContainers[" + c.getName() + "]";
      refuse(
          "Always".equals(c.getRestartPolicy()),
          at + ".restartPolicy",
          "ACI has no sidecar containers");
      refuse(!list(c.getPorts()).isEmpty(), at + ".ports", "ACI init containers have no ports");
      refuse(
          c.getLivenessProbe() != null
              || c.getReadinessProbe() != null
              || c.getStartupProbe() != null,
          at,
          "ACI init containers have no probes");
      refuse(c.getLifecycle() != null, at + ".lifecycle", "ACI runs no lifecycle hooks");
      inits.add(
          new InitContainerDefinition()
              .withName(c.getName())
              .withImage(c.getImage())
              .withCommand(command(at, c))
              .withEnvironmentVariables(env(c.getEnv()))
              .withVolumeMounts(mounts(at, c.getVolumeMounts(), volumeNames))
              .withSecurityContext(security(at, c.getSecurityContext(), podSecurity)));
    }

    ContainerGroupInner group =
        new ContainerGroupInner()
            .withContainers(containers)
            .withInitContainers(inits.isEmpty() ? null : inits)
            .withOsType(OperatingSystemTypes.fromString(config.operatingSystem()))
            .withRestartPolicy(
                ContainerGroupRestartPolicy.fromString(
                    spec.getRestartPolicy() == null ? "Always" : spec.getRestartPolicy()))
            .withVolumes(volumes.isEmpty() ? null : volumes)
            .withImageRegistryCredentials(registryCredentials(ns, spec.getImagePullSecrets()));
    group.withLocation(config.region()).withTags(GroupNames.tags(pod, nodeName));
    network(pod, group, new ArrayList<>(groupPorts));
    group.withDnsConfig(dns(pod));
    if (config.logAnalyticsWorkspaceId().isPresent()) {
      group.withDiagnostics(
          new ContainerGroupDiagnostics()
              .withLogAnalytics(
                  new LogAnalytics()
                      .withWorkspaceId(config.logAnalyticsWorkspaceId().get())
                      .withWorkspaceKey(config.logAnalyticsWorkspaceKey().orElseThrow())
                      .withLogType(LogAnalyticsLogType.CONTAINER_INSTANCE_LOGS)));
    }
    return group;
  }

  /** ACI has one {@code command} that replaces the image's entrypoint and arguments. */
  private static List<String> command(String at, io.fabric8.kubernetes.api.model.Container c)
      throws ProviderException {
    List<String> command = list(c.getCommand());
    List<String> args = list(c.getArgs());
    refuse(
        command.isEmpty() && !args.isEmpty(),
        at + ".args",
        "ACI cannot keep the image's entrypoint and replace only its arguments; set command too");
    refuse(c.getWorkingDir() != null, at + ".workingDir", "ACI cannot set the working directory");
    if (command.isEmpty()) {
      return null;
    }
    List<String> all = new ArrayList<>(command);
    all.addAll(args);
    return all;
  }

  /** Secret-derived values go into {@code secureValue}, which ARM never returns or logs. */
  private static List<EnvironmentVariable> env(List<EnvVar> env) {
    List<EnvironmentVariable> out = new ArrayList<>();
    for (EnvVar e : list(env)) {
      if (e.getValue() == null || e.getValue().isEmpty()) {
        continue; // as the Go provider: ACI refuses an empty value
      }
      EnvironmentVariable v = new EnvironmentVariable().withName(e.getName());
      out.add(
          SecretEnv.fromSecret(e) ? v.withSecureValue(e.getValue()) : v.withValue(e.getValue()));
    }
    return out;
  }

  private static List<VolumeMount> mounts(
      String at, List<io.fabric8.kubernetes.api.model.VolumeMount> mounts, Set<String> volumes)
      throws ProviderException {
    List<VolumeMount> out = new ArrayList<>();
    for (var m : list(mounts)) {
      String where = at + ".volumeMounts[" + m.getName() + "]";
      refuse(!volumes.contains(m.getName()), where, "no volume of that name");
      refuse(
          m.getSubPath() != null && !m.getSubPath().isEmpty()
              || m.getSubPathExpr() != null && !m.getSubPathExpr().isEmpty(),
          where + ".subPath",
          "ACI mounts whole volumes only");
      out.add(
          new VolumeMount()
              .withName(m.getName())
              .withMountPath(m.getMountPath())
              .withReadOnly(Boolean.TRUE.equals(m.getReadOnly()) ? true : null));
    }
    return out.isEmpty() ? null : out;
  }

  /**
   * ACI bills CPU in steps of 0.01 core and memory in steps of 0.1 GB (10^9 bytes). Amounts are
   * rounded up, so a container never gets less than it asked for.
   */
  private ResourceRequirements resources(
      Pod pod, String at, io.fabric8.kubernetes.api.model.Container c) throws ProviderException {
    Map<String, Quantity> requests =
        map(c.getResources() == null ? null : c.getResources().getRequests());
    Map<String, Quantity> limits =
        map(c.getResources() == null ? null : c.getResources().getLimits());
    ResourceRequests req =
        new ResourceRequests()
            .withCpu(cores(requests.get("cpu"), DEFAULT_CPU))
            .withMemoryInGB(gigabytes(requests.get("memory"), DEFAULT_MEMORY_GB));
    ResourceLimits lim = null;
    if (limits.containsKey("cpu") || limits.containsKey("memory")) {
      lim = new ResourceLimits();
      if (limits.containsKey("cpu")) {
        lim.withCpu(cores(limits.get("cpu"), DEFAULT_CPU));
      }
      if (limits.containsKey("memory")) {
        lim.withMemoryInGB(gigabytes(limits.get("memory"), DEFAULT_MEMORY_GB));
      }
    }
    Quantity gpu = limits.get(GPU_RESOURCE);
    if (gpu != null) {
      BigDecimal count = Quantity.getAmountInBytes(gpu);
      refuse(
          count.signum() <= 0 || count.stripTrailingZeros().scale() > 0,
          at + ".resources.limits[" + GPU_RESOURCE + "]",
          "must be a whole number greater than 0");
      refuse(
          config.gpus() == 0,
          at + ".resources.limits[" + GPU_RESOURCE + "]",
          "this node offers no GPUs (set the provider keys gpus and gpuSku)");
      GpuResource g = new GpuResource().withCount(count.intValueExact()).withSku(gpuSku(pod));
      req.withGpu(g);
      lim = (lim == null ? new ResourceLimits() : lim).withGpu(g);
    }
    return new ResourceRequirements().withRequests(req).withLimits(lim);
  }

  private GpuSku gpuSku(Pod pod) throws ProviderException {
    String asked = annotation(pod, GPU_TYPE);
    if (asked != null) {
      for (String sku : AzureConfig.GPU_SKUS) {
        if (sku.equalsIgnoreCase(asked.strip())) {
          return GpuSku.fromString(sku);
        }
      }
      throw ProviderException.invalidInput(
          "annotation "
              + GPU_TYPE
              + ": unknown GPU SKU '"
              + asked
              + "'; one of "
              + AzureConfig.GPU_SKUS);
    }
    return GpuSku.fromString(
        config
            .gpuSku()
            .orElseThrow(
                () ->
                    ProviderException.invalidInput(
                        "the pod names no GPU SKU (annotation "
                            + GPU_TYPE
                            + ") and the provider key gpuSku is not set")));
  }

  static double cores(Quantity q, BigDecimal fallback) {
    BigDecimal amount = q == null ? fallback : Quantity.getAmountInBytes(q);
    BigDecimal rounded = amount.setScale(2, RoundingMode.CEILING);
    return rounded.max(new BigDecimal("0.01")).doubleValue();
  }

  static double gigabytes(Quantity q, BigDecimal fallbackGb) {
    BigDecimal gb =
        q == null ? fallbackGb : Quantity.getAmountInBytes(q).divide(GB, 12, RoundingMode.CEILING);
    return gb.setScale(1, RoundingMode.CEILING).max(new BigDecimal("0.1")).doubleValue();
  }

  private static SecurityContextDefinition security(
      String at, SecurityContext sc, PodSecurityContext pod) throws ProviderException {
    Long user =
        sc != null && sc.getRunAsUser() != null
            ? sc.getRunAsUser()
            : pod == null ? null : pod.getRunAsUser();
    Long group =
        sc != null && sc.getRunAsGroup() != null
            ? sc.getRunAsGroup()
            : pod == null ? null : pod.getRunAsGroup();
    Boolean nonRoot =
        sc != null && sc.getRunAsNonRoot() != null
            ? sc.getRunAsNonRoot()
            : pod == null ? null : pod.getRunAsNonRoot();
    refuse(
        Boolean.TRUE.equals(nonRoot) && (user == null || user == 0),
        at + ".securityContext.runAsNonRoot",
        "ACI cannot check the image's user; set a non-zero runAsUser instead");
    refuse(
        sc != null && Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem()),
        at + ".securityContext.readOnlyRootFilesystem",
        "ACI cannot make the root filesystem read-only");
    SecurityContextDefinition out = new SecurityContextDefinition();
    boolean any = false;
    if (user != null) {
      out.withRunAsUser(Math.toIntExact(user));
      any = true;
    }
    if (group != null) {
      out.withRunAsGroup(Math.toIntExact(group));
      any = true;
    }
    if (sc != null) {
      if (sc.getPrivileged() != null) {
        out.withPrivileged(sc.getPrivileged());
        any = true;
      }
      if (sc.getAllowPrivilegeEscalation() != null) {
        out.withAllowPrivilegeEscalation(sc.getAllowPrivilegeEscalation());
        any = true;
      }
      if (sc.getCapabilities() != null) {
        out.withCapabilities(
            new SecurityContextCapabilitiesDefinition()
                .withAdd(emptyToNull(sc.getCapabilities().getAdd()))
                .withDrop(emptyToNull(sc.getCapabilities().getDrop())));
        any = true;
      }
    }
    return any ? out : null;
  }

  private static ContainerProbe probe(
      String at, io.fabric8.kubernetes.api.model.Container c, Probe p) throws ProviderException {
    if (p == null) {
      return null;
    }
    refuse(p.getTcpSocket() != null, at + ".tcpSocket", "ACI probes run a command or an HTTP GET");
    refuse(p.getGrpc() != null, at + ".grpc", "ACI probes run a command or an HTTP GET");
    ContainerProbe out =
        new ContainerProbe()
            .withInitialDelaySeconds(p.getInitialDelaySeconds())
            .withPeriodSeconds(p.getPeriodSeconds())
            .withFailureThreshold(p.getFailureThreshold())
            .withSuccessThreshold(p.getSuccessThreshold())
            .withTimeoutSeconds(p.getTimeoutSeconds());
    if (p.getExec() != null) {
      return out.withExec(new ContainerExec().withCommand(list(p.getExec().getCommand())));
    }
    HTTPGetAction get = p.getHttpGet();
    refuse(get == null, at, "a probe needs exec or httpGet");
    refuse(
        get.getHost() != null && !get.getHost().isEmpty(),
        at + ".httpGet.host",
        "ACI probes the container itself");
    List<HttpHeader> headers = new ArrayList<>();
    for (var h : list(get.getHttpHeaders())) {
      headers.add(new HttpHeader().withName(h.getName()).withValue(h.getValue()));
    }
    return out.withHttpGet(
        new ContainerHttpGet()
            .withPath(get.getPath())
            .withPort(port(at + ".httpGet.port", c, get.getPort()))
            .withScheme("HTTPS".equalsIgnoreCase(get.getScheme()) ? Scheme.HTTPS : Scheme.HTTP)
            .withHttpHeaders(headers.isEmpty() ? null : headers));
  }

  private static int port(String at, io.fabric8.kubernetes.api.model.Container c, IntOrString port)
      throws ProviderException {
    refuse(port == null, at, "a port is required");
    if (port.getIntVal() != null) {
      return port.getIntVal();
    }
    for (var p : list(c.getPorts())) {
      if (port.getStrVal().equals(p.getName())) {
        return p.getContainerPort();
      }
    }
    throw ProviderException.invalidInput(
        at + ": the container has no port named " + port.getStrVal());
  }

  /** Empty means the volume is left out (an optional source that does not exist). */
  private Optional<Volume> volume(Pod pod, io.fabric8.kubernetes.api.model.Volume v)
      throws ProviderException {
    String ns = pod.getMetadata().getNamespace();
    String at = "spec.volumes[" + v.getName() + "]";
    Volume out = new Volume().withName(v.getName());
    if (v.getEmptyDir() != null) {
      return Optional.of(out.withEmptyDir(Map.of()));
    }
    if (v.getSecret() != null) {
      var s = v.getSecret();
      mode(at + ".secret.defaultMode", s.getDefaultMode());
      Optional<Secret> secret = resources.secret(ns, s.getSecretName());
      if (secret.isEmpty()) {
        return missing(at, "Secret", ns, s.getSecretName(), s.getOptional());
      }
      return Optional.of(out.withSecret(files(at, secretData(secret.get()), s.getItems())));
    }
    if (v.getConfigMap() != null) {
      var c = v.getConfigMap();
      mode(at + ".configMap.defaultMode", c.getDefaultMode());
      Optional<ConfigMap> map = resources.configMap(ns, c.getName());
      if (map.isEmpty()) {
        return missing(at, "ConfigMap", ns, c.getName(), c.getOptional());
      }
      return Optional.of(out.withSecret(files(at, configMapData(map.get()), c.getItems())));
    }
    if (v.getProjected() != null) {
      mode(at + ".projected.defaultMode", v.getProjected().getDefaultMode());
      Map<String, String> merged = new LinkedHashMap<>();
      for (VolumeProjection source : list(v.getProjected().getSources())) {
        merged.putAll(projection(pod, at, source));
      }
      return Optional.of(out.withSecret(merged));
    }
    if (v.getDownwardAPI() != null) {
      mode(at + ".downwardAPI.defaultMode", v.getDownwardAPI().getDefaultMode());
      return Optional.of(out.withSecret(downward(pod, at, v.getDownwardAPI().getItems())));
    }
    if (v.getAzureFile() != null) {
      var f = v.getAzureFile();
      return Optional.of(
          out.withAzureFile(
              azureFile(at, ns, f.getSecretName(), f.getShareName(), f.getReadOnly())));
    }
    if (v.getCsi() != null && "file.csi.azure.com".equals(v.getCsi().getDriver())) {
      Map<String, String> attributes = map(v.getCsi().getVolumeAttributes());
      return Optional.of(
          out.withAzureFile(
              azureFile(
                  at,
                  ns,
                  attributes.get("secretName"),
                  attributes.get("shareName"),
                  v.getCsi().getReadOnly())));
    }
    if (v.getGitRepo() != null) {
      var g = v.getGitRepo();
      return Optional.of(
          out.withGitRepo(
              new GitRepoVolume()
                  .withRepository(g.getRepository())
                  .withRevision(g.getRevision())
                  .withDirectory(g.getDirectory())));
    }
    throw ProviderException.invalidInput(
        at
            + ": ACI mounts emptyDir, secret, configMap, projected, downwardAPI, azureFile,"
            + " file.csi.azure.com and gitRepo volumes only");
  }

  private Map<String, String> projection(Pod pod, String at, VolumeProjection source)
      throws ProviderException {
    String ns = pod.getMetadata().getNamespace();
    if (source.getSecret() != null) {
      var s = source.getSecret();
      Optional<Secret> secret = resources.secret(ns, s.getName());
      if (secret.isEmpty()) {
        missing(at, "Secret", ns, s.getName(), s.getOptional());
        return Map.of();
      }
      return files(at, secretData(secret.get()), s.getItems());
    }
    if (source.getConfigMap() != null) {
      var c = source.getConfigMap();
      Optional<ConfigMap> map = resources.configMap(ns, c.getName());
      if (map.isEmpty()) {
        missing(at, "ConfigMap", ns, c.getName(), c.getOptional());
        return Map.of();
      }
      return files(at, configMapData(map.get()), c.getItems());
    }
    if (source.getDownwardAPI() != null) {
      return downward(pod, at, source.getDownwardAPI().getItems());
    }
    if (source.getServiceAccountToken() != null) {
      // ACI cannot receive a bound token that the kubelet would rotate; the file is left out
      return Map.of();
    }
    throw ProviderException.invalidInput(at + ": ACI cannot project " + source);
  }

  private static Map<String, String> downward(
      Pod pod, String at, List<io.fabric8.kubernetes.api.model.DownwardAPIVolumeFile> items)
      throws ProviderException {
    Map<String, String> out = new LinkedHashMap<>();
    for (var item : list(items)) {
      mode(at + ".items[" + item.getPath() + "].mode", item.getMode());
      refuse(
          item.getFieldRef() == null,
          at + ".items[" + item.getPath() + "]",
          "ACI volumes take pod fields only, not container resources");
      String field = item.getFieldRef().getFieldPath();
      var meta = pod.getMetadata();
      String value =
          switch (field) {
            case "metadata.name" -> meta.getName();
            case "metadata.namespace" -> meta.getNamespace();
            case "metadata.uid" -> meta.getUid();
            case "metadata.labels" -> keyValues(meta.getLabels());
            case "metadata.annotations" -> keyValues(meta.getAnnotations());
            default ->
                throw ProviderException.invalidInput(
                    at + ".items[" + item.getPath() + "]: ACI volumes cannot carry " + field);
          };
      out.put(fileName(at, item.getPath()), base64(value == null ? "" : value));
    }
    return out;
  }

  private static String keyValues(Map<String, String> values) {
    StringBuilder out = new StringBuilder();
    for (var e : new java.util.TreeMap<>(map(values)).entrySet()) {
      out.append(e.getKey())
          .append("=\"")
          .append(e.getValue().replace("\"", "\\\""))
          .append("\"\n");
    }
    return out.toString();
  }

  private AzureFileVolume azureFile(
      String at, String ns, String secretName, String share, Boolean readOnly)
      throws ProviderException {
    refuse(
        secretName == null || share == null,
        at,
        "an Azure file volume needs secretName and shareName");
    Secret secret =
        resources
            .secret(ns, secretName)
            .orElseThrow(
                () ->
                    ProviderException.transientError(
                        at + ": Secret " + ns + "/" + secretName + " not found; waiting for it",
                        null));
    Map<String, String> data = map(secret.getData());
    String account = decode(data.get("azurestorageaccountname"));
    String key = decode(data.get("azurestorageaccountkey"));
    refuse(
        account == null || key == null,
        at,
        "Secret "
            + secretName
            + " needs the keys azurestorageaccountname and azurestorageaccountkey");
    return new AzureFileVolume()
        .withShareName(share)
        .withStorageAccountName(account)
        .withStorageAccountKey(key)
        .withReadOnly(Boolean.TRUE.equals(readOnly) ? true : null);
  }

  /** Like the kubelet: a missing optional source is skipped; a required one is waited for. */
  private static Optional<Volume> missing(
      String at, String kind, String ns, String name, Boolean optional) throws ProviderException {
    if (Boolean.TRUE.equals(optional)) {
      return Optional.empty();
    }
    throw ProviderException.transientError(
        at + ": " + kind + " " + ns + "/" + name + " not found; waiting for it", null);
  }

  /** Base64 file contents by file name, as an ACI secret volume takes them. */
  private static Map<String, String> files(
      String at, Map<String, String> base64ByKey, List<KeyToPath> items) throws ProviderException {
    Map<String, String> out = new LinkedHashMap<>();
    if (list(items).isEmpty()) {
      for (var e : base64ByKey.entrySet()) {
        out.put(fileName(at, e.getKey()), e.getValue());
      }
      return out;
    }
    for (KeyToPath item : items) {
      mode(at + ".items[" + item.getKey() + "].mode", item.getMode());
      String content = base64ByKey.get(item.getKey());
      refuse(content == null, at + ".items[" + item.getKey() + "]", "no such key");
      out.put(fileName(at, item.getPath()), content);
    }
    return out;
  }

  private static String fileName(String at, String path) throws ProviderException {
    refuse(
        path == null || path.isEmpty() || path.contains("/") || path.startsWith(".."),
        at + ": path '" + path + "'",
        "ACI volume files sit at the top of the volume; use a plain file name");
    return path;
  }

  private static void mode(String at, Integer mode) throws ProviderException {
    refuse(
        mode != null && mode != DEFAULT_MODE,
        at,
        "ACI writes volume files with mode 0644 only, not 0"
            + Integer.toOctalString(mode == null ? 0 : mode));
  }

  private static Map<String, String> secretData(Secret s) {
    Map<String, String> out = new LinkedHashMap<>(map(s.getData()));
    map(s.getStringData()).forEach((k, v) -> out.put(k, base64(v)));
    return out;
  }

  private static Map<String, String> configMapData(ConfigMap c) {
    Map<String, String> out = new LinkedHashMap<>();
    map(c.getData()).forEach((k, v) -> out.put(k, base64(v)));
    out.putAll(map(c.getBinaryData()));
    return out;
  }

  /**
   * One credential per registry of each pull secret. A pull secret that does not exist is skipped,
   * as the kubelet does: a public image still pulls.
   */
  private List<ImageRegistryCredential> registryCredentials(
      String ns, List<LocalObjectReference> refs) throws ProviderException {
    Map<String, ImageRegistryCredential> byServer = new LinkedHashMap<>();
    for (LocalObjectReference ref : list(refs)) {
      Optional<Secret> secret = resources.secret(ns, ref.getName());
      if (secret.isEmpty()) {
        continue;
      }
      String at = "spec.imagePullSecrets[" + ref.getName() + "]";
      Map<String, String> data = map(secret.get().getData());
      Map<String, Object> auths;
      if ("kubernetes.io/dockerconfigjson".equals(secret.get().getType())) {
        Object parsed = json(at, decode(data.get(".dockerconfigjson")));
        Object inner = parsed instanceof Map<?, ?> m ? m.get("auths") : null;
        auths = asMap(at, inner);
      } else if ("kubernetes.io/dockercfg".equals(secret.get().getType())) {
        auths = asMap(at, json(at, decode(data.get(".dockercfg"))));
      } else {
        throw ProviderException.invalidInput(
            at + ": type " + secret.get().getType() + " is not a registry credential");
      }
      for (var e : auths.entrySet()) {
        Map<String, Object> entry = asMap(at, e.getValue());
        String user = (String) entry.get("username");
        String password = (String) entry.get("password");
        if ((user == null || password == null) && entry.get("auth") instanceof String auth) {
          String plain = decode(auth);
          int colon = plain == null ? -1 : plain.indexOf(':');
          refuse(colon < 0, at, "the auth of " + e.getKey() + " is not user:password");
          user = plain.substring(0, colon);
          password = plain.substring(colon + 1);
        }
        refuse(user == null || password == null, at, "no username and password for " + e.getKey());
        String server = server(e.getKey());
        byServer.put(
            server,
            new ImageRegistryCredential()
                .withServer(server)
                .withUsername(user)
                .withPassword(password));
      }
    }
    return byServer.isEmpty() ? null : new ArrayList<>(byServer.values());
  }

  /** ACI wants a registry host without scheme or path ({@code https://index.docker.io/v1/}). */
  static String server(String key) {
    String s = key.strip();
    if (s.contains("://")) {
      URI uri = URI.create(s);
      return uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
    }
    int slash = s.indexOf('/');
    return slash < 0 ? s : s.substring(0, slash);
  }

  private void network(Pod pod, ContainerGroupInner group, List<Port> ports)
      throws ProviderException {
    if (config.subnetId().isPresent()) {
      group.withSubnetIds(List.of(new ContainerGroupSubnetId().withId(config.subnetId().get())));
      if (!ports.isEmpty()) {
        group.withIpAddress(
            new IpAddress().withType(ContainerGroupIpAddressType.PRIVATE).withPorts(ports));
      }
      refuse(
          annotation(pod, DNS_NAME_LABEL) != null,
          "annotation " + DNS_NAME_LABEL,
          "a group in a subnet has no public DNS name");
      return;
    }
    if (ports.isEmpty()) {
      return;
    }
    IpAddress ip = new IpAddress().withType(ContainerGroupIpAddressType.PUBLIC).withPorts(ports);
    String label = annotation(pod, DNS_NAME_LABEL);
    if (label != null) {
      refuse(
          !label.matches("[a-z][a-z0-9-]{1,61}[a-z0-9]"),
          "annotation " + DNS_NAME_LABEL,
          "a DNS name label is 3 to 63 lower-case letters, digits and hyphens");
      ip.withDnsNameLabel(label);
      config
          .dnsNameLabelScope()
          .ifPresent(
              s -> ip.withAutoGeneratedDomainNameLabelScope(DnsNameLabelReusePolicy.fromString(s)));
    }
    group.withIpAddress(ip);
  }

  /**
   * Cluster DNS as the kubelet writes resolv.conf, for groups in a subnet (a public group cannot
   * reach the cluster's DNS); {@code dnsPolicy: None} takes the pod's own configuration anywhere.
   */
  private DnsConfiguration dns(Pod pod) throws ProviderException {
    var spec = pod.getSpec();
    String policy = spec.getDnsPolicy() == null ? "ClusterFirst" : spec.getDnsPolicy();
    PodDNSConfig own = spec.getDnsConfig();
    List<String> servers = new ArrayList<>();
    List<String> searches = new ArrayList<>();
    List<String> options = new ArrayList<>();
    switch (policy) {
      case "None" -> {}
      case "ClusterFirst", "ClusterFirstWithHostNet" -> {
        if (config.clusterDnsIp().isEmpty() || config.subnetId().isEmpty() || config.windows()) {
          return null;
        }
        String domain = config.clusterDomain();
        servers.add(config.clusterDnsIp().get());
        searches.add(pod.getMetadata().getNamespace() + ".svc." + domain);
        searches.add("svc." + domain);
        searches.add(domain);
        options.add("ndots:5");
      }
      default -> {
        return null; // Default: the group's own resolver
      }
    }
    if (own != null) {
      servers.addAll(list(own.getNameservers()));
      searches.addAll(list(own.getSearches()));
      for (PodDNSConfigOption o : list(own.getOptions())) {
        options.removeIf(x -> x.startsWith(o.getName() + ":") || x.equals(o.getName()));
        options.add(o.getValue() == null ? o.getName() : o.getName() + ":" + o.getValue());
      }
    }
    if (servers.isEmpty()) {
      return null;
    }
    refuse(servers.size() > 3, "spec.dnsConfig.nameservers", "at most 3 nameservers in all");
    refuse(searches.size() > 32, "spec.dnsConfig.searches", "at most 32 search domains in all");
    return new DnsConfiguration()
        .withNameServers(servers)
        .withSearchDomains(searches.isEmpty() ? null : String.join(" ", searches))
        .withOptions(options.isEmpty() ? null : String.join(" ", options));
  }

  private static Object json(String at, String text) throws ProviderException {
    refuse(text == null, at, "the secret has no registry configuration");
    try (JsonReader reader = JsonProviders.createReader(text)) {
      return reader.readUntyped();
    } catch (IOException | RuntimeException e) {
      throw ProviderException.invalidInput(at + ": not valid JSON");
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(String at, Object o) throws ProviderException {
    if (o instanceof Map<?, ?> m) {
      return (Map<String, Object>) m;
    }
    throw ProviderException.invalidInput(at + ": not a registry configuration");
  }

  private static String annotation(Pod pod, String key) {
    var a = pod.getMetadata().getAnnotations();
    return a == null ? null : a.get(key);
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String decode(String b64) {
    if (b64 == null) {
      return null;
    }
    try {
      return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static void refuse(boolean condition, String field, String why) throws ProviderException {
    if (condition) {
      throw ProviderException.invalidInput(field + ": " + why);
    }
  }

  private static <T> List<T> list(List<T> l) {
    return l == null ? List.of() : l;
  }

  private static <T> List<T> emptyToNull(List<T> l) {
    return l == null || l.isEmpty() ? null : l;
  }

  private static <V> Map<String, V> map(Map<String, V> m) {
    return m == null ? Map.of() : m;
  }
}
