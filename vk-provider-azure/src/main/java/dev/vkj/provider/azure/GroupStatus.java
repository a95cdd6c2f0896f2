package dev.vkj.provider.azure;

import com.azure.resourcemanager.containerinstance.fluent.models.ContainerGroupInner;
import com.azure.resourcemanager.containerinstance.models.Container;
import com.azure.resourcemanager.containerinstance.models.ContainerState;
import com.azure.resourcemanager.containerinstance.models.InitContainerDefinition;
import dev.vkj.spi.PodIdentity;
import dev.vkj.toolkit.ContainerStatuses;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a container group back as a pod: identity from the tags, status from the provisioning state
 * and the instance views. Phase and conditions are left to the core, which derives them from the
 * container states as the kubelet does, except for a group that failed to provision.
 */
final class GroupStatus {
  /** The reason of a pod whose container group could not be provisioned. */
  static final String PROVISIONING_FAILED = "ProvisioningFailed";

  private static final Pattern WAITING_REASON = Pattern.compile("([A-Z][A-Za-z]+)(?::\\s*(.*))?");

  private GroupStatus() {}

  /** Whether the group runs a pod of this node (the Go provider's tags, or vkj's). */
  static boolean ofNode(ContainerGroupInner g, String nodeName) {
    Map<String, String> tags = g.tags();
    return tags != null
        && nodeName.equals(tags.get(GroupNames.TAG_NODE_NAME))
        && tags.get(GroupNames.TAG_NAMESPACE) != null
        && tags.get(GroupNames.TAG_POD_NAME) != null;
  }

  /** A pod with only the identity from the tags (namespace, name, UID), to record events on. */
  static Pod identity(ContainerGroupInner g) {
    Map<String, String> tags = g.tags();
    ObjectMeta meta = new ObjectMeta();
    meta.setNamespace(tags.get(GroupNames.TAG_NAMESPACE));
    meta.setName(tags.get(GroupNames.TAG_POD_NAME));
    meta.setUid(tags.get(GroupNames.TAG_UID));
    Pod pod = new Pod();
    pod.setMetadata(meta);
    return pod;
  }

  /** The pod as the backend knows it: identity, spec hash and status. */
  static Pod toPod(ContainerGroupInner g, Instant now) {
    return toPod(g, status(g, now));
  }

  /** The pod with a status already derived from this group or an earlier read of it. */
  static Pod toPod(ContainerGroupInner g, PodStatus status) {
    Pod pod = identity(g);
    String hash = g.tags().get(GroupNames.TAG_SPEC_HASH);
    if (hash != null) {
      Map<String, String> annotations = new HashMap<>();
      annotations.put(PodIdentity.SPEC_HASH, hash);
      pod.getMetadata().setAnnotations(annotations);
    }
    // a partial spec: the containers, by name and image
    io.fabric8.kubernetes.api.model.PodSpec spec = new io.fabric8.kubernetes.api.model.PodSpec();
    List<io.fabric8.kubernetes.api.model.Container> containers = new ArrayList<>();
    for (Container c : list(g.containers())) {
      containers.add(
          new io.fabric8.kubernetes.api.model.ContainerBuilder()
              .withName(c.name())
              .withImage(c.image())
              .build());
    }
    spec.setContainers(containers);
    List<io.fabric8.kubernetes.api.model.Container> inits = new ArrayList<>();
    for (InitContainerDefinition c : list(g.initContainers())) {
      inits.add(
          new io.fabric8.kubernetes.api.model.ContainerBuilder()
              .withName(c.name())
              .withImage(c.image())
              .build());
    }
    if (!inits.isEmpty()) {
      spec.setInitContainers(inits);
    }
    pod.setSpec(spec);
    pod.setStatus(status);
    return pod;
  }

  /** The instance view of a container or init container (two SDK types of the same shape). */
  private record View(ContainerState current, ContainerState previous, Integer restarts) {
    static final View NONE = new View(null, null, null);

    ContainerStatus status(String groupId, String name, String image, Instant now) {
      return container(groupId, name, image, current, previous, restarts, now);
    }
  }

  static PodStatus status(ContainerGroupInner g, Instant now) {
    PodStatus status = new PodStatus();
    List<ContainerStatus> containers = new ArrayList<>();
    List<Instant> starts = new ArrayList<>();
    for (Container c : list(g.containers())) {
      var v = c.instanceView();
      View view =
          v == null ? View.NONE : new View(v.currentState(), v.previousState(), v.restartCount());
      containers.add(view.status(g.id(), c.name(), c.image(), now));
      starts.add(startOf(view.current()));
      starts.add(startOf(view.previous()));
    }
    List<ContainerStatus> inits = new ArrayList<>();
    for (InitContainerDefinition c : list(g.initContainers())) {
      var v = c.instanceView();
      View view =
          v == null ? View.NONE : new View(v.currentState(), v.previousState(), v.restartCount());
      inits.add(view.status(g.id(), c.name(), c.image(), now));
      starts.add(startOf(view.current()));
    }
    Instant start =
        starts.stream().filter(java.util.Objects::nonNull).min(Instant::compareTo).orElse(null);
    status.setContainerStatuses(containers);
    if (!inits.isEmpty()) {
      status.setInitContainerStatuses(inits);
    }
    if (start != null) {
      status.setStartTime(ContainerStatuses.timestamp(start));
    }
    if (g.ipAddress() != null && g.ipAddress().ip() != null && !g.ipAddress().ip().isEmpty()) {
      status.setPodIP(g.ipAddress().ip());
    }
    String provisioning = g.provisioningState();
    if ("Failed".equalsIgnoreCase(provisioning) || "Canceled".equalsIgnoreCase(provisioning)) {
      status.setPhase("Failed");
      status.setReason(PROVISIONING_FAILED);
      status.setMessage(failureMessage(g));
    }
    return status;
  }

  private static String failureMessage(ContainerGroupInner g) {
    var view = g.instanceView();
    if (view != null) {
      var events = list(view.events());
      for (int i = events.size() - 1; i >= 0; i--) {
        var e = events.get(i);
        if (e.message() != null && !e.message().isBlank()) {
          return e.name() + ": " + e.message();
        }
      }
    }
    return "Azure could not provision the container group (provisioningState "
        + g.provisioningState()
        + ")";
  }

  static ContainerStatus container(
      String groupId,
      String name,
      String image,
      ContainerState current,
      ContainerState previous,
      Integer restarts,
      Instant now) {
    var state = state(current, now);
    boolean running = state.getRunning() != null;
    var builder =
        ContainerStatuses.of(name, image)
            .containerId(containerId(groupId, name))
            .restartCount(restarts == null ? 0 : restarts)
            .state(state)
            .ready(running);
    if (previous != null && previous.state() != null && terminal(previous.state())) {
      builder.lastState(state(previous, now));
    }
    return builder.build();
  }

  /** ACI's free-form container state as a Kubernetes container state. */
  static io.fabric8.kubernetes.api.model.ContainerState state(ContainerState s, Instant now) {
    if (s == null || s.state() == null) {
      return ContainerStatuses.waiting(ContainerStatuses.CONTAINER_CREATING, null);
    }
    String detail = s.detailStatus();
    if ("running".equalsIgnoreCase(s.state())) {
      return ContainerStatuses.running(s.startTime() == null ? now : s.startTime().toInstant());
    }
    if (terminal(s.state())) {
      int exit =
          s.exitCode() != null ? s.exitCode() : "succeeded".equalsIgnoreCase(s.state()) ? 0 : 1;
      Instant started = s.startTime() == null ? null : s.startTime().toInstant();
      Instant finished =
          s.finishTime() != null ? s.finishTime().toInstant() : started != null ? started : now;
      if (started != null && started.isAfter(finished)) {
        started = finished;
      }
      return ContainerStatuses.terminated(exit, null, blankToNull(detail), started, finished);
    }
    if (detail != null) {
      Matcher m = WAITING_REASON.matcher(detail.strip());
      if (m.matches()) {
        return ContainerStatuses.waiting(m.group(1), m.group(2));
      }
    }
    return ContainerStatuses.waiting(ContainerStatuses.CONTAINER_CREATING, blankToNull(detail));
  }

  private static boolean terminal(String state) {
    return switch (state.toLowerCase(Locale.ROOT)) {
      case "terminated", "succeeded", "failed", "canceled", "completed" -> true;
      default -> false;
    };
  }

  /** As the Go provider: {@code aci://} and the SHA-256 of the upper-cased container path. */
  static String containerId(String groupId, String name) {
    String path = (groupId == null ? "" : groupId) + "/containers/" + name;
    return "aci://" + GroupNames.sha256(path.toUpperCase(Locale.ROOT));
  }

  private static Instant startOf(ContainerState s) {
    if (s == null || s.startTime() == null || s.state() == null) {
      return null;
    }
    return "running".equalsIgnoreCase(s.state()) || terminal(s.state())
        ? s.startTime().toInstant()
        : null;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private static <T> List<T> list(List<T> l) {
    return l == null ? List.of() : l;
  }
}
