package dev.vkj.core.pod;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KubeletStatusTest {
  private static final Instant NOW = Instant.parse("2026-11-26T10:00:00.750Z");

  static Pod pod(String restartPolicy, String... containers) {
    PodBuilder b =
        new PodBuilder()
            .withNewMetadata()
            .withName("p")
            .withNamespace("ns")
            .withUid("u1")
            .endMetadata()
            .withNewSpec()
            .withNodeName("vk")
            .withRestartPolicy(restartPolicy)
            .endSpec();
    for (String c : containers) {
      b.editSpec().addNewContainer().withName(c).withImage("img-" + c).endContainer().endSpec();
    }
    return b.build();
  }

  static ContainerStatus running(String name, boolean ready) {
    return new ContainerStatusBuilder()
        .withName(name)
        .withReady(ready)
        .withRestartCount(0)
        .withNewState()
        .withNewRunning()
        .withStartedAt("2026-11-26T09:59:00Z")
        .endRunning()
        .endState()
        .build();
  }

  static ContainerStatus terminated(String name, int exit) {
    return new ContainerStatusBuilder()
        .withName(name)
        .withReady(false)
        .withRestartCount(0)
        .withNewState()
        .withNewTerminated()
        .withExitCode(exit)
        .endTerminated()
        .endState()
        .build();
  }

  static ContainerStatus waiting(String name, String reason, Integer lastExit) {
    ContainerStatusBuilder b =
        new ContainerStatusBuilder()
            .withName(name)
            .withNewState()
            .withNewWaiting()
            .withReason(reason)
            .endWaiting()
            .endState();
    if (lastExit != null) {
      b.withNewLastState()
          .withNewTerminated()
          .withExitCode(lastExit)
          .endTerminated()
          .endLastState();
    }
    return b.build();
  }

  @Test
  void phaseFollowsTheKubeletTable() {
    Pod always = pod("Always", "a", "b");
    Pod never = pod("Never", "a", "b");
    Pod onFailure = pod("OnFailure", "a", "b");
    var spec = always.getSpec();
    assertThat(
            KubeletStatus.phase(spec, List.of(), List.of(running("a", true), running("b", true))))
        .isEqualTo("Running");
    assertThat(
            KubeletStatus.phase(
                spec,
                List.of(),
                List.of(running("a", true), waiting("b", "ContainerCreating", null))))
        .as("one container still creating keeps the pod Pending")
        .isEqualTo("Pending");
    assertThat(KubeletStatus.phase(spec, List.of(), List.of(running("a", true))))
        .as("a container without status is unknown")
        .isEqualTo("Pending");
    assertThat(
            KubeletStatus.phase(
                spec, List.of(), List.of(running("a", true), waiting("b", "CrashLoopBackOff", 1))))
        .as("crash loop keeps Always pods Running")
        .isEqualTo("Running");
    assertThat(
            KubeletStatus.phase(spec, List.of(), List.of(terminated("a", 0), terminated("b", 1))))
        .isEqualTo("Running");
    assertThat(
            KubeletStatus.phase(
                never.getSpec(), List.of(), List.of(terminated("a", 0), terminated("b", 0))))
        .isEqualTo("Succeeded");
    assertThat(
            KubeletStatus.phase(
                never.getSpec(), List.of(), List.of(terminated("a", 0), terminated("b", 2))))
        .isEqualTo("Failed");
    assertThat(
            KubeletStatus.phase(
                onFailure.getSpec(), List.of(), List.of(terminated("a", 0), terminated("b", 2))))
        .isEqualTo("Running");
    assertThat(
            KubeletStatus.phase(
                onFailure.getSpec(), List.of(), List.of(terminated("a", 0), terminated("b", 0))))
        .isEqualTo("Succeeded");
  }

  @Test
  void phaseWithInitContainers() {
    Pod p = pod("Never", "app");
    p.getSpec().getInitContainers().add(new io.fabric8.kubernetes.api.model.Container());
    p.getSpec().getInitContainers().get(0).setName("init");
    assertThat(
            KubeletStatus.phase(
                p.getSpec(),
                List.of(terminated("init", 1)),
                List.of(waiting("app", "PodInitializing", null))))
        .isEqualTo("Failed");
    assertThat(
            KubeletStatus.phase(
                p.getSpec(),
                List.of(running("init", false)),
                List.of(waiting("app", "PodInitializing", null))))
        .isEqualTo("Pending");
    p.getSpec().setRestartPolicy("Always");
    assertThat(
            KubeletStatus.phase(
                p.getSpec(),
                List.of(waiting("init", "CrashLoopBackOff", 1)),
                List.of(waiting("app", "PodInitializing", null))))
        .isEqualTo("Pending");
    assertThat(
            KubeletStatus.phase(
                p.getSpec(), List.of(terminated("init", 0)), List.of(running("app", true))))
        .isEqualTo("Running");
  }

  @Test
  void computeFillsDefaultsSortsAndStampsStartTime() {
    Pod p = pod("Always", "zeta", "alpha");
    PodStatus s = KubeletStatus.compute(p, null, "10.0.0.5", NOW, Map.of());
    assertThat(s.getPhase()).isEqualTo("Pending");
    assertThat(s.getHostIP()).isEqualTo("10.0.0.5");
    assertThat(s.getStartTime()).isEqualTo("2026-11-26T10:00:00Z");
    assertThat(s.getQosClass()).isEqualTo("BestEffort");
    assertThat(s.getContainerStatuses())
        .extracting(ContainerStatus::getName)
        .containsExactly("alpha", "zeta");
    ContainerStatus alpha = s.getContainerStatuses().get(0);
    assertThat(alpha.getState().getWaiting().getReason()).isEqualTo("ContainerCreating");
    assertThat(alpha.getImage()).isEqualTo("img-alpha");
    assertThat(alpha.getReady()).isFalse();
    assertThat(alpha.getRestartCount()).isZero();
    assertThat(s.getConditions())
        .extracting(PodCondition::getType)
        .containsExactly("Initialized", "Ready", "ContainersReady", "PodScheduled");
    assertThat(condition(s, "Ready").getStatus()).isEqualTo("False");
    assertThat(condition(s, "ContainersReady").getMessage())
        .isEqualTo("containers with unready status: [alpha zeta]");

    // the start time is kept once stamped
    p.setStatus(s);
    PodStatus later = KubeletStatus.compute(p, null, "10.0.0.5", NOW.plusSeconds(60), Map.of());
    assertThat(later.getStartTime()).isEqualTo("2026-11-26T10:00:00Z");
  }

  @Test
  void runningPodIsReadyWithIpsAndStableTransitionTimes() {
    Pod p = pod("Always", "a");
    PodStatus reported =
        new PodStatusBuilder()
            .withPodIP("10.1.0.7")
            .withContainerStatuses(running("a", true))
            .build();
    PodStatus s = KubeletStatus.compute(p, reported, "10.0.0.5", NOW, Map.of());
    assertThat(s.getPhase()).isEqualTo("Running");
    assertThat(s.getPodIP()).isEqualTo("10.1.0.7");
    assertThat(s.getPodIPs()).extracting(ip -> ip.getIp()).containsExactly("10.1.0.7");
    assertThat(condition(s, "Ready").getStatus()).isEqualTo("True");
    assertThat(condition(s, "Ready").getLastTransitionTime()).isEqualTo("2026-11-26T10:00:00Z");

    p.setStatus(s);
    PodStatus again = KubeletStatus.compute(p, reported, "10.0.0.5", NOW.plusSeconds(30), Map.of());
    assertThat(condition(again, "Ready").getLastTransitionTime())
        .as("unchanged condition keeps its transition time")
        .isEqualTo("2026-11-26T10:00:00Z");
    assertThat(KubeletStatus.differs(s, again)).isFalse();

    PodStatus notReady =
        new PodStatusBuilder()
            .withPodIP("10.1.0.7")
            .withContainerStatuses(running("a", false))
            .build();
    PodStatus changed =
        KubeletStatus.compute(p, notReady, "10.0.0.5", NOW.plusSeconds(30), Map.of());
    assertThat(condition(changed, "Ready").getLastTransitionTime())
        .isEqualTo("2026-11-26T10:00:30Z");
    assertThat(KubeletStatus.differs(s, changed)).isTrue();
  }

  @Test
  void foreignConditionsAreKeptAndReadinessGatesChecked() {
    Pod p = pod("Always", "a");
    p.getSpec()
        .setReadinessGates(
            List.of(new io.fabric8.kubernetes.api.model.PodReadinessGate("example.com/lb")));
    p.setStatus(
        new PodStatusBuilder()
            .withConditions(
                new PodConditionBuilder().withType("example.com/lb").withStatus("False").build())
            .build());
    PodStatus reported = new PodStatusBuilder().withContainerStatuses(running("a", true)).build();
    PodStatus s = KubeletStatus.compute(p, reported, "", NOW, Map.of());
    assertThat(s.getConditions())
        .extracting(PodCondition::getType)
        .containsExactly(
            "example.com/lb", "Initialized", "Ready", "ContainersReady", "PodScheduled");
    assertThat(condition(s, "ContainersReady").getStatus()).isEqualTo("True");
    assertThat(condition(s, "Ready").getReason()).isEqualTo("ReadinessGatesNotReady");
    assertThat(condition(s, "Ready").getMessage())
        .isEqualTo(
            "the status of pod readiness gate \"example.com/lb\" is not \"True\", but False");
  }

  @Test
  void initializedReportsIncompleteInitContainers() {
    Pod p = pod("Always", "app");
    p.getSpec().getInitContainers().add(new io.fabric8.kubernetes.api.model.Container());
    p.getSpec().getInitContainers().get(0).setName("init");
    PodStatus s = KubeletStatus.compute(p, null, "", NOW, Map.of());
    assertThat(condition(s, "Initialized").getStatus()).isEqualTo("False");
    assertThat(condition(s, "Initialized").getReason()).isEqualTo("ContainersNotInitialized");
    assertThat(condition(s, "Initialized").getMessage())
        .isEqualTo("containers with incomplete status: [init]");
    assertThat(s.getContainerStatuses().get(0).getState().getWaiting().getReason())
        .isEqualTo("PodInitializing");
    assertThat(s.getInitContainerStatuses().get(0).getState().getWaiting().getReason())
        .isEqualTo("PodInitializing");
  }

  @Test
  void qosClasses() {
    Pod best = pod("Always", "a");
    assertThat(KubeletStatus.qosClass(best.getSpec())).isEqualTo("BestEffort");
    Pod guaranteed = pod("Always", "a");
    guaranteed
        .getSpec()
        .getContainers()
        .get(0)
        .setResources(
            new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
                .withLimits(Map.of("cpu", new Quantity("500m"), "memory", new Quantity("128Mi")))
                .build());
    assertThat(KubeletStatus.qosClass(guaranteed.getSpec())).isEqualTo("Guaranteed");
    Pod burstable = pod("Always", "a");
    burstable
        .getSpec()
        .getContainers()
        .get(0)
        .setResources(
            new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
                .withRequests(Map.of("cpu", new Quantity("100m")))
                .withLimits(Map.of("cpu", new Quantity("500m"), "memory", new Quantity("128Mi")))
                .build());
    assertThat(KubeletStatus.qosClass(burstable.getSpec())).isEqualTo("Burstable");
  }

  @Test
  void qosClassFollowsPodLevelResources() {
    // spec.resources (pod-level) decides the class; the per-container rules alone said Burstable
    Pod pod = pod("Always", "a");
    pod.getSpec()
        .setResources(
            new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
                .withLimits(Map.of("cpu", new Quantity("1"), "memory", new Quantity("1Gi")))
                .build());
    assertThat(KubeletStatus.qosClass(pod.getSpec())).isEqualTo("Guaranteed");
  }

  @Test
  void diffIgnoresSubSecondTimestampsAndEmptyLists() {
    PodStatus a =
        new PodStatusBuilder()
            .withPhase("Running")
            .withStartTime("2026-11-26T10:00:00.123456Z")
            .withConditions(List.of())
            .build();
    PodStatus b =
        new PodStatusBuilder().withPhase("Running").withStartTime("2026-11-26T10:00:00Z").build();
    assertThat(KubeletStatus.differs(a, b)).isFalse();
    b.setPhase("Failed");
    assertThat(KubeletStatus.differs(a, b)).isTrue();
    assertThat(KubeletStatus.differs(null, new PodStatus())).isFalse();
  }

  @Test
  void vanishedContainerBecomesContainerStatusUnknown() {
    ContainerStatus s = KubeletStatus.terminateUnknown(running("a", true), NOW);
    assertThat(s.getState().getTerminated().getExitCode()).isEqualTo(137);
    assertThat(s.getState().getTerminated().getReason()).isEqualTo("ContainerStatusUnknown");
    assertThat(s.getLastState().getTerminated().getMessage()).contains("used to be Running");
    assertThat(s.getReady()).isFalse();
    ContainerStatus done = terminated("b", 0);
    assertThat(KubeletStatus.terminateUnknown(done, NOW).getState().getTerminated().getExitCode())
        .as("already terminated containers keep their state")
        .isZero();
  }

  static PodCondition condition(PodStatus s, String type) {
    return s.getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst()
        .orElseThrow();
  }
}
