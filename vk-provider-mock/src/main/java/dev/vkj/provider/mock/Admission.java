package dev.vkj.provider.mock;

import dev.vkj.spi.ProviderException;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/** Refuses pods the mock cannot run, with the messages a user needs to fix them. */
final class Admission {
  /** What a pod asks for: the larger of its regular containers' sum and its largest init. */
  record Requests(long milliCpu, long memoryBytes) {}

  private Admission() {}

  static void checkShape(Pod pod) throws ProviderException {
    if (pod.getMetadata() == null
        || blank(pod.getMetadata().getNamespace())
        || blank(pod.getMetadata().getName())
        || blank(pod.getMetadata().getUid())) {
      throw ProviderException.invalidInput("the pod has no namespace, name or uid");
    }
    if (pod.getSpec() == null
        || pod.getSpec().getContainers() == null
        || pod.getSpec().getContainers().isEmpty()) {
      throw ProviderException.invalidInput("the pod has no containers");
    }
    if (Boolean.TRUE.equals(pod.getSpec().getHostNetwork())) {
      throw ProviderException.invalidInput(
          "the mock provider cannot run pods with hostNetwork: true (there is no host network)");
    }
    if (pod.getSpec().getVolumes() != null) {
      for (Volume volume : pod.getSpec().getVolumes()) {
        if (volume.getHostPath() != null) {
          throw ProviderException.invalidInput(
              "volume \""
                  + volume.getName()
                  + "\": hostPath volumes are not supported by the mock provider");
        }
      }
    }
  }

  static Requests requests(Pod pod) {
    long cpu = 0;
    long memory = 0;
    for (Container c : pod.getSpec().getContainers()) {
      cpu += milliCpu(c);
      memory += memory(c);
    }
    if (pod.getSpec().getInitContainers() != null) {
      for (Container c : pod.getSpec().getInitContainers()) {
        cpu = Math.max(cpu, milliCpu(c));
        memory = Math.max(memory, memory(c));
      }
    }
    return new Requests(cpu, memory);
  }

  /** The kubelet's admission check against what the node has left. */
  static void checkFits(
      Requests requested,
      long usedMilliCpu,
      long usedMemory,
      int usedPods,
      long capacityMilliCpu,
      long capacityMemory,
      int capacityPods)
      throws ProviderException {
    if (usedPods + 1 > capacityPods) {
      throw ProviderException.invalidInput(
          "Node didn't have enough resource: pods, requested: 1, used: "
              + usedPods
              + ", capacity: "
              + capacityPods);
    }
    if (requested.milliCpu() + usedMilliCpu > capacityMilliCpu) {
      throw ProviderException.invalidInput(
          "Node didn't have enough resource: cpu, requested: "
              + requested.milliCpu()
              + ", used: "
              + usedMilliCpu
              + ", capacity: "
              + capacityMilliCpu);
    }
    if (requested.memoryBytes() + usedMemory > capacityMemory) {
      throw ProviderException.invalidInput(
          "Node didn't have enough resource: memory, requested: "
              + requested.memoryBytes()
              + ", used: "
              + usedMemory
              + ", capacity: "
              + capacityMemory);
    }
  }

  static long milliCpu(Quantity quantity) {
    return quantity.getNumericalAmount().multiply(BigDecimal.valueOf(1000)).longValue();
  }

  static long bytes(Quantity quantity) {
    return quantity.getNumericalAmount().longValue();
  }

  private static long milliCpu(Container c) {
    Quantity q = request(c, "cpu");
    return q == null ? 0 : milliCpu(q);
  }

  private static long memory(Container c) {
    Quantity q = request(c, "memory");
    return q == null ? 0 : bytes(q);
  }

  /** The request, or the limit when no request is set (as the API server defaults it). */
  private static Quantity request(Container c, String resource) {
    if (c.getResources() == null) {
      return null;
    }
    Map<String, Quantity> requests = c.getResources().getRequests();
    if (requests != null && requests.get(resource) != null) {
      return requests.get(resource);
    }
    Map<String, Quantity> limits = c.getResources().getLimits();
    return limits == null ? null : limits.get(resource);
  }

  static void checkQuantities(Pod pod) throws ProviderException {
    for (List<Container> list :
        List.of(
            pod.getSpec().getContainers(),
            pod.getSpec().getInitContainers() == null
                ? List.<Container>of()
                : pod.getSpec().getInitContainers())) {
      for (Container c : list) {
        for (String resource : List.of("cpu", "memory")) {
          Quantity q = request(c, resource);
          if (q == null) {
            continue;
          }
          try {
            q.getNumericalAmount();
          } catch (RuntimeException e) {
            throw ProviderException.invalidInput(
                "container \"" + c.getName() + "\" has an invalid " + resource + " quantity: " + q);
          }
        }
      }
    }
  }

  private static boolean blank(String text) {
    return text == null || text.isBlank();
  }
}
