package dev.vkj.spi;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.util.List;
import java.util.Optional;

/**
 * A backend that runs the pods of one virtual node.
 *
 * <h2>Contract</h2>
 *
 * <ul>
 *   <li>Every method may block; the core calls them from a bounded worker pool and never runs two
 *       operations for the same pod at once.
 *   <li>Every method is idempotent: the core retries after failures and after restarts. {@link
 *       #createPod} of a pod that already exists with the same UID succeeds without creating a
 *       second copy; {@link #deletePod} of an unknown pod succeeds.
 *   <li>Pods are identified by namespace and name; the backend keeps {@code metadata.uid} and the
 *       spec hash ({@link PodIdentity}) so that the core can tell a pod from a recreated pod of the
 *       same name and adopt it after a restart without a create or an update.
 *   <li>Failures are reported as {@link ProviderException} with an {@link ErrorCode}. Use {@link
 *       ErrorCode#INVALID_INPUT} for a pod that can never run here: the core then marks it Failed
 *       with reason {@code ProviderFailed} and records an Event, instead of retrying.
 * </ul>
 *
 * <h2>What the core does for you</h2>
 *
 * <ul>
 *   <li>Before {@link #createPod} and {@link #updatePod}, environment variables are resolved:
 *       ConfigMap/Secret references, {@code envFrom}, the downward API and service links are
 *       replaced by literal {@code env} values, and {@code envFrom} is emptied. Values that came
 *       from Secrets stay recognisable ({@link SecretEnv}).
 *   <li>Every call goes through one boundary with a timeout per operation, retries decided by the
 *       {@link ErrorCode}, and shared rate limiters ({@link #limits()}): a {@code THROTTLED} answer
 *       slows every caller, not only one pod.
 *   <li>Pod status is written to the API server only when it changed, with kubelet-compatible
 *       conditions derived from the container statuses you report.
 *   <li>Graceful deletion, restart adoption (pods in the backend that still exist in the API are
 *       kept, others are deleted) and the Node object, its Lease and heartbeats.
 * </ul>
 *
 * Optional capabilities ({@link PodStatusNotifier}, {@link ContainerLogs}, {@link ContainerExec},
 * {@link PortForward}, {@link StatsProvider}) are implemented on the same object.
 */
public interface Provider extends AutoCloseable {
  /**
   * Starts the pod in the backend and returns once the backend accepted it; containers may still be
   * starting. Report progress through {@link #getPodStatus} or {@link PodStatusNotifier}.
   *
   * @param pod the pod with resolved environment variables and the {@link PodIdentity#SPEC_HASH}
   *     annotation
   * @throws ProviderException {@link ErrorCode#INVALID_INPUT} for a pod that can never run here, or
   *     a retryable code for a failure the core retries
   */
  void createPod(Pod pod) throws ProviderException;

  /**
   * Applies a changed spec (image, labels, annotations, activeDeadlineSeconds) to a pod the backend
   * already runs.
   *
   * @param pod the pod with its new spec, resolved environment variables and the {@link
   *     PodIdentity#SPEC_HASH} annotation
   * @throws ProviderException {@link ErrorCode#UNSUPPORTED} when the backend cannot update in
   *     place, or a retryable code for a failure the core retries
   */
  void updatePod(Pod pod) throws ProviderException;

  /**
   * Stops the pod and frees its backend resources. The pod carries {@code
   * metadata.deletionGracePeriodSeconds} when it was deleted gracefully. Deleting an unknown pod
   * succeeds. After this returns, {@link #getPodStatus} reports terminated containers or nothing.
   *
   * @param pod the pod as the API server last had it
   * @throws ProviderException when the backend could not stop it; {@link ErrorCode#NOT_FOUND}
   *     counts as success
   */
  void deletePod(Pod pod) throws ProviderException;

  /**
   * The pod as the backend knows it, or empty: namespace, name, UID, the {@link
   * PodIdentity#SPEC_HASH} annotation as given at create or update, and the current status. The
   * spec may be partial; the core never compares it.
   *
   * @param namespace the pod's namespace
   * @param name the pod's name
   * @return the pod, or empty when the backend does not know it
   * @throws ProviderException when the backend cannot be read
   */
  Optional<Pod> getPod(String namespace, String name) throws ProviderException;

  /**
   * The current status of a pod, or empty when the backend does not know it. Report container
   * statuses (state, ready, restartCount, IDs), {@code podIP} and {@code startTime}; the core
   * computes phase and conditions when you leave them out, the way the kubelet does.
   *
   * @param namespace the pod's namespace
   * @param name the pod's name
   * @return the status, or empty when the backend does not know the pod
   * @throws ProviderException when the backend cannot be read
   */
  Optional<PodStatus> getPodStatus(String namespace, String name) throws ProviderException;

  /**
   * Every pod this provider runs for this node, with the same metadata as {@link #getPod}. Used at
   * startup to adopt pods that still exist in the API server and to delete leftovers, so it must
   * not list pods of other nodes.
   *
   * @return the pods, in any order
   * @throws ProviderException when the backend cannot be read; the core retries at startup
   */
  List<Pod> listPods() throws ProviderException;

  /**
   * Capacity, addresses, OS, labels, taints and conditions of the node. Called periodically.
   *
   * @return the node as the backend sees it now
   */
  NodeDescription describeNode();

  /**
   * A cheap health check of the backend. While it fails, the node reports NotReady and the Lease is
   * not renewed, so Kubernetes stops scheduling here.
   *
   * @throws ProviderException when the backend cannot be reached or refuses the credentials
   */
  default void ping() throws ProviderException {}

  /**
   * The call rates the backend allows. The core keeps all calls of this runner within them; the
   * default declares none.
   *
   * @return the limits, {@link BackendLimits#NONE} by default
   */
  default BackendLimits limits() {
    return BackendLimits.NONE;
  }

  /** Releases clients and threads. Does not delete pods: a restarted runner adopts them. */
  @Override
  default void close() {}
}
