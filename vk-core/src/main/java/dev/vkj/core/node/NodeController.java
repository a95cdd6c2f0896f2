package dev.vkj.core.node;

import static java.util.Objects.requireNonNull;

import dev.vkj.core.node.NodeStatusFactory.NodeHealth;
import dev.vkj.spi.EventRecorder;
import dev.vkj.spi.NodeDescription;
import dev.vkj.spi.Provider;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the virtual node and keeps it alive the way a kubelet does: creates the Node (or
 * reconciles labels and taints of an existing one), renews its Lease, writes its status when it
 * changes and at least every report interval, reports NotReady while the provider's health check
 * fails, and registers the Node again if someone deletes it.
 *
 * <p>All API work runs on one thread; the informer on the Node only schedules work there.
 */
public final class NodeController implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeController.class);

  private final KubernetesClient client;
  private final Provider provider;
  private final EventRecorder events;
  private final NodeControllerConfig config;
  private final NodeStatusFactory factory;
  private final LeaseRenewer lease;
  private final ScheduledExecutorService loop;
  private final ExecutorService pinger;
  private final AtomicBoolean podsRunning = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();

  // state below is only touched by the loop thread, except where volatile
  private volatile Node node;
  private volatile String pingError;
  private final AtomicReference<Runnable> providerRecovered = new AtomicReference<>(() -> {});
  private volatile boolean ready;
  private NodeStatus lastWritten;
  private Instant lastWriteTime = Instant.EPOCH;
  private SharedIndexInformer<Node> informer;

  public NodeController(
      KubernetesClient client,
      Provider provider,
      EventRecorder events,
      NodeControllerConfig config) {
    this.client = requireNonNull(client, "client is null");
    this.provider = requireNonNull(provider, "provider is null");
    this.events = requireNonNull(events, "events is null");
    this.config = requireNonNull(config, "config is null");
    this.factory = new NodeStatusFactory(config);
    this.lease = new LeaseRenewer(client, config);
    this.loop = Executors.newSingleThreadScheduledExecutor(daemon("vkj-node"));
    this.pinger = Executors.newSingleThreadExecutor(daemon("vkj-node-ping"));
  }

  /**
   * Registers the Node and starts the lease, status and health loops. Returns once the Node exists
   * in the API server.
   */
  public void start() {
    ping();
    try {
      loop.submit(this::register).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while registering the node", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "could not register node " + config.nodeName() + ": " + e.getCause().getMessage(),
          e.getCause());
    }
    events.node(false, "Starting", "Starting kubelet.");
    schedule(this::renewLease, config.leaseRenewInterval());
    schedule(this::checkStatus, config.statusCheckInterval());
    // a change of health is written at once; otherwise the status check above runs on its own
    schedule(
        () -> {
          if (ping()) {
            checkStatus();
          }
        },
        config.pingInterval());
    informer =
        client
            .nodes()
            .withName(config.nodeName())
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Node obj) {}

                  @Override
                  public void onUpdate(Node oldObj, Node newObj) {}

                  @Override
                  public void onDelete(Node obj, boolean deletedFinalStateUnknown) {
                    submit(NodeController.this::reRegisterIfMissing);
                  }
                });
  }

  /**
   * Tells the controller whether the pod controller is running; the node reports Ready only when it
   * is and the provider is healthy.
   */
  /** Runs {@code action} each time the provider's health check succeeds again after failing. */
  public void onProviderRecovered(Runnable action) {
    providerRecovered.set(requireNonNull(action, "action is null"));
  }

  public void setPodControllerRunning(boolean running) {
    if (podsRunning.getAndSet(running) != running) {
      submit(this::checkStatus);
    }
  }

  /** Whether the last status written says Ready=True. */
  public boolean isReady() {
    return ready;
  }

  private void register() {
    NodeDescription description = provider.describeNode();
    Node existing = client.nodes().withName(config.nodeName()).get();
    if (existing == null) {
      Node created =
          client.nodes().resource(factory.initialNode(description, health(), now())).create();
      log.info("registered node {}", config.nodeName());
      node = created;
      nodeConditionEvents(List.of(), created.getStatus().getConditions());
    } else {
      node = reconcileMetadataRetrying(existing, description);
      log.info("node {} already exists; updating it", config.nodeName());
    }
    lease.forget();
    writeStatus();
    renewLease();
  }

  /**
   * The node controller of the cluster may taint an existing node while we update it (a node left
   * unreachable by an earlier runner): a conflict is read again and retried.
   */
  private Node reconcileMetadataRetrying(Node existing, NodeDescription description) {
    Node current = existing;
    for (int attempt = 1; ; attempt++) {
      try {
        return reconcileMetadata(current, description);
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 5) {
          throw e;
        }
        Node again = client.nodes().withName(config.nodeName()).get();
        if (again == null) {
          throw e;
        }
        current = again;
      }
    }
  }

  /** Puts our labels and taint on an existing node; spec and labels of others stay. */
  private Node reconcileMetadata(Node existing, NodeDescription description) {
    Map<String, String> labels = factory.labels(description);
    List<Taint> taints = factory.taints(description);
    boolean labelsOk =
        existing.getMetadata().getLabels() != null
            && existing.getMetadata().getLabels().entrySet().containsAll(labels.entrySet());
    List<Taint> currentTaints =
        existing.getSpec() == null || existing.getSpec().getTaints() == null
            ? List.of()
            : existing.getSpec().getTaints();
    List<Taint> desiredTaints = mergeTaints(currentTaints, taints);
    if (labelsOk && desiredTaints.equals(currentTaints)) {
      return existing;
    }
    return client
        .nodes()
        .withName(config.nodeName())
        .edit(
            n -> {
              Map<String, String> merged = new LinkedHashMap<>();
              if (n.getMetadata().getLabels() != null) {
                merged.putAll(n.getMetadata().getLabels());
              }
              merged.putAll(labels);
              return new NodeBuilder(n)
                  .editMetadata()
                  .withLabels(merged)
                  .endMetadata()
                  .editOrNewSpec()
                  .withTaints(desiredTaints)
                  .endSpec()
                  .build();
            });
  }

  /**
   * Our taints replace earlier ones with the same key (a changed value or effect), and a taint of
   * the configured key is removed when the taint was disabled; taints of others are kept.
   */
  private List<Taint> mergeTaints(List<Taint> current, List<Taint> ours) {
    String ourKey = config.taint().map(Taint::getKey).orElse("virtual-kubelet.io/provider");
    List<Taint> merged = new ArrayList<>();
    for (Taint taint : current) {
      boolean replaced = ours.stream().anyMatch(t -> Objects.equals(t.getKey(), taint.getKey()));
      boolean stale = config.taint().isEmpty() && ourKey.equals(taint.getKey());
      if (!replaced && !stale) {
        merged.add(taint);
      }
    }
    for (Taint taint : ours) {
      merged.add(
          current.stream()
              .filter(
                  t ->
                      NodeStatusFactory.sameTaint(t, taint)
                          && Objects.equals(t.getValue(), taint.getValue()))
              .findFirst()
              .orElse(taint));
    }
    return merged;
  }

  private NodeHealth health() {
    if (pingError != null) {
      return NodeHealth.notReady("provider is not healthy: " + pingError);
    }
    if (!podsRunning.get()) {
      return NodeHealth.notReady("virtual kubelet is starting: pod controller not running yet");
    }
    return NodeHealth.healthy();
  }

  /** Checks the provider's health; returns whether it changed since the last check. */
  private boolean ping() {
    Future<?> result;
    try {
      result =
          pinger.submit(
              () -> {
                provider.ping();
                return null;
              });
    } catch (RejectedExecutionException e) {
      return false;
    }
    String error;
    try {
      result.get(config.pingTimeout().toMillis(), TimeUnit.MILLISECONDS);
      error = null;
    } catch (TimeoutException e) {
      result.cancel(true);
      error = "health check timed out after " + config.pingTimeout().toSeconds() + "s";
    } catch (ExecutionException e) {
      error = e.getCause().getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    boolean changed = !Objects.equals(error, pingError);
    if (changed) {
      if (error != null) {
        log.warn("provider health check failed: {}", error);
      } else {
        log.info("provider health check succeeded again");
      }
    }
    pingError = error;
    if (changed && error == null) {
      try {
        providerRecovered.get().run();
      } catch (RuntimeException e) {
        log.warn("provider recovery action failed", e);
      }
    }
    return changed;
  }

  private void checkStatus() {
    if (node == null) {
      return;
    }
    NodeStatus desired = factory.status(provider.describeNode(), health(), lastConditions(), now());
    boolean due =
        !now().isBefore(lastWriteTime.plus(config.statusReportInterval()))
            || NodeStatusFactory.changed(lastWritten, desired);
    if (due) {
      writeStatus();
    }
  }

  private List<NodeCondition> lastConditions() {
    return lastWritten == null ? List.of() : lastWritten.getConditions();
  }

  /** Reads the node, merges our status into it and writes the status subresource. */
  private void writeStatus() {
    for (int attempt = 0; attempt < 5; attempt++) {
      Node current = client.nodes().withName(config.nodeName()).get();
      if (current == null) {
        log.warn("node {} was deleted; registering it again", config.nodeName());
        register();
        return;
      }
      List<NodeCondition> before =
          current.getStatus() == null || current.getStatus().getConditions() == null
              ? List.of()
              : current.getStatus().getConditions();
      NodeStatus status = factory.status(provider.describeNode(), health(), before, now());
      Node next = new NodeBuilder(current).withStatus(status).build();
      try {
        node = client.nodes().resource(next).updateStatus();
        lastWritten = status;
        lastWriteTime = now();
        nodeConditionEvents(before, status.getConditions());
        ready =
            status.getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
      }
    }
    log.warn("node status update kept conflicting; retrying at the next interval");
  }

  private void nodeConditionEvents(List<NodeCondition> before, List<NodeCondition> after) {
    for (NodeCondition condition : after) {
      NodeCondition previous =
          before.stream()
              .filter(c -> c.getType().equals(condition.getType()))
              .findFirst()
              .orElse(null);
      if (previous != null && Objects.equals(previous.getStatus(), condition.getStatus())) {
        continue;
      }
      String reason =
          switch (condition.getType()) {
            case "Ready" -> "True".equals(condition.getStatus()) ? "NodeReady" : "NodeNotReady";
            case "MemoryPressure" ->
                "False".equals(condition.getStatus())
                    ? "NodeHasSufficientMemory"
                    : "NodeHasInsufficientMemory";
            case "DiskPressure" ->
                "False".equals(condition.getStatus())
                    ? "NodeHasNoDiskPressure"
                    : "NodeHasDiskPressure";
            case "PIDPressure" ->
                "False".equals(condition.getStatus())
                    ? "NodeHasSufficientPID"
                    : "NodeHasInsufficientPID";
            default -> null;
          };
      if (reason != null && !(previous == null && "NodeNotReady".equals(reason))) {
        events.node(false, reason, "Node " + config.nodeName() + " status is now: " + reason);
      }
    }
  }

  private void renewLease() {
    if (node == null) {
      return;
    }
    lease.renew(node);
  }

  private void reRegisterIfMissing() {
    if (client.nodes().withName(config.nodeName()).get() == null) {
      log.warn("node {} was deleted; registering it again", config.nodeName());
      node = null;
      lastWritten = null;
      register();
    }
  }

  private void schedule(Runnable task, java.time.Duration interval) {
    loop.scheduleWithFixedDelay(
        guarded(task), interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void submit(Runnable task) {
    if (closed.get()) {
      return;
    }
    try {
      loop.execute(guarded(task));
    } catch (RejectedExecutionException e) {
      // shutting down
    }
  }

  /**
   * A failing cycle is logged and retried at the next interval; it never kills the loop. Calls cut
   * short by {@link #close()} are not failures.
   */
  private Runnable guarded(Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        if (!closed.get()) {
          log.warn("node controller cycle failed: {}", e.getMessage());
          log.debug("node controller cycle failure", e);
        }
      }
    };
  }

  private Instant now() {
    return config.clock().instant();
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  /** Stops the loops. The Node and its Lease stay; a restarted runner picks them up. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (informer != null) {
      informer.close();
    }
    loop.shutdownNow();
    pinger.shutdownNow();
  }
}
