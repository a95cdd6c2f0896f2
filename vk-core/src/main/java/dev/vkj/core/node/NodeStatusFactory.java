package dev.vkj.core.node;

import static java.util.Objects.requireNonNull;

import dev.vkj.spi.NodeDescription;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.NodeStatusBuilder;
import io.fabric8.kubernetes.api.model.NodeSystemInfoBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/** Computes the labels, taints and status of the Node the way a kubelet reports them. */
final class NodeStatusFactory {
  /** The conditions the kubelet owns; {@code Ready} is kept last like the kubelet does. */
  static final List<String> KUBELET_CONDITIONS =
      List.of("MemoryPressure", "DiskPressure", "PIDPressure", "Ready");

  private final NodeControllerConfig config;
  private final String bootId = UUID.randomUUID().toString();
  private final String machineId;

  NodeStatusFactory(NodeControllerConfig config) {
    this.config = requireNonNull(config, "config is null");
    this.machineId = UUID.nameUUIDFromBytes(config.nodeName().getBytes()).toString();
  }

  Map<String, String> labels(NodeDescription description) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("type", "virtual-kubelet");
    labels.put("kubernetes.io/role", "agent");
    labels.put("kubernetes.io/hostname", config.nodeName());
    labels.put("kubernetes.io/os", description.operatingSystem());
    labels.put("beta.kubernetes.io/os", description.operatingSystem());
    labels.put("kubernetes.io/arch", description.architecture());
    labels.put("beta.kubernetes.io/arch", description.architecture());
    // a virtual node is not a load balancer backend: its pods do not run on it
    labels.put("node.kubernetes.io/exclude-from-external-load-balancers", "true");
    labels.putAll(description.labels());
    labels.putAll(config.extraLabels());
    return labels;
  }

  List<Taint> taints(NodeDescription description) {
    List<Taint> taints = new ArrayList<>();
    config.taint().ifPresent(taints::add);
    for (Taint taint : description.taints()) {
      if (taints.stream().noneMatch(t -> sameTaint(t, taint))) {
        taints.add(taint);
      }
    }
    return taints;
  }

  static boolean sameTaint(Taint a, Taint b) {
    return Objects.equals(a.getKey(), b.getKey()) && Objects.equals(a.getEffect(), b.getEffect());
  }

  /** The node object to create at registration. */
  Node initialNode(NodeDescription description, NodeHealth health, Instant now) {
    return new NodeBuilder()
        .withNewMetadata()
        .withName(config.nodeName())
        .withLabels(labels(description))
        .endMetadata()
        .withNewSpec()
        .withTaints(taints(description))
        .endSpec()
        .withStatus(status(description, health, List.of(), now))
        .build();
  }

  /**
   * The status to write, given what the API server currently shows: conditions of other actors are
   * kept, the kubelet's keep their {@code lastTransitionTime} while their status is unchanged.
   */
  NodeStatus status(
      NodeDescription description, NodeHealth health, List<NodeCondition> current, Instant now) {
    String time = format(now);
    Map<String, NodeCondition> previous = new HashMap<>();
    current.forEach(c -> previous.put(c.getType(), c));

    Map<String, NodeCondition> ours = new LinkedHashMap<>();
    ours.put(
        "MemoryPressure",
        condition(
            "MemoryPressure",
            "False",
            "KubeletHasSufficientMemory",
            "kubelet has sufficient memory available"));
    ours.put(
        "DiskPressure",
        condition(
            "DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"));
    ours.put(
        "PIDPressure",
        condition(
            "PIDPressure",
            "False",
            "KubeletHasSufficientPID",
            "kubelet has sufficient PID available"));
    for (NodeCondition providerCondition : description.conditions()) {
      ours.put(providerCondition.getType(), providerCondition);
    }
    ours.remove("Ready");
    ours.put(
        "Ready",
        health.ready()
            ? condition("Ready", "True", "KubeletReady", "kubelet is posting ready status")
            : condition("Ready", "False", "KubeletNotReady", health.reason()));

    List<NodeCondition> conditions = new ArrayList<>();
    Set<String> ownTypes = new LinkedHashSet<>(ours.keySet());
    for (NodeCondition foreign : current) {
      if (!ownTypes.contains(foreign.getType())) {
        conditions.add(foreign);
      }
    }
    for (NodeCondition condition : ours.values()) {
      NodeCondition before = previous.get(condition.getType());
      String transition =
          before != null
                  && Objects.equals(before.getStatus(), condition.getStatus())
                  && before.getLastTransitionTime() != null
              ? before.getLastTransitionTime()
              : time;
      conditions.add(
          new NodeConditionBuilder(condition)
              .withLastHeartbeatTime(time)
              .withLastTransitionTime(transition)
              .build());
    }

    List<NodeAddress> addresses = new ArrayList<>();
    addresses.add(new NodeAddress(config.nodeIp(), "InternalIP"));
    addresses.add(new NodeAddress(config.nodeName(), "Hostname"));
    for (NodeAddress extra : description.addresses()) {
      if (addresses.stream()
          .noneMatch(
              a ->
                  a.getType().equals(extra.getType())
                      && a.getAddress().equals(extra.getAddress()))) {
        addresses.add(extra);
      }
    }

    return new NodeStatusBuilder()
        .withCapacity(new LinkedHashMap<>(description.capacity()))
        .withAllocatable(new LinkedHashMap<>(description.allocatable()))
        .withConditions(conditions)
        .withAddresses(addresses)
        .withNewDaemonEndpoints()
        .withNewKubeletEndpoint(config.kubeletPort())
        .endDaemonEndpoints()
        .withNodeInfo(
            new NodeSystemInfoBuilder()
                .withMachineID(machineId)
                .withSystemUUID(machineId)
                .withBootID(bootId)
                .withKernelVersion(description.kernelVersion())
                .withOsImage(description.osImage())
                .withContainerRuntimeVersion(description.containerRuntimeVersion())
                .withKubeletVersion(config.kubeletVersion())
                .withKubeProxyVersion("")
                .withOperatingSystem(description.operatingSystem())
                .withArchitecture(description.architecture())
                .build())
        .withPhase("Running")
        .build();
  }

  /**
   * Whether two statuses differ in anything but heartbeat times; decides whether a write is due
   * before the report interval.
   */
  static boolean changed(NodeStatus before, NodeStatus after) {
    if (before == null) {
      return true;
    }
    return !Objects.equals(withoutHeartbeats(before), withoutHeartbeats(after));
  }

  private static NodeStatus withoutHeartbeats(NodeStatus status) {
    NodeStatus copy = new NodeStatusBuilder(status).build();
    List<NodeCondition> conditions = new ArrayList<>();
    for (NodeCondition c : status.getConditions()) {
      conditions.add(new NodeConditionBuilder(c).withLastHeartbeatTime(null).build());
    }
    copy.setConditions(conditions);
    return copy;
  }

  private static NodeCondition condition(
      String type, String status, String reason, String message) {
    return new NodeConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .build();
  }

  static String format(Instant instant) {
    return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
  }

  /** Whether the node can run pods, and if not, why. */
  record NodeHealth(boolean ready, String reason) {
    static NodeHealth healthy() {
      return new NodeHealth(true, "");
    }

    static NodeHealth notReady(String reason) {
      return new NodeHealth(false, reason);
    }
  }
}
