package dev.vkj.toolkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodResourcesTest {
  /** A container from "cpu=250m,memory=64Mi" style lists; null for none. */
  private static Container container(String name, String requests, String limits) {
    return new ContainerBuilder()
        .withName(name)
        .withImage("busybox")
        .withResources(
            new ResourceRequirementsBuilder()
                .withRequests(list(requests))
                .withLimits(list(limits))
                .build())
        .build();
  }

  private static Container sidecar(String name, String requests, String limits) {
    Container c = container(name, requests, limits);
    c.setRestartPolicy("Always");
    return c;
  }

  private static Map<String, Quantity> list(String spec) {
    if (spec == null) {
      return null;
    }
    Map<String, Quantity> out = new HashMap<>();
    for (String part : spec.split(",")) {
      String[] kv = part.split("=", 2);
      out.put(kv[0], new Quantity(kv[1]));
    }
    return out;
  }

  private static PodSpec pod(List<Container> init, Container... containers) {
    return new PodSpecBuilder().withInitContainers(init).withContainers(containers).build();
  }

  private static ResourceAmounts amounts(String spec) {
    return ResourceAmounts.of(list(spec), "test");
  }

  @Test
  void requestsAndLimitsSumTheAppContainers() {
    // the Kubernetes documentation's example: two containers of 250m/64Mi requests, 500m/128Mi
    // limits
    PodSpec spec =
        pod(
            List.of(),
            container("app", "cpu=250m,memory=64Mi", "cpu=500m,memory=128Mi"),
            container("log-aggregator", "cpu=250m,memory=64Mi", "cpu=500m,memory=128Mi"));
    ResourceAmounts requests = PodResources.requests(spec);
    ResourceAmounts limits = PodResources.limits(spec);
    assertThat(requests.milliCpu()).isEqualTo(500);
    assertThat(requests.memoryBytes()).isEqualTo(128L * 1024 * 1024);
    assertThat(limits.milliCpu()).isEqualTo(1000);
    assertThat(limits.memoryBytes()).isEqualTo(256L * 1024 * 1024);
    assertThat(requests).isEqualTo(amounts("cpu=500m,memory=128Mi"));
    assertThat(PodResources.unbounded(spec, "memory")).isFalse();
  }

  @Test
  void initContainersCountByTheirLargest() {
    PodSpec spec =
        pod(
            List.of(
                container("migrate", "cpu=2,memory=1Gi", null), container("warm", "cpu=1", null)),
            container("a", "cpu=500m,memory=256Mi", null),
            container("b", "cpu=500m,memory=256Mi", null));
    // max(sum of apps = 1 cpu / 512Mi, largest init = 2 cpu / 1Gi)
    assertThat(PodResources.requests(spec)).isEqualTo(amounts("cpu=2,memory=1Gi"));

    PodSpec small =
        pod(List.of(container("init", "cpu=100m", null)), container("a", "cpu=1", null));
    assertThat(PodResources.requests(small).milliCpu()).isEqualTo(1000);
  }

  @Test
  void sidecarsRunWithTheAppsAndTheInitContainersAfterThem() {
    // KEP-753: sidecar 1 cpu, then an init of 2, app of 3 -> max(3 + 1, 1, 2 + 1) = 4
    PodSpec spec =
        pod(
            List.of(sidecar("proxy", "cpu=1", null), container("init", "cpu=2", null)),
            container("app", "cpu=3", null));
    assertThat(PodResources.requests(spec).milliCpu()).isEqualTo(4000);

    // a big init after the sidecar: max(2 + 1, 5 + 1) = 6
    PodSpec bigInit =
        pod(
            List.of(sidecar("proxy", "cpu=1", null), container("init", "cpu=5", null)),
            container("app", "cpu=2", null));
    assertThat(PodResources.requests(bigInit).milliCpu()).isEqualTo(6000);

    // an init before the sidecar does not run with it: max(2 + 1, 5) = 5
    PodSpec initFirst =
        pod(
            List.of(container("init", "cpu=5", null), sidecar("proxy", "cpu=1", null)),
            container("app", "cpu=2", null));
    assertThat(PodResources.requests(initFirst).milliCpu()).isEqualTo(5000);
    assertThat(PodResources.isSidecar(initFirst.getInitContainers().get(1))).isTrue();
  }

  @Test
  void overheadAddsToRequestsAndToTheLimitsThatAreSet() {
    PodSpec spec = pod(List.of(), container("app", "cpu=1,memory=1Gi", "cpu=2"));
    spec.setOverhead(list("cpu=250m,memory=120Mi"));
    assertThat(PodResources.requests(spec))
        .isEqualTo(amounts("cpu=1250m,memory=" + (1024 + 120) + "Mi"));
    // no memory limit anywhere: the overhead does not invent one
    assertThat(PodResources.limits(spec)).isEqualTo(amounts("cpu=2250m"));
    assertThat(PodResources.unbounded(spec, "memory")).isTrue();
    assertThat(PodResources.unbounded(spec, "cpu")).isFalse();
  }

  @Test
  void limitsDefaultTheRequestsOfEveryResourceIncludingExtendedOnes() {
    PodSpec spec =
        pod(
            List.of(),
            container("train", null, "cpu=4,memory=16Gi,nvidia.com/gpu=2,ephemeral-storage=10Gi"),
            container("side", "cpu=100m", "cpu=200m,nvidia.com/gpu=1"));
    ResourceAmounts requests = PodResources.requests(spec);
    assertThat(requests.milliCpu()).isEqualTo(4100);
    assertThat(requests.value("nvidia.com/gpu")).isEqualTo(3);
    assertThat(requests.ephemeralStorageBytes()).isEqualTo(10L * 1024 * 1024 * 1024);
    assertThat(PodResources.limits(spec).milliCpu()).isEqualTo(4200);
  }

  @Test
  void podLevelResourcesReplaceTheContainersSum() {
    PodSpec spec =
        pod(List.of(), container("a", "cpu=1,memory=1Gi", null), container("b", "cpu=1", null));
    spec.setResources(
        new ResourceRequirementsBuilder().withLimits(list("cpu=4,memory=2Gi")).build());
    spec.setOverhead(list("cpu=100m"));
    // pod-level requests default to pod-level limits; the overhead still adds
    assertThat(PodResources.requests(spec)).isEqualTo(amounts("cpu=4100m,memory=2Gi"));
    assertThat(PodResources.limits(spec)).isEqualTo(amounts("cpu=4100m,memory=2Gi"));
    assertThat(PodResources.unbounded(spec, "memory")).isFalse();
  }

  @Test
  void unitsRoundUpLikeTheApi() {
    assertThat(amounts("cpu=0.0001").milliCpu()).isEqualTo(1);
    assertThat(amounts("cpu=1.5").milliCpu()).isEqualTo(1500);
    assertThat(amounts("cpu=100m").milliCpu()).isEqualTo(100);
    assertThat(amounts("memory=129M").memoryBytes()).isEqualTo(129_000_000);
    assertThat(amounts("memory=1.5Gi").memoryBytes()).isEqualTo(1_610_612_736);
    assertThat(amounts("memory=1e3").memoryBytes()).isEqualTo(1000);
    assertThat(amounts("memory=0.5").memoryBytes()).isEqualTo(1);
    assertThat(ResourceAmounts.empty().milliCpu()).isZero();
    assertThat(amounts("cpu=250m,memory=64Mi,nvidia.com/gpu=1").toQuantities())
        .containsEntry("cpu", new Quantity("250m"))
        .containsEntry("memory", new Quantity("67108864"))
        .containsEntry("nvidia.com/gpu", new Quantity("1"));
    assertThat(amounts("cpu=2").toQuantities()).containsEntry("cpu", new Quantity("2"));
  }

  @Test
  void amountsCombine() {
    ResourceAmounts a = amounts("cpu=1,memory=1Gi");
    ResourceAmounts b = amounts("cpu=500m,example.com/foo=3");
    assertThat(a.plus(b)).isEqualTo(amounts("cpu=1500m,memory=1Gi,example.com/foo=3"));
    assertThat(a.max(b)).isEqualTo(amounts("cpu=1,memory=1Gi,example.com/foo=3"));
    assertThat(a.with(b)).isEqualTo(amounts("cpu=500m,memory=1Gi,example.com/foo=3"));
    assertThat(amounts("cpu=1000m"))
        .isEqualTo(amounts("cpu=1"))
        .hasSameHashCodeAs(amounts("cpu=1"));
    assertThat(amounts("cpu=0").contains("cpu")).isTrue();
    assertThat(amounts("cpu=0")).isNotEqualTo(ResourceAmounts.empty());
    assertThat(a.toString()).isEqualTo("{cpu=1, memory=1073741824}");
    assertThat(ResourceAmounts.ofAmounts(Map.of("cpu", new BigDecimal("0.25"))).milliCpu())
        .isEqualTo(250);
  }

  @Test
  void badQuantitiesNameTheContainer() {
    Container bad = container("app", null, null);
    bad.getResources().setRequests(Map.of("cpu", new Quantity("lots")));
    assertThatThrownBy(() -> PodResources.requests(pod(List.of(), bad)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("container \"app\" requests: cpu is not a valid quantity: 'lots'");
    assertThatThrownBy(() -> amounts("memory=-1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("test: memory must not be negative: '-1'");
    assertThatThrownBy(() -> ResourceAmounts.ofAmounts(Map.of("cpu", BigDecimal.ONE.negate())))
        .hasMessage("the amount of cpu must not be negative: -1");
  }

  // ---- QoS ----

  @Test
  void bestEffortWithoutCpuOrMemoryAnywhere() {
    assertThat(PodResources.qosClass(pod(List.of(), new ContainerBuilder().withName("a").build())))
        .isEqualTo(QosClass.BEST_EFFORT);
    // zero amounts and extended resources do not count
    assertThat(PodResources.qosClass(pod(List.of(), container("a", "cpu=0,memory=0", null))))
        .isEqualTo(QosClass.BEST_EFFORT);
    assertThat(PodResources.qosClass(pod(List.of(), container("a", null, "nvidia.com/gpu=1"))))
        .isEqualTo(QosClass.BEST_EFFORT);
    assertThat(QosClass.BEST_EFFORT.value()).isEqualTo("BestEffort");
  }

  @Test
  void guaranteedWhenEveryContainerHasEqualCpuAndMemoryRequestsAndLimits() {
    PodSpec spec =
        pod(
            List.of(container("init", "cpu=1,memory=1Gi", "cpu=1,memory=1Gi")),
            container("a", "cpu=500m,memory=512Mi", "cpu=500m,memory=512Mi"),
            // requests defaulted from limits
            container("b", null, "cpu=2,memory=1Gi,nvidia.com/gpu=1"));
    assertThat(PodResources.qosClass(spec)).isEqualTo(QosClass.GUARANTEED);
    assertThat(QosClass.GUARANTEED.toString()).isEqualTo("Guaranteed");
  }

  @Test
  void burstableOtherwise() {
    // request below limit
    assertThat(
            PodResources.qosClass(
                pod(List.of(), container("a", "cpu=500m,memory=1Gi", "cpu=1,memory=1Gi"))))
        .isEqualTo(QosClass.BURSTABLE);
    // a container without a memory limit
    assertThat(
            PodResources.qosClass(
                pod(
                    List.of(),
                    container("a", null, "cpu=1,memory=1Gi"),
                    container("b", null, "cpu=1"))))
        .isEqualTo(QosClass.BURSTABLE);
    // an init container without limits spoils Guaranteed
    assertThat(
            PodResources.qosClass(
                pod(
                    List.of(container("init", "cpu=1", null)),
                    container("a", null, "cpu=1,memory=1Gi"))))
        .isEqualTo(QosClass.BURSTABLE);
    // an explicit zero request with a limit: requests and limits differ in resources
    assertThat(
            PodResources.qosClass(
                pod(List.of(), container("a", "cpu=0,memory=0", "cpu=1,memory=1Gi"))))
        .isEqualTo(QosClass.BURSTABLE);
    // requests only
    assertThat(PodResources.qosClass(pod(List.of(), container("a", "memory=1Gi", null))))
        .isEqualTo(QosClass.BURSTABLE);
  }

  @Test
  void podLevelResourcesDecideTheQosClass() {
    PodSpec spec = pod(List.of(), container("a", null, null), container("b", "cpu=100m", null));
    spec.setResources(
        new ResourceRequirementsBuilder().withLimits(list("cpu=1,memory=1Gi")).build());
    assertThat(PodResources.qosClass(spec)).isEqualTo(QosClass.GUARANTEED);
    spec.setResources(
        new ResourceRequirementsBuilder()
            .withRequests(list("cpu=500m,memory=1Gi"))
            .withLimits(list("cpu=1,memory=1Gi"))
            .build());
    assertThat(PodResources.qosClass(spec)).isEqualTo(QosClass.BURSTABLE);
    spec.setResources(new ResourceRequirementsBuilder().withLimits(list("cpu=1")).build());
    assertThat(PodResources.qosClass(spec)).isEqualTo(QosClass.BURSTABLE);
  }
}
