package dev.vkj.examples.minimal;

import static java.util.Objects.requireNonNull;

import dev.vkj.spi.NodeDescription;
import dev.vkj.spi.PodIdentity;
import dev.vkj.spi.PodStatusNotifier;
import dev.vkj.spi.Provider;
import dev.vkj.spi.ProviderContext;
import dev.vkj.spi.ProviderException;
import dev.vkj.spi.SecretEnv;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * The smallest useful provider: pods "run" in memory as soon as they are created. It shows the
 * contract every provider follows: idempotent create and delete, pods keyed by namespace and name
 * with their UID and spec hash ({@link PodIdentity}) kept, secret values ({@link SecretEnv}) never
 * returned, pods that cannot fit refused with {@code INVALID_INPUT}, statuses pushed through {@link
 * PodStatusNotifier}, and node capacity from configuration. A real provider calls its backend where
 * this one updates a map.
 */
public final class MinimalProvider implements Provider, PodStatusNotifier {
  private final ProviderContext context;
  private final int maxPods;
  private static final BigDecimal CPU = new BigDecimal(8);
  private static final BigDecimal MEMORY = Quantity.getAmountInBytes(new Quantity("32Gi"));

  private final Map<String, Pod> pods;
  private final AtomicInteger nextIp = new AtomicInteger(1);
  private volatile Listener listener = pod -> {};

  public MinimalProvider(ProviderContext context, int maxPods) {
    this(context, maxPods, new ConcurrentHashMap<>());
  }

  /**
   * @param backend where the pods are kept; a provider created again on the same map finds them, as
   *     a restarted runner finds the pods of a real backend
   */
  public MinimalProvider(ProviderContext context, int maxPods, Map<String, Pod> backend) {
    this.context = requireNonNull(context, "context is null");
    this.maxPods = maxPods;
    this.pods = requireNonNull(backend, "backend is null");
  }

  private static String key(String namespace, String name) {
    return namespace + "/" + name;
  }

  @Override
  public void createPod(Pod pod) throws ProviderException {
    String key = key(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
    Pod existing = pods.get(key);
    if (existing != null && existing.getMetadata().getUid().equals(pod.getMetadata().getUid())) {
      return; // already running: create is idempotent
    }
    if (pods.size() >= maxPods) {
      throw ProviderException.invalidInput("the backend is full: " + maxPods + " pods");
    }
    checkFits(pod);
    // the whole pod is kept, so the spec hash annotation comes back from getPod and listPods
    Pod running = new PodBuilder(withoutSecretValues(pod)).withStatus(runningStatus(pod)).build();
    pods.put(key, running);
    listener.podStatusChanged(running);
  }

  /** A pod asking for more than the whole node can never run here. */
  private static void checkFits(Pod pod) throws ProviderException {
    BigDecimal cpu = BigDecimal.ZERO;
    BigDecimal memory = BigDecimal.ZERO;
    for (Container c : pod.getSpec().getContainers()) {
      Map<String, Quantity> requests =
          c.getResources() == null ? null : c.getResources().getRequests();
      if (requests != null && requests.get("cpu") != null) {
        cpu = cpu.add(requests.get("cpu").getNumericalAmount());
      }
      if (requests != null && requests.get("memory") != null) {
        memory = memory.add(Quantity.getAmountInBytes(requests.get("memory")));
      }
    }
    if (cpu.compareTo(CPU) > 0 || memory.compareTo(MEMORY) > 0) {
      throw ProviderException.invalidInput(
          "the pod requests more than the node has (8 cpu, 32Gi memory)");
    }
  }

  /**
   * Secret values are not kept in plain text: a real backend passes them as secure values; this one
   * does not need them at all.
   */
  private static Pod withoutSecretValues(Pod pod) {
    Pod copy = new PodBuilder(pod).build();
    for (Container c : copy.getSpec().getContainers()) {
      if (c.getEnv() != null) {
        c.setEnv(
            c.getEnv().stream()
                .map(
                    e -> SecretEnv.fromSecret(e) ? new EnvVarBuilder(e).withValue(null).build() : e)
                .collect(Collectors.toList()));
      }
    }
    return copy;
  }

  private PodStatus runningStatus(Pod pod) {
    String now =
        DateTimeFormatter.ISO_INSTANT.format(
            context.clock().instant().truncatedTo(ChronoUnit.SECONDS));
    List<ContainerStatus> containers = new ArrayList<>();
    pod.getSpec()
        .getContainers()
        .forEach(
            c ->
                containers.add(
                    new ContainerStatusBuilder()
                        .withName(c.getName())
                        .withImage(c.getImage())
                        .withImageID("")
                        .withContainerID(
                            "minimal://" + pod.getMetadata().getUid() + "/" + c.getName())
                        .withReady(true)
                        .withStarted(true)
                        .withRestartCount(0)
                        .withNewState()
                        .withNewRunning(now)
                        .endState()
                        .build()));
    int ip = nextIp.getAndIncrement();
    return new PodStatusBuilder()
        .withPhase("Running")
        .withPodIP("10.200." + (ip / 250) % 250 + "." + (ip % 250 + 1))
        .withStartTime(now)
        .withContainerStatuses(containers)
        .build();
  }

  @Override
  public void updatePod(Pod pod) {
    pods.computeIfPresent(
        key(pod.getMetadata().getNamespace(), pod.getMetadata().getName()),
        (k, old) -> new PodBuilder(withoutSecretValues(pod)).withStatus(old.getStatus()).build());
  }

  @Override
  public void deletePod(Pod pod) {
    Pod removed = pods.remove(key(pod.getMetadata().getNamespace(), pod.getMetadata().getName()));
    if (removed != null) {
      // report the stopped containers, so the core can finish the deletion at once
      listener.podStatusChanged(new PodBuilder(removed).withStatus(stoppedStatus(removed)).build());
    }
  }

  private PodStatus stoppedStatus(Pod pod) {
    String now =
        DateTimeFormatter.ISO_INSTANT.format(
            context.clock().instant().truncatedTo(ChronoUnit.SECONDS));
    List<ContainerStatus> containers = new ArrayList<>();
    for (ContainerStatus running : pod.getStatus().getContainerStatuses()) {
      containers.add(
          new ContainerStatusBuilder(running)
              .withReady(false)
              .withStarted(false)
              .withNewState()
              .withNewTerminated()
              .withExitCode(0)
              .withReason("Completed")
              .withStartedAt(running.getState().getRunning().getStartedAt())
              .withFinishedAt(now)
              .withContainerID(running.getContainerID())
              .endTerminated()
              .endState()
              .build());
    }
    return new PodStatusBuilder(pod.getStatus())
        .withPhase("Succeeded")
        .withContainerStatuses(containers)
        .build();
  }

  @Override
  public Optional<Pod> getPod(String namespace, String name) {
    return Optional.ofNullable(pods.get(key(namespace, name)));
  }

  @Override
  public Optional<PodStatus> getPodStatus(String namespace, String name) {
    return getPod(namespace, name).map(Pod::getStatus);
  }

  @Override
  public List<Pod> listPods() {
    return List.copyOf(pods.values());
  }

  @Override
  public NodeDescription describeNode() {
    return NodeDescription.builder()
        .capacity("cpu", "8")
        .capacity("memory", "32Gi")
        .capacity("pods", Integer.toString(maxPods))
        .osImage("in-memory example backend")
        .containerRuntimeVersion("minimal://0.1")
        .build();
  }

  @Override
  public void notifyPodStatus(Listener listener) {
    this.listener = requireNonNull(listener, "listener is null");
  }
}
