package dev.vkj.testing;

import static java.util.Objects.requireNonNull;

import dev.vkj.spi.NodeDescription;
import dev.vkj.spi.PodIdentity;
import dev.vkj.spi.Provider;
import dev.vkj.spi.ProviderException;
import dev.vkj.spi.SecretEnv;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * The smallest provider that honours the contract: pods run as soon as they are created and vanish
 * when deleted. Its pods live in a {@link Backend} that a restarted instance can share. {@link
 * Flaw} switches on one defect at a time so that tests can check that the conformance kit notices
 * it.
 */
class InMemoryProvider implements Provider {
  static final BigDecimal CPU = new BigDecimal(4);
  static final BigDecimal MEMORY = Quantity.getAmountInBytes(new Quantity("8Gi"));

  enum Flaw {
    NONE,
    // factory
    UNREGISTERED,
    BAD_NAME,
    DUPLICATE_CONFIG_KEY,
    CONFIG_KEYS_NULL,
    PRINTS_SECRET_CONFIG,
    // lifecycle
    NOT_LISTED,
    HANGS_ON_UNKNOWN_POD,
    DUPLICATES_ON_SECOND_CREATE,
    DELETE_OF_UNKNOWN_FAILS,
    NO_CONTAINER_STATUSES,
    NO_PODS_CAPACITY,
    PING_FAILS,
    NEVER_REMOVED,
    ACCEPTS_IMPOSSIBLE_POD,
    RESTARTS_ON_UPDATE,
    KEEPS_OLD_SPEC_HASH,
    DROPS_SPEC_HASH,
    FORGETS_ON_RESTART,
    ECHOES_SECRET_VALUE,
    // capabilities
    CLAIMS_MISSING_LOGS,
    NO_PUSH,
    LOGS_OF_UNKNOWN_POD,
    LOGS_WRONG_TEXT,
    EXEC_IN_UNKNOWN_POD,
    EXEC_WRONG_OUTPUT,
    PORT_FORWARD_TO_UNKNOWN_POD,
    PORT_FORWARD_NO_ECHO,
    STATS_ZERO,
    HIDES_LOGS,
    HIDES_EXEC,
    HIDES_PORT_FORWARD,
    HIDES_STATS
  }

  /** Where the pods are: shared by a provider and its restarted successor. */
  static final class Backend {
    final Map<String, List<Pod>> pods = new ConcurrentHashMap<>();
  }

  final Flaw flaw;
  final Backend backend;
  private final Clock clock;
  private final AtomicInteger starts = new AtomicInteger();
  private final CountDownLatch never = new CountDownLatch(1);

  InMemoryProvider(Flaw flaw, Backend backend, Clock clock) {
    this.flaw = requireNonNull(flaw, "flaw is null");
    this.backend = requireNonNull(backend, "backend is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  @Override
  public void createPod(Pod pod) throws ProviderException {
    if (flaw != Flaw.ACCEPTS_IMPOSSIBLE_POD) {
      checkFits(pod);
    }
    String key = key(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
    List<Pod> existing = backend.pods.computeIfAbsent(key, k -> new ArrayList<>());
    Pod stored;
    synchronized (existing) {
      if (!existing.isEmpty() && flaw != Flaw.DUPLICATES_ON_SECOND_CREATE) {
        return;
      }
      stored = new PodBuilder(stored(pod)).withStatus(status(pod, true)).build();
      existing.add(stored);
    }
    created(stored);
  }

  /** Hook for subclasses that push status. */
  void created(Pod pod) {}

  /** Hook for subclasses that push status. */
  void deleted(Pod pod) {}

  private static void checkFits(Pod pod) throws ProviderException {
    BigDecimal cpu = BigDecimal.ZERO;
    BigDecimal memory = BigDecimal.ZERO;
    for (Container c : pod.getSpec().getContainers()) {
      if (c.getResources() == null || c.getResources().getRequests() == null) {
        continue;
      }
      Quantity q = c.getResources().getRequests().get("cpu");
      cpu = q == null ? cpu : cpu.add(q.getNumericalAmount());
      q = c.getResources().getRequests().get("memory");
      memory = q == null ? memory : memory.add(Quantity.getAmountInBytes(q));
    }
    if (cpu.compareTo(CPU) > 0 || memory.compareTo(MEMORY) > 0) {
      throw ProviderException.invalidInput("the pod requests more than the node has");
    }
  }

  /** What the backend keeps: secret-derived values dropped, the spec hash kept. */
  private Pod stored(Pod pod) {
    PodBuilder builder = new PodBuilder(pod);
    if (flaw == Flaw.DROPS_SPEC_HASH) {
      builder.editMetadata().removeFromAnnotations(PodIdentity.SPEC_HASH).endMetadata();
    }
    Pod copy = builder.build();
    if (flaw != Flaw.ECHOES_SECRET_VALUE) {
      for (Container c : copy.getSpec().getContainers()) {
        if (c.getEnv() != null) {
          c.setEnv(
              c.getEnv().stream()
                  .map(e -> SecretEnv.fromSecret(e) ? withoutValue(e) : e)
                  .collect(Collectors.toList()));
        }
      }
    }
    return copy;
  }

  private static EnvVar withoutValue(EnvVar env) {
    return new EnvVarBuilder(env).withValue(null).build();
  }

  @Override
  public void updatePod(Pod pod) {
    String key = key(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
    List<Pod> existing = backend.pods.get(key);
    if (existing == null) {
      return;
    }
    synchronized (existing) {
      existing.replaceAll(
          old -> {
            Pod next = flaw == Flaw.KEEPS_OLD_SPEC_HASH ? withHashOf(pod, old) : stored(pod);
            PodStatus status =
                flaw == Flaw.RESTARTS_ON_UPDATE ? status(pod, true) : old.getStatus();
            return new PodBuilder(next).withStatus(status).build();
          });
    }
  }

  private Pod withHashOf(Pod pod, Pod old) {
    Pod next = stored(pod);
    PodIdentity.specHash(old)
        .ifPresent(h -> next.getMetadata().getAnnotations().put(PodIdentity.SPEC_HASH, h));
    return next;
  }

  @Override
  public void deletePod(Pod pod) throws ProviderException {
    String key = key(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
    List<Pod> existing = backend.pods.get(key);
    if (existing == null) {
      if (flaw == Flaw.DELETE_OF_UNKNOWN_FAILS) {
        throw ProviderException.notFound("no pod " + key);
      }
      return;
    }
    if (flaw == Flaw.NEVER_REMOVED) {
      synchronized (existing) {
        existing.replaceAll(p -> new PodBuilder(p).withStatus(status(p, false)).build());
      }
      return;
    }
    backend.pods.remove(key);
    synchronized (existing) {
      existing.forEach(p -> deleted(new PodBuilder(p).withStatus(status(p, false)).build()));
    }
  }

  @Override
  public Optional<Pod> getPod(String namespace, String name) {
    if (flaw == Flaw.HANGS_ON_UNKNOWN_POD && "no-such-pod".equals(name)) {
      try {
        never.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    List<Pod> found = backend.pods.get(key(namespace, name));
    if (found == null) {
      return Optional.empty();
    }
    synchronized (found) {
      return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }
  }

  @Override
  public Optional<PodStatus> getPodStatus(String namespace, String name) {
    return getPod(namespace, name).map(Pod::getStatus);
  }

  @Override
  public List<Pod> listPods() {
    if (flaw == Flaw.NOT_LISTED) {
      return List.of();
    }
    List<Pod> all = new ArrayList<>();
    for (List<Pod> pods : backend.pods.values()) {
      synchronized (pods) {
        all.addAll(pods);
      }
    }
    return all;
  }

  @Override
  public NodeDescription describeNode() {
    NodeDescription.Builder node =
        NodeDescription.builder().capacity("cpu", CPU.toString()).capacity("memory", "8Gi");
    if (flaw != Flaw.NO_PODS_CAPACITY) {
      node.capacity("pods", "10");
    }
    return node.build();
  }

  @Override
  public void ping() throws ProviderException {
    if (flaw == Flaw.PING_FAILS) {
      throw ProviderException.transientError("the backend does not answer", null);
    }
  }

  private PodStatus status(Pod pod, boolean running) {
    if (flaw == Flaw.NO_CONTAINER_STATUSES) {
      return new PodStatusBuilder().withPhase("Running").build();
    }
    int start = starts.incrementAndGet();
    String now = clock.instant().toString();
    List<ContainerStatus> statuses = new ArrayList<>();
    for (Container c : pod.getSpec().getContainers()) {
      ContainerStatusBuilder status =
          new ContainerStatusBuilder()
              .withName(c.getName())
              .withImage(c.getImage())
              .withContainerID(
                  "inmemory://" + pod.getMetadata().getUid() + "/" + c.getName() + "/" + start)
              .withRestartCount(0)
              .withReady(running);
      if (running) {
        status.withNewState().withNewRunning(now).endState();
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
    }
    return new PodStatusBuilder()
        .withPhase(running ? "Running" : "Succeeded")
        .withContainerStatuses(statuses)
        .build();
  }

  static String key(String namespace, String name) {
    return namespace + "/" + name;
  }
}
