package dev.vkj.toolkit;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pod requests, limits and QoS class computed the way Kubernetes computes them (the scheduler's and
 * kubelet's {@code PodRequests}/{@code PodLimits}, and {@code ComputePodQOS}).
 *
 * <p>Effective requests (and, the same way, limits) of a pod, per resource:
 *
 * <ol>
 *   <li>the sum over regular containers and sidecars (init containers with {@code restartPolicy:
 *       Always}), which run together;
 *   <li>the largest of that sum and, for each regular init container, its own amount plus the
 *       sidecars started before it (init containers run one at a time);
 *   <li>pod-level {@code spec.resources} replaces the result for the resources it sets ({@code
 *       cpu}, {@code memory}, {@code hugepages-*});
 *   <li>plus {@code spec.overhead}: for requests every overhead resource, for limits only those the
 *       pod has a limit for.
 * </ol>
 *
 * <p>A container's request defaults to its limit when only the limit is set, as the API server
 * defaults it, so a pod that never went through an API server gives the same result. A limit result
 * says what the limits that are set add up to: a container without a limit for a resource makes the
 * pod unbounded for it in practice, which {@link #unbounded} tells.
 */
public final class PodResources {
  private static final Set<String> QOS_RESOURCES =
      Set.of(ResourceAmounts.CPU, ResourceAmounts.MEMORY);

  private PodResources() {}

  /** The effective requests of the pod. */
  public static ResourceAmounts requests(PodSpec spec) {
    requireNonNull(spec, "spec is null");
    ResourceAmounts containers = aggregate(spec, true);
    ResourceAmounts pod = podLevel(spec, true);
    return containers.with(pod).plus(overhead(spec));
  }

  /** The effective limits of the pod (only the limits that are set are summed). */
  public static ResourceAmounts limits(PodSpec spec) {
    requireNonNull(spec, "spec is null");
    ResourceAmounts limits = aggregate(spec, false).with(podLevel(spec, false));
    ResourceAmounts overhead = overhead(spec).filter(limits::contains);
    return limits.plus(overhead);
  }

  /**
   * Whether some container that runs has no limit for the resource (and no pod-level limit caps
   * it), so the pod as a whole is not limited for it.
   */
  public static boolean unbounded(PodSpec spec, String resource) {
    requireNonNull(spec, "spec is null");
    if (podLevel(spec, false).contains(resource)) {
      return false;
    }
    for (Container c : all(spec)) {
      if (!containerLimits(c).contains(resource)) {
        return true;
      }
    }
    return false;
  }

  /** The container's requests, each defaulted to its limit when only the limit is set. */
  public static ResourceAmounts containerRequests(Container container) {
    requireNonNull(container, "container is null");
    ResourceRequirements r = container.getResources();
    if (r == null) {
      return ResourceAmounts.empty();
    }
    ResourceAmounts limits = ResourceAmounts.of(r.getLimits(), what(container, "limits"));
    ResourceAmounts requests = ResourceAmounts.of(r.getRequests(), what(container, "requests"));
    return limits.with(requests);
  }

  /** The container's limits as set. */
  public static ResourceAmounts containerLimits(Container container) {
    requireNonNull(container, "container is null");
    ResourceRequirements r = container.getResources();
    return r == null
        ? ResourceAmounts.empty()
        : ResourceAmounts.of(r.getLimits(), what(container, "limits"));
  }

  /**
   * The QoS class by the Kubernetes rules, over cpu and memory only, counting amounts above zero:
   *
   * <ul>
   *   <li>no request and no limit anywhere: {@code BestEffort};
   *   <li>every container (init ones included) has both a cpu and a memory limit, and the summed
   *       requests equal the summed limits for each resource: {@code Guaranteed};
   *   <li>otherwise {@code Burstable}.
   * </ul>
   *
   * <p>With pod-level {@code spec.resources} the same rules apply to the pod-level requests and
   * limits instead of the containers'. Requests default to limits when missing.
   */
  public static QosClass qosClass(PodSpec spec) {
    requireNonNull(spec, "spec is null");
    Map<String, BigDecimal> requests = new HashMap<>();
    Map<String, BigDecimal> limits = new HashMap<>();
    boolean guaranteed = true;
    ResourceRequirements pod = spec.getResources();
    if (pod != null && (notEmpty(pod.getRequests()) || notEmpty(pod.getLimits()))) {
      guaranteed = addQos(podRequests(spec), podLevel(spec, false), requests, limits);
    } else {
      for (Container c : all(spec)) {
        guaranteed &= addQos(containerRequests(c), containerLimits(c), requests, limits);
      }
    }
    if (requests.isEmpty() && limits.isEmpty()) {
      return QosClass.BEST_EFFORT;
    }
    if (guaranteed && requests.keySet().equals(limits.keySet())) {
      for (Map.Entry<String, BigDecimal> e : requests.entrySet()) {
        if (e.getValue().compareTo(limits.get(e.getKey())) != 0) {
          return QosClass.BURSTABLE;
        }
      }
      return QosClass.GUARANTEED;
    }
    return QosClass.BURSTABLE;
  }

  /** Adds positive cpu and memory amounts; true when both a cpu and a memory limit are set. */
  private static boolean addQos(
      ResourceAmounts requests,
      ResourceAmounts limits,
      Map<String, BigDecimal> requestSum,
      Map<String, BigDecimal> limitSum) {
    int limited = 0;
    for (String r : QOS_RESOURCES) {
      if (requests.get(r).signum() > 0) {
        requestSum.merge(r, requests.get(r), BigDecimal::add);
      }
      if (limits.get(r).signum() > 0) {
        limitSum.merge(r, limits.get(r), BigDecimal::add);
        limited++;
      }
    }
    return limited == QOS_RESOURCES.size();
  }

  private static ResourceAmounts aggregate(PodSpec spec, boolean requests) {
    ResourceAmounts sum = ResourceAmounts.empty();
    for (Container c : list(spec.getContainers())) {
      sum = sum.plus(requests ? containerRequests(c) : containerLimits(c));
    }
    ResourceAmounts sidecars = ResourceAmounts.empty();
    ResourceAmounts largestInit = ResourceAmounts.empty();
    for (Container c : list(spec.getInitContainers())) {
      ResourceAmounts own = requests ? containerRequests(c) : containerLimits(c);
      ResourceAmounts whileRunning;
      if (isSidecar(c)) {
        // a sidecar keeps running next to the init containers after it and the app containers
        sum = sum.plus(own);
        sidecars = sidecars.plus(own);
        whileRunning = sidecars;
      } else {
        whileRunning = own.plus(sidecars);
      }
      largestInit = largestInit.max(whileRunning);
    }
    return sum.max(largestInit);
  }

  /** Pod-level requests (defaulted from pod-level limits) or limits; empty when not set. */
  private static ResourceAmounts podLevel(PodSpec spec, boolean requests) {
    return requests ? podRequests(spec) : podLimits(spec);
  }

  private static ResourceAmounts podRequests(PodSpec spec) {
    ResourceRequirements r = spec.getResources();
    if (r == null) {
      return ResourceAmounts.empty();
    }
    return podLimits(spec).with(ResourceAmounts.of(r.getRequests(), "pod-level requests"));
  }

  private static ResourceAmounts podLimits(PodSpec spec) {
    ResourceRequirements r = spec.getResources();
    return r == null
        ? ResourceAmounts.empty()
        : ResourceAmounts.of(r.getLimits(), "pod-level limits");
  }

  private static ResourceAmounts overhead(PodSpec spec) {
    return ResourceAmounts.of(spec.getOverhead(), "pod overhead");
  }

  /**
   * An init container with {@code restartPolicy: Always}: a sidecar that runs for the pod's life.
   */
  public static boolean isSidecar(Container initContainer) {
    return "Always".equals(initContainer.getRestartPolicy());
  }

  private static List<Container> all(PodSpec spec) {
    List<Container> all = new java.util.ArrayList<>(list(spec.getContainers()));
    all.addAll(list(spec.getInitContainers()));
    return all;
  }

  private static String what(Container c, String list) {
    return "container \"" + c.getName() + "\" " + list;
  }

  private static boolean notEmpty(Map<String, Quantity> map) {
    return map != null && !map.isEmpty();
  }

  private static <T> List<T> list(List<T> list) {
    return list == null ? List.of() : list;
  }
}
