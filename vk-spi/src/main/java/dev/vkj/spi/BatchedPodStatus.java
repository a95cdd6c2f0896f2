package dev.vkj.spi;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;

/**
 * Optional capability: the provider reads the status of many pods per backend call (one list call,
 * or describe calls of 100 tasks each). The core then calls {@link #listPodStatuses} once per poll
 * period instead of {@link Provider#getPodStatus} once per pod, and calls {@link
 * Provider#getPodStatus} only for pods in transition, within the configured read budget.
 */
public interface BatchedPodStatus {
  /**
   * Every pod of this node that the backend runs, each with {@code metadata.namespace}, {@code
   * metadata.name}, {@code metadata.uid} and {@code status}; the spec may be left out. A pod that
   * is missing from the list is taken as gone from the backend, so a provider whose list can lag
   * behind a create (eventual consistency) must still include pods it created.
   *
   * @return the pods with their status, in any order
   * @throws ProviderException when the backend cannot be read; the core retries as its code says
   */
  List<Pod> listPodStatuses() throws ProviderException;
}
