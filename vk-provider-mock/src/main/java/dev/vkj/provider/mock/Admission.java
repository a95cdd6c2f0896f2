package dev.vkj.provider.mock;

import dev.vkj.spi.ProviderException;
import dev.vkj.toolkit.PodResources;
import dev.vkj.toolkit.ResourceAmounts;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import java.math.BigDecimal;

/** Refuses pods the mock cannot run, with the messages a user needs to fix them. */
final class Admission {
  /**
   * What a pod asks for: the larger of its running containers' sum and its largest init, plus
   * overhead.
   */
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

  /** The pod's effective requests, computed like the scheduler (toolkit rules). */
  static Requests requests(Pod pod) {
    ResourceAmounts requests = PodResources.requests(pod.getSpec());
    return new Requests(requests.milliCpu(), requests.memoryBytes());
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

  /** Every quantity of the pod parses: a bad one is the user's error, named. */
  static void checkQuantities(Pod pod) throws ProviderException {
    try {
      PodResources.requests(pod.getSpec());
      PodResources.limits(pod.getSpec());
    } catch (IllegalArgumentException e) {
      throw ProviderException.invalidInput(e.getMessage());
    }
  }

  private static boolean blank(String text) {
    return text == null || text.isBlank();
  }
}
