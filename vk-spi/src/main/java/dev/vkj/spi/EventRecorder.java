package dev.vkj.spi;

import io.fabric8.kubernetes.api.model.Pod;

/**
 * Records core/v1 Events with {@code source.component=kubelet} and {@code source.host=<node>}, the
 * way a real kubelet does. Recording never blocks the caller and never fails it.
 */
public interface EventRecorder {
  /** A Normal event on a pod. */
  void normal(Pod pod, String reason, String message);

  /** A Warning event on a pod. */
  void warning(Pod pod, String reason, String message);

  /**
   * An event on one container of a pod ({@code involvedObject.fieldPath=spec.containers{name}}).
   */
  void container(Pod pod, String container, boolean warning, String reason, String message);

  /** An event on this node. */
  void node(boolean warning, String reason, String message);
}
