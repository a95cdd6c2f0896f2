package dev.vkj.provider.fargate;

import static java.util.Objects.requireNonNull;

import dev.vkj.spi.ProviderException;
import dev.vkj.spi.SecretEnv;
import dev.vkj.toolkit.PodResources;
import dev.vkj.toolkit.ResourceAmounts;
import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.services.ecs.model.Compatibility;
import software.amazon.awssdk.services.ecs.model.ContainerCondition;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.ContainerDependency;
import software.amazon.awssdk.services.ecs.model.HealthCheck;
import software.amazon.awssdk.services.ecs.model.KernelCapabilities;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.LinuxParameters;
import software.amazon.awssdk.services.ecs.model.LogConfiguration;
import software.amazon.awssdk.services.ecs.model.LogDriver;
import software.amazon.awssdk.services.ecs.model.MountPoint;
import software.amazon.awssdk.services.ecs.model.NetworkMode;
import software.amazon.awssdk.services.ecs.model.OSFamily;
import software.amazon.awssdk.services.ecs.model.PidMode;
import software.amazon.awssdk.services.ecs.model.PortMapping;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.RuntimePlatform;
import software.amazon.awssdk.services.ecs.model.Secret;
import software.amazon.awssdk.services.ecs.model.TransportProtocol;
import software.amazon.awssdk.services.ecs.model.Volume;

/**
 * Turns a pod, its environment already resolved by the core, into the ECS task definition that runs
 * it on Fargate. What Fargate cannot run as specified is refused with {@code INVALID_INPUT} naming
 * the field (like {@code spec.containers[0].ports[1]}), so the pod fails with a reason instead of
 * running differently from its spec.
 *
 * <h2>Task</h2>
 *
 * <ul>
 *   <li>{@code requiresCompatibilities [FARGATE]}, {@code networkMode awsvpc}, {@code
 *       runtimePlatform} Linux with the architecture of the node selector {@code
 *       kubernetes.io/arch} ({@code amd64} is {@code X86_64}, {@code arm64} is {@code ARM64}), else
 *       the configured one. A node selector {@code kubernetes.io/os} other than {@code linux}, or
 *       {@code spec.os.name} other than {@code linux}, is refused.
 *   <li>Family: the node's {@link TaskSettings#familyPrefix()}, the namespace, the owner (the
 *       controller's name from the owner references, else {@code generateName} without its trailing
 *       {@code -}, else the pod name) and the first 12 hex digits of the content hash, joined by
 *       {@code -}. Characters outside {@code [A-Za-z0-9_-]} become {@code -}, and the namespace and
 *       owner are cut so that the family has at most 255 characters. Replicas with equal specs
 *       therefore share one family and one task definition.
 *   <li>Content hash: the SHA-256 of a canonical rendering of the definition without family and
 *       tags (every member set, lists in order, map keys sorted, strings quoted). It covers no pod
 *       name, UID or label, no annotation but the task role ones, and no secret value: secrets are
 *       referenced by parameter name only.
 *   <li>{@code executionRoleArn} from the config. {@code taskRoleArn} from the annotation {@code
 *       vkj.dev/task-role-arn}, else {@code iam.amazonaws.com/role} (kube2iam's, as the archived Go
 *       provider read it), else the config.
 *   <li>The annotation {@code vkj.dev/capacity-provider: FARGATE_SPOT} (or {@code FARGATE}) asks
 *       RunTask for that capacity provider; it is not part of the definition.
 *   <li>{@code shareProcessNamespace: true} is {@code pidMode: task}.
 *   <li>{@code cpu} and {@code memory} (decimal strings): the smallest {@link TaskSizes} size
 *       holding the pod. The pod's need is Kubernetes' effective request ({@link PodResources}),
 *       taking per container its limit, else its request: the larger of the sum over app containers
 *       and sidecars, and each init container (with the sidecars before it); pod-level {@code
 *       spec.resources} replace it when set. It is at least the sum of the container reservations
 *       below, which ECS checks against the task size. A pod asking for nothing gets 256 cpu units
 *       and 512 MiB; a pod larger than 16 vCPU / 120 GiB is refused.
 *   <li>{@code ephemeralStorage}: the pod's ephemeral-storage (limit, else request, summed the same
 *       way) in GiB rounded up; up to 20 GiB is Fargate's default and left out, 21 to 200 GiB is
 *       {@code sizeInGiB}, more is refused.
 * </ul>
 *
 * <h2>Containers</h2>
 *
 * App containers first, then init containers, each with:
 *
 * <ul>
 *   <li>{@code name}, {@code image}; {@code entryPoint} from {@code command}, {@code command} from
 *       {@code args}, {@code workingDirectory} from {@code workingDir}.
 *   <li>{@code environment}: every variable with a literal value; one declared without a value gets
 *       {@code ""}. A variable whose value came from a Secret ({@link SecretEnv}) becomes a {@code
 *       secrets} entry naming the SSM parameter {@code
 *       <parameterPrefix>/<namespace>/<secret>/<key>}, and its value a {@link SecretParameter} of
 *       the plan; pods reading the same key share the parameter. When variables of one pod that
 *       point at the same key carry different values (a value composed with {@code $(VAR)} from a
 *       secret is marked with that secret), each gets its own parameter {@code
 *       <parameterPrefix>/<namespace>/_env/<owner>/<container>/<variable>} ({@code _} never starts
 *       a Secret name). Characters outside {@code [A-Za-z0-9_.-]} in a path segment become {@code
 *       -}. A variable with a {@code valueFrom} and no value was not resolved and is refused.
 *       Limitation: a pod whose only reference to a key is a composed value cannot be told apart
 *       from a direct reference, and shares the key's parameter name.
 *   <li>{@code portMappings}: {@code containerPort} with {@code hostPort} equal to it (awsvpc),
 *       {@code tcp} or {@code udp}. SCTP, a different {@code hostPort} and a port mapped twice in
 *       the pod are refused.
 *   <li>{@code essential}: true for app containers. Init containers are not essential and run in
 *       order: each depends on the one before it with {@code SUCCESS}, and every app container on
 *       the last one. A sidecar (an init container with {@code restartPolicy: Always}) is not
 *       essential either, and the container after it depends on it with {@code START}. ECS stops a
 *       task when any essential container exits, so one app container that ends ends the pod.
 *   <li>Resources of app containers and sidecars: {@code cpu} units = ceil(millicores × 1024 /
 *       1000) of the cpu limit, else the request, else 0; {@code memory} (hard) = the memory limit
 *       in MiB rounded up; {@code memoryReservation} = the memory request in MiB rounded up when
 *       there is no limit or it is below the limit (ECS wants the hard limit strictly greater).
 *       Init containers that are not sidecars get no container-level cpu or memory: ECS adds up the
 *       reservations of all containers, init ones included, while Kubernetes sizes a pod for init
 *       containers that run one at a time, so they run within the task's resources instead of their
 *       own limits. Resources other than cpu, memory and ephemeral-storage (GPUs, hugepages,
 *       extended resources) are refused.
 *   <li>{@code emptyDir} volumes (not {@code medium: Memory}) are task volumes without a host, and
 *       their mounts {@code mountPoints} ({@code sourceVolume}, {@code containerPath}, {@code
 *       readOnly}). The service-account volume the API server injects ({@code kube-api-access-*},
 *       projected with a {@code serviceAccountToken}, or before Kubernetes 1.21 the {@code
 *       <account>-token-*} Secret mounted at the token path) and its mounts are left out: Fargate
 *       tasks get no Kubernetes token. Every other volume type, {@code subPath} and {@code
 *       volumeDevices} are refused.
 *   <li>{@code logConfiguration} when a log group is configured: driver {@code awslogs} with {@code
 *       awslogs-group}, {@code awslogs-region} and {@code awslogs-stream-prefix: vkj}, so streams
 *       are named {@code vkj/<container>/<task-id>}.
 *   <li>A liveness probe with {@code exec} is the container {@code healthCheck}: {@code ["CMD",
 *       ...command]}, interval = {@code periodSeconds} (5..300), timeout = {@code timeoutSeconds}
 *       (2..60, ECS's range), retries = {@code failureThreshold} (1..10), startPeriod = {@code
 *       initialDelaySeconds} (0..300), Kubernetes' defaults when unset. ECS health checks only run
 *       commands: {@code httpGet}, {@code tcpSocket} and {@code grpc} probes are ignored, and so
 *       are readiness and startup probes and lifecycle hooks.
 *   <li>{@code securityContext}: {@code runAsUser} is {@code user} ({@code uid}, or {@code uid:gid}
 *       with {@code runAsGroup}; container values win over the pod's), {@code
 *       readOnlyRootFilesystem} is {@code readonlyRootFilesystem}, dropped capabilities are {@code
 *       linuxParameters.capabilities.drop}. Fargate adds only {@code SYS_PTRACE}; other added
 *       capabilities, {@code privileged}, and {@code runAsGroup} without a user are refused.
 *   <li>{@code stdin} and {@code tty} are ignored.
 * </ul>
 *
 * <h2>Refused pod fields</h2>
 *
 * {@code hostNetwork}, {@code hostPID}, {@code hostIPC}, {@code hostAliases} (awsvpc tasks cannot
 * edit {@code /etc/hosts}), {@code securityContext.sysctls}, {@code imagePullSecrets} (Fargate
 * pulls with the task execution role; private registries through {@code repositoryCredentials} are
 * not supported yet), and more than 10 containers (ECS's limit per task definition). Tags are not
 * set here: the provider tags tasks and definitions.
 */
final class TaskTranslator {
  /** The pod annotation naming the task role. */
  static final String TASK_ROLE = "vkj.dev/task-role-arn";

  /** kube2iam's pod annotation, read by the archived Go provider as the task role. */
  static final String KUBE2IAM_ROLE = "iam.amazonaws.com/role";

  /** The pod annotation choosing the capacity provider: FARGATE or FARGATE_SPOT. */
  static final String CAPACITY_PROVIDER = "vkj.dev/capacity-provider";

  static final String ARCH_LABEL = "kubernetes.io/arch";
  static final String OS_LABEL = "kubernetes.io/os";
  static final String GPU_RESOURCE = "nvidia.com/gpu";

  /** awslogs names streams {@code <prefix>/<container>/<task-id>}. */
  static final String LOG_STREAM_PREFIX = "vkj";

  static final int MAX_FAMILY_LENGTH = 255;
  static final int MAX_CONTAINERS = 10;
  static final int DEFAULT_STORAGE_GIB = 20;
  static final int MAX_STORAGE_GIB = 200;

  /** The SSM name limit (1011) counts the whole ARN; room for the longest partition's prefix. */
  private static final int MAX_PARAMETER_ARN = 1011;

  private static final int MAX_PARAMETER_LEVELS = 15;

  private static final String SERVICE_ACCOUNT_VOLUME = "kube-api-access-";
  private static final Set<String> RESOURCES =
      Set.of(ResourceAmounts.CPU, ResourceAmounts.MEMORY, ResourceAmounts.EPHEMERAL_STORAGE);

  /** The only capability Fargate adds. */
  private static final String SYS_PTRACE = "SYS_PTRACE";

  /** The capability names ECS accepts ({@code KernelCapabilities}). */
  private static final Set<String> CAPABILITIES =
      Set.of(
          "ALL",
          "AUDIT_CONTROL",
          "AUDIT_WRITE",
          "BLOCK_SUSPEND",
          "CHOWN",
          "DAC_OVERRIDE",
          "DAC_READ_SEARCH",
          "FOWNER",
          "FSETID",
          "IPC_LOCK",
          "IPC_OWNER",
          "KILL",
          "LEASE",
          "LINUX_IMMUTABLE",
          "MAC_ADMIN",
          "MAC_OVERRIDE",
          "MKNOD",
          "NET_ADMIN",
          "NET_BIND_SERVICE",
          "NET_BROADCAST",
          "NET_RAW",
          "SETFCAP",
          "SETGID",
          "SETPCAP",
          "SETUID",
          "SYS_ADMIN",
          "SYS_BOOT",
          "SYS_CHROOT",
          "SYS_MODULE",
          "SYS_NICE",
          "SYS_PACCT",
          "SYS_PTRACE",
          "SYS_RAWIO",
          "SYS_RESOURCE",
          "SYS_TIME",
          "SYS_TTY_CONFIG",
          "SYSLOG",
          "WAKE_ALARM");

  private static final long MIB = 1024L * 1024;
  private static final long GIB = 1024L * MIB;

  private final TaskSettings settings;

  TaskTranslator(TaskSettings settings) {
    this.settings = requireNonNull(settings, "settings is null");
  }

  /** The task definition, secrets and launch options of the pod. */
  TaskPlan translate(Pod pod) throws ProviderException {
    requireNonNull(pod, "pod is null");
    ObjectMeta meta = pod.getMetadata();
    PodSpec spec = pod.getSpec();
    refuse(meta == null, "metadata", "missing");
    refuse(spec == null, "spec", "missing");
    String namespace = meta.getNamespace() == null ? "default" : meta.getNamespace();
    String owner = owner(meta);
    List<Container> apps = list(spec.getContainers());
    List<Container> inits = list(spec.getInitContainers());
    refuse(apps.isEmpty(), "spec.containers", "a pod needs at least one container");
    refuse(
        apps.size() + inits.size() > MAX_CONTAINERS,
        "spec",
        "ECS runs at most "
            + MAX_CONTAINERS
            + " containers per task, init containers included; this pod has "
            + (apps.size() + inits.size()));
    checkPod(spec);
    String architecture = architecture(spec);

    Map<String, Boolean> mountable = new HashMap<>();
    List<Volume> volumes = volumes(spec, mountable);
    Secrets secrets = secrets(namespace, owner, apps, inits);

    List<ContainerDefinition> definitions = new ArrayList<>();
    Map<String, String> ports = new HashMap<>();
    // sums of what ECS counts against the task size: containers that run side by side
    long cpuReserved = 0;
    long memoryReserved = 0;
    String previous = null;
    boolean previousIsSidecar = false;
    List<ContainerDefinition> initDefinitions = new ArrayList<>();
    Set<String> initNames = new LinkedHashSet<>();
    for (int i = 0; i < inits.size(); i++) {
      Container c = inits.get(i);
      boolean sidecar = PodResources.isSidecar(c);
      ContainerDefinition.Builder b =
          container("spec.initContainers[" + i + "]", c, spec, mountable, secrets, ports)
              .essential(false);
      if (previous != null) {
        b.dependsOn(dependency(previous, previousIsSidecar));
      }
      if (sidecar) {
        ContainerDefinition resourced = resources(b, c).build();
        cpuReserved += value(resourced.cpu());
        memoryReserved += reservation(resourced);
        initDefinitions.add(resourced);
      } else {
        initDefinitions.add(b.build());
      }
      initNames.add(c.getName());
      previous = c.getName();
      previousIsSidecar = sidecar;
    }
    for (int i = 0; i < apps.size(); i++) {
      Container c = apps.get(i);
      ContainerDefinition.Builder b =
          resources(container("spec.containers[" + i + "]", c, spec, mountable, secrets, ports), c);
      b.essential(true);
      if (previous != null) {
        b.dependsOn(dependency(previous, previousIsSidecar));
      }
      ContainerDefinition d = b.build();
      cpuReserved += value(d.cpu());
      memoryReserved += reservation(d);
      definitions.add(d);
    }
    definitions.addAll(initDefinitions);

    ResourceAmounts need = need(spec);
    long cpuUnits = Math.max(cpuUnits(need.milliCpu()), cpuReserved);
    long memoryMiB = Math.max(ceilDiv(need.memoryBytes(), MIB), memoryReserved);
    Optional<TaskSizes.Size> fit = TaskSizes.smallest(cpuUnits, memoryMiB);
    if (fit.isEmpty()) {
      // the pod's own figures: no retry or smaller task would help
      throw ProviderException.invalidInput(
          "spec.containers[*].resources: the pod needs "
              + vcpu(Math.max(need.milliCpu(), ceilDiv(cpuReserved * 1000, 1024)))
              + " vCPU and "
              + gib(memoryMiB)
              + " GiB of memory; the largest Fargate task has "
              + TaskSizes.largest().cpu() / 1024
              + " vCPU and "
              + TaskSizes.largest().memoryMiB() / 1024
              + " GiB");
    }
    TaskSizes.Size size = fit.get();

    RegisterTaskDefinitionRequest.Builder d =
        RegisterTaskDefinitionRequest.builder()
            .requiresCompatibilities(Compatibility.FARGATE)
            .networkMode(NetworkMode.AWSVPC)
            .runtimePlatform(
                RuntimePlatform.builder()
                    .operatingSystemFamily(OSFamily.LINUX)
                    .cpuArchitecture(architecture)
                    .build())
            .cpu(Integer.toString(size.cpu()))
            .memory(Integer.toString(size.memoryMiB()))
            .containerDefinitions(definitions)
            .executionRoleArn(settings.executionRoleArn().orElse(null))
            .taskRoleArn(taskRole(meta).orElse(null));
    if (!volumes.isEmpty()) {
      d.volumes(volumes);
    }
    if (Boolean.TRUE.equals(spec.getShareProcessNamespace())) {
      d.pidMode(PidMode.TASK);
    }
    long storageGiB = ceilDiv(need.ephemeralStorageBytes(), GIB);
    refuse(
        storageGiB > MAX_STORAGE_GIB,
        "spec.containers[*].resources",
        "the pod needs "
            + storageGiB
            + " GiB of ephemeral-storage; a Fargate task has at most "
            + MAX_STORAGE_GIB
            + " GiB");
    if (storageGiB > DEFAULT_STORAGE_GIB) {
      d.ephemeralStorage(s -> s.sizeInGiB((int) storageGiB));
    }

    RegisterTaskDefinitionRequest content = d.build();
    String hash = TaskSettings.sha256Hex(canonical(content));
    String family = family(namespace, owner, hash);
    return new TaskPlan(
        content.toBuilder().family(family).build(),
        family,
        hash,
        secrets.parameters(),
        capacityProvider(meta),
        initNames);
  }

  private void checkPod(PodSpec spec) throws ProviderException {
    refuse(Boolean.TRUE.equals(spec.getHostNetwork()), "spec.hostNetwork", "Fargate has no host");
    refuse(Boolean.TRUE.equals(spec.getHostPID()), "spec.hostPID", "Fargate has no host");
    refuse(Boolean.TRUE.equals(spec.getHostIPC()), "spec.hostIPC", "Fargate has no host");
    refuse(
        !list(spec.getHostAliases()).isEmpty(),
        "spec.hostAliases",
        "awsvpc tasks cannot edit /etc/hosts");
    refuse(
        !list(spec.getImagePullSecrets()).isEmpty(),
        "spec.imagePullSecrets",
        "Fargate pulls images with the task execution role; private registries through"
            + " repositoryCredentials are not supported yet");
    PodSecurityContext security = spec.getSecurityContext();
    refuse(
        security != null && !list(security.getSysctls()).isEmpty(),
        "spec.securityContext.sysctls",
        "Fargate sets no pod sysctls");
    String os = spec.getOs() == null ? null : spec.getOs().getName();
    refuse(
        os != null && !"linux".equals(os),
        "spec.os.name",
        "Fargate runs Linux pods only, not " + os);
  }

  /** The runtime platform's architecture, from the node selector or the config. */
  private String architecture(PodSpec spec) throws ProviderException {
    Map<String, String> selector = map(spec.getNodeSelector());
    String os = selector.get(OS_LABEL);
    refuse(
        os != null && !"linux".equals(os),
        "spec.nodeSelector[" + OS_LABEL + "]",
        "Fargate runs Linux pods only, not " + os);
    String arch = selector.get(ARCH_LABEL);
    if (arch == null) {
      return settings.cpuArchitecture();
    }
    return switch (arch) {
      case "amd64" -> "X86_64";
      case "arm64" -> "ARM64";
      default ->
          throw ProviderException.invalidInput(
              "spec.nodeSelector["
                  + ARCH_LABEL
                  + "]: Fargate runs amd64 and arm64 only, not "
                  + arch);
    };
  }

  /**
   * The task volumes; {@code mountable} gets every volume name, true when containers mount it and
   * false when its mounts are left out.
   */
  private static List<Volume> volumes(PodSpec spec, Map<String, Boolean> mountable)
      throws ProviderException {
    List<Volume> out = new ArrayList<>();
    List<io.fabric8.kubernetes.api.model.Volume> volumes = list(spec.getVolumes());
    for (int i = 0; i < volumes.size(); i++) {
      io.fabric8.kubernetes.api.model.Volume v = volumes.get(i);
      String at = "spec.volumes[" + i + "]";
      refuse(v.getName() == null || v.getName().isEmpty(), at + ".name", "missing");
      if (serviceAccountVolume(v) || legacyTokenVolume(spec, v)) {
        // the API server's token volume: a Fargate task cannot get a token the kubelet rotates
        mountable.put(v.getName(), false);
        continue;
      }
      if (v.getEmptyDir() != null) {
        String medium = v.getEmptyDir().getMedium();
        refuse(
            medium != null && !medium.isEmpty(),
            at + ".emptyDir.medium",
            "Fargate has no memory-backed volumes (medium " + medium + ")");
        out.add(Volume.builder().name(v.getName()).build());
        mountable.put(v.getName(), true);
        continue;
      }
      throw ProviderException.invalidInput(
          at
              + " ("
              + v.getName()
              + "): Fargate tasks mount emptyDir volumes only, not "
              + volumeType(v));
    }
    return out;
  }

  /** Where Kubernetes mounts a pod's service-account token. */
  static final String TOKEN_PATH = "/var/run/secrets/kubernetes.io/serviceaccount";

  /**
   * The token Secret (<sa>-token-*) that clusters before 1.21 mount for the service account: a
   * secret volume that every container mounts only at the token path.
   */
  private static boolean legacyTokenVolume(PodSpec spec, io.fabric8.kubernetes.api.model.Volume v) {
    if (v.getSecret() == null
        || v.getSecret().getSecretName() == null
        || !v.getSecret().getSecretName().contains("-token-")) {
      return false;
    }
    boolean mounted = false;
    List<io.fabric8.kubernetes.api.model.Container> all =
        new ArrayList<>(list(spec.getContainers()));
    all.addAll(list(spec.getInitContainers()));
    for (io.fabric8.kubernetes.api.model.Container c : all) {
      for (io.fabric8.kubernetes.api.model.VolumeMount m : list(c.getVolumeMounts())) {
        if (v.getName().equals(m.getName())) {
          if (!TOKEN_PATH.equals(m.getMountPath())) {
            return false;
          }
          mounted = true;
        }
      }
    }
    return mounted;
  }

  private static boolean serviceAccountVolume(io.fabric8.kubernetes.api.model.Volume v) {
    if (!v.getName().startsWith(SERVICE_ACCOUNT_VOLUME) || v.getProjected() == null) {
      return false;
    }
    for (VolumeProjection p : list(v.getProjected().getSources())) {
      if (p != null && p.getServiceAccountToken() != null) {
        return true;
      }
    }
    return false;
  }

  private static String volumeType(io.fabric8.kubernetes.api.model.Volume v) {
    if (v.getConfigMap() != null) {
      return "configMap";
    }
    if (v.getSecret() != null) {
      return "secret";
    }
    if (v.getProjected() != null) {
      return "projected";
    }
    if (v.getDownwardAPI() != null) {
      return "downwardAPI";
    }
    if (v.getHostPath() != null) {
      return "hostPath";
    }
    if (v.getPersistentVolumeClaim() != null) {
      return "persistentVolumeClaim";
    }
    if (v.getEphemeral() != null) {
      return "ephemeral";
    }
    if (v.getNfs() != null) {
      return "nfs";
    }
    if (v.getCsi() != null) {
      return "csi";
    }
    if (v.getAwsElasticBlockStore() != null) {
      return "awsElasticBlockStore";
    }
    if (v.getImage() != null) {
      return "image";
    }
    return "this volume type";
  }

  /** The container without resources, essential and dependencies. */
  private ContainerDefinition.Builder container(
      String at,
      Container c,
      PodSpec spec,
      Map<String, Boolean> mountable,
      Secrets secrets,
      Map<String, String> ports)
      throws ProviderException {
    refuse(c.getName() == null || c.getName().isEmpty(), at + ".name", "missing");
    refuse(c.getImage() == null || c.getImage().isBlank(), at + ".image", "missing");
    refuse(
        !list(c.getEnvFrom()).isEmpty(),
        at + ".envFrom",
        "not resolved; the core replaces envFrom by env before a pod reaches the provider");
    refuse(
        !list(c.getVolumeDevices()).isEmpty(),
        at + ".volumeDevices",
        "Fargate has no block devices");
    checkResourceNames(at, c);
    ContainerDefinition.Builder b =
        ContainerDefinition.builder()
            .name(c.getName())
            .image(c.getImage())
            .workingDirectory(emptyToNull(c.getWorkingDir()));
    if (!list(c.getCommand()).isEmpty()) {
      b.entryPoint(c.getCommand());
    }
    if (!list(c.getArgs()).isEmpty()) {
      b.command(c.getArgs());
    }
    env(at, c, secrets, b);
    portMappings(at, c, ports, b);
    mounts(at, c, mountable, b);
    security(at, c, spec.getSecurityContext(), b);
    healthCheck(c.getLivenessProbe(), b);
    if (settings.logGroup().isPresent()) {
      Map<String, String> options = new LinkedHashMap<>();
      options.put("awslogs-group", settings.logGroup().get());
      options.put("awslogs-region", settings.region());
      options.put("awslogs-stream-prefix", LOG_STREAM_PREFIX);
      b.logConfiguration(
          LogConfiguration.builder().logDriver(LogDriver.AWSLOGS).options(options).build());
    }
    return b;
  }

  private static void env(String at, Container c, Secrets secrets, ContainerDefinition.Builder b)
      throws ProviderException {
    List<KeyValuePair> environment = new ArrayList<>();
    List<Secret> fromSecrets = new ArrayList<>();
    List<EnvVar> env = list(c.getEnv());
    for (int j = 0; j < env.size(); j++) {
      EnvVar e = env.get(j);
      String where = at + ".env[" + j + "]";
      refuse(e.getName() == null || e.getName().isEmpty(), where + ".name", "missing");
      if (SecretEnv.fromSecret(e)) {
        fromSecrets.add(
            Secret.builder()
                .name(e.getName())
                .valueFrom(secrets.parameterOf(c.getName(), e.getName()))
                .build());
      } else {
        refuse(
            e.getValueFrom() != null && e.getValue() == null,
            where + " (" + e.getName() + ")",
            "valueFrom was not resolved to a value");
        environment.add(
            KeyValuePair.builder()
                .name(e.getName())
                .value(e.getValue() == null ? "" : e.getValue())
                .build());
      }
    }
    if (!environment.isEmpty()) {
      b.environment(environment);
    }
    if (!fromSecrets.isEmpty()) {
      b.secrets(fromSecrets);
    }
  }

  /** In awsvpc mode every port is the task's own, under its own number. */
  private static void portMappings(
      String at, Container c, Map<String, String> taken, ContainerDefinition.Builder b)
      throws ProviderException {
    List<PortMapping> out = new ArrayList<>();
    List<ContainerPort> ports = list(c.getPorts());
    for (int k = 0; k < ports.size(); k++) {
      ContainerPort p = ports.get(k);
      String where = at + ".ports[" + k + "]";
      Integer port = p.getContainerPort();
      refuse(
          port == null || port < 1 || port > 65535,
          where + ".containerPort",
          "must be 1 to 65535, not " + port);
      String protocol = p.getProtocol() == null ? "TCP" : p.getProtocol();
      TransportProtocol transport =
          switch (protocol) {
            case "TCP" -> TransportProtocol.TCP;
            case "UDP" -> TransportProtocol.UDP;
            default ->
                throw ProviderException.invalidInput(
                    where + ".protocol: Fargate carries TCP and UDP only, not " + protocol);
          };
      Integer hostPort = p.getHostPort();
      refuse(
          hostPort != null && hostPort != 0 && !hostPort.equals(port),
          where + ".hostPort",
          "an awsvpc task publishes a port under its own number only; hostPort "
              + hostPort
              + " differs from containerPort "
              + port);
      String key = port + "/" + transport;
      String other = taken.putIfAbsent(key, where);
      refuse(other != null, where, "port " + key + " is already mapped by " + other);
      out.add(PortMapping.builder().containerPort(port).hostPort(port).protocol(transport).build());
    }
    if (!out.isEmpty()) {
      b.portMappings(out);
    }
  }

  private static void mounts(
      String at, Container c, Map<String, Boolean> mountable, ContainerDefinition.Builder b)
      throws ProviderException {
    List<MountPoint> out = new ArrayList<>();
    List<VolumeMount> mounts = list(c.getVolumeMounts());
    for (int k = 0; k < mounts.size(); k++) {
      VolumeMount m = mounts.get(k);
      String where = at + ".volumeMounts[" + k + "]";
      Boolean kind = mountable.get(m.getName());
      refuse(kind == null, where, "no volume named " + m.getName());
      if (!kind) {
        continue; // the service-account token, left out with its volume
      }
      refuse(
          m.getMountPath() == null || m.getMountPath().isEmpty(), where + ".mountPath", "missing");
      refuse(
          !isEmpty(m.getSubPath()) || !isEmpty(m.getSubPathExpr()),
          where + ".subPath",
          "Fargate mounts whole volumes only");
      out.add(
          MountPoint.builder()
              .sourceVolume(m.getName())
              .containerPath(m.getMountPath())
              .readOnly(Boolean.TRUE.equals(m.getReadOnly()))
              .build());
    }
    if (!out.isEmpty()) {
      b.mountPoints(out);
    }
  }

  private static void security(
      String at, Container c, PodSecurityContext pod, ContainerDefinition.Builder b)
      throws ProviderException {
    SecurityContext sc = c.getSecurityContext();
    if (sc != null) {
      refuse(
          Boolean.TRUE.equals(sc.getPrivileged()),
          at + ".securityContext.privileged",
          "Fargate runs no privileged containers");
      Capabilities caps = sc.getCapabilities();
      if (caps != null) {
        List<String> add = capabilities(at + ".securityContext.capabilities.add", caps.getAdd());
        for (String cap : add) {
          refuse(
              !SYS_PTRACE.equals(cap),
              at + ".securityContext.capabilities.add",
              "Fargate adds only the SYS_PTRACE capability, not " + cap);
        }
        List<String> drop = capabilities(at + ".securityContext.capabilities.drop", caps.getDrop());
        if (!add.isEmpty() || !drop.isEmpty()) {
          b.linuxParameters(
              LinuxParameters.builder()
                  .capabilities(
                      KernelCapabilities.builder()
                          .add(add.isEmpty() ? null : add)
                          .drop(drop.isEmpty() ? null : drop)
                          .build())
                  .build());
        }
      }
      if (Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem())) {
        b.readonlyRootFilesystem(true);
      }
    }
    Long uid = sc != null && sc.getRunAsUser() != null ? sc.getRunAsUser() : null;
    String uidAt = at + ".securityContext.runAsUser";
    if (uid == null && pod != null && pod.getRunAsUser() != null) {
      uid = pod.getRunAsUser();
      uidAt = "spec.securityContext.runAsUser";
    }
    Long gid = sc != null && sc.getRunAsGroup() != null ? sc.getRunAsGroup() : null;
    String gidAt = at + ".securityContext.runAsGroup";
    if (gid == null && pod != null && pod.getRunAsGroup() != null) {
      gid = pod.getRunAsGroup();
      gidAt = "spec.securityContext.runAsGroup";
    }
    Boolean nonRoot = sc != null && sc.getRunAsNonRoot() != null ? sc.getRunAsNonRoot() : null;
    if (nonRoot == null && pod != null) {
      nonRoot = pod.getRunAsNonRoot();
    }
    if (uid != null) {
      refuse(
          Boolean.TRUE.equals(nonRoot) && uid == 0,
          uidAt,
          "runAsNonRoot is set but the user is 0 (root)");
      b.user(gid == null ? Long.toString(uid) : uid + ":" + gid);
    } else {
      refuse(gid != null, gidAt, "ECS sets a group only together with a user; set runAsUser too");
    }
  }

  /** Capability names as ECS spells them: without {@code CAP_}, upper case. */
  private static List<String> capabilities(String at, List<String> names) throws ProviderException {
    List<String> out = new ArrayList<>();
    for (String name : list(names)) {
      String cap = name == null ? "" : name.strip().toUpperCase(Locale.ROOT);
      if (cap.startsWith("CAP_")) {
        cap = cap.substring(4);
      }
      refuse(!CAPABILITIES.contains(cap), at, "ECS knows no capability '" + name + "'");
      if (!out.contains(cap)) {
        out.add(cap);
      }
    }
    return out;
  }

  /** ECS health checks run commands: only an exec liveness probe maps. */
  private static void healthCheck(Probe probe, ContainerDefinition.Builder b) {
    if (probe == null || probe.getExec() == null || list(probe.getExec().getCommand()).isEmpty()) {
      return;
    }
    List<String> command = new ArrayList<>();
    command.add("CMD");
    command.addAll(probe.getExec().getCommand());
    b.healthCheck(
        HealthCheck.builder()
            .command(command)
            .interval(clamp(probe.getPeriodSeconds(), 10, 5, 300))
            .timeout(clamp(probe.getTimeoutSeconds(), 1, 2, 60))
            .retries(clamp(probe.getFailureThreshold(), 3, 1, 10))
            .startPeriod(clamp(probe.getInitialDelaySeconds(), 0, 0, 300))
            .build());
  }

  private static void checkResourceNames(String at, Container c) throws ProviderException {
    ResourceRequirements r = c.getResources();
    if (r == null) {
      return;
    }
    for (Map<String, Quantity> amounts : List.of(map(r.getLimits()), map(r.getRequests()))) {
      for (String name : amounts.keySet()) {
        refuse(
            GPU_RESOURCE.equals(name) || name.endsWith("/gpu"),
            at + ".resources",
            "Fargate has no GPUs (" + name + ")");
        refuse(
            !RESOURCES.contains(name),
            at + ".resources",
            "Fargate offers cpu, memory and ephemeral-storage only, not " + name);
      }
    }
  }

  /** Container cpu, memory and memoryReservation. */
  private static ContainerDefinition.Builder resources(ContainerDefinition.Builder b, Container c)
      throws ProviderException {
    ResourceRequirements r = c.getResources();
    ResourceAmounts limits = amounts(r == null ? null : r.getLimits(), c, "limits");
    ResourceAmounts requests = amounts(r == null ? null : r.getRequests(), c, "requests");
    ResourceAmounts cpu = limits.contains(ResourceAmounts.CPU) ? limits : requests;
    b.cpu((int) cpuUnits(cpu.milliCpu()));
    Integer memory = null;
    if (limits.contains(ResourceAmounts.MEMORY) && limits.memoryBytes() > 0) {
      memory = (int) ceilDiv(limits.memoryBytes(), MIB);
      b.memory(memory);
    }
    if (requests.contains(ResourceAmounts.MEMORY) && requests.memoryBytes() > 0) {
      int reservation = (int) ceilDiv(requests.memoryBytes(), MIB);
      // ECS wants the hard limit strictly above the reservation; equal means the limit alone
      if (memory == null || reservation < memory) {
        b.memoryReservation(reservation);
      }
    }
    return b;
  }

  private static ResourceAmounts amounts(Map<String, Quantity> quantities, Container c, String list)
      throws ProviderException {
    try {
      return ResourceAmounts.of(quantities, "container \"" + c.getName() + "\" " + list);
    } catch (IllegalArgumentException e) {
      throw ProviderException.invalidInput(e.getMessage());
    }
  }

  /** What ECS reserves for a container: its memoryReservation, else its memory. */
  private static long reservation(ContainerDefinition d) {
    return d.memoryReservation() != null ? d.memoryReservation() : value(d.memory());
  }

  /**
   * The pod's effective amounts by Kubernetes' rules, each container counting its limit, else its
   * request (the amounts a task must hold for the containers not to be starved or killed).
   */
  private static ResourceAmounts need(PodSpec spec) throws ProviderException {
    try {
      PodSpecBuilder sizing = new PodSpecBuilder();
      for (Container c : list(spec.getContainers())) {
        sizing.addToContainers(sizingContainer(c));
      }
      for (Container c : list(spec.getInitContainers())) {
        sizing.addToInitContainers(sizingContainer(c));
      }
      ResourceRequirements pod = spec.getResources();
      if (pod != null) {
        ResourceAmounts amounts =
            ResourceAmounts.of(pod.getRequests(), "pod-level requests")
                .with(ResourceAmounts.of(pod.getLimits(), "pod-level limits"));
        sizing.withResources(
            new ResourceRequirementsBuilder().withRequests(amounts.toQuantities()).build());
      }
      return PodResources.requests(sizing.build());
    } catch (IllegalArgumentException e) {
      throw ProviderException.invalidInput(e.getMessage());
    }
  }

  private static Container sizingContainer(Container c) {
    ResourceAmounts amounts =
        PodResources.containerRequests(c).with(PodResources.containerLimits(c));
    return new ContainerBuilder()
        .withName(c.getName())
        .withRestartPolicy(c.getRestartPolicy())
        .withResources(
            new ResourceRequirementsBuilder().withRequests(amounts.toQuantities()).build())
        .build();
  }

  /** The variables from Secrets, by container and name, and the parameters they read. */
  private record Secrets(Map<String, String> names, List<SecretParameter> parameters) {
    String parameterOf(String container, String env) {
      return names.get(container + "\n" + env);
    }
  }

  private record SecretRef(String container, String env, String where, String base, String value) {}

  /**
   * One parameter per Secret key, shared by every pod of the namespace that reads the key; when
   * variables of this pod that point at one key carry different values, one parameter per variable
   * (values composed from a secret point at it too, and must not overwrite it).
   */
  private Secrets secrets(
      String namespace, String owner, List<Container> apps, List<Container> inits)
      throws ProviderException {
    List<SecretRef> refs = new ArrayList<>();
    Map<String, Set<String>> valuesByBase = new HashMap<>();
    List<Container> all = new ArrayList<>(apps);
    all.addAll(inits);
    for (int i = 0; i < all.size(); i++) {
      Container c = all.get(i);
      String at =
          i < apps.size()
              ? "spec.containers[" + i + "]"
              : "spec.initContainers[" + (i - apps.size()) + "]";
      List<EnvVar> env = list(c.getEnv());
      for (int j = 0; j < env.size(); j++) {
        EnvVar e = env.get(j);
        Optional<SecretKeySelector> source = SecretEnv.source(e);
        if (source.isEmpty()) {
          continue;
        }
        String where = at + ".env[" + j + "] (" + e.getName() + ")";
        SecretKeySelector ref = source.get();
        refuse(
            isEmpty(ref.getName()) || isEmpty(ref.getKey()),
            where + ".valueFrom.secretKeyRef",
            "needs a name and a key");
        refuse(e.getValue() == null, where, "the Secret value was not resolved");
        String base = parameterPath(namespace, segment(ref.getName()), segment(ref.getKey()));
        refs.add(new SecretRef(c.getName(), e.getName(), where, base, e.getValue()));
        valuesByBase.computeIfAbsent(base, k -> new LinkedHashSet<>()).add(e.getValue());
      }
    }
    Map<String, String> names = new HashMap<>();
    Map<String, String> values = new LinkedHashMap<>();
    for (SecretRef r : refs) {
      String name =
          valuesByBase.get(r.base()).size() == 1
              ? r.base()
              : parameterPath(
                  namespace, "_env", segment(owner), segment(r.container()), segment(r.env()));
      checkParameterName(r, name);
      names.put(r.container() + "\n" + r.env(), name);
      values.putIfAbsent(name, r.value());
    }
    List<SecretParameter> parameters = new ArrayList<>();
    values.forEach((name, value) -> parameters.add(new SecretParameter(name, value)));
    return new Secrets(names, parameters);
  }

  private String parameterPath(String namespace, String... segments) {
    StringBuilder out = new StringBuilder(settings.parameterPrefix()).append('/');
    out.append(segment(namespace));
    for (String s : segments) {
      out.append('/').append(s);
    }
    return out.toString();
  }

  private void checkParameterName(SecretRef r, String name) throws ProviderException {
    String arn = "arn:aws-us-gov:ssm:" + settings.region() + ":123456789012:parameter";
    long levels = name.chars().filter(ch -> ch == '/').count();
    refuse(
        arn.length() + name.length() > MAX_PARAMETER_ARN || levels > MAX_PARAMETER_LEVELS,
        r.where(),
        "the SSM parameter name for its Secret value, "
            + name
            + ", is too long or too deep for SSM (at most "
            + MAX_PARAMETER_LEVELS
            + " levels)");
  }

  /** One level of an SSM path: letters, digits, {@code _ . -}. */
  static String segment(String s) {
    return s.replaceAll("[^A-Za-z0-9_.-]", "-");
  }

  private static ContainerDependency dependency(String container, boolean sidecar) {
    return ContainerDependency.builder()
        .containerName(container)
        .condition(sidecar ? ContainerCondition.START : ContainerCondition.SUCCESS)
        .build();
  }

  private Optional<String> taskRole(ObjectMeta meta) {
    String role = annotation(meta, TASK_ROLE);
    if (role == null) {
      role = annotation(meta, KUBE2IAM_ROLE);
    }
    return role != null ? Optional.of(role) : settings.taskRoleArn();
  }

  private static Optional<String> capacityProvider(ObjectMeta meta) throws ProviderException {
    String value = annotation(meta, CAPACITY_PROVIDER);
    if (value == null) {
      return Optional.empty();
    }
    refuse(
        !"FARGATE".equals(value) && !"FARGATE_SPOT".equals(value),
        "metadata.annotations[" + CAPACITY_PROVIDER + "]",
        "must be FARGATE or FARGATE_SPOT, not " + value);
    return Optional.of(value);
  }

  /** The name replicas share: the controller's, else generateName's stem, else the pod's. */
  static String owner(ObjectMeta meta) {
    for (OwnerReference r : list(meta.getOwnerReferences())) {
      if (r != null && Boolean.TRUE.equals(r.getController()) && !isEmpty(r.getName())) {
        return r.getName();
      }
    }
    String generated = meta.getGenerateName();
    if (generated != null) {
      String stem = generated.replaceAll("-+$", "");
      if (!stem.isEmpty()) {
        return stem;
      }
    }
    return isEmpty(meta.getName()) ? "pod" : meta.getName();
  }

  /** {@code <prefix><namespace>-<owner>-<hash12>}, at most 255 characters of a family. */
  String family(String namespace, String owner, String hash) {
    String prefix = settings.familyPrefix();
    String tail = "-" + hash.substring(0, 12);
    int room = MAX_FAMILY_LENGTH - prefix.length() - tail.length() - 1; // one '-' in between
    String ns = familySafe(namespace);
    if (ns.length() > room / 2) {
      ns = ns.substring(0, room / 2);
    }
    String own = familySafe(owner);
    if (own.length() > room - ns.length()) {
      own = own.substring(0, room - ns.length());
    }
    return prefix + ns + "-" + own + tail;
  }

  private static String familySafe(String s) {
    return s.replaceAll("[^A-Za-z0-9_-]", "-");
  }

  /**
   * A canonical text of an SDK model object: members in model order, unset and empty ones left out,
   * strings quoted and escaped, map keys sorted. Unlike {@code toString()} it is unambiguous (a
   * list of "a, b" differs from a list of "a" and "b").
   */
  static String canonical(Object value) {
    StringBuilder out = new StringBuilder();
    render(value, out);
    return out.toString();
  }

  private static void render(Object value, StringBuilder out) {
    if (value instanceof SdkPojo pojo) {
      out.append('{');
      boolean first = true;
      for (SdkField<?> field : pojo.sdkFields()) {
        Object member = field.getValueOrDefault(pojo);
        if (absent(member)) {
          continue;
        }
        if (!first) {
          out.append(',');
        }
        first = false;
        quote(field.memberName(), out);
        out.append(':');
        render(member, out);
      }
      out.append('}');
    } else if (value instanceof List<?> list) {
      out.append('[');
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        render(list.get(i), out);
      }
      out.append(']');
    } else if (value instanceof Map<?, ?> map) {
      TreeMap<String, Object> sorted = new TreeMap<>();
      map.forEach((k, v) -> sorted.put(String.valueOf(k), v));
      out.append('{');
      boolean first = true;
      for (Map.Entry<String, Object> e : sorted.entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        quote(e.getKey(), out);
        out.append(':');
        render(e.getValue(), out);
      }
      out.append('}');
    } else if (value instanceof String s) {
      quote(s, out);
    } else {
      out.append(value); // numbers, booleans, null list elements
    }
  }

  private static boolean absent(Object member) {
    return member == null
        || member instanceof List<?> l && l.isEmpty()
        || member instanceof Map<?, ?> m && m.isEmpty();
  }

  private static void quote(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch == '"' || ch == '\\') {
        out.append('\\').append(ch);
      } else if (ch < 0x20) {
        out.append(String.format("\\u%04x", (int) ch));
      } else {
        out.append(ch);
      }
    }
    out.append('"');
  }

  /** ECS cpu units for millicores, rounded up: 1000m is 1024 units. */
  static long cpuUnits(long milliCpu) {
    return ceilDiv(milliCpu * 1024, 1000);
  }

  private static String vcpu(long milliCpu) {
    return BigDecimal.valueOf(milliCpu, 3).stripTrailingZeros().toPlainString();
  }

  private static String gib(long mib) {
    return BigDecimal.valueOf(mib)
        .divide(BigDecimal.valueOf(1024), 2, RoundingMode.CEILING)
        .stripTrailingZeros()
        .toPlainString();
  }

  private static long ceilDiv(long a, long b) {
    return Math.floorDiv(a + b - 1, b);
  }

  private static long value(Integer i) {
    return i == null ? 0 : i;
  }

  private static int clamp(Integer value, int dflt, int min, int max) {
    int v = value == null ? dflt : value;
    return Math.max(min, Math.min(max, v));
  }

  private static String annotation(ObjectMeta meta, String key) {
    String value = map(meta.getAnnotations()).get(key);
    return value == null || value.isBlank() ? null : value.strip();
  }

  private static void refuse(boolean condition, String field, String why) throws ProviderException {
    if (condition) {
      throw ProviderException.invalidInput(field + ": " + why);
    }
  }

  private static boolean isEmpty(String s) {
    return s == null || s.isEmpty();
  }

  private static String emptyToNull(String s) {
    return isEmpty(s) ? null : s;
  }

  private static <T> List<T> list(List<T> l) {
    return l == null ? List.of() : l;
  }

  private static <V> Map<String, V> map(Map<String, V> m) {
    return m == null ? Map.of() : m;
  }
}
