package dev.vkj.spi;

import io.fabric8.kubernetes.api.model.Pod;

/**
 * Records core/v1 Events with {@code source.component=kubelet} and {@code source.host=<node>}, the
 * way a real kubelet does. Recording never blocks the caller and never fails it.
 */
public interface EventRecorder {
  /**
   * A Normal event on a pod.
   *
   * @param pod the pod the event is about
   * @param reason a short UpperCamelCase reason, e.g. {@code Pulled}
   * @param message for users
   */
  void normal(Pod pod, String reason, String message);

  /**
   * A Warning event on a pod.
   *
   * @param pod the pod the event is about
   * @param reason a short UpperCamelCase reason, e.g. {@code ProviderFailed}
   * @param message for users
   */
  void warning(Pod pod, String reason, String message);

  /**
   * An event on one container of a pod ({@code involvedObject.fieldPath=spec.containers{name}}).
   *
   * @param pod the pod of the container
   * @param container the container's name, as in the pod spec
   * @param warning true for a Warning event, false for a Normal one
   * @param reason a short UpperCamelCase reason, e.g. {@code Started}
   * @param message for users
   */
  void container(Pod pod, String container, boolean warning, String reason, String message);

  /**
   * An event on this node.
   *
   * @param warning true for a Warning event, false for a Normal one
   * @param reason a short UpperCamelCase reason, e.g. {@code NodeReady}
   * @param message for users
   */
  void node(boolean warning, String reason, String message);
}
