package dev.vkj.provider.azure;

import static java.util.Objects.requireNonNull;

import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.rest.PagedResponse;
import com.azure.core.http.rest.Response;
import com.azure.json.JsonProviders;
import com.azure.json.JsonReader;
import com.azure.resourcemanager.containerinstance.ContainerInstanceManager;
import com.azure.resourcemanager.containerinstance.fluent.ContainerGroupsClient;
import com.azure.resourcemanager.containerinstance.fluent.ContainersClient;
import com.azure.resourcemanager.containerinstance.fluent.models.ContainerGroupInner;
import com.azure.resourcemanager.containerinstance.fluent.models.LogsInner;
import dev.vkj.spi.AttachIO;
import dev.vkj.spi.BackendLimits;
import dev.vkj.spi.BatchedPodStatus;
import dev.vkj.spi.ContainerExec;
import dev.vkj.spi.ContainerLogs;
import dev.vkj.spi.ErrorCode;
import dev.vkj.spi.LogOptions;
import dev.vkj.spi.NodeDescription;
import dev.vkj.spi.Provider;
import dev.vkj.spi.ProviderContext;
import dev.vkj.spi.ProviderException;
import dev.vkj.spi.TerminalSize;
import dev.vkj.toolkit.ContainerStatuses;
import dev.vkj.toolkit.LogChunk;
import dev.vkj.toolkit.Pacer;
import dev.vkj.toolkit.PollingLogStream;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each pod as one container group in the configured resource group.
 *
 * <p>Writes start an ARM operation and return; no call waits for a long-running operation. Status
 * comes from one paged list of the resource group per poll, which tells which groups exist and
 * their provisioning state; the container states ARM leaves out of lists are read with one GET per
 * group: always for a group not read yet, whose provisioning state changed, or whose containers had
 * not all run when it was last read, and for steady groups only a few per poll, oldest first.
 */
final class AzureProvider implements Provider, BatchedPodStatus, ContainerLogs, ContainerExec {
  private static final Logger log = LoggerFactory.getLogger(AzureProvider.class);

  /** ARM's subscription limits (reads 250/25 per s, writes 200/10 per s) with room for others. */
  static final BackendLimits ARM_LIMITS =
      BackendLimits.of(new BackendLimits.Rate(20, 200), new BackendLimits.Rate(8, 160));

  /** A steady group is read again after this long. */
  static final Duration STEADY_REFRESH = Duration.ofMinutes(5);

  /**
   * Groups whose state a status list reads at most in one call (about 5 s at {@link #LIST_READS},
   * within the core's 15 s bound on a list).
   */
  static final int LIST_READS_PER_CALL = 60;

  /** How long a status list goes on reading single groups: well within the core's 15 s bound. */
  static final Duration LIST_READ_TIME = Duration.ofSeconds(5);

  /** Steady groups read per status list, beyond the groups that changed. */
  static final int STEADY_READS_PER_LIST = 5;

  /** How often {@code kubectl logs -f} reads the log again. */
  static final Duration LOG_POLL = Duration.ofSeconds(2);

  /**
   * The single reads a status list makes on its own (new and changed groups): paced below ARM's
   * refill, since the core's limiter counts the whole list as one call and its own reads of pods in
   * transition come on top.
   */
  static final BackendLimits.Rate LIST_READS = new BackendLimits.Rate(10, 30);

  /** How long a created group is reported although a list does not show it yet. */
  static final Duration LIST_LAG = Duration.ofMinutes(2);

  private final AzureConfig config;
  private final ProviderContext context;
  private final GroupTranslator translator;
  private final ContainerGroupsClient groups;
  private final ContainersClient containers;
  private final HttpPipeline pipeline;
  private final Duration callTimeout;
  private final javax.net.ssl.SSLContext tls;

  private final Pacer listReads = new Pacer(LIST_READS);

  /** {@link #LIST_READ_TIME}; tests that count reads raise it, so a slow machine reads them all. */
  volatile Duration listReadTime = LIST_READ_TIME;

  /** {@link #LIST_READS_PER_CALL}; tests lower it. */
  volatile int listReadsPerCall = LIST_READS_PER_CALL;

  /** The last full read of each group, by group name. */
  private final Map<String, Known> known = new ConcurrentHashMap<>();

  /** Groups this runner created and has not read in full yet. */
  private final Set<String> unreadCreates = ConcurrentHashMap.newKeySet();

  /** Groups this runner created that a list may not show yet, with the time of the create. */
  private final Map<String, Instant> created = new ConcurrentHashMap<>();

  /** The Azure-AsyncOperation of the last write of each group, to explain a failure. */
  private final Map<String, String> operations = new ConcurrentHashMap<>();

  private record Known(String provisioningState, PodStatus status, Instant readAt) {}

  /** ACI events already recorded, by group: container, reason, first time and count. */
  private final Map<String, Set<String>> recordedEvents = new ConcurrentHashMap<>();

  /** Events that ended before this provider started were recorded by an earlier run. */
  private final Instant startedAt;

  AzureProvider(
      AzureConfig config,
      ProviderContext context,
      ContainerInstanceManager manager,
      Duration callTimeout,
      javax.net.ssl.SSLContext tls) {
    this.config = requireNonNull(config, "config is null");
    this.context = requireNonNull(context, "context is null");
    requireNonNull(manager, "manager is null");
    this.callTimeout = requireNonNull(callTimeout, "callTimeout is null");
    this.tls = requireNonNull(tls, "tls is null");
    this.translator = new GroupTranslator(config, context.nodeName(), context.resources());
    this.startedAt = context.clock().instant();
    this.groups = manager.serviceClient().getContainerGroups();
    this.containers = manager.serviceClient().getContainers();
    this.pipeline = manager.serviceClient().getHttpPipeline();
  }

  private String group(String namespace, String name) {
    return GroupNames.groupName(namespace, name);
  }

  private Instant now() {
    return context.clock().instant();
  }

  @Override
  public void createPod(Pod pod) throws ProviderException {
    put("create", pod, translate(pod));
  }

  /**
   * A change that keeps what the group runs (labels, annotations) only rewrites its tags; anything
   * else writes the group again, and ACI restarts it: it has no in-place update of containers.
   */
  @Override
  public void updatePod(Pod pod) throws ProviderException {
    ContainerGroupInner group = translate(pod);
    String name = group(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
    Optional<ContainerGroupInner> current = read(name);
    String hash = group.tags().get(GroupNames.TAG_GROUP_HASH);
    if (current.isPresent()
        && current.get().tags() != null
        && hash.equals(current.get().tags().get(GroupNames.TAG_GROUP_HASH))) {
      try {
        groups
            .updateWithResponseAsync(
                config.resourceGroup(),
                name,
                new com.azure.core.management.Resource().withTags(group.tags()))
            .block(callTimeout);
      } catch (RuntimeException e) {
        throw ArmErrors.map("tag update of container group " + name, e);
      }
      return;
    }
    put("update", pod, group);
  }

  private ContainerGroupInner translate(Pod pod) throws ProviderException {
    ContainerGroupInner group = translator.translate(pod);
    group.tags().put(GroupNames.TAG_GROUP_HASH, GroupNames.groupHash(group));
    return group;
  }

  private void put(String what, Pod pod, ContainerGroupInner group) throws ProviderException {
    String name = group(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
    try {
      Response<?> answer =
          groups
              .createOrUpdateWithResponseAsync(config.resourceGroup(), name, group)
              .flatMap(r -> r.getValue().then(reactor.core.publisher.Mono.just(r)))
              .block(callTimeout);
      String operation =
          answer == null
              ? null
              : answer
                  .getHeaders()
                  .getValue(com.azure.core.http.HttpHeaderName.fromString("Azure-AsyncOperation"));
      if (operation != null) {
        operations.put(name, operation);
      }
    } catch (RuntimeException e) {
      throw ArmErrors.map(what + " of container group " + name, e);
    }
    created.put(name, now());
    unreadCreates.add(name);
    known.remove(name);
    log.info(
        "{} of container group {} for pod {}/{} started",
        what,
        name,
        pod.getMetadata().getNamespace(),
        pod.getMetadata().getName());
  }

  @Override
  public void deletePod(Pod pod) throws ProviderException {
    String name = group(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
    try {
      groups
          .deleteWithResponseAsync(config.resourceGroup(), name)
          .flatMap(r -> r.getValue().then(reactor.core.publisher.Mono.just(r)))
          .block(callTimeout);
    } catch (RuntimeException e) {
      if (!ArmErrors.notFound(e)) {
        throw ArmErrors.map("delete of container group " + name, e);
      }
    }
    created.remove(name);
    unreadCreates.remove(name);
    operations.remove(name);
    Known k = known.get(name);
    if (k != null) {
      known.put(name, new Known("Deleting", stopped(k.status()), now()));
    }
  }

  @Override
  public Optional<Pod> getPod(String namespace, String name) throws ProviderException {
    return read(group(namespace, name))
        .filter(g -> GroupStatus.ofNode(g, context.nodeName()))
        .filter(g -> namespace.equals(g.tags().get(GroupNames.TAG_NAMESPACE)))
        .filter(g -> name.equals(g.tags().get(GroupNames.TAG_POD_NAME)))
        .map(g -> GroupStatus.toPod(g, now()));
  }

  @Override
  public Optional<PodStatus> getPodStatus(String namespace, String name) throws ProviderException {
    String groupName = group(namespace, name);
    Optional<ContainerGroupInner> g = read(groupName);
    if (g.isEmpty()) {
      known.remove(groupName);
      return Optional.empty();
    }
    return Optional.of(remember(groupName, g.get()));
  }

  /** One GET of the group with its instance view, or empty when ARM does not know it. */
  private Optional<ContainerGroupInner> read(String name) throws ProviderException {
    try {
      return Optional.ofNullable(
          groups
              .getByResourceGroupWithResponseAsync(config.resourceGroup(), name)
              .block(callTimeout)
              .getValue());
    } catch (RuntimeException e) {
      if (ArmErrors.notFound(e)) {
        return Optional.empty();
      }
      throw ArmErrors.map("read of container group " + name, e);
    }
  }

  private PodStatus remember(String name, ContainerGroupInner g) {
    PodStatus status = GroupStatus.status(g, now());
    if (GroupStatus.PROVISIONING_FAILED.equals(status.getReason())) {
      operationError(name).ifPresent(status::setMessage);
    }
    if ("Deleting".equalsIgnoreCase(g.provisioningState())) {
      status = stopped(status);
    }
    known.put(name, new Known(g.provisioningState(), status, now()));
    unreadCreates.remove(name);
    recordEvents(name, g);
    return status;
  }

  /**
   * ACI's events of the group and its containers as Kubernetes Events, each once: an event that
   * repeats (its count grows) is recorded again, as the kubelet records every occurrence.
   */
  private void recordEvents(String name, ContainerGroupInner g) {
    if (!GroupStatus.ofNode(g, context.nodeName())) {
      return;
    }
    Pod pod = GroupStatus.identity(g);
    Set<String> seen = recordedEvents.computeIfAbsent(name, k -> ConcurrentHashMap.newKeySet());
    if (g.instanceView() != null) {
      for (var e :
          g.instanceView().events() == null
              ? List.<com.azure.resourcemanager.containerinstance.models.Event>of()
              : g.instanceView().events()) {
        if (fresh(e) && seen.add(eventKey("", e))) {
          if (warning(e)) {
            context.events().warning(pod, e.name(), e.message());
          } else {
            context.events().normal(pod, e.name(), e.message());
          }
        }
      }
    }
    for (var c :
        g.containers() == null
            ? List.<com.azure.resourcemanager.containerinstance.models.Container>of()
            : g.containers()) {
      if (c.instanceView() == null || c.instanceView().events() == null) {
        continue;
      }
      for (var e : c.instanceView().events()) {
        if (fresh(e) && seen.add(eventKey(c.name(), e))) {
          context.events().container(pod, c.name(), warning(e), e.name(), e.message());
        }
      }
    }
  }

  private boolean fresh(com.azure.resourcemanager.containerinstance.models.Event e) {
    var last = e.lastTimestamp() != null ? e.lastTimestamp() : e.firstTimestamp();
    return e.name() != null
        && last != null
        && !last.toInstant().isBefore(startedAt.minusSeconds(1));
  }

  private static boolean warning(com.azure.resourcemanager.containerinstance.models.Event e) {
    return !"Normal".equalsIgnoreCase(e.type()); // as the Go provider: unknown types warn
  }

  private static String eventKey(
      String container, com.azure.resourcemanager.containerinstance.models.Event e) {
    return container
        + "/"
        + e.name()
        + "/"
        + e.firstTimestamp()
        + "/"
        + e.count()
        + "/"
        + e.message();
  }

  /** The code and message of the failed ARM operation, which a GET of the group does not carry. */
  private Optional<String> operationError(String name) {
    String url = operations.get(name);
    if (url == null) {
      return Optional.empty();
    }
    try (HttpResponse r = pipeline.send(new HttpRequest(HttpMethod.GET, url)).block(callTimeout)) {
      if (r == null || r.getStatusCode() != 200) {
        return Optional.empty();
      }
      try (JsonReader reader = JsonProviders.createReader(r.getBodyAsBinaryData().toBytes())) {
        if (reader.readUntyped() instanceof Map<?, ?> body
            && body.get("error") instanceof Map<?, ?> error) {
          return Optional.of(error.get("code") + ": " + error.get("message"));
        }
      }
    } catch (IOException | RuntimeException e) {
      log.debug("Could not read the operation of container group {}: {}", name, e.toString());
    }
    return Optional.empty();
  }

  /** Containers of a group being deleted: stopped, as after a graceful stop. */
  private PodStatus stopped(PodStatus status) {
    return ContainerStatuses.stopping(status, now(), "container group deleted");
  }

  @Override
  public List<Pod> listPods() throws ProviderException {
    List<Pod> out = new ArrayList<>();
    for (ContainerGroupInner g : list()) {
      out.add(GroupStatus.toPod(g, now()));
    }
    return out;
  }

  /** Every group of this node, from the paged list of the resource group. */
  private List<ContainerGroupInner> list() throws ProviderException {
    List<ContainerGroupInner> out = new ArrayList<>();
    try {
      for (PagedResponse<ContainerGroupInner> page :
          groups.listByResourceGroup(config.resourceGroup()).iterableByPage()) {
        for (ContainerGroupInner g : page.getValue()) {
          if (GroupStatus.ofNode(g, context.nodeName())) {
            out.add(g);
          }
        }
      }
    } catch (RuntimeException e) {
      throw ArmErrors.map("list of container groups in " + config.resourceGroup(), e);
    }
    return out;
  }

  @Override
  public List<Pod> listPodStatuses() throws ProviderException {
    Instant now = now();
    long started = System.nanoTime();
    Set<String> seen = new HashSet<>();
    List<ContainerGroupInner> stale = new ArrayList<>();
    Map<String, Pod> out = new java.util.LinkedHashMap<>();
    int reads = 0;
    int unread = 0;
    for (ContainerGroupInner g : list()) {
      String name = g.name();
      seen.add(name);
      created.remove(name);
      Known k = known.get(name);
      PodStatus status;
      if (hasInstanceView(g)) {
        status = remember(name, g);
      } else if (k == null && unreadCreates.contains(name) && provisioning(g)) {
        // still being provisioned: the list says all there is (containers not started yet)
        status = GroupStatus.status(g, now);
      } else if (k == null
          || !k.provisioningState().equalsIgnoreCase(String.valueOf(g.provisioningState()))
          || !settled(k.status())) {
        if (reads < listReadsPerCall && System.nanoTime() - started < listReadTime.toNanos()) {
          reads++;
          listReads.acquire();
          status = read(name).map(full -> remember(name, full)).orElse(null);
        } else if (k != null) {
          status = k.status(); // read in a later poll
        } else if (unreadCreates.contains(name)) {
          status = GroupStatus.status(g, now); // in transition: the core reads it itself
        } else {
          unread++;
          continue;
        }
      } else {
        if (Duration.between(k.readAt(), now).compareTo(STEADY_REFRESH) > 0) {
          stale.add(g);
        }
        status = k.status();
      }
      if (status != null) {
        out.put(name, GroupStatus.toPod(g, status));
      }
    }
    stale.sort(Comparator.comparing(g -> known.get(g.name()).readAt()));
    for (ContainerGroupInner g : stale.subList(0, Math.min(STEADY_READS_PER_LIST, stale.size()))) {
      listReads.acquire();
      Optional<ContainerGroupInner> full = read(g.name());
      Pod pod = out.get(g.name());
      if (pod != null) {
        full.ifPresent(f -> pod.setStatus(remember(g.name(), f)));
      }
    }
    // a list may lag behind a create: those groups are still ours
    for (var e : created.entrySet()) {
      if (!seen.contains(e.getKey())
          && Duration.between(e.getValue(), now).compareTo(LIST_LAG) < 0) {
        listReads.acquire();
        read(e.getKey())
            .ifPresent(g -> out.put(e.getKey(), GroupStatus.toPod(g, remember(e.getKey(), g))));
      }
    }
    known.keySet().removeIf(name -> !seen.contains(name) && !created.containsKey(name));
    recordedEvents.keySet().removeIf(name -> !seen.contains(name) && !created.containsKey(name));
    unreadCreates.removeIf(name -> !seen.contains(name) && !created.containsKey(name));
    if (unread > 0) {
      // a pod left out would count as gone: the whole list waits until every group was read once
      throw ProviderException.transientError(
          "read the container states of "
              + reads
              + " container groups; "
              + unread
              + " more follow in the next polls",
          null);
    }
    return new ArrayList<>(out.values());
  }

  /**
   * Whether every container has run or ended. A group read while its containers were still waiting
   * keeps its provisioning state when they start, so only a new read tells.
   */
  private static boolean settled(PodStatus status) {
    List<ContainerStatus> containers = status.getContainerStatuses();
    return containers != null
        && !containers.isEmpty()
        && containers.stream()
            .allMatch(
                c ->
                    c.getState() != null
                        && (c.getState().getRunning() != null
                            || c.getState().getTerminated() != null));
  }

  private static boolean provisioning(ContainerGroupInner g) {
    String state = String.valueOf(g.provisioningState()).toLowerCase(java.util.Locale.ROOT);
    return switch (state) {
      case "pending", "accepted", "creating", "updating", "repairing" -> true;
      default -> false;
    };
  }

  private static boolean hasInstanceView(ContainerGroupInner g) {
    return g.instanceView() != null
        && g.containers() != null
        && g.containers().stream().allMatch(c -> c.instanceView() != null);
  }

  @Override
  public InputStream containerLogs(
      String namespace, String pod, String container, LogOptions options) throws ProviderException {
    if (options.previous()) {
      throw ProviderException.unsupported(
          "ACI keeps only the log of the running container instance, not of the previous one");
    }
    String name = group(namespace, pod);
    if (read(name)
        .filter(g -> g.containers().stream().anyMatch(c -> container.equals(c.name())))
        .isEmpty()) {
      throw ProviderException.notFound(
          "container " + container + " of pod " + namespace + "/" + pod);
    }
    return PollingLogStream.open(
        request -> {
          // the first fetch may take only the asked tail; later ones take the whole log, so that
          // no line written between two polls is lost
          Integer tail =
              request.first() && request.options().tailLines().isPresent()
                  ? request.options().tailLines().getAsInt()
                  : null;
          LogsInner logs;
          try {
            logs =
                containers
                    .listLogsWithResponseAsync(config.resourceGroup(), name, container, tail, true)
                    .block(callTimeout)
                    .getValue();
          } catch (RuntimeException e) {
            if (ArmErrors.notFound(e)) {
              throw ProviderException.notFound("container group " + name + " is gone");
            }
            throw ArmErrors.map("logs of container " + container + " in " + name, e);
          }
          boolean ended = ended(name, container);
          String text = logs.content() == null ? "" : logs.content();
          return LogChunk.window(LogChunk.parse(text, true, ended), ended);
        },
        options,
        LOG_POLL,
        context.clock());
  }

  private boolean ended(String name, String container) {
    Known k = known.get(name);
    if (k == null || k.status().getContainerStatuses() == null) {
      return false;
    }
    return k.status().getContainerStatuses().stream()
        .anyMatch(
            c ->
                container.equals(c.getName())
                    && c.getState() != null
                    && c.getState().getTerminated() != null);
  }

  /** How long an exec with a terminal waits for the client's terminal size. */
  static final Duration TERMINAL_SIZE_WAIT = Duration.ofSeconds(5);

  static final TerminalSize DEFAULT_TERMINAL = new TerminalSize(80, 24);

  /**
   * Runs the command through ACI's exec: ARM hands out a WebSocket and its password, the first
   * message is the password, then stdin goes out as binary messages and every message that comes
   * back is output. ACI reports no exit code, so a finished command returns 0.
   */
  @Override
  public int exec(String namespace, String pod, String container, List<String> command, AttachIO io)
      throws ProviderException {
    for (String arg : command) {
      if (arg.isEmpty() || arg.chars().anyMatch(Character::isWhitespace)) {
        throw ProviderException.invalidInput(
            "ACI runs the command as one line split at spaces, so the argument '"
                + arg
                + "' cannot be passed as it is; put it in a script in the image");
      }
    }
    String name = group(namespace, pod);
    requireRunning(name, namespace, pod, container);
    TerminalSize size = io.tty() ? terminalSize(io) : DEFAULT_TERMINAL;
    var answer =
        call(
            "exec in container " + container + " of " + name,
            () ->
                containers
                    .executeCommandWithResponseAsync(
                        config.resourceGroup(),
                        name,
                        container,
                        new com.azure.resourcemanager.containerinstance.models
                                .ContainerExecRequest()
                            .withCommand(String.join(" ", command))
                            .withTerminalSize(
                                new com.azure.resourcemanager.containerinstance.models
                                        .ContainerExecRequestTerminalSize()
                                    .withRows(size.height())
                                    .withCols(size.width())))
                    .block(callTimeout)
                    .getValue());
    return new ExecSession(tls, callTimeout).run(answer.webSocketUri(), answer.password(), io);
  }

  @Override
  public int attach(String namespace, String pod, String container, AttachIO io)
      throws ProviderException {
    throw ProviderException.unsupported(
        "ACI offers no attach to a container's main process with input; use kubectl logs -f");
  }

  private void requireRunning(String name, String namespace, String pod, String container)
      throws ProviderException {
    ContainerGroupInner g =
        read(name)
            .filter(x -> GroupStatus.ofNode(x, context.nodeName()))
            .orElseThrow(() -> ProviderException.notFound("pod " + namespace + "/" + pod));
    boolean running =
        g.containers().stream()
            .anyMatch(
                c ->
                    container.equals(c.name())
                        && c.instanceView() != null
                        && c.instanceView().currentState() != null
                        && "Running".equalsIgnoreCase(c.instanceView().currentState().state()));
    if (g.containers().stream().noneMatch(c -> container.equals(c.name()))) {
      throw ProviderException.notFound(
          "container " + container + " of pod " + namespace + "/" + pod);
    }
    if (!running) {
      throw new ProviderException(
          ErrorCode.INVALID_INPUT, "container " + container + " is not running");
    }
  }

  private static TerminalSize terminalSize(AttachIO io) {
    java.util.concurrent.CompletableFuture<TerminalSize> first =
        new java.util.concurrent.CompletableFuture<>();
    io.onResize(first::complete); // ACI takes the size once; later resizes cannot reach it
    try {
      return first.get(TERMINAL_SIZE_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return DEFAULT_TERMINAL;
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      return DEFAULT_TERMINAL;
    }
  }

  private interface ArmCall<T> {
    T call();
  }

  private static <T> T call(String what, ArmCall<T> call) throws ProviderException {
    try {
      return call.call();
    } catch (RuntimeException e) {
      throw ArmErrors.map(what, e);
    }
  }

  @Override
  public NodeDescription describeNode() {
    NodeDescription.Builder b =
        NodeDescription.builder()
            .capacity("cpu", config.cpu().toString())
            .capacity("memory", config.memory().toString())
            .capacity("pods", Integer.toString(config.pods()))
            .operatingSystem(config.operatingSystem().toLowerCase(java.util.Locale.ROOT))
            .architecture("amd64")
            .label("kubernetes.azure.com/managed", "false")
            .label("node.kubernetes.io/exclude-from-external-load-balancers", "true")
            .label("topology.kubernetes.io/region", config.region())
            .osImage("Azure Container Instances")
            .containerRuntimeVersion("aci://2023-05-01");
    if (config.gpus() > 0) {
      b.capacity(GroupTranslator.GPU_RESOURCE, Integer.toString(config.gpus()));
    }
    return b.build();
  }

  /** A read of a group that does not exist: 404 proves ARM answers and the credentials work. */
  @Override
  public void ping() throws ProviderException {
    read("vkj-ping");
  }

  @Override
  public BackendLimits limits() {
    return ARM_LIMITS;
  }
}
