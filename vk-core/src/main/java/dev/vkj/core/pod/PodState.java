package dev.vkj.core.pod;

import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What the controller remembers about one pod between syncs. Only the worker that holds the pod's
 * key touches it (the work queue never hands a key to two workers at once), except for the gone
 * path's flags at the end.
 */
final class PodState {
  final String uid;

  /** Spec hash last applied to (or found in) the backend; null before the first create. */
  String syncedSpec;

  /** Found in the backend at startup: the first status read replays no container events. */
  boolean adopted;

  /** Terminal status written by the controller; never synced again. */
  boolean providerFailed;

  boolean seenRunning;
  boolean deleteIssued;
  boolean killingSent;
  boolean evictionSent;

  /** The final grace-0 delete was accepted (or found the pod gone): nothing is left to do. */
  boolean apiDeleted;

  /**
   * The spec hash of {@link #hashedSpec} with these labels and annotations: a sync compares them
   * (cheap) instead of hashing again. They are the current informer pod's own objects, so they add
   * nothing to the heap once the pod has been synced.
   */
  String specHash;

  PodSpec hashedSpec;
  Map<String, String> hashedLabels;
  Map<String, String> hashedAnnotations;
  Instant startTime;

  /** {@code System.nanoTime()} when the backend accepted the create, 0 if it never did. */
  long createdNanos;

  /**
   * {@code System.nanoTime()} when a sync last took the backend's status from a push or a read, 0
   * if never; volatile because the status poller reads it to decide which pods are due a resync.
   */
  volatile long observedNanos;

  Map<String, ContainerStateWaiting> configErrors = Map.of();

  /** Consecutive creates refused with QUOTA_EXCEEDED; 0 when not waiting for quota. */
  int quotaFailures;

  /** {@code System.nanoTime()} before which a refused create is not tried again. */
  long quotaRetryAtNanos;

  /**
   * {@code System.nanoTime()} before which no provider call is made for this pod, after the backend
   * answered THROTTLED with a retry-after; 0 when not throttled.
   */
  long throttledUntilNanos;

  final Map<String, Seen> containers = new HashMap<>();

  /** The spec hash of the pod, computed again only when its spec, labels or annotations changed. */
  String specHash(Pod api) {
    PodSpec spec = api.getSpec();
    ObjectMeta meta = api.getMetadata();
    if (specHash == null
        || !(hashedSpec == spec || Objects.equals(hashedSpec, spec))
        || !Objects.equals(hashedLabels, meta.getLabels())
        || !Objects.equals(hashedAnnotations, meta.getAnnotations())) {
      specHash = SpecHash.of(api);
    }
    // the current objects are kept either way, so that the old ones can be collected
    hashedSpec = spec;
    hashedLabels = meta.getLabels();
    hashedAnnotations = meta.getAnnotations();
    return specHash;
  }

  /*
   * The gone path's bookkeeping (PodSyncer.syncGone): set by the worker and by the informer's
   * deletion callback, only inside the states map's compute of this key.
   */
  volatile boolean goneRunning;
  volatile boolean deletionDelivered;

  /** A marker left after the gone path ran, until the informer delivers the deletion. */
  volatile boolean gone;

  PodState(String uid) {
    this.uid = uid;
  }

  static PodState goneMarker(String uid) {
    PodState st = new PodState(uid);
    st.gone = true;
    return st;
  }

  /** Container state last seen, for Created/Started/BackOff events on transitions. */
  record Seen(String kind, String reason, int restartCount, String containerId) {}
}
