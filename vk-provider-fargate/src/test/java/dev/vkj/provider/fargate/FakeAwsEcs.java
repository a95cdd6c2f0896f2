package dev.vkj.provider.fargate;

import static dev.vkj.provider.fargate.FakeAwsJson.bool;
import static dev.vkj.provider.fargate.FakeAwsJson.ecsTags;
import static dev.vkj.provider.fargate.FakeAwsJson.integer;
import static dev.vkj.provider.fargate.FakeAwsJson.object;
import static dev.vkj.provider.fargate.FakeAwsJson.objects;
import static dev.vkj.provider.fargate.FakeAwsJson.seconds;
import static dev.vkj.provider.fargate.FakeAwsJson.string;
import static dev.vkj.provider.fargate.FakeAwsJson.stringArray;
import static dev.vkj.provider.fargate.FakeAwsJson.strings;
import static dev.vkj.provider.fargate.FakeAwsJson.structure;
import static dev.vkj.provider.fargate.FakeAwsJson.token;
import static dev.vkj.provider.fargate.FakeAwsJson.untoken;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The ECS part of {@link FakeAws}. Every method runs under the fake's lock with the instant of the
 * request. A task keeps the instants of its start-up stages and, once stopped, of its stop; its
 * status, its containers and its timestamps are computed from them and the clock on every read.
 */
final class FakeAwsEcs {
  static final String ARN = "arn:aws:ecs:" + FakeAws.REGION + ":" + FakeAws.ACCOUNT + ":";

  /** The 74 Fargate task sizes: cpu units to the memory values (MiB) allowed with them. */
  private static final Map<Integer, List<Integer>> FARGATE_SIZES = fargateSizes();

  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_-]{1,255}");
  private static final Pattern STARTED_BY = Pattern.compile("[a-zA-Z0-9_/-]*");
  private static final Pattern EXIT = Pattern.compile("exit (\\d+)");
  private static final Pattern TASK_ARN =
      Pattern.compile(Pattern.quote(ARN + "task/") + "(?:([^/]+)/)?([^/]+)");
  private static final Pattern CPU_VCPU =
      Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*vcpu", Pattern.CASE_INSENSITIVE);
  private static final Pattern MEMORY_GB =
      Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*gb", Pattern.CASE_INSENSITIVE);
  private static final Set<String> COMPATIBILITIES =
      Set.of("EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES");
  private static final Set<String> NETWORK_MODES = Set.of("bridge", "host", "awsvpc", "none");
  private static final Set<String> CONDITIONS = Set.of("START", "COMPLETE", "SUCCESS", "HEALTHY");
  private static final Set<String> PLATFORM_VERSIONS = Set.of("LATEST", "1.4.0", "1.3.0");
  private static final List<String> STATUSES =
      List.of(
          "PROVISIONING",
          "PENDING",
          "ACTIVATING",
          "RUNNING",
          "DEACTIVATING",
          "STOPPING",
          "DEPROVISIONING",
          "STOPPED");
  // stopped tasks stay describable "for at least one hour"
  private static final Duration RETENTION = Duration.ofHours(1);
  // what a container still running when its task stops reports: killed after the stop timeout
  private static final int KILLED = 137;

  private record Dependency(String container, String condition) {}

  /** What a task needs of one container definition. */
  private record ContainerSpec(
      String name,
      String image,
      boolean essential,
      List<String> command,
      List<Dependency> dependsOn,
      List<String> secrets,
      String logGroup,
      String logPrefix,
      Integer cpu,
      Integer memory,
      Integer memoryReservation) {}

  private static final class Cluster {
    final String name;
    final Map<String, String> tags;
    final List<String> capacityProviders;
    final List<JsonNode> defaultStrategy;
    final JsonNode settings;

    Cluster(
        String name,
        Map<String, String> tags,
        List<String> capacityProviders,
        List<JsonNode> defaultStrategy,
        JsonNode settings) {
      this.name = name;
      this.tags = tags;
      this.capacityProviders = capacityProviders;
      this.defaultStrategy = defaultStrategy;
      this.settings = settings;
    }

    String arn() {
      return ARN + "cluster/" + name;
    }
  }

  private static final class TaskDefinition {
    final String family;
    final int revision;
    final ObjectNode body;
    final Map<String, String> tags;
    final List<ContainerSpec> containers;
    String status = "ACTIVE";
    Instant deregisteredAt;

    TaskDefinition(
        String family,
        int revision,
        ObjectNode body,
        Map<String, String> tags,
        List<ContainerSpec> containers) {
      this.family = family;
      this.revision = revision;
      this.body = body;
      this.tags = tags;
      this.containers = containers;
    }

    String arn() {
      return ARN + "task-definition/" + family + ":" + revision;
    }

    boolean fargate() {
      for (JsonNode compatibility : body.path("compatibilities")) {
        if (compatibility.stringValue().equals("FARGATE")) {
          return true;
        }
      }
      return false;
    }

    ObjectNode render() {
      ObjectNode out = body.deepCopy();
      out.put("status", status);
      if (deregisteredAt != null) {
        out.put("deregisteredAt", seconds(deregisteredAt));
      }
      return out;
    }
  }

  private enum StopKind {
    FAILED_TO_START,
    CONTAINER_EXITED,
    USER,
    OUTSIDE
  }

  /** How and when a task stopped; {@code exitCode} is the one given to {@code stopOutside}. */
  private record Stop(
      Instant at, StopKind kind, String code, String reason, Duration delay, Integer exitCode) {}

  private record Container(ContainerSpec spec, String arn, String runtimeId, Integer exitCode) {}

  /** What RunTask asked for, as the task echoes it. */
  private record Launch(
      String startedBy,
      String group,
      String capacityProvider,
      String platformVersion,
      String cpu,
      String memory,
      int ephemeralGiB,
      boolean executeCommand,
      ObjectNode overrides) {}

  /** The task's ENI. */
  private record Eni(String subnet, String ip, String id, String mac, String attachment) {}

  /** The start-up instants and the timing knobs, read once at RunTask. */
  private record Schedule(
      Instant createdAt,
      Instant pendingAt,
      Instant activatingAt,
      Instant runningAt,
      Instant visibleAt,
      Duration runTime,
      Duration stopDelay) {}

  /** Why the task cannot start, and the container to blame (null for secrets). */
  private record Failure(String reason, String container) {}

  private static final class Task {
    final long seq;
    final String id;
    final String arn;
    final Cluster cluster;
    final TaskDefinition definition;
    final Launch launch;
    final Eni eni;
    final Schedule at;
    final Failure failure;
    final List<Container> containers = new ArrayList<>();
    final Map<String, String> tags = new LinkedHashMap<>();
    Stop explicit;

    Task(
        long seq,
        String id,
        Cluster cluster,
        TaskDefinition definition,
        Launch launch,
        Eni eni,
        Schedule at,
        Failure failure) {
      this.seq = seq;
      this.id = id;
      this.arn = ARN + "task/" + cluster.name + "/" + id;
      this.cluster = cluster;
      this.definition = definition;
      this.launch = launch;
      this.eni = eni;
      this.at = at;
      this.failure = failure;
    }
  }

  /**
   * A task's schedule as derived from its instants: the effective stop (null while none is due),
   * the instant containers still running are stopped ({@code killAt}), the instant the task is
   * STOPPED, and per container its start, its end and its exit code.
   */
  private record Timeline(
      Stop stop,
      boolean fullWalk,
      Instant killAt,
      Instant stoppedAt,
      Instant[] start,
      Instant[] end,
      Integer[] exit) {

    boolean stoppedBy(Instant now) {
      return stop != null && !now.isBefore(stop.at());
    }

    /** Whether a start-up instant was passed, and before the task began to stop. */
    boolean reached(Instant at, Instant now) {
      return !now.isBefore(at) && precedes(stop, at);
    }

    /**
     * Whether {@code at} comes before the stop. A stop by a call happens after whatever the same
     * instant had shown; a stop the task caused itself comes first.
     */
    static boolean precedes(Stop stop, Instant at) {
      if (stop == null || at.isBefore(stop.at())) {
        return true;
      }
      boolean called = stop.kind() == StopKind.USER || stop.kind() == StopKind.OUTSIDE;
      return called && at.equals(stop.at());
    }
  }

  private record Idempotent(JsonNode request, List<Task> tasks) {}

  private final FakeAws fake;
  private final FakeAwsLogs logs;
  private final FakeAwsSsm ssm;
  private final Map<String, Cluster> clusters = new TreeMap<>();
  private final Map<String, List<TaskDefinition>> families = new TreeMap<>();
  private final Map<String, Task> tasks = new LinkedHashMap<>();
  private final Map<String, Idempotent> clientTokens = new HashMap<>();
  // ids and addresses need to be unique, not unpredictable; a seed keeps runs comparable
  private final Random random = new Random(7);
  private long taskSeq;
  private int addressSeq;

  FakeAwsEcs(FakeAws fake, FakeAwsLogs logs, FakeAwsSsm ssm) {
    this.fake = fake;
    this.logs = logs;
    this.ssm = ssm;
  }

  JsonNode handle(String operation, JsonNode request, Instant now) {
    forgetStopped(now);
    return switch (operation) {
      case "CreateCluster" -> createCluster(request, now);
      case "DescribeClusters" -> describeClusters(request, now);
      case "RegisterTaskDefinition" -> registerTaskDefinition(request, now);
      case "DeregisterTaskDefinition" -> deregisterTaskDefinition(request, now);
      case "DescribeTaskDefinition" -> describeTaskDefinition(request);
      case "ListTaskDefinitions" -> listTaskDefinitions(request);
      case "ListTaskDefinitionFamilies" -> listTaskDefinitionFamilies(request);
      case "RunTask" -> runTask(request, now);
      case "DescribeTasks" -> describeTasks(request, now);
      case "ListTasks" -> listTasks(request, now);
      case "StopTask" -> stopTask(request, now);
      case "TagResource" -> tagResource(request, now);
      case "UntagResource" -> untagResource(request, now);
      case "ListTagsForResource" -> listTagsForResource(request, now);
      default -> throw FakeAws.unknownOperation(operation);
    };
  }

  void reset() {
    clusters.clear();
    families.clear();
    tasks.clear();
    clientTokens.clear();
  }

  // views for tests

  String taskDefinitionJson(String reference) {
    TaskDefinition definition = taskDefinition(reference);
    if (definition == null) {
      throw new IllegalArgumentException("no task definition " + reference);
    }
    ObjectNode answer = object();
    answer.set("taskDefinition", definition.render());
    answer.set("tags", ecsTags(definition.tags));
    return FakeAwsJson.write(answer);
  }

  List<String> activeTaskDefinitionArns() {
    List<String> arns = new ArrayList<>();
    families.values().stream()
        .flatMap(List::stream)
        .filter(d -> d.status.equals("ACTIVE"))
        .forEach(d -> arns.add(d.arn()));
    return arns;
  }

  List<String> taskArns(String desiredStatus, Instant now) {
    forgetStopped(now);
    List<String> arns = new ArrayList<>();
    for (Task task : tasks.values()) {
      if (desiredStatus(timeline(task), now).equals(desiredStatus)) {
        arns.add(task.arn);
      }
    }
    return arns;
  }

  Optional<String> lastStatus(String taskArn, Instant now) {
    forgetStopped(now);
    return anyTask(taskArn).map(task -> lastStatus(task, timeline(task), now));
  }

  void stopOutside(String taskArn, String stopCode, String reason, int exitCode, Instant now) {
    forgetStopped(now);
    Task task =
        anyTask(taskArn).orElseThrow(() -> new IllegalArgumentException("no task " + taskArn));
    if (!timeline(task).stoppedBy(now)) {
      task.explicit = new Stop(now, StopKind.OUTSIDE, stopCode, reason, fake.stopDelay, exitCode);
    }
  }

  private Optional<Task> anyTask(String reference) {
    Matcher m = TASK_ARN.matcher(reference);
    return Optional.ofNullable(tasks.get(m.matches() ? m.group(2) : reference));
  }

  // clusters

  private JsonNode createCluster(JsonNode request, Instant now) {
    String name = string(request, "clusterName");
    name = name == null ? "default" : name;
    if (!NAME.matcher(name).matches()) {
      throw FakeAwsError.ecsInvalid(
          "Cluster name can only contain letters, numbers, hyphens and underscores, up to 255.");
    }
    Cluster cluster = clusters.get(name);
    if (cluster == null) {
      List<String> providers = strings(request, "capacityProviders");
      JsonNode settings = request.get("settings");
      if (settings == null || !settings.isArray()) {
        ArrayNode defaults = FakeAwsJson.array();
        defaults.addObject().put("name", "containerInsights").put("value", "disabled");
        settings = defaults;
      }
      cluster =
          new Cluster(
              name,
              tags(request, "tags"),
              providers == null ? List.of() : providers,
              objects(request, "defaultCapacityProviderStrategy"),
              settings);
      clusters.put(name, cluster);
    }
    ObjectNode answer = object();
    answer.set("cluster", render(cluster, true, now));
    return answer;
  }

  private JsonNode describeClusters(JsonNode request, Instant now) {
    List<String> names = strings(request, "clusters");
    boolean withTags =
        include(request, Set.of("ATTACHMENTS", "CONFIGURATIONS", "SETTINGS", "STATISTICS", "TAGS"));
    ObjectNode answer = object();
    ArrayNode found = answer.putArray("clusters");
    ArrayNode failures = answer.putArray("failures");
    for (String reference : names == null || names.isEmpty() ? List.of("default") : names) {
      Cluster cluster = clusters.get(clusterName(reference));
      if (cluster == null) {
        String arn = reference.startsWith("arn:") ? reference : ARN + "cluster/" + reference;
        failures.addObject().put("arn", arn).put("reason", "MISSING");
      } else {
        found.add(render(cluster, withTags, now));
      }
    }
    return answer;
  }

  private ObjectNode render(Cluster cluster, boolean withTags, Instant now) {
    int running = 0;
    int pending = 0;
    for (Task task : tasks.values()) {
      if (task.cluster == cluster && !now.isBefore(task.at.visibleAt())) {
        String status = lastStatus(task, timeline(task), now);
        running += status.equals("RUNNING") ? 1 : 0;
        pending += STATUSES.indexOf(status) < STATUSES.indexOf("RUNNING") ? 1 : 0;
      }
    }
    ObjectNode out =
        object()
            .put("clusterArn", cluster.arn())
            .put("clusterName", cluster.name)
            .put("status", "ACTIVE")
            .put("registeredContainerInstancesCount", 0)
            .put("runningTasksCount", running)
            .put("pendingTasksCount", pending)
            .put("activeServicesCount", 0);
    out.putArray("statistics");
    if (withTags) {
      out.set("tags", ecsTags(cluster.tags));
    }
    out.set("settings", cluster.settings.deepCopy());
    out.set("capacityProviders", stringArray(cluster.capacityProviders));
    out.putArray("defaultCapacityProviderStrategy").addAll(cluster.defaultStrategy);
    return out;
  }

  private Cluster cluster(JsonNode request) {
    String reference = string(request, "cluster");
    Cluster cluster = clusters.get(clusterName(reference == null ? "default" : reference));
    if (cluster == null) {
      throw FakeAwsError.clusterNotFound();
    }
    return cluster;
  }

  private static String clusterName(String reference) {
    String prefix = ARN + "cluster/";
    return reference.startsWith(prefix) ? reference.substring(prefix.length()) : reference;
  }

  // task definitions

  private JsonNode registerTaskDefinition(JsonNode request, Instant now) {
    String family = string(request, "family");
    if (family == null || !NAME.matcher(family).matches()) {
      throw FakeAwsError.ecsClient("Family contains invalid characters.");
    }
    List<JsonNode> definitions = objects(request, "containerDefinitions");
    if (definitions.isEmpty()) {
      throw FakeAwsError.ecsClient("Container list cannot be empty.");
    }
    if (definitions.size() > 10) {
      throw FakeAwsError.ecsClient("Too many containers.");
    }
    String networkMode = string(request, "networkMode");
    if (networkMode != null && !NETWORK_MODES.contains(networkMode)) {
      throw FakeAwsError.ecsInvalid("Invalid networkMode: " + networkMode);
    }
    List<String> required = strings(request, "requiresCompatibilities");
    required = required == null ? List.of() : required;
    for (String compatibility : required) {
      if (!COMPATIBILITIES.contains(compatibility)) {
        throw FakeAwsError.ecsInvalid("Invalid requiresCompatibilities: " + compatibility);
      }
    }
    boolean fargate = required.contains("FARGATE");
    String executionRole = string(request, "executionRoleArn");
    String cpu = units(string(request, "cpu"), CPU_VCPU);
    String memory = units(string(request, "memory"), MEMORY_GB);
    Integer taskCpu = number(cpu, "Invalid 'cpu' setting for task.");
    Integer taskMemory = number(memory, "Invalid 'memory' setting for task.");
    boolean fargateSize =
        taskCpu != null
            && taskMemory != null
            && FARGATE_SIZES.getOrDefault(taskCpu, List.of()).contains(taskMemory);

    List<ContainerSpec> specs = new ArrayList<>();
    ArrayNode containers = FakeAwsJson.array();
    boolean awslogs = false;
    boolean secrets = false;
    for (JsonNode definition : definitions) {
      ContainerSpec spec = containerSpec(definition, specs);
      specs.add(spec);
      containers.add(withDefaults(definition, networkMode));
      awslogs |= spec.logGroup() != null;
      secrets |= !spec.secrets().isEmpty();
    }
    for (ContainerSpec spec : specs) {
      for (Dependency dependency : spec.dependsOn()) {
        if (specs.stream().noneMatch(s -> s.name().equals(dependency.container()))) {
          throw FakeAwsError.ecsClient(
              "Container '"
                  + spec.name()
                  + "' depends on '"
                  + dependency.container()
                  + "', which is not in the task definition.");
        }
      }
    }
    if (fargate) {
      if (!"awsvpc".equals(networkMode)) {
        throw FakeAwsError.ecsClient("Fargate only supports network mode 'awsvpc'.");
      }
      if (cpu == null) {
        throw FakeAwsError.ecsClient("Fargate requires that 'cpu' be defined at the task level.");
      }
      if (memory == null) {
        throw FakeAwsError.ecsClient(
            "Fargate requires that 'memory' be defined at the task level.");
      }
      if (!fargateSize) {
        throw FakeAwsError.ecsClient("Invalid 'cpu' setting for task.");
      }
      if (awslogs && executionRole == null) {
        throw FakeAwsError.ecsClient(
            "Fargate requires task definition to have execution role ARN to support log driver"
                + " awslogs.");
      }
    }
    if (secrets && executionRole == null) {
      throw FakeAwsError.ecsClient(
          "When you are specifying container secrets, you must also specify a value for"
              + " 'executionRoleArn'.");
    }
    int cpuSum = 0;
    for (ContainerSpec spec : specs) {
      cpuSum += spec.cpu() == null ? 0 : spec.cpu();
      if (taskMemory != null
          && ((spec.memory() != null && spec.memory() > taskMemory)
              || (spec.memoryReservation() != null && spec.memoryReservation() > taskMemory))) {
        throw FakeAwsError.ecsClient(
            "The 'memory' setting for container '"
                + spec.name()
                + "' is greater than for the task.");
      }
    }
    if (taskCpu != null && cpuSum > taskCpu) {
      throw FakeAwsError.ecsClient(
          "The sum of all container 'cpu' values cannot be greater than the value of the task"
              + " 'cpu'.");
    }
    JsonNode ephemeral = structure(request, "ephemeralStorage");
    if (ephemeral != null) {
      Integer size = integer(ephemeral, "sizeInGiB");
      if (size == null || size < 21 || size > 200) {
        throw FakeAwsError.ecsClient(
            "The ephemeral storage size must be between 21 GiB and 200 GiB.");
      }
    }
    Map<String, String> tags = tags(request, "tags");

    List<TaskDefinition> revisions = families.computeIfAbsent(family, f -> new ArrayList<>());
    int revision = revisions.size() + 1;
    ObjectNode body = object();
    body.put("taskDefinitionArn", ARN + "task-definition/" + family + ":" + revision);
    body.set("containerDefinitions", containers);
    body.put("family", family);
    copy(request, body, "taskRoleArn", "executionRoleArn");
    body.put("networkMode", networkMode == null ? "bridge" : networkMode);
    body.put("revision", revision);
    body.set("volumes", listOrEmpty(request, "volumes"));
    body.set("requiresAttributes", requiresAttributes(specs, networkMode, executionRole));
    body.set("placementConstraints", listOrEmpty(request, "placementConstraints"));
    ArrayNode compatibilities = body.putArray("compatibilities");
    compatibilities.add("EC2");
    if ("awsvpc".equals(networkMode) && fargateSize) {
      compatibilities.add("FARGATE");
    }
    copy(request, body, "runtimePlatform", "requiresCompatibilities");
    if (cpu != null) {
      body.put("cpu", cpu);
    }
    if (memory != null) {
      body.put("memory", memory);
    }
    copy(
        request,
        body,
        "pidMode",
        "ipcMode",
        "proxyConfiguration",
        "inferenceAccelerators",
        "ephemeralStorage",
        "enableFaultInjection");
    body.put("registeredAt", seconds(now));
    body.put("registeredBy", "arn:aws:iam::" + FakeAws.ACCOUNT + ":root");
    TaskDefinition definition = new TaskDefinition(family, revision, body, tags, specs);
    revisions.add(definition);

    ObjectNode answer = object();
    answer.set("taskDefinition", definition.render());
    if (!tags.isEmpty()) {
      answer.set("tags", ecsTags(tags));
    }
    return answer;
  }

  private static ContainerSpec containerSpec(JsonNode definition, List<ContainerSpec> earlier) {
    String name = string(definition, "name");
    if (name == null || name.isEmpty()) {
      throw FakeAwsError.ecsClient("Container.name should not be null or empty.");
    }
    if (!NAME.matcher(name).matches()) {
      throw FakeAwsError.ecsClient("Container name contains invalid characters: " + name);
    }
    if (earlier.stream().anyMatch(s -> s.name().equals(name))) {
      throw FakeAwsError.ecsClient("Duplicate container name: " + name);
    }
    String image = string(definition, "image");
    if (image == null || image.isBlank()) {
      throw FakeAwsError.ecsClient("Container.image should not be null or empty.");
    }
    boolean essential = !definition.has("essential") || bool(definition, "essential");
    List<String> command = strings(definition, "command");
    List<Dependency> dependsOn = new ArrayList<>();
    for (JsonNode dependency : objects(definition, "dependsOn")) {
      String container = string(dependency, "containerName");
      String condition = string(dependency, "condition");
      if (container == null || condition == null || !CONDITIONS.contains(condition)) {
        throw FakeAwsError.ecsClient(
            "Container '" + name + "' has a dependsOn without containerName or a valid condition.");
      }
      dependsOn.add(new Dependency(container, condition));
    }
    List<String> secrets = new ArrayList<>();
    for (JsonNode secret : objects(definition, "secrets")) {
      secrets.add(secretSource(name, secret));
    }
    String logGroup = null;
    String logPrefix = null;
    JsonNode logConfiguration = structure(definition, "logConfiguration");
    if (logConfiguration != null) {
      String driver = string(logConfiguration, "logDriver");
      if (driver == null) {
        throw FakeAwsError.ecsClient(
            "Container '" + name + "' has a logConfiguration without logDriver.");
      }
      for (JsonNode secret : objects(logConfiguration, "secretOptions")) {
        secrets.add(secretSource(name, secret));
      }
      if (driver.equals("awslogs")) {
        JsonNode options = logConfiguration.path("options");
        logGroup = options.path("awslogs-group").asString(null);
        logPrefix = options.path("awslogs-stream-prefix").asString(null);
        if (logGroup == null || logPrefix == null) {
          throw FakeAwsError.ecsClient(
              "Log driver awslogs on Fargate requires the options awslogs-group and"
                  + " awslogs-stream-prefix (container '"
                  + name
                  + "').");
        }
      }
    }
    return new ContainerSpec(
        name,
        image,
        essential,
        command == null ? List.of() : command,
        dependsOn,
        secrets,
        logGroup,
        logPrefix,
        integer(definition, "cpu"),
        integer(definition, "memory"),
        integer(definition, "memoryReservation"));
  }

  private static String secretSource(String container, JsonNode secret) {
    String name = string(secret, "name");
    String valueFrom = string(secret, "valueFrom");
    if (name == null || valueFrom == null || valueFrom.isEmpty()) {
      throw FakeAwsError.ecsClient(
          "Container '" + container + "' has a secret without name or valueFrom.");
    }
    return valueFrom;
  }

  /** The container definition as ECS stores it: the defaults of omitted members filled in. */
  private static ObjectNode withDefaults(JsonNode definition, String networkMode) {
    ObjectNode out = (ObjectNode) definition.deepCopy();
    if (!out.has("essential")) {
      out.put("essential", true);
    }
    for (String list :
        List.of("portMappings", "environment", "mountPoints", "volumesFrom", "systemControls")) {
      if (!out.has(list) || out.get(list).isNull()) {
        out.putArray(list);
      }
    }
    for (JsonNode mapping : out.get("portMappings")) {
      if (mapping instanceof ObjectNode port) {
        if (!port.has("protocol")) {
          port.put("protocol", "tcp");
        }
        if ("awsvpc".equals(networkMode) && !port.has("hostPort") && port.has("containerPort")) {
          port.set("hostPort", port.get("containerPort"));
        }
      }
    }
    return out;
  }

  private static ArrayNode requiresAttributes(
      List<ContainerSpec> specs, String networkMode, String executionRole) {
    Set<String> names = new LinkedHashSet<>();
    names.add("com.amazonaws.ecs.capability.docker-remote-api.1.18");
    if ("awsvpc".equals(networkMode)) {
      names.add("ecs.capability.task-eni");
    }
    if (specs.stream().anyMatch(s -> s.logGroup() != null)) {
      names.add("com.amazonaws.ecs.capability.logging-driver.awslogs");
      if (executionRole != null) {
        names.add("ecs.capability.execution-role-awslogs");
      }
    }
    if (specs.stream().anyMatch(s -> !s.secrets().isEmpty())) {
      names.add("ecs.capability.secrets.ssm.environment-variables");
    }
    if (specs.stream().anyMatch(s -> !s.dependsOn().isEmpty())) {
      names.add("ecs.capability.container-ordering");
    }
    ArrayNode out = FakeAwsJson.array();
    names.forEach(name -> out.addObject().put("name", name));
    return out;
  }

  private JsonNode deregisterTaskDefinition(JsonNode request, Instant now) {
    String reference = string(request, "taskDefinition");
    if (reference == null || !reference.contains(":")) {
      throw FakeAwsError.ecsClient(
          "A task definition must be given as family:revision or as a full ARN.");
    }
    TaskDefinition definition = taskDefinition(reference);
    if (definition == null) {
      throw FakeAwsError.ecsClient("The specified task definition does not exist.");
    }
    if (definition.status.equals("ACTIVE")) {
      definition.status = "INACTIVE";
      definition.deregisteredAt = now;
    }
    ObjectNode answer = object();
    answer.set("taskDefinition", definition.render());
    return answer;
  }

  private JsonNode describeTaskDefinition(JsonNode request) {
    String reference = string(request, "taskDefinition");
    boolean withTags = include(request, Set.of("TAGS"));
    TaskDefinition definition = reference == null ? null : taskDefinition(reference);
    if (definition == null) {
      throw FakeAwsError.ecsClient("Unable to describe task definition.");
    }
    ObjectNode answer = object();
    answer.set("taskDefinition", definition.render());
    if (withTags) {
      answer.set("tags", ecsTags(definition.tags));
    }
    return answer;
  }

  private JsonNode listTaskDefinitions(JsonNode request) {
    String family = string(request, "familyPrefix");
    String status =
        enumValue(request, "status", Set.of("ACTIVE", "INACTIVE", "DELETE_IN_PROGRESS"));
    String sort = enumValue(request, "sort", Set.of("ASC", "DESC"));
    List<String> arns = new ArrayList<>();
    for (List<TaskDefinition> revisions : families.values()) {
      for (TaskDefinition definition : revisions) {
        if ((family == null || definition.family.equals(family))
            && definition.status.equals(status == null ? "ACTIVE" : status)) {
          arns.add(definition.arn());
        }
      }
    }
    if ("DESC".equals(sort)) {
      Collections.reverse(arns);
    }
    return page(arns, request, "taskDefinitionArns");
  }

  private JsonNode listTaskDefinitionFamilies(JsonNode request) {
    String prefix = string(request, "familyPrefix");
    String status = enumValue(request, "status", Set.of("ACTIVE", "INACTIVE", "ALL"));
    List<String> names = new ArrayList<>();
    families.forEach(
        (family, revisions) -> {
          boolean active = revisions.stream().anyMatch(d -> d.status.equals("ACTIVE"));
          boolean wanted =
              status == null || status.equals("ALL") || (status.equals("ACTIVE") == active);
          if ((prefix == null || family.startsWith(prefix)) && wanted) {
            names.add(family);
          }
        });
    return page(names, request, "families");
  }

  /** A page of a list that only grows at its end, with an offset token. */
  private static JsonNode page(List<String> all, JsonNode request, String member) {
    int max = maxResults(request);
    int from = 0;
    String token = string(request, "nextToken");
    if (token != null) {
      String state = untoken(token);
      if (state == null || !state.matches("o:\\d{1,9}")) {
        throw FakeAwsError.ecsInvalid("Invalid nextToken.");
      }
      from = Math.min(Integer.parseInt(state.substring(2)), all.size());
    }
    int to = Math.min(all.size(), from + max);
    ObjectNode answer = object();
    answer.set(member, stringArray(all.subList(from, to)));
    if (to < all.size()) {
      answer.put("nextToken", token("o:" + to));
    }
    return answer;
  }

  /** By full ARN, {@code family:revision}, or {@code family} for its latest ACTIVE revision. */
  private TaskDefinition taskDefinition(String reference) {
    String rest = reference;
    String prefix = ARN + "task-definition/";
    if (reference.startsWith("arn:")) {
      if (!reference.startsWith(prefix)) {
        return null;
      }
      rest = reference.substring(prefix.length());
    }
    int colon = rest.lastIndexOf(':');
    if (colon < 0) {
      List<TaskDefinition> revisions = families.getOrDefault(rest, List.of());
      for (int i = revisions.size() - 1; i >= 0; i--) {
        if (revisions.get(i).status.equals("ACTIVE")) {
          return revisions.get(i);
        }
      }
      return null;
    }
    String revision = rest.substring(colon + 1);
    List<TaskDefinition> revisions = families.getOrDefault(rest.substring(0, colon), List.of());
    if (!revision.matches("\\d{1,9}")) {
      return null;
    }
    int number = Integer.parseInt(revision);
    return number >= 1 && number <= revisions.size() ? revisions.get(number - 1) : null;
  }

  // tasks

  private JsonNode runTask(JsonNode request, Instant now) {
    Cluster cluster = cluster(request);
    String clientToken = string(request, "clientToken");
    if (clientToken != null) {
      if (clientToken.isEmpty()
          || clientToken.length() > 64
          || clientToken.chars().anyMatch(c -> c < 33 || c > 126)) {
        throw FakeAwsError.ecsInvalid(
            "clientToken must be 1 to 64 characters in the range 33-126.");
      }
      Idempotent earlier = clientTokens.get(clientToken);
      if (earlier != null) {
        if (!earlier.request().equals(request)) {
          throw FakeAwsError.client(
              "ConflictException",
              "The clientToken was already used with a request with different parameters.");
        }
        return tasksAnswer(earlier.tasks(), now);
      }
    }
    String reference = string(request, "taskDefinition");
    if (reference == null || reference.isBlank()) {
      throw FakeAwsError.ecsInvalid("TaskDefinition can not be blank.");
    }
    TaskDefinition definition = taskDefinition(reference);
    if (definition == null) {
      throw FakeAwsError.ecsInvalid("TaskDefinition not found.");
    }
    if (!definition.status.equals("ACTIVE")) {
      throw FakeAwsError.ecsClient("TaskDefinition is inactive");
    }
    Integer count = integer(request, "count");
    count = count == null ? 1 : count;
    if (count < 1 || count > 10) {
      throw FakeAwsError.ecsInvalid("count must be between 1 and 10.");
    }
    String startedBy = string(request, "startedBy");
    if (startedBy != null
        && (startedBy.length() > 36 || !STARTED_BY.matcher(startedBy).matches())) {
      throw FakeAwsError.ecsInvalid(
          "startedBy may hold up to 36 letters, numbers, hyphens, forward slashes and"
              + " underscores.");
    }
    Map<String, String> tags = tags(request, "tags");
    String capacityProvider = capacityProvider(request, cluster);
    if (!definition.fargate()) {
      throw FakeAwsError.ecsInvalid("Task definition does not support launch_type FARGATE.");
    }
    String platformVersion = string(request, "platformVersion");
    if (platformVersion != null && !PLATFORM_VERSIONS.contains(platformVersion)) {
      throw FakeAwsError.client(
          "PlatformUnknownException", "The specified platform version does not exist.");
    }
    platformVersion =
        platformVersion == null || platformVersion.equals("LATEST") ? "1.4.0" : platformVersion;
    String subnet = subnet(request);
    String propagate =
        enumValue(request, "propagateTags", Set.of("TASK_DEFINITION", "SERVICE", "NONE"));
    if ("SERVICE".equals(propagate)) {
      throw FakeAwsError.ecsInvalid(
          "The SERVICE option of propagateTags is not valid for RunTask.");
    }
    JsonNode overrides = structure(request, "overrides");
    overrides = overrides == null ? object() : overrides;
    Map<String, JsonNode> containerOverrides = new HashMap<>();
    for (JsonNode override : objects(overrides, "containerOverrides")) {
      String name = string(override, "name");
      if (definition.containers.stream().noneMatch(s -> s.name().equals(name))) {
        throw FakeAwsError.ecsInvalid(
            "Override for container named " + name + " is not a container in the TaskDefinition.");
      }
      containerOverrides.put(name, override);
    }

    Map<String, String> taskTags = new LinkedHashMap<>();
    if ("TASK_DEFINITION".equals(propagate)) {
      taskTags.putAll(definition.tags);
    }
    taskTags.putAll(tags);
    if (bool(request, "enableECSManagedTags")) {
      taskTags.put("aws:ecs:clusterName", cluster.name);
    }
    Failure failure = startFailure(definition);
    String group = string(request, "group");
    String cpu = string(overrides, "cpu");
    String memory = string(overrides, "memory");
    JsonNode storage =
        overrides.has("ephemeralStorage")
            ? overrides.get("ephemeralStorage")
            : definition.body.path("ephemeralStorage");
    Launch launch =
        new Launch(
            startedBy,
            group == null ? "family:" + definition.family : group,
            capacityProvider,
            platformVersion,
            cpu != null ? cpu : definition.body.path("cpu").asString(),
            memory != null ? memory : definition.body.path("memory").asString(),
            storage.path("sizeInGiB").asInt(20),
            bool(request, "enableExecuteCommand"),
            taskOverrides(overrides, definition, containerOverrides));
    Instant pendingAt = now.plus(fake.provisionDelay);
    Instant activatingAt = pendingAt.plus(fake.pendingDelay);
    Schedule schedule =
        new Schedule(
            now,
            pendingAt,
            activatingAt,
            activatingAt.plus(fake.activatingDelay),
            now.plus(fake.describeLag),
            fake.runTime,
            fake.stopDelay);

    List<Task> started = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int address = addressSeq++;
      Eni eni =
          new Eni(
              subnet,
              "10.0." + (address / 250 % 256) + "." + (address % 250 + 4),
              "eni-" + hex(9).substring(0, 17),
              "02:" + String.join(":", hex(5).split("(?<=\\G..)")),
              uuid());
      Task task = new Task(++taskSeq, hex(16), cluster, definition, launch, eni, schedule, failure);
      task.tags.putAll(taskTags);
      for (ContainerSpec spec : definition.containers) {
        JsonNode override = containerOverrides.get(spec.name());
        List<String> command =
            override != null && override.has("command")
                ? strings(override, "command")
                : spec.command();
        Matcher exit = EXIT.matcher(String.join(" ", command));
        task.containers.add(
            new Container(
                spec,
                ARN + "container/" + cluster.name + "/" + task.id + "/" + uuid(),
                task.id + "-" + hex(5),
                exit.find() ? Integer.valueOf(exit.group(1)) : null));
      }
      tasks.put(task.id, task);
      attachLogs(task, now);
      started.add(task);
    }
    if (clientToken != null) {
      clientTokens.put(clientToken, new Idempotent(request.deepCopy(), started));
    }
    return tasksAnswer(started, now);
  }

  /**
   * Secrets are resolved at RunTask (a missing SSM parameter), then images are pulled (a name with
   * {@code does-not-exist}); either fails the task at the end of PENDING.
   */
  private Failure startFailure(TaskDefinition definition) {
    List<String> missing = new ArrayList<>();
    for (ContainerSpec spec : definition.containers) {
      for (String source : spec.secrets()) {
        if (!source.startsWith("arn:aws:secretsmanager:") && !ssm.exists(source)) {
          missing.add(source);
        }
      }
    }
    if (!missing.isEmpty()) {
      return new Failure(
          "ResourceInitializationError: unable to pull secrets or registry auth: execution"
              + " resource retrieval failed: unable to retrieve secrets from ssm: service call has"
              + " been retried 1 time(s): invalid ssm parameters: "
              + String.join(" ", missing),
          null);
    }
    for (ContainerSpec spec : definition.containers) {
      if (spec.image().contains("does-not-exist")) {
        return new Failure(
            "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to"
                + " resolve ref "
                + spec.image()
                + ": "
                + spec.image()
                + ": not found",
            spec.name());
      }
    }
    return null;
  }

  private JsonNode tasksAnswer(List<Task> started, Instant now) {
    ObjectNode answer = object();
    ArrayNode out = answer.putArray("tasks");
    for (Task task : started) {
      out.add(render(task, now, true));
    }
    answer.putArray("failures");
    return answer;
  }

  /** FARGATE by launch type, or FARGATE / FARGATE_SPOT by capacity provider strategy. */
  private static String capacityProvider(JsonNode request, Cluster cluster) {
    String launchType = string(request, "launchType");
    List<JsonNode> strategy = objects(request, "capacityProviderStrategy");
    if (launchType != null && !strategy.isEmpty()) {
      throw FakeAwsError.ecsInvalid(
          "Specifying both a launch type and capacity provider strategy is not supported. Remove"
              + " one and try again.");
    }
    if (launchType == null && strategy.isEmpty()) {
      strategy = cluster.defaultStrategy;
    }
    if (launchType != null) {
      if (!launchType.equals("FARGATE")) {
        throw FakeAwsError.ecsInvalid("No Container Instances were found in your cluster.");
      }
      return "FARGATE";
    }
    if (strategy.isEmpty()) {
      throw FakeAwsError.ecsInvalid("No Container Instances were found in your cluster.");
    }
    String chosen = null;
    int best = -1;
    for (JsonNode item : strategy) {
      String provider = string(item, "capacityProvider");
      if (!"FARGATE".equals(provider) && !"FARGATE_SPOT".equals(provider)) {
        throw FakeAwsError.ecsInvalid(
            "The specified capacity provider strategy cannot contain a capacity provider that is"
                + " not associated with the cluster. Associate the capacity provider with the"
                + " cluster or specify a valid capacity provider and try again.");
      }
      Integer base = integer(item, "base");
      Integer weight = integer(item, "weight");
      int rank = (base == null ? 0 : base) * 1000 + (weight == null ? 0 : weight);
      if (rank > best) {
        best = rank;
        chosen = provider;
      }
    }
    return chosen;
  }

  private static String subnet(JsonNode request) {
    JsonNode network = structure(request, "networkConfiguration");
    JsonNode vpc = network == null ? null : structure(network, "awsvpcConfiguration");
    if (vpc == null) {
      throw FakeAwsError.ecsInvalid(
          "Network Configuration must be provided when networkMode 'awsvpc' is specified.");
    }
    List<String> subnets = strings(vpc, "subnets");
    if (subnets == null || subnets.isEmpty()) {
      throw FakeAwsError.ecsInvalid("subnets can not be empty.");
    }
    if (subnets.size() > 16) {
      throw FakeAwsError.ecsInvalid("At most 16 subnets can be given.");
    }
    for (String subnet : subnets) {
      if (!subnet.matches("subnet-[0-9a-f]{1,17}")) {
        throw FakeAwsError.ecsInvalid(
            "Error retrieving subnet information for ["
                + subnet
                + "]: The subnet ID '"
                + subnet
                + "' is malformed");
      }
    }
    List<String> groups = strings(vpc, "securityGroups");
    if (groups != null) {
      if (groups.size() > 5) {
        throw FakeAwsError.ecsInvalid("At most 5 security groups can be given.");
      }
      for (String group : groups) {
        if (!group.matches("sg-[0-9a-f]{1,17}")) {
          throw FakeAwsError.ecsInvalid(
              "Error retrieving security group information for ["
                  + group
                  + "]: The security group '"
                  + group
                  + "' is malformed");
        }
      }
    }
    enumValue(vpc, "assignPublicIp", Set.of("ENABLED", "DISABLED"));
    return subnets.get(0);
  }

  private static ObjectNode taskOverrides(
      JsonNode overrides, TaskDefinition definition, Map<String, JsonNode> containerOverrides) {
    ObjectNode out = (ObjectNode) overrides.deepCopy();
    ArrayNode containers = out.putArray("containerOverrides");
    for (ContainerSpec spec : definition.containers) {
      JsonNode override = containerOverrides.get(spec.name());
      containers.add(override != null ? override.deepCopy() : object().put("name", spec.name()));
    }
    if (!out.has("inferenceAcceleratorOverrides")) {
      out.putArray("inferenceAcceleratorOverrides");
    }
    return out;
  }

  /** Containers with awslogs write one line per second of running time, computed when read. */
  private void attachLogs(Task task, Instant now) {
    for (int i = 0; i < task.containers.size(); i++) {
      ContainerSpec spec = task.containers.get(i).spec();
      if (spec.logGroup() == null) {
        continue;
      }
      int index = i;
      logs.attach(
          spec.logGroup(),
          spec.logPrefix() + "/" + spec.name() + "/" + task.id,
          spec.name(),
          () -> {
            Timeline timeline = timeline(task);
            return new FakeAwsLogs.Window(timeline.start()[index], timeline.end()[index]);
          },
          now);
    }
  }

  private JsonNode describeTasks(JsonNode request, Instant now) {
    Cluster cluster = cluster(request);
    List<String> references = strings(request, "tasks");
    if (references == null || references.isEmpty()) {
      throw FakeAwsError.ecsInvalid("Tasks cannot be empty.");
    }
    if (references.size() > 100) {
      throw FakeAwsError.ecsInvalid("Too many tasks were specified. A maximum of 100 is allowed.");
    }
    boolean withTags = include(request, Set.of("TAGS"));
    ObjectNode answer = object();
    ArrayNode found = answer.putArray("tasks");
    ArrayNode failures = answer.putArray("failures");
    for (String reference : new LinkedHashSet<>(references)) {
      Task task = task(cluster, reference);
      if (task == null || now.isBefore(task.at.visibleAt())) {
        String arn =
            reference.startsWith("arn:")
                ? reference
                : ARN + "task/" + cluster.name + "/" + reference;
        failures.addObject().put("arn", arn).put("reason", "MISSING");
      } else {
        found.add(render(task, now, withTags));
      }
    }
    return answer;
  }

  private JsonNode listTasks(JsonNode request, Instant now) {
    Cluster cluster = cluster(request);
    String family = string(request, "family");
    String startedBy = string(request, "startedBy");
    String desired = enumValue(request, "desiredStatus", Set.of("RUNNING", "PENDING", "STOPPED"));
    desired = desired == null ? "RUNNING" : desired;
    String launchType =
        enumValue(request, "launchType", Set.of("EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES"));
    if (string(request, "serviceName") != null) {
      throw FakeAwsError.client("ServiceNotFoundException", "Service not found.");
    }
    boolean noInstances =
        string(request, "containerInstance") != null || string(request, "daemonName") != null;
    int max = maxResults(request);
    long after = 0;
    String token = string(request, "nextToken");
    if (token != null) {
      String state = untoken(token);
      if (state == null || !state.matches("s:\\d{1,18}")) {
        throw FakeAwsError.ecsInvalid("Invalid nextToken.");
      }
      after = Long.parseLong(state.substring(2));
    }
    ObjectNode answer = object();
    ArrayNode arns = answer.putArray("taskArns");
    if (noInstances || (launchType != null && !launchType.equals("FARGATE"))) {
      return answer;
    }
    long last = 0;
    for (Task task : tasks.values()) {
      if (task.seq <= after
          || task.cluster != cluster
          || now.isBefore(task.at.visibleAt())
          || (family != null && !family.equals(task.definition.family))
          || (startedBy != null && !startedBy.equals(task.launch.startedBy()))
          || !desiredStatus(timeline(task), now).equals(desired)) {
        continue;
      }
      if (arns.size() == max) {
        answer.put("nextToken", token("s:" + last));
        break;
      }
      arns.add(task.arn);
      last = task.seq;
    }
    return answer;
  }

  private JsonNode stopTask(JsonNode request, Instant now) {
    Cluster cluster = cluster(request);
    String reference = string(request, "task");
    Task task = reference == null ? null : task(cluster, reference);
    if (task == null) {
      throw FakeAwsError.ecsInvalid("The referenced task was not found.");
    }
    String reason = string(request, "reason");
    if (reason != null && reason.length() > 1024) {
      throw FakeAwsError.ecsInvalid("reason can hold at most 1024 characters.");
    }
    if (!timeline(task).stoppedBy(now)) {
      task.explicit =
          new Stop(
              now,
              StopKind.USER,
              "UserInitiated",
              reason == null ? "Task stopped by user" : reason,
              fake.stopDelay,
              null);
      // "Any tags associated with the task will be deleted"
      task.tags.clear();
    }
    ObjectNode answer = object();
    answer.set("task", render(task, now, false));
    return answer;
  }

  private Task task(Cluster cluster, String reference) {
    String id = reference;
    if (reference.startsWith("arn:")) {
      Matcher m = TASK_ARN.matcher(reference);
      if (!m.matches() || (m.group(1) != null && !m.group(1).equals(cluster.name))) {
        return null;
      }
      id = m.group(2);
    }
    Task task = tasks.get(id);
    return task != null && task.cluster == cluster ? task : null;
  }

  private void forgetStopped(Instant now) {
    Iterator<Task> it = tasks.values().iterator();
    while (it.hasNext()) {
      Timeline timeline = timeline(it.next());
      if (timeline.stop() != null && !now.isBefore(timeline.stoppedAt().plus(RETENTION))) {
        it.remove();
      }
    }
  }

  // tags

  private JsonNode tagResource(JsonNode request, Instant now) {
    Map<String, String> tags = tagsOf(request, now, true);
    Map<String, String> added = tags(request, "tags");
    Map<String, String> merged = new LinkedHashMap<>(tags);
    merged.putAll(added);
    if (merged.keySet().stream().filter(k -> !k.toLowerCase().startsWith("aws:")).count() > 50) {
      throw FakeAwsError.client("LimitExceededException", "A resource can have at most 50 tags.");
    }
    tags.putAll(added);
    return object();
  }

  private JsonNode untagResource(JsonNode request, Instant now) {
    Map<String, String> tags = tagsOf(request, now, true);
    List<String> keys = strings(request, "tagKeys");
    if (keys == null) {
      throw FakeAwsError.ecsInvalid("tagKeys must be given.");
    }
    keys.forEach(tags::remove);
    return object();
  }

  private JsonNode listTagsForResource(JsonNode request, Instant now) {
    ObjectNode answer = object();
    answer.set("tags", ecsTags(tagsOf(request, now, false)));
    return answer;
  }

  /** The live tag map of a task, task definition or cluster ARN. */
  private Map<String, String> tagsOf(JsonNode request, Instant now, boolean write) {
    String arn = string(request, "resourceArn");
    if (arn == null || !arn.startsWith(ARN)) {
      throw FakeAwsError.ecsInvalid("The ARN provided is invalid.");
    }
    String resource = arn.substring(ARN.length());
    if (resource.startsWith("cluster/")) {
      Cluster cluster = clusters.get(resource.substring("cluster/".length()));
      if (cluster == null) {
        throw FakeAwsError.clusterNotFound();
      }
      return cluster.tags;
    }
    if (resource.startsWith("task-definition/")) {
      TaskDefinition definition = taskDefinition(arn);
      if (definition == null || !resource.contains(":")) {
        throw FakeAwsError.client(
            "ResourceNotFoundException", "The specified task definition was not found.");
      }
      return definition.tags;
    }
    Matcher m = TASK_ARN.matcher(arn);
    if (m.matches() && m.group(1) != null) {
      Cluster cluster = clusters.get(m.group(1));
      if (cluster == null) {
        throw FakeAwsError.clusterNotFound();
      }
      Task task = task(cluster, arn);
      if (task == null) {
        throw FakeAwsError.client("ResourceNotFoundException", "The specified task was not found.");
      }
      if (write && timeline(task).stoppedBy(now)) {
        throw FakeAwsError.ecsInvalid(
            "The specified task is stopped. Specify a running task and try again.");
      }
      return task.tags;
    }
    throw FakeAwsError.ecsInvalid("The ARN provided is invalid.");
  }

  // the derived state of a task

  private Timeline timeline(Task task) {
    int n = task.containers.size();
    Instant[] start = new Instant[n];
    Instant[] end = new Instant[n];
    Integer[] exit = new Integer[n];
    if (task.failure == null) {
      schedule(task, start, end, exit);
    }
    Stop natural = null;
    if (task.failure != null) {
      natural =
          new Stop(
              task.at.activatingAt(),
              StopKind.FAILED_TO_START,
              "TaskFailedToStart",
              task.failure.reason(),
              task.at.stopDelay(),
              null);
    } else {
      for (int i = 0; i < n; i++) {
        if (task.containers.get(i).spec().essential()
            && end[i] != null
            && (natural == null || end[i].isBefore(natural.at()))) {
          natural =
              new Stop(
                  end[i],
                  StopKind.CONTAINER_EXITED,
                  "EssentialContainerExited",
                  "Essential container in task exited",
                  task.at.stopDelay(),
                  null);
        }
      }
    }
    Stop stop =
        task.explicit != null && (natural == null || task.explicit.at().isBefore(natural.at()))
            ? task.explicit
            : natural;
    if (stop == null) {
      return new Timeline(null, false, null, null, start, end, exit);
    }
    boolean fullWalk =
        stop.kind() != StopKind.FAILED_TO_START && !stop.at().isBefore(task.at.activatingAt());
    boolean outside = stop.kind() == StopKind.OUTSIDE;
    Instant killAt = fullWalk && !outside ? stop.at().plus(stop.delay()) : stop.at();
    Instant stoppedAt = stop.at().plus(fullWalk ? stop.delay().multipliedBy(3) : stop.delay());
    for (int i = 0; i < n; i++) {
      boolean started = start[i] != null && Timeline.precedes(stop, start[i]);
      if (!started) {
        start[i] = null;
        end[i] = killAt;
        exit[i] = outside ? stop.exitCode() : null;
      } else if (end[i] == null || end[i].isAfter(killAt)) {
        end[i] = killAt;
        exit[i] = outside ? stop.exitCode() : KILLED;
      }
    }
    return new Timeline(stop, fullWalk, killAt, stoppedAt, start, end, exit);
  }

  /**
   * When each container starts and, if its command exits, ends: at RUNNING, or once its {@code
   * dependsOn} conditions hold. A condition that can never hold (a failed SUCCESS dependency, a
   * cycle) leaves the container PENDING until the task stops.
   */
  private static void schedule(Task task, Instant[] start, Instant[] end, Integer[] exit) {
    int n = task.containers.size();
    boolean[] resolved = new boolean[n];
    for (int pass = 0; pass <= n; pass++) {
      for (int i = 0; i < n; i++) {
        if (resolved[i]) {
          continue;
        }
        Instant at = task.at.runningAt();
        boolean ready = true;
        boolean never = false;
        for (Dependency dependency : task.containers.get(i).spec().dependsOn()) {
          int j = indexOf(task, dependency.container());
          if (!resolved[j]) {
            ready = false;
            break;
          }
          Instant when =
              switch (dependency.condition()) {
                case "COMPLETE" -> end[j];
                case "SUCCESS" -> end[j] != null && exit[j] == 0 ? end[j] : null;
                default -> start[j]; // START, and HEALTHY: health checks are not modelled
              };
          if (when == null) {
            never = true;
          } else if (when.isAfter(at)) {
            at = when;
          }
        }
        if (!ready) {
          continue;
        }
        resolved[i] = true;
        Integer code = task.containers.get(i).exitCode();
        if (!never) {
          start[i] = at;
          if (code != null) {
            end[i] = at.plus(task.at.runTime());
            exit[i] = code;
          }
        }
      }
    }
  }

  private static int indexOf(Task task, String container) {
    return IntStream.range(0, task.containers.size())
        .filter(i -> task.containers.get(i).spec().name().equals(container))
        .findFirst()
        .orElseThrow();
  }

  private static String desiredStatus(Timeline timeline, Instant now) {
    return timeline.stoppedBy(now) ? "STOPPED" : "RUNNING";
  }

  private static String lastStatus(Task task, Timeline timeline, Instant now) {
    if (timeline.stoppedBy(now)) {
      if (!now.isBefore(timeline.stoppedAt())) {
        return "STOPPED";
      }
      if (!timeline.fullWalk()) {
        return "DEPROVISIONING";
      }
      long step =
          Duration.between(timeline.stop().at(), now).toNanos() / timeline.stop().delay().toNanos();
      return step == 0 ? "DEACTIVATING" : step == 1 ? "STOPPING" : "DEPROVISIONING";
    }
    if (now.isBefore(task.at.pendingAt())) {
      return "PROVISIONING";
    }
    if (now.isBefore(task.at.activatingAt())) {
      return "PENDING";
    }
    return now.isBefore(task.at.runningAt()) ? "ACTIVATING" : "RUNNING";
  }

  private ObjectNode render(Task task, Instant now, boolean withTags) {
    Timeline timeline = timeline(task);
    String last = lastStatus(task, timeline, now);
    ObjectNode out = object();
    ObjectNode eni =
        out.putArray("attachments")
            .addObject()
            .put("id", task.eni.attachment())
            .put("type", "ElasticNetworkInterface")
            .put(
                "status",
                switch (last) {
                  case "PROVISIONING" -> "PRECREATED";
                  case "DEPROVISIONING" -> "DETACHED";
                  case "STOPPED" -> "DELETED";
                  default -> "ATTACHED";
                });
    ArrayNode details = eni.putArray("details");
    details.addObject().put("name", "subnetId").put("value", task.eni.subnet());
    details.addObject().put("name", "networkInterfaceId").put("value", task.eni.id());
    details.addObject().put("name", "macAddress").put("value", task.eni.mac());
    details
        .addObject()
        .put("name", "privateDnsName")
        .put("value", "ip-" + task.eni.ip().replace('.', '-') + ".ec2.internal");
    details.addObject().put("name", "privateIPv4Address").put("value", task.eni.ip());
    out.putArray("attributes")
        .addObject()
        .put("name", "ecs.cpu-architecture")
        .put("value", "x86_64");
    out.put("availabilityZone", FakeAws.REGION + "a");
    out.put("capacityProviderName", task.launch.capacityProvider());
    out.put("clusterArn", task.cluster.arn());
    if (timeline.reached(task.at.pendingAt(), now)) {
      out.put("connectivity", "CONNECTED").put("connectivityAt", seconds(task.at.pendingAt()));
    }
    ArrayNode containers = out.putArray("containers");
    for (int i = 0; i < task.containers.size(); i++) {
      containers.add(render(task, timeline, i, now));
    }
    out.put("cpu", task.launch.cpu());
    out.put("createdAt", seconds(task.at.createdAt()));
    out.put("desiredStatus", desiredStatus(timeline, now));
    out.put("enableExecuteCommand", task.launch.executeCommand());
    out.putObject("ephemeralStorage").put("sizeInGiB", task.launch.ephemeralGiB());
    out.putObject("fargateEphemeralStorage").put("sizeInGiB", task.launch.ephemeralGiB());
    if (timeline.stoppedBy(now) && !now.isBefore(timeline.killAt())) {
      out.put("executionStoppedAt", seconds(timeline.killAt()));
    }
    out.put("group", task.launch.group());
    out.put("healthStatus", "UNKNOWN");
    out.put("lastStatus", last);
    out.put("launchType", "FARGATE");
    out.put("memory", task.launch.memory());
    out.set("overrides", task.launch.overrides().deepCopy());
    out.put("platformVersion", task.launch.platformVersion());
    out.put("platformFamily", "Linux");
    if (timeline.reached(task.at.pendingAt(), now)) {
      out.put("pullStartedAt", seconds(task.at.pendingAt()));
    }
    if (timeline.reached(task.at.activatingAt(), now)) {
      out.put("pullStoppedAt", seconds(task.at.activatingAt()));
    }
    if (timeline.reached(task.at.runningAt(), now)) {
      out.put("startedAt", seconds(task.at.runningAt()));
    }
    if (task.launch.startedBy() != null) {
      out.put("startedBy", task.launch.startedBy());
    }
    if (timeline.stoppedBy(now)) {
      Stop stop = timeline.stop();
      out.put("stopCode", stop.code());
      if (!now.isBefore(timeline.stoppedAt())) {
        out.put("stoppedAt", seconds(timeline.stoppedAt()));
      }
      out.put("stoppedReason", stop.reason());
      out.put("stoppingAt", seconds(stop.at()));
    }
    if (withTags) {
      out.set("tags", ecsTags(task.tags));
    }
    out.put("taskArn", task.arn);
    out.put("taskDefinitionArn", task.definition.arn());
    out.put("version", STATUSES.indexOf(last) + 1);
    return out;
  }

  private static ObjectNode render(Task task, Timeline timeline, int index, Instant now) {
    Container container = task.containers.get(index);
    ContainerSpec spec = container.spec();
    Instant start = timeline.start()[index];
    Instant end = timeline.end()[index];
    boolean stopped = end != null && !now.isBefore(end);
    boolean running = !stopped && start != null && !now.isBefore(start);
    ObjectNode out =
        object()
            .put("containerArn", container.arn())
            .put("taskArn", task.arn)
            .put("name", spec.name())
            .put("image", spec.image());
    if (timeline.reached(task.at.activatingAt(), now)) {
      out.put("imageDigest", "sha256:" + sha256(spec.image()));
    }
    if (start != null && !now.isBefore(start)) {
      out.put("runtimeId", container.runtimeId());
    }
    out.put("lastStatus", stopped ? "STOPPED" : running ? "RUNNING" : "PENDING");
    if (stopped && timeline.exit()[index] != null) {
      out.put("exitCode", timeline.exit()[index]);
    }
    if (stopped
        && timeline.stop() != null
        && timeline.stop().kind() == StopKind.FAILED_TO_START
        && spec.name().equals(task.failure.container())) {
      out.put("reason", task.failure.reason());
    }
    out.putArray("networkBindings");
    out.putArray("networkInterfaces")
        .addObject()
        .put("attachmentId", task.eni.attachment())
        .put("privateIpv4Address", task.eni.ip());
    out.put("healthStatus", "UNKNOWN");
    out.put("cpu", String.valueOf(spec.cpu() == null ? 0 : spec.cpu()));
    if (spec.memory() != null) {
      out.put("memory", String.valueOf(spec.memory()));
    }
    if (spec.memoryReservation() != null) {
      out.put("memoryReservation", String.valueOf(spec.memoryReservation()));
    }
    return out;
  }

  // request helpers

  /** ECS tags from a request: at most 50, keys 1-128, values up to 256, no aws: prefix. */
  private static Map<String, String> tags(JsonNode request, String member) {
    Map<String, String> tags = new LinkedHashMap<>();
    List<JsonNode> list = objects(request, member);
    if (list.size() > 50) {
      throw FakeAwsError.ecsInvalid("The number of tags exceeds the limit of 50.");
    }
    for (JsonNode tag : list) {
      String key = string(tag, "key");
      String value = string(tag, "value");
      value = value == null ? "" : value;
      if (key == null || key.isEmpty() || key.length() > 128 || value.length() > 256) {
        throw FakeAwsError.ecsInvalid(
            "Tag keys must hold 1 to 128 characters and values at most 256.");
      }
      if (key.toLowerCase().startsWith("aws:") || value.toLowerCase().startsWith("aws:")) {
        throw FakeAwsError.ecsInvalid(
            "Tag keys and values cannot start with the reserved prefix aws:.");
      }
      tags.put(key, value);
    }
    return tags;
  }

  /** Whether {@code include} asks for TAGS; other allowed values are accepted and ignored. */
  private static boolean include(JsonNode request, Set<String> allowed) {
    List<String> include = strings(request, "include");
    if (include == null) {
      return false;
    }
    for (String field : include) {
      if (!allowed.contains(field)) {
        throw FakeAwsError.ecsInvalid("Invalid include value: " + field);
      }
    }
    return include.contains("TAGS");
  }

  private static String enumValue(JsonNode request, String member, Set<String> allowed) {
    String value = string(request, member);
    if (value != null && !allowed.contains(value)) {
      throw FakeAwsError.ecsInvalid("Invalid " + member + ": " + value);
    }
    return value;
  }

  private static int maxResults(JsonNode request) {
    Integer max = integer(request, "maxResults");
    if (max == null) {
      return 100;
    }
    if (max < 1 || max > 100) {
      throw FakeAwsError.ecsInvalid("maxResults must be between 1 and 100.");
    }
    return max;
  }

  private static ArrayNode listOrEmpty(JsonNode request, String member) {
    JsonNode node = request.get(member);
    return node != null && node.isArray() ? (ArrayNode) node.deepCopy() : FakeAwsJson.array();
  }

  private static void copy(JsonNode from, ObjectNode to, String... members) {
    for (String member : members) {
      JsonNode node = from.get(member);
      if (node != null && !node.isNull()) {
        to.set(member, node.deepCopy());
      }
    }
  }

  /** Task cpu and memory as registered: "1 vCPU" and "2GB" become 1024 and 2048. */
  private static String units(String value, Pattern unit) {
    if (value == null) {
      return null;
    }
    Matcher m = unit.matcher(value.trim());
    if (m.matches()) {
      return new BigDecimal(m.group(1))
          .multiply(BigDecimal.valueOf(1024))
          .toBigInteger()
          .toString();
    }
    return value.trim();
  }

  private static Integer number(String value, String error) {
    if (value == null) {
      return null;
    }
    if (!value.matches("\\d{1,9}")) {
      throw FakeAwsError.ecsClient(error);
    }
    return Integer.valueOf(value);
  }

  private String hex(int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private String uuid() {
    return new UUID(random.nextLong(), random.nextLong()).toString();
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<Integer, List<Integer>> fargateSizes() {
    Map<Integer, List<Integer>> sizes = new LinkedHashMap<>();
    sizes.put(256, List.of(512, 1024, 2048));
    sizes.put(512, range(1024, 4096, 1024));
    sizes.put(1024, range(2048, 8192, 1024));
    sizes.put(2048, range(4096, 16384, 1024));
    sizes.put(4096, range(8192, 30720, 1024));
    sizes.put(8192, range(16384, 61440, 4096));
    sizes.put(16384, range(32768, 122880, 8192));
    return Collections.unmodifiableMap(sizes);
  }

  private static List<Integer> range(int from, int to, int step) {
    return IntStream.iterate(from, m -> m <= to, m -> m + step).boxed().toList();
  }
}
