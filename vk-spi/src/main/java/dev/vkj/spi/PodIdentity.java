package dev.vkj.spi;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Optional;

/**
 * What a backend must remember about each pod so that a restarted runner can adopt it without a
 * second create and without an update: namespace, name, {@code metadata.uid} and the spec hash.
 *
 * <p>The core puts the hash of the pod's API spec into the annotation {@link #SPEC_HASH} of every
 * pod it hands to {@link Provider#createPod} and {@link Provider#updatePod}. Store it with the
 * backend resource (a tag) and return it in the annotations of the pods from {@link
 * Provider#getPod} and {@link Provider#listPods}. The core compares hashes to detect spec changes,
 * so a backend never has to echo the spec back. A pod returned without the annotation is taken as
 * unchanged. The hash covers the API spec before env resolution, so it never depends on secret
 * values.
 */
public final class PodIdentity {
  /** The annotation that carries the spec hash (lowercase hex, at most 64 characters). */
  public static final String SPEC_HASH = "vkj.dev/spec-hash";

  private PodIdentity() {}

  /**
   * The spec hash a pod carries.
   *
   * @param pod a pod, or {@code null}
   * @return the value of the {@link #SPEC_HASH} annotation, or empty
   */
  public static Optional<String> specHash(Pod pod) {
    ObjectMeta meta = pod == null ? null : pod.getMetadata();
    if (meta == null || meta.getAnnotations() == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(meta.getAnnotations().get(SPEC_HASH));
  }
}
