package dev.vkj.testing;

import dev.vkj.spi.NodeDescription;
import dev.vkj.spi.Provider;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The smallest provider that honours the contract: pods run as soon as they are created and vanish
 * when deleted. {@link Flaw} switches on one defect at a time so that tests can check that the
 * conformance kit notices it.
 */
class InMemoryProvider implements Provider {
  enum Flaw {
    NONE,
    DUPLICATES_ON_SECOND_CREATE,
    DELETE_OF_UNKNOWN_FAILS,
    NO_CONTAINER_STATUSES,
    NO_PODS_CAPACITY,
    NEVER_REMOVED
  }

  private final Flaw flaw;
  private final Map<String, List<Pod>> pods = new ConcurrentHashMap<>();

  InMemoryProvider(Flaw flaw) {
    this.flaw = flaw;
  }

  @Override
  public void createPod(Pod pod) {
    String key = key(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
    List<Pod> existing = pods.computeIfAbsent(key, k -> new ArrayList<>());
    synchronized (existing) {
      if (!existing.isEmpty() && flaw != Flaw.DUPLICATES_ON_SECOND_CREATE) {
        return;
      }
      existing.add(new PodBuilder(pod).withStatus(status(pod, true)).build());
    }
  }

  @Override
  public void updatePod(Pod pod) {}

  @Override
  public void deletePod(Pod pod) throws dev.vkj.spi.ProviderException {
    String key = key(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
    if (!pods.containsKey(key)) {
      if (flaw == Flaw.DELETE_OF_UNKNOWN_FAILS) {
        throw dev.vkj.spi.ProviderException.notFound("no pod " + key);
      }
      return;
    }
    if (flaw == Flaw.NEVER_REMOVED) {
      pods.get(key).replaceAll(p -> new PodBuilder(p).withStatus(status(p, false)).build());
      return;
    }
    pods.remove(key);
  }

  @Override
  public Optional<Pod> getPod(String namespace, String name) {
    List<Pod> found = pods.get(key(namespace, name));
    return found == null || found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
  }

  @Override
  public Optional<PodStatus> getPodStatus(String namespace, String name) {
    return getPod(namespace, name).map(Pod::getStatus);
  }

  @Override
  public List<Pod> listPods() {
    return pods.values().stream().flatMap(List::stream).collect(Collectors.toList());
  }

  @Override
  public NodeDescription describeNode() {
    NodeDescription.Builder node =
        NodeDescription.builder().capacity("cpu", "4").capacity("memory", "8Gi");
    if (flaw != Flaw.NO_PODS_CAPACITY) {
      node.capacity("pods", "10");
    }
    return node.build();
  }

  private PodStatus status(Pod pod, boolean running) {
    if (flaw == Flaw.NO_CONTAINER_STATUSES) {
      return new PodStatusBuilder().withPhase("Running").build();
    }
    List<ContainerStatus> statuses = new ArrayList<>();
    pod.getSpec()
        .getContainers()
        .forEach(
            c -> {
              ContainerStatusBuilder status =
                  new ContainerStatusBuilder()
                      .withName(c.getName())
                      .withImage(c.getImage())
                      .withRestartCount(0)
                      .withReady(running);
              if (running) {
                status.withNewState().withNewRunning("2026-11-26T12:00:00Z").endState();
              } else {
                status
                    .withNewState()
                    .withNewTerminated()
                    .withExitCode(0)
                    .withReason("Completed")
                    .endTerminated()
                    .endState();
              }
              statuses.add(status.build());
            });
    return new PodStatusBuilder()
        .withPhase(running ? "Running" : "Succeeded")
        .withContainerStatuses(statuses)
        .build();
  }

  private static String key(String namespace, String name) {
    return namespace + "/" + name;
  }
}
