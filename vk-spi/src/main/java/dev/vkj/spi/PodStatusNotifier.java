package dev.vkj.spi;

import io.fabric8.kubernetes.api.model.Pod;

/**
 * Optional capability: the provider pushes status changes instead of being polled. Providers
 * without it are polled through {@link Provider#getPodStatus} every few seconds.
 */
public interface PodStatusNotifier {
  /**
   * Registers the single listener; called once by the core before any pod is created. The provider
   * calls {@link Listener#podStatusChanged} whenever a pod's status changes, including when it
   * terminates after {@link Provider#deletePod}.
   *
   * @param listener the core's listener
   */
  void notifyPodStatus(Listener listener);

  /** Receives pod status changes. It never blocks and may be called from any thread. */
  @FunctionalInterface
  interface Listener {
    /**
     * A pod changed. Only {@code metadata.namespace}, {@code metadata.name}, {@code metadata.uid},
     * {@code status} and, for a pod the backend is removing on its own (an eviction), {@code
     * metadata.deletionTimestamp} and {@code metadata.deletionGracePeriodSeconds} are read. Such a
     * pod is deleted from the API with that grace period so that its owner can replace it.
     *
     * @param pod the pod with its new status
     */
    void podStatusChanged(Pod pod);
  }
}
