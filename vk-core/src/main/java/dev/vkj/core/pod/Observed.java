package dev.vkj.core.pod;

import io.fabric8.kubernetes.api.model.PodStatus;

/**
 * What the controller knows about a pod's status in the backend: a status, "gone" (the backend does
 * not know the pod), or unknown (nothing fresh enough to act on, for example a batched list that
 * started before the pod was created).
 */
record Observed(PodStatus status, boolean known) {
  static final Observed UNKNOWN = new Observed(null, false);
  static final Observed GONE = new Observed(null, true);

  static Observed of(PodStatus status) {
    return status == null ? GONE : new Observed(status, true);
  }

  boolean gone() {
    return known && status == null;
  }

  /** Reads the status of one pod. */
  @FunctionalInterface
  interface Reader {
    Observed read() throws Exception;
  }
}
