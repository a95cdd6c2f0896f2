package dev.vkj.provider.fargate;

import static java.util.Objects.requireNonNull;

import dev.vkj.spi.BackendLimits;
import dev.vkj.spi.BatchedPodStatus;
import dev.vkj.spi.ContainerLogs;
import dev.vkj.spi.ErrorCode;
import dev.vkj.spi.LogOptions;
import dev.vkj.spi.NodeDescription;
import dev.vkj.spi.PodIdentity;
import dev.vkj.spi.Provider;
import dev.vkj.spi.ProviderContext;
import dev.vkj.spi.ProviderException;
import dev.vkj.toolkit.ContainerStatuses;
import dev.vkj.toolkit.LogChunk;
import dev.vkj.toolkit.LogLine;
import dev.vkj.toolkit.Pacer;
import dev.vkj.toolkit.PollingLogStream;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.OutputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.AssignPublicIp;
import software.amazon.awssdk.services.ecs.model.CapacityProviderStrategyItem;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.Failure;
import software.amazon.awssdk.services.ecs.model.LaunchType;
import software.amazon.awssdk.services.ecs.model.ListTaskDefinitionsResponse;
import software.amazon.awssdk.services.ecs.model.ListTasksResponse;
import software.amazon.awssdk.services.ecs.model.NetworkConfiguration;
import software.amazon.awssdk.services.ecs.model.RunTaskRequest;
import software.amazon.awssdk.services.ecs.model.RunTaskResponse;
import software.amazon.awssdk.services.ecs.model.Tag;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionField;
import software.amazon.awssdk.services.ecs.model.TaskField;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.GetParametersByPathResponse;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * Pods as ECS Fargate tasks.
 *
 * <p>Each pod is one task, started with {@code RunTask} from a task definition that is shared by
 * every pod with the same content (the replicas of a Deployment use one revision) and deregistered
 * when no task of this node uses it. Env values from Kubernetes Secrets are stored as SSM
 * SecureString parameters, one per Secret key and namespace, and reach the task through {@code
 * secrets}; the task definition only names them. A parameter is deleted when no task of this node
 * uses it.
 *
 * <p>Tasks carry tags that map them to their pod (namespace, name, UID, node, spec hash) and are
 * started by this node's {@code startedBy} value, so that a restarted runner finds them with {@code
 * ListTasks} and adopts them. Status comes from {@code DescribeTasks} of 100 tasks per call. No
 * call waits for a task to change state.
 */
final class FargateProvider implements Provider, BatchedPodStatus, ContainerLogs {
  private static final Logger log = LoggerFactory.getLogger(FargateProvider.class);

  /**
   * Fargate's task launch rate (100 burst, 20 per second) for writes, and the same for reads, ECS's
   * rate for its describe and list calls.
   */
  static final BackendLimits ECS_LIMITS =
      BackendLimits.of(new BackendLimits.Rate(20, 100), new BackendLimits.Rate(20, 100));

  /** DescribeTasks takes at most 100 tasks. */
  static final int DESCRIBE_BATCH = 100;

  /**
   * The DescribeTasks calls one status list makes (the core's limiter counts the list as one call):
   * 10 per second after a burst of 30, so 1,000 pods cost no wait and 10,000 about 7 s, within the
   * core's bound on a list, and well within ECS's 20 per second.
   */
  static final BackendLimits.Rate LIST_DESCRIBES = new BackendLimits.Rate(10, 30);

  /** How long a started task is reported although DescribeTasks does not show it yet. */
  static final Duration LIST_LAG = Duration.ofMinutes(2);

  /** How often {@code kubectl logs -f} reads CloudWatch again. */
  static final Duration LOG_POLL = Duration.ofSeconds(2);

  /** How often unused task definitions and parameters of this node are looked for. */
  static final Duration SWEEP_INTERVAL = Duration.ofMinutes(10);

  static final String TAG_NAMESPACE = "vkj.dev/namespace";
  static final String TAG_POD = "vkj.dev/pod";
  static final String TAG_UID = "vkj.dev/uid";
  static final String TAG_NODE = "vkj.dev/node";
  static final String TAG_SPEC_HASH = "vkj.dev/spec-hash";
  static final String TAG_INIT = "vkj.dev/init-containers";
  static final String TAG_CONTENT_HASH = "vkj.dev/content-hash";

  private final FargateConfig config;
  private final ProviderContext context;
  private final TaskSettings settings;
  private final TaskTranslator translator;
  private final EcsClient ecs;
  private final CloudWatchLogsClient logs;
  private final SsmClient ssm;
  private final SdkHttpClient http;
  private final String startedBy;

  /** The task of each pod this node runs, by namespace/name. */
  private final Map<String, Tracked> tracked = new ConcurrentHashMap<>();

  /** Guards the use counts below and the calls that create or remove what they count. */
  private final Object bookkeeping = new Object();

  private final Map<String, String> definitionsByContent = new HashMap<>();
  private final Map<String, Set<String>> definitionUsers = new HashMap<>();
  private final Map<String, Set<String>> parameterUsers = new HashMap<>();
  private final Map<String, String> parameterDigests = new HashMap<>();

  /** Tasks whose stop outside Kubernetes was already recorded as an Event. */
  private final Set<String> recordedStops = ConcurrentHashMap.newKeySet();

  private final Pacer describes = new Pacer(LIST_DESCRIBES);

  private final AtomicReference<Instant> nextSweep = new AtomicReference<>(Instant.MAX);

  /**
   * One pod's task as this runner knows it.
   *
   * @param last the task as last described (or as RunTask answered)
   * @param deleting whether this runner stopped it
   */
  private record Tracked(
      String namespace,
      String name,
      String uid,
      String specHash,
      String taskArn,
      String definitionArn,
      Set<String> initContainers,
      Set<String> parameters,
      Instant startedAt,
      Task last,
      boolean deleting) {
    Tracked with(Task task) {
      return new Tracked(
          namespace,
          name,
          uid,
          specHash,
          taskArn,
          definitionArn,
          initContainers,
          parameters,
          startedAt,
          task,
          deleting);
    }

    Tracked stopping() {
      return new Tracked(
          namespace,
          name,
          uid,
          specHash,
          taskArn,
          definitionArn,
          initContainers,
          parameters,
          startedAt,
          last,
          true);
    }

    Tracked withSpecHash(String hash) {
      return new Tracked(
          namespace,
          name,
          uid,
          hash,
          taskArn,
          definitionArn,
          initContainers,
          parameters,
          startedAt,
          last,
          deleting);
    }
  }

  FargateProvider(
      FargateConfig config,
      ProviderContext context,
      EcsClient ecs,
      CloudWatchLogsClient logs,
      SsmClient ssm,
      SdkHttpClient http) {
    this.config = requireNonNull(config, "config is null");
    this.context = requireNonNull(context, "context is null");
    this.ecs = requireNonNull(ecs, "ecs is null");
    this.logs = requireNonNull(logs, "logs is null");
    this.ssm = requireNonNull(ssm, "ssm is null");
    this.http = requireNonNull(http, "http is null");
    this.settings = config.taskSettings(context.nodeName());
    this.translator = new TaskTranslator(settings);
    this.startedBy = startedBy(config.cluster(), context.nodeName());
  }

  /** The {@code startedBy} of this node's tasks: at most 36 characters, as ECS allows. */
  static String startedBy(String cluster, String node) {
    return "vkj-" + sha256(cluster + "/" + node).substring(0, 32);
  }

  private static String key(String namespace, String name) {
    return namespace + "/" + name;
  }

  private Instant now() {
    return context.clock().instant();
  }

  // ---- create, update, delete ----

  @Override
  public void createPod(Pod pod) throws ProviderException {
    String namespace = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    String uid = pod.getMetadata().getUid();
    String key = key(namespace, name);
    Tracked existing = tracked.get(key);
    if (existing != null && !existing.deleting() && existing.uid().equals(uid)) {
      return; // already started: a retried create
    }
    TaskPlan plan = translator.translate(pod);
    String definition = reserve(key, plan);
    String specHash = PodIdentity.specHash(pod).orElse("");
    RunTaskResponse answer;
    try {
      answer = ecs.runTask(runTask(pod, plan, definition, specHash));
    } catch (SdkException e) {
      ProviderException mapped = AwsErrors.map("RunTask for pod " + key, e);
      if (!mapped.retryable()) {
        release(key);
      } // else the retry reuses what is reserved; deletePod releases it if none comes
      if (mapped.code() == ErrorCode.THROTTLED) {
        // the account's launch rate is spent (other clients share it): the pod waits, and says why
        throw ProviderException.quotaExceeded(
            "Fargate's task launch rate is exhausted (RunTask throttled); the launch waits",
            AwsErrors.THROTTLE_WAIT);
      }
      throw mapped;
    }
    if (answer.tasks().isEmpty()) {
      ProviderException failure = launchFailure(key, answer.failures());
      if (!failure.retryable()) {
        release(key);
      }
      throw failure;
    }
    Task task = answer.tasks().get(0);
    tracked.put(
        key,
        new Tracked(
            namespace,
            name,
            uid,
            specHash,
            task.taskArn(),
            definition,
            plan.initContainers(),
            parameterNames(plan),
            now(),
            task,
            false));
    log.info("task {} started for pod {} from {}", task.taskArn(), key, definition);
  }

  private RunTaskRequest runTask(Pod pod, TaskPlan plan, String definition, String specHash) {
    List<Tag> tags = new ArrayList<>();
    tags.add(tag(TAG_NAMESPACE, pod.getMetadata().getNamespace()));
    tags.add(tag(TAG_POD, pod.getMetadata().getName()));
    tags.add(tag(TAG_UID, pod.getMetadata().getUid()));
    tags.add(tag(TAG_NODE, context.nodeName()));
    tags.add(tag(TAG_CONTENT_HASH, plan.contentHash()));
    if (!specHash.isEmpty()) {
      tags.add(tag(TAG_SPEC_HASH, specHash));
    }
    if (!plan.initContainers().isEmpty()) {
      tags.add(tag(TAG_INIT, String.join(" ", plan.initContainers())));
    }
    RunTaskRequest.Builder b =
        RunTaskRequest.builder()
            .cluster(config.cluster())
            .taskDefinition(definition)
            .count(1)
            .startedBy(startedBy)
            // the same pod and spec always get the same token: a retried RunTask starts no second
            // task
            .clientToken(
                clientToken(pod.getMetadata().getUid(), specHash.isEmpty() ? "" : specHash))
            .platformVersion(config.platformVersion())
            .networkConfiguration(
                NetworkConfiguration.builder()
                    .awsvpcConfiguration(
                        a ->
                            a.subnets(config.subnets())
                                .securityGroups(config.securityGroups())
                                .assignPublicIp(
                                    config.assignPublicIp()
                                        ? AssignPublicIp.ENABLED
                                        : AssignPublicIp.DISABLED))
                    .build())
            .tags(tags);
    Optional<String> capacity = plan.capacityProvider().or(config::capacityProvider);
    if (capacity.isPresent()) {
      b.capacityProviderStrategy(
          CapacityProviderStrategyItem.builder()
              .capacityProvider(capacity.get())
              .weight(1)
              .build());
    } else {
      b.launchType(LaunchType.FARGATE);
    }
    return b.build();
  }

  static String clientToken(String uid, String specHash) {
    String token = uid + (specHash.isEmpty() ? "" : "-" + specHash);
    return token.length() <= 64 ? token : token.substring(0, 64);
  }

  private static Tag tag(String key, String value) {
    return Tag.builder().key(key).value(value).build();
  }

  /**
   * ECS answers a launch it cannot make with failures instead of an error: no Fargate capacity in
   * the zones is a quota (the pod waits, with the reason), anything else a failed create.
   */
  private static ProviderException launchFailure(String key, List<Failure> failures) {
    String reason =
        failures.isEmpty()
            ? "no task and no failure"
            : failures.get(0).reason()
                + (failures.get(0).detail() == null ? "" : ": " + failures.get(0).detail());
    String text = "RunTask for pod " + key + " started no task: " + reason;
    String lower = reason.toLowerCase(java.util.Locale.ROOT);
    if (lower.contains("capacity") || lower.startsWith("resource:")) {
      return ProviderException.quotaExceeded(text, Duration.ofSeconds(10));
    }
    return new ProviderException(ErrorCode.TRANSIENT, text);
  }

  /**
   * Stores the pod's secret values, finds or registers its task definition, and counts the pod as a
   * user of both, so that no cleanup removes them while the task starts.
   */
  private String reserve(String key, TaskPlan plan) throws ProviderException {
    synchronized (bookkeeping) {
      for (SecretParameter p : plan.parameters()) {
        String digest = sha256(p.value());
        if (!digest.equals(parameterDigests.get(p.name()))) {
          try {
            ssm.putParameter(
                r ->
                    r.name(p.name())
                        .value(p.value())
                        .type(ParameterType.SECURE_STRING)
                        .overwrite(true)
                        .description("Secret value of vkj pods on node " + context.nodeName()));
          } catch (SdkException e) {
            throw AwsErrors.map("PutParameter " + p.name(), e);
          }
          parameterDigests.put(p.name(), digest);
        }
        parameterUsers.computeIfAbsent(p.name(), k -> new HashSet<>()).add(key);
      }
      String definition = definitionsByContent.get(plan.contentHash());
      if (definition == null) {
        definition = findOrRegister(plan);
        definitionsByContent.put(plan.contentHash(), definition);
      }
      definitionUsers.computeIfAbsent(definition, k -> new HashSet<>()).add(key);
      return definition;
    }
  }

  /** The family's latest revision when it is active (its name carries the content hash). */
  private String findOrRegister(TaskPlan plan) throws ProviderException {
    try {
      TaskDefinition latest =
          ecs.describeTaskDefinition(
                  r -> r.taskDefinition(plan.family()).include(TaskDefinitionField.TAGS))
              .taskDefinition();
      if (latest != null && "ACTIVE".equals(latest.statusAsString())) {
        return latest.taskDefinitionArn();
      }
    } catch (SdkException e) {
      if (AwsErrors.map("", e).code() != ErrorCode.INVALID_INPUT) {
        throw AwsErrors.map("DescribeTaskDefinition " + plan.family(), e);
      }
      // ClientException: no such family yet
    }
    try {
      return ecs.registerTaskDefinition(
              plan.definition().toBuilder()
                  .tags(
                      List.of(
                          software.amazon.awssdk.services.ecs.model.Tag.builder()
                              .key(TAG_NODE)
                              .value(context.nodeName())
                              .build(),
                          software.amazon.awssdk.services.ecs.model.Tag.builder()
                              .key(TAG_CONTENT_HASH)
                              .value(plan.contentHash())
                              .build()))
                  .build())
          .taskDefinition()
          .taskDefinitionArn();
    } catch (SdkException e) {
      throw AwsErrors.map("RegisterTaskDefinition " + plan.family(), e);
    }
  }

  /**
   * The pod no longer uses its definition and parameters: those no other pod of this node uses are
   * deregistered and deleted.
   */
  private void release(String key) {
    synchronized (bookkeeping) {
      List<String> unusedDefinitions = new ArrayList<>();
      definitionUsers.forEach(
          (arn, users) -> {
            if (users.remove(key) && users.isEmpty()) {
              unusedDefinitions.add(arn);
            }
          });
      List<String> unusedParameters = new ArrayList<>();
      parameterUsers.forEach(
          (name, users) -> {
            if (users.remove(key) && users.isEmpty()) {
              unusedParameters.add(name);
            }
          });
      unusedDefinitions.forEach(this::deregister);
      deleteParameters(unusedParameters);
    }
  }

  private void deregister(String arn) {
    definitionUsers.remove(arn);
    definitionsByContent.values().remove(arn);
    try {
      ecs.deregisterTaskDefinition(r -> r.taskDefinition(arn));
      log.info("task definition {} deregistered: no task of this node uses it", arn);
    } catch (SdkException e) {
      // the next sweep tries again
      log.warn("DeregisterTaskDefinition {} failed: {}", arn, AwsErrors.message(e));
    }
  }

  private void deleteParameters(Collection<String> names) {
    List<String> all = new ArrayList<>(names);
    for (int i = 0; i < all.size(); i += 10) {
      List<String> batch = all.subList(i, Math.min(all.size(), i + 10));
      batch.forEach(
          n -> {
            parameterUsers.remove(n);
            parameterDigests.remove(n);
          });
      try {
        ssm.deleteParameters(r -> r.names(batch));
        log.info("secret parameters {} deleted: no task of this node uses them", batch);
      } catch (SdkException e) {
        log.warn("DeleteParameters {} failed: {}", batch, AwsErrors.message(e));
      }
    }
  }

  private static Set<String> parameterNames(TaskPlan plan) {
    Set<String> names = new HashSet<>();
    plan.parameters().forEach(p -> names.add(p.name()));
    return Set.copyOf(names);
  }

  /**
   * A change that keeps what the task runs (labels, annotations, deadlines) only retags the task;
   * ECS cannot change the containers of a running task.
   */
  @Override
  public void updatePod(Pod pod) throws ProviderException {
    String key = key(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
    Tracked t = tracked.get(key);
    if (t == null || t.deleting()) {
      throw ProviderException.notFound("pod " + key);
    }
    TaskPlan plan = translator.translate(pod);
    String current = tagValue(t.last(), TAG_CONTENT_HASH).orElse(null);
    if (current != null && !current.equals(plan.contentHash())) {
      throw ProviderException.unsupported(
          "ECS cannot change the containers of a running task; delete the pod to run the new spec");
    }
    String specHash = PodIdentity.specHash(pod).orElse("");
    if (!specHash.isEmpty() && !specHash.equals(t.specHash())) {
      try {
        ecs.tagResource(r -> r.resourceArn(t.taskArn()).tags(tag(TAG_SPEC_HASH, specHash)));
      } catch (SdkException e) {
        throw AwsErrors.map("TagResource of task " + t.taskArn(), e);
      }
      tracked.computeIfPresent(key, (k, old) -> old.withSpecHash(specHash));
    }
  }

  @Override
  public void deletePod(Pod pod) throws ProviderException {
    String key = key(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
    Tracked t = tracked.get(key);
    if (t == null) {
      release(key); // a launch that never succeeded may hold a definition and parameters
      return;
    }
    Task answer = null;
    if (!t.deleting() && !stopped(t.last())) {
      try {
        answer =
            ecs.stopTask(
                    r ->
                        r.cluster(config.cluster())
                            .task(t.taskArn())
                            .reason("Pod " + key + " deleted in Kubernetes"))
                .task();
      } catch (SdkException e) {
        if (!AwsErrors.message(e).contains("not found")) {
          throw AwsErrors.map("StopTask " + t.taskArn(), e);
        }
      }
      log.info("task {} of pod {} stopping", t.taskArn(), key);
    }
    Task stopping = answer;
    tracked.computeIfPresent(
        key, (k, old) -> (stopping == null ? old : old.with(stopping)).stopping());
    release(key);
    if (stopped(t.last())) {
      tracked.remove(key);
    }
  }

  private static boolean stopped(Task task) {
    return task != null && "STOPPED".equals(task.lastStatus());
  }

  // ---- status ----

  @Override
  public Optional<Pod> getPod(String namespace, String name) throws ProviderException {
    String key = key(namespace, name);
    Tracked t = tracked.get(key);
    if (t == null) {
      return Optional.empty();
    }
    return refresh(List.of(t)).stream().findFirst();
  }

  @Override
  public Optional<PodStatus> getPodStatus(String namespace, String name) throws ProviderException {
    return getPod(namespace, name).map(Pod::getStatus);
  }

  @Override
  public List<Pod> listPodStatuses() throws ProviderException {
    List<Pod> pods = refresh(new ArrayList<>(tracked.values()));
    if (now().isAfter(nextSweep.get())) {
      nextSweep.set(now().plus(SWEEP_INTERVAL));
      sweep();
    }
    return pods;
  }

  /**
   * The tasks ECS knows of {@code arns}, with their tags: 100 per call, the calls after the first
   * paced (the core's limiter counts the whole list as one call).
   */
  private List<Task> describe(List<String> arns) throws ProviderException {
    List<Task> tasks = new ArrayList<>();
    for (int i = 0; i < arns.size(); i += DESCRIBE_BATCH) {
      List<String> batch = arns.subList(i, Math.min(arns.size(), i + DESCRIBE_BATCH));
      if (i > 0) {
        describes.acquire(); // the first call is the core's own
      }
      try {
        tasks.addAll(
            ecs.describeTasks(r -> r.cluster(config.cluster()).tasks(batch).include(TaskField.TAGS))
                .tasks());
      } catch (SdkException e) {
        throw AwsErrors.map("DescribeTasks", e);
      }
    }
    return tasks;
  }

  /** Describes the tasks, 100 per call, and returns the pods that still have one. */
  private List<Pod> refresh(List<Tracked> list) throws ProviderException {
    Map<String, Task> found = new HashMap<>();
    List<String> arns = list.stream().map(Tracked::taskArn).distinct().toList();
    for (Task task : describe(arns)) {
      found.put(task.taskArn(), task);
    }
    List<Pod> out = new ArrayList<>();
    Instant now = now();
    for (Tracked t : list) {
      Task task = found.get(t.taskArn());
      String key = key(t.namespace(), t.name());
      if (task == null) {
        if (Duration.between(t.startedAt(), now).compareTo(LIST_LAG) < 0 && !t.deleting()) {
          // a new task DescribeTasks does not show yet: as RunTask answered
          out.add(toPod(t, t.last()));
        } else if (forget(key, t)) {
          release(key); // ECS no longer knows the task
        }
        continue;
      }
      Tracked current = t.with(task);
      if (t.deleting() && stopped(task)) {
        forget(key, t);
        continue;
      }
      tracked.computeIfPresent(
          key, (k, old) -> old.taskArn().equals(t.taskArn()) ? old.with(task) : old);
      recordStop(current, task);
      out.add(toPod(current, task));
    }
    return out;
  }

  /** Stops tracking the pod's task, unless a newer task replaced it; true when it did. */
  private boolean forget(String key, Tracked t) {
    boolean[] removed = {false};
    tracked.computeIfPresent(
        key,
        (k, old) -> {
          if (old.taskArn().equals(t.taskArn())) {
            removed[0] = true;
            return null;
          }
          return old;
        });
    return removed[0];
  }

  private Pod toPod(Tracked t, Task task) {
    Map<String, String> annotations = new LinkedHashMap<>();
    if (!t.specHash().isEmpty()) {
      annotations.put(PodIdentity.SPEC_HASH, t.specHash());
    }
    PodStatus status = TaskStatus.of(task, t.initContainers(), now());
    if (t.deleting()) {
      status = stopping(status, task);
    }
    return new PodBuilder()
        .withMetadata(
            new ObjectMetaBuilder()
                .withNamespace(t.namespace())
                .withName(t.name())
                .withUid(t.uid())
                .withAnnotations(annotations)
                .build())
        .withSpec(spec(t, task))
        .withStatus(status)
        .build();
  }

  /** The containers the task runs, by name and image: all a backend knows of the spec. */
  private PodSpec spec(Tracked t, Task task) {
    PodSpec spec = new PodSpec();
    spec.setNodeName(context.nodeName());
    List<Container> containers = new ArrayList<>();
    List<Container> init = new ArrayList<>();
    if (task != null) {
      for (var c : task.containers()) {
        Container container = new Container();
        container.setName(c.name());
        container.setImage(c.image());
        (t.initContainers().contains(c.name()) ? init : containers).add(container);
      }
    }
    spec.setContainers(containers);
    spec.setInitContainers(init);
    return spec;
  }

  /**
   * Containers of a task this runner stops: terminated, as after a graceful stop, so that the core
   * sees the stop at once; ECS's own exit codes replace them when the task has stopped.
   */
  private PodStatus stopping(PodStatus status, Task task) {
    Instant at = task != null && task.stoppingAt() != null ? task.stoppingAt() : now();
    return ContainerStatuses.stopping(status, at, "task stopping");
  }

  /** A task stopped outside Kubernetes: an Event says why, once. */
  private void recordStop(Tracked t, Task task) {
    if (t.deleting()
        || !"STOPPED".equals(task.desiredStatus())
        || !recordedStops.add(task.taskArn())) {
      return;
    }
    Pod identity =
        new PodBuilder()
            .withMetadata(
                new ObjectMetaBuilder()
                    .withNamespace(t.namespace())
                    .withName(t.name())
                    .withUid(t.uid())
                    .build())
            .build();
    String reason = task.stopCodeAsString() == null ? "TaskStopped" : task.stopCodeAsString();
    context
        .events()
        .warning(
            identity,
            reason,
            "ECS stopped task " + taskId(task.taskArn()) + ": " + task.stoppedReason());
  }

  // ---- adoption ----

  /**
   * Every task this node started that ECS still runs or recently stopped, found with {@code
   * ListTasks} by this node's {@code startedBy} and described 100 at a time; then the use counts of
   * definitions and parameters are rebuilt and unused ones of this node removed.
   */
  @Override
  public List<Pod> listPods() throws ProviderException {
    List<String> arns = new ArrayList<>();
    arns.addAll(listTasks("RUNNING"));
    arns.addAll(listTasks("STOPPED"));
    Map<String, Task> byPod = new HashMap<>();
    for (Task task : describe(arns)) {
      if (!context.nodeName().equals(tagValue(task, TAG_NODE).orElse(null))
          || tagValue(task, TAG_NAMESPACE).isEmpty()
          || tagValue(task, TAG_POD).isEmpty()
          || tagValue(task, TAG_UID).isEmpty()) {
        continue; // stopped by this node (ECS drops the tags) or not ours
      }
      String key = key(tagValue(task, TAG_NAMESPACE).get(), tagValue(task, TAG_POD).get());
      byPod.merge(key, task, FargateProvider::preferred);
    }
    Map<String, Set<String>> definitionParameters = new HashMap<>();
    for (Map.Entry<String, Task> e : byPod.entrySet()) {
      Task task = e.getValue();
      String key = e.getKey();
      Tracked known = tracked.get(key);
      if (known != null && !known.taskArn().equals(task.taskArn()) && !known.deleting()) {
        continue; // started by this runner after the list
      }
      Set<String> init = new HashSet<>();
      tagValue(task, TAG_INIT).ifPresent(v -> init.addAll(List.of(v.split(" "))));
      Set<String> parameters =
          definitionParameters.computeIfAbsent(task.taskDefinitionArn(), this::parametersOf);
      tracked.put(
          key,
          new Tracked(
              tagValue(task, TAG_NAMESPACE).get(),
              tagValue(task, TAG_POD).get(),
              tagValue(task, TAG_UID).get(),
              tagValue(task, TAG_SPEC_HASH).orElse(""),
              task.taskArn(),
              task.taskDefinitionArn(),
              Set.copyOf(init),
              parameters,
              task.createdAt() == null ? now() : task.createdAt(),
              task,
              false));
    }
    synchronized (bookkeeping) {
      for (Tracked t : tracked.values()) {
        if (t.deleting()) {
          continue;
        }
        String key = key(t.namespace(), t.name());
        definitionUsers.computeIfAbsent(t.definitionArn(), k -> new HashSet<>()).add(key);
        for (String p : t.parameters()) {
          parameterUsers.computeIfAbsent(p, k -> new HashSet<>()).add(key);
        }
        tagValue(t.last(), TAG_CONTENT_HASH)
            .ifPresent(h -> definitionsByContent.putIfAbsent(h, t.definitionArn()));
      }
    }
    sweep();
    nextSweep.set(now().plus(SWEEP_INTERVAL));
    List<Pod> out = new ArrayList<>();
    for (Tracked t : tracked.values()) {
      if (!t.deleting()) {
        out.add(toPod(t, t.last()));
      }
    }
    return out;
  }

  /** Of two tasks for one pod, the one that is meant to run, else the newer. */
  private static Task preferred(Task a, Task b) {
    boolean aRuns = "RUNNING".equals(a.desiredStatus());
    boolean bRuns = "RUNNING".equals(b.desiredStatus());
    if (aRuns != bRuns) {
      return aRuns ? a : b;
    }
    Instant ca = a.createdAt() == null ? Instant.EPOCH : a.createdAt();
    Instant cb = b.createdAt() == null ? Instant.EPOCH : b.createdAt();
    return cb.isAfter(ca) ? b : a;
  }

  private List<String> listTasks(String desiredStatus) throws ProviderException {
    List<String> arns = new ArrayList<>();
    String token = null;
    do {
      String next = token;
      ListTasksResponse page;
      try {
        page =
            ecs.listTasks(
                r ->
                    r.cluster(config.cluster())
                        .startedBy(startedBy)
                        .desiredStatus(desiredStatus)
                        .maxResults(100)
                        .nextToken(next));
      } catch (SdkException e) {
        throw AwsErrors.map("ListTasks", e);
      }
      arns.addAll(page.taskArns());
      token = page.nextToken();
    } while (token != null && !token.isEmpty());
    return arns;
  }

  /** The SSM parameters of this node that a task definition reads. */
  private Set<String> parametersOf(String definitionArn) {
    try {
      TaskDefinition d =
          ecs.describeTaskDefinition(r -> r.taskDefinition(definitionArn)).taskDefinition();
      Set<String> names = new HashSet<>();
      for (ContainerDefinition c : d.containerDefinitions()) {
        c.secrets().forEach(s -> names.add(parameterName(s.valueFrom())));
      }
      names.removeIf(n -> !n.startsWith(settings.parameterPrefix() + "/"));
      return Set.copyOf(names);
    } catch (SdkException e) {
      log.warn("DescribeTaskDefinition {} failed: {}", definitionArn, AwsErrors.message(e));
      return Set.of();
    }
  }

  /** The name of a parameter given as name or as ARN ({@code arn:…:parameter/name}). */
  static String parameterName(String valueFrom) {
    int at = valueFrom.indexOf(":parameter");
    if (valueFrom.startsWith("arn:") && at >= 0) {
      return valueFrom.substring(at + ":parameter".length());
    }
    return valueFrom;
  }

  /**
   * Deregisters the task definitions and deletes the parameters of this node that no task uses:
   * leftovers of a runner that stopped between registering and starting, or of a failed cleanup.
   */
  private void sweep() {
    synchronized (bookkeeping) {
      try {
        // ListTaskDefinitions takes a whole family name; only the family list takes a prefix
        for (String family : activeFamilies()) {
          String token = null;
          do {
            String next = token;
            ListTaskDefinitionsResponse page =
                ecs.listTaskDefinitions(
                    r -> r.familyPrefix(family).status("ACTIVE").maxResults(100).nextToken(next));
            for (String arn : page.taskDefinitionArns()) {
              Set<String> users = definitionUsers.get(arn);
              if (users == null || users.isEmpty()) {
                deregister(arn);
              }
            }
            token = page.nextToken();
          } while (token != null && !token.isEmpty());
        }
        List<String> unused = new ArrayList<>();
        String token = null;
        do {
          String next = token;
          GetParametersByPathResponse page =
              ssm.getParametersByPath(
                  r ->
                      r.path(settings.parameterPrefix())
                          .recursive(true)
                          .withDecryption(false)
                          .maxResults(10)
                          .nextToken(next));
          page.parameters()
              .forEach(
                  p -> {
                    Set<String> users = parameterUsers.get(p.name());
                    if (users == null || users.isEmpty()) {
                      unused.add(p.name());
                    }
                  });
          token = page.nextToken();
        } while (token != null && !token.isEmpty());
        deleteParameters(unused);
      } catch (SdkException e) {
        log.warn("cleanup of unused task definitions and parameters failed: {}", e.getMessage());
      }
    }
  }

  private List<String> activeFamilies() {
    List<String> families = new ArrayList<>();
    String token = null;
    do {
      String next = token;
      var page =
          ecs.listTaskDefinitionFamilies(
              r ->
                  r.familyPrefix(settings.familyPrefix())
                      .status("ACTIVE")
                      .maxResults(100)
                      .nextToken(next));
      families.addAll(page.families());
      token = page.nextToken();
    } while (token != null && !token.isEmpty());
    return families;
  }

  // ---- logs ----

  /**
   * The container's awslogs stream ({@code vkj/<container>/<task-id>}), read with GetLogEvents and
   * its forward token, so that following never reads a line twice.
   */
  @Override
  public InputStream containerLogs(
      String namespace, String pod, String container, LogOptions options) throws ProviderException {
    if (config.logGroup().isEmpty()) {
      throw ProviderException.unsupported(
          "no CloudWatch log group is configured (logGroup), so tasks keep no logs");
    }
    if (options.previous()) {
      throw ProviderException.unsupported(
          "Fargate does not restart containers, so there is no previous instance");
    }
    Tracked t = tracked.get(key(namespace, pod));
    if (t == null) {
      throw ProviderException.notFound("pod " + namespace + "/" + pod);
    }
    if (t.last() != null
        && !t.last().containers().isEmpty()
        && t.last().containers().stream().noneMatch(c -> container.equals(c.name()))) {
      throw ProviderException.notFound(
          "container " + container + " of pod " + namespace + "/" + pod);
    }
    String group = config.logGroup().get();
    String stream = "vkj/" + container + "/" + taskId(t.taskArn());
    AtomicReference<String> token = new AtomicReference<>();
    long[] position = {0};
    return PollingLogStream.open(
        request -> {
          GetLogEventsResponse page;
          boolean ended = ended(namespace, pod, container);
          try {
            page =
                logs.getLogEvents(
                    r -> {
                      r.logGroupName(group).logStreamName(stream);
                      if (token.get() != null) {
                        r.nextToken(token.get()).startFromHead(true);
                      } else if (request.options().tailLines().isPresent()
                          && request.options().sinceTime().isEmpty()) {
                        r.startFromHead(false)
                            .limit(Math.max(1, request.options().tailLines().getAsInt()));
                      } else {
                        r.startFromHead(true);
                        request.options().sinceTime().ifPresent(s -> r.startTime(s.toEpochMilli()));
                      }
                    });
          } catch (ResourceNotFoundException e) {
            return LogChunk.from(position[0], List.of(), ended); // nothing written yet
          } catch (SdkException e) {
            throw AwsErrors.map("GetLogEvents " + stream, e);
          }
          List<LogLine> lines = new ArrayList<>();
          for (OutputLogEvent event : page.events()) {
            lines.add(LogLine.at(Instant.ofEpochMilli(event.timestamp()), event.message()));
          }
          boolean more =
              !page.events().isEmpty()
                  && page.nextForwardToken() != null
                  && !page.nextForwardToken().equals(token.get());
          token.set(page.nextForwardToken());
          LogChunk chunk = LogChunk.from(position[0], lines, ended && !more);
          position[0] += lines.size();
          return more ? chunk.withMore() : chunk;
        },
        options,
        LOG_POLL,
        context.clock());
  }

  private boolean ended(String namespace, String pod, String container) {
    Tracked t = tracked.get(key(namespace, pod));
    if (t == null || t.last() == null) {
      return true;
    }
    return t.last().containers().stream()
        .anyMatch(c -> container.equals(c.name()) && "STOPPED".equals(c.lastStatus()));
  }

  static String taskId(String taskArn) {
    return taskArn.substring(taskArn.lastIndexOf('/') + 1);
  }

  // ---- node ----

  @Override
  public NodeDescription describeNode() {
    return NodeDescription.builder()
        .capacity("cpu", config.cpu().toString())
        .capacity("memory", config.memory().toString())
        .capacity("ephemeral-storage", config.ephemeralStorage().toString())
        .capacity("pods", Integer.toString(config.pods()))
        .operatingSystem("linux")
        .architecture(config.lowerArchitecture())
        .label("topology.kubernetes.io/region", config.region())
        .label("node.kubernetes.io/exclude-from-external-load-balancers", "true")
        .osImage("AWS Fargate")
        .containerRuntimeVersion("fargate://" + config.platformVersion())
        .build();
  }

  /** The cluster is there and active: ECS answers and the credentials work. */
  @Override
  public void ping() throws ProviderException {
    try {
      var answer = ecs.describeClusters(r -> r.clusters(config.cluster()));
      if (answer.clusters().stream().noneMatch(c -> "ACTIVE".equals(c.status()))) {
        throw new ProviderException(
            ErrorCode.TRANSIENT, "ECS cluster " + config.cluster() + " is not active");
      }
    } catch (SdkException e) {
      throw AwsErrors.map("DescribeClusters " + config.cluster(), e);
    }
  }

  @Override
  public BackendLimits limits() {
    return ECS_LIMITS;
  }

  @Override
  public void close() {
    ecs.close();
    logs.close();
    ssm.close();
    http.close();
  }

  // ---- helpers ----

  private static Optional<String> tagValue(Task task, String key) {
    if (task == null || !task.hasTags()) {
      return Optional.empty();
    }
    return task.tags().stream()
        .filter(t -> key.equals(t.key()))
        .map(software.amazon.awssdk.services.ecs.model.Tag::value)
        .findFirst();
  }

  static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
