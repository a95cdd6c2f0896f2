package dev.vkj.provider.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vkj.spi.ErrorCode;
import dev.vkj.spi.ProviderException;
import dev.vkj.testing.Eventually;
import dev.vkj.testing.PodFixtures;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MockLifecycleTest {
  private MockHarness mock;

  @BeforeEach
  void setUp() throws Exception {
    mock = MockHarness.withDefaults();
  }

  @AfterEach
  void tearDown() {
    mock.close();
  }

  @Test
  void containersWaitForTheStartupDelayThenRun() throws Exception {
    Pod pod = PodFixtures.pod("web-1").container("app", "nginx:1.27").build();
    mock.provider.createPod(pod);

    PodStatus pending = mock.status(pod);
    assertThat(pending.getPhase()).isEqualTo("Pending");
    assertThat(pending.getPodIP()).isEqualTo("10.244.0.2");
    assertThat(pending.getHostIP()).isEqualTo("10.0.0.1");
    assertThat(pending.getStartTime()).isEqualTo("2026-11-26T12:00:00Z");
    assertThat(pending.getQosClass()).isEqualTo("BestEffort");
    ContainerStatus waiting = pending.getContainerStatuses().get(0);
    assertThat(waiting.getState().getWaiting().getReason()).isEqualTo("ContainerCreating");
    assertThat(waiting.getReady()).isFalse();
    assertThat(waiting.getStarted()).isFalse();
    assertThat(waiting.getImageID()).isEmpty();
    assertThat(condition(pending, "Ready").getReason()).isEqualTo("ContainersNotReady");

    mock.advanceMillis(1999);
    assertThat(mock.container(pod, "app").getState().getWaiting()).isNotNull();

    mock.advanceMillis(1);
    PodStatus running = mock.status(pod);
    assertThat(running.getPhase()).isEqualTo("Running");
    ContainerStatus app = running.getContainerStatuses().get(0);
    assertThat(app.getState().getRunning().getStartedAt()).isEqualTo("2026-11-26T12:00:02Z");
    assertThat(app.getContainerID()).startsWith("mock://").hasSize("mock://".length() + 64);
    assertThat(app.getImageID()).startsWith("docker.io/library/nginx@sha256:");
    assertThat(app.getReady()).isTrue();
    assertThat(app.getStarted()).isTrue();
    assertThat(app.getRestartCount()).isZero();
    assertThat(condition(running, "Ready").getStatus()).isEqualTo("True");
    assertThat(condition(running, "Ready").getLastTransitionTime())
        .isEqualTo("2026-11-26T12:00:02Z");
    assertThat(condition(running, "PodScheduled").getStatus()).isEqualTo("True");
    assertThat(mock.context.events().byReason("Pulled"))
        .singleElement()
        .satisfies(e -> assertThat(e.container()).isEqualTo("app"));
    assertThat(mock.listener.pushesFor("default", "web-1")).hasSizeGreaterThanOrEqualTo(2);
  }

  @Test
  void thePeriodicTaskPushesStatusWithoutPolling() throws Exception {
    Pod pod = PodFixtures.simplePod("pushed");
    mock.provider.createPod(pod);
    mock.advance(3);
    Eventually.within(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(mock.listener.latest("default", "pushed"))
                    .hasValueSatisfying(
                        p ->
                            assertThat(
                                    p.getStatus()
                                        .getContainerStatuses()
                                        .get(0)
                                        .getState()
                                        .getRunning())
                                .isNotNull()));
  }

  @Test
  void startupDelayAnnotationOverridesTheConfig() throws Exception {
    Pod pod =
        PodFixtures.pod("slow")
            .annotation("mock.vkj.dev/startup-delay", "5s")
            .container("app", "busybox")
            .build();
    mock.provider.createPod(pod);
    mock.advance(4);
    assertThat(mock.container(pod, "app").getState().getWaiting()).isNotNull();
    mock.advance(1);
    assertThat(mock.container(pod, "app").getState().getRunning()).isNotNull();
  }

  @Test
  void podIpsAreUniqueAndReleasedAfterDelete() throws Exception {
    try (MockHarness small = MockHarness.with("podCidr", "10.1.0.0/29")) {
      Set<String> ips = new HashSet<>();
      Pod first = null;
      for (int i = 0; i < 5; i++) {
        Pod pod = PodFixtures.simplePod("p" + i);
        first = first == null ? pod : first;
        small.provider.createPod(pod);
        ips.add(small.status(pod).getPodIP());
      }
      assertThat(ips).hasSize(5).allMatch(ip -> ip.startsWith("10.1.0."));
      assertThat(ips).doesNotContain("10.1.0.0", "10.1.0.1", "10.1.0.7");
      assertThatThrownBy(() -> small.provider.createPod(PodFixtures.simplePod("p5")))
          .isInstanceOf(ProviderException.class)
          .satisfies(
              e -> assertThat(((ProviderException) e).code()).isEqualTo(ErrorCode.TRANSIENT));

      String released = small.status(first).getPodIP();
      small.provider.deletePod(first);
      small.advance(3);
      assertThat(small.provider.getPod("default", "p0")).isEmpty();
      Pod sixth = PodFixtures.simplePod("p5");
      small.provider.createPod(sixth);
      assertThat(small.status(sixth).getPodIP()).isEqualTo(released);
    }
  }

  @Test
  void deleteStopsContainersThenRemovesThePod() throws Exception {
    Pod pod = PodFixtures.simplePod("doomed");
    mock.provider.createPod(pod);
    mock.advance(5);

    mock.provider.deletePod(pod);
    PodStatus stopped = mock.status(pod);
    ContainerStatus app = stopped.getContainerStatuses().get(0);
    assertThat(app.getState().getTerminated().getExitCode()).isZero();
    assertThat(app.getState().getTerminated().getReason()).isEqualTo("Completed");
    assertThat(app.getState().getTerminated().getStartedAt()).isEqualTo("2026-11-26T12:00:02Z");
    assertThat(app.getState().getTerminated().getFinishedAt()).isEqualTo("2026-11-26T12:00:05Z");
    assertThat(app.getReady()).isFalse();
    assertThat(stopped.getPhase()).isEqualTo("Succeeded");
    // the core records Killing when it sends the delete; the backend must not repeat it
    assertThat(mock.context.events().byReason("Killing")).isEmpty();
    assertThat(mock.listener.latest("default", "doomed").orElseThrow().getStatus().getPhase())
        .isEqualTo("Succeeded");

    mock.advance(1);
    assertThat(mock.provider.getPodStatus("default", "doomed")).isPresent();
    mock.advance(1);
    assertThat(mock.provider.getPodStatus("default", "doomed")).isEmpty();
    assertThat(mock.provider.listPods()).isEmpty();
    // deleting again is a no-op
    mock.provider.deletePod(pod);
  }

  @Test
  void podThatDiesOnSigtermExitsWith143() throws Exception {
    Pod pod =
        PodFixtures.pod("term")
            .annotation("mock.vkj.dev/on-sigterm", "terminate")
            .container("app", "busybox")
            .build();
    mock.provider.createPod(pod);
    mock.advance(3);
    mock.provider.deletePod(pod);
    ContainerStatus app = mock.container(pod, "app");
    assertThat(app.getState().getTerminated().getExitCode()).isEqualTo(143);
    assertThat(app.getState().getTerminated().getReason()).isEqualTo("Error");
    assertThat(mock.status(pod).getPhase()).isEqualTo("Failed");
  }

  @Test
  void podThatIgnoresSigtermIsKilledAfterTheGracePeriod() throws Exception {
    Pod pod =
        PodFixtures.pod("stubborn")
            .annotation("mock.vkj.dev/on-sigterm", "ignore")
            .terminationGracePeriodSeconds(30)
            .container("app", "busybox")
            .build();
    mock.provider.createPod(pod);
    mock.advance(3);
    Pod deleting =
        new PodBuilder(pod).editMetadata().withDeletionGracePeriodSeconds(5L).endMetadata().build();
    mock.provider.deletePod(deleting);
    assertThat(mock.container(pod, "app").getState().getRunning()).isNotNull();
    mock.advance(4);
    assertThat(mock.container(pod, "app").getState().getRunning()).isNotNull();
    mock.advance(1);
    ContainerStatus app = mock.container(pod, "app");
    assertThat(app.getState().getTerminated().getExitCode()).isEqualTo(137);
    assertThat(app.getState().getTerminated().getFinishedAt()).isEqualTo("2026-11-26T12:00:08Z");
    mock.advance(2);
    assertThat(mock.provider.getPod("default", "stubborn")).isEmpty();
  }

  @Test
  void initContainersRunInOrderBeforeRegularContainers() throws Exception {
    Pod pod =
        PodFixtures.pod("init")
            .initContainer("first", "busybox")
            .initContainer("second", "busybox")
            .container("app", "busybox")
            .build();
    mock.provider.createPod(pod);

    PodStatus start = mock.status(pod);
    assertThat(start.getInitContainerStatuses())
        .extracting(ContainerStatus::getName)
        .containsExactly("first", "second");
    assertThat(mock.container(pod, "first").getState().getWaiting().getReason())
        .isEqualTo("PodInitializing");
    assertThat(mock.container(pod, "app").getState().getWaiting().getReason())
        .isEqualTo("PodInitializing");
    assertThat(condition(start, "Initialized").getMessage())
        .isEqualTo("containers with incomplete status: [first second]");

    mock.advance(2);
    assertThat(mock.container(pod, "first").getState().getRunning()).isNotNull();
    assertThat(mock.container(pod, "second").getState().getWaiting()).isNotNull();
    assertThat(mock.status(pod).getPhase()).isEqualTo("Pending");

    mock.advance(1);
    ContainerStatus first = mock.container(pod, "first");
    assertThat(first.getState().getTerminated().getReason()).isEqualTo("Completed");
    assertThat(first.getReady()).isTrue();
    assertThat(first.getStarted()).isNull();
    assertThat(mock.container(pod, "second").getState().getRunning()).isNotNull();
    assertThat(mock.container(pod, "app").getState().getWaiting().getReason())
        .isEqualTo("PodInitializing");

    mock.advance(1);
    PodStatus running = mock.status(pod);
    assertThat(running.getPhase()).isEqualTo("Running");
    assertThat(mock.container(pod, "app").getState().getRunning().getStartedAt())
        .isEqualTo("2026-11-26T12:00:04Z");
    assertThat(condition(running, "Initialized").getStatus()).isEqualTo("True");
  }

  @Test
  void failedInitContainerFailsANeverPod() throws Exception {
    Pod pod =
        PodFixtures.pod("init-fail")
            .restartPolicy("Never")
            .annotation("mock.vkj.dev/exit-code.setup", "1")
            .initContainer("setup", "busybox")
            .container("app", "busybox")
            .build();
    mock.provider.createPod(pod);
    mock.advance(10);
    assertThat(mock.container(pod, "setup").getState().getTerminated().getExitCode()).isEqualTo(1);
    assertThat(mock.container(pod, "app").getState().getWaiting().getReason())
        .isEqualTo("PodInitializing");
    assertThat(mock.status(pod).getPhase()).isEqualTo("Failed");
  }

  @Test
  void failedInitContainerIsRetriedWithBackOff() throws Exception {
    Pod pod =
        PodFixtures.pod("init-retry")
            .annotation("mock.vkj.dev/exit-code.setup", "2")
            .initContainer("setup", "busybox")
            .container("app", "busybox")
            .build();
    mock.provider.createPod(pod);
    mock.advance(3); // first run ends at 3 s, restarted at once
    assertThat(mock.container(pod, "setup").getRestartCount()).isEqualTo(1);
    mock.advance(1); // second run ends at 4 s: back-off
    ContainerStatus setup = mock.container(pod, "setup");
    assertThat(setup.getState().getWaiting().getReason()).isEqualTo("CrashLoopBackOff");
    assertThat(setup.getLastState().getTerminated().getExitCode()).isEqualTo(2);
    assertThat(mock.status(pod).getPhase()).isEqualTo("Pending");
    assertThat(mock.container(pod, "app").getState().getWaiting().getReason())
        .isEqualTo("PodInitializing");
  }

  @Test
  void crashingContainerBacksOffLikeTheKubelet() throws Exception {
    Pod pod =
        PodFixtures.pod("crash")
            .uid("c0ffee")
            .annotation("mock.vkj.dev/exit-after", "5s")
            .annotation("mock.vkj.dev/exit-code", "1")
            .container("app", "busybox")
            .build();
    mock.provider.createPod(pod);

    mock.advance(2);
    assertThat(mock.container(pod, "app").getState().getRunning()).isNotNull();

    // first exit at 7 s: restarted at once
    mock.advance(5);
    ContainerStatus second = mock.container(pod, "app");
    assertThat(second.getState().getRunning().getStartedAt()).isEqualTo("2026-11-26T12:00:07Z");
    assertThat(second.getRestartCount()).isEqualTo(1);
    assertThat(second.getLastState().getTerminated().getExitCode()).isEqualTo(1);
    assertThat(second.getLastState().getTerminated().getReason()).isEqualTo("Error");
    assertThat(second.getLastState().getTerminated().getStartedAt())
        .isEqualTo("2026-11-26T12:00:02Z");
    assertThat(second.getLastState().getTerminated().getFinishedAt())
        .isEqualTo("2026-11-26T12:00:07Z");

    // every later exit waits 10 s, 20 s, 40 s ... capped at 5 min
    List<String> windows = List.of("10s", "20s", "40s", "1m20s", "2m40s", "5m0s", "5m0s");
    List<Long> seconds = List.of(10L, 20L, 40L, 80L, 160L, 300L, 300L);
    int restarts = 1;
    for (int i = 0; i < windows.size(); i++) {
      mock.advance(5); // the instance runs 5 s and exits
      ContainerStatus backingOff = mock.container(pod, "app");
      assertThat(backingOff.getState().getWaiting().getReason()).isEqualTo("CrashLoopBackOff");
      assertThat(backingOff.getState().getWaiting().getMessage())
          .isEqualTo(
              "back-off "
                  + windows.get(i)
                  + " restarting failed container=app pod=crash_default(c0ffee)");
      assertThat(backingOff.getRestartCount()).isEqualTo(restarts);
      assertThat(backingOff.getReady()).isFalse();
      assertThat(mock.status(pod).getPhase()).isEqualTo("Running");

      mock.advance(seconds.get(i) - 1);
      assertThat(mock.container(pod, "app").getState().getWaiting()).isNotNull();
      mock.advance(1);
      restarts++;
      ContainerStatus restarted = mock.container(pod, "app");
      assertThat(restarted.getState().getRunning()).as("restart %d", restarts).isNotNull();
      assertThat(restarted.getRestartCount()).isEqualTo(restarts);
    }
    assertThat(mock.context.events().byReason("BackOff")).hasSize(windows.size());
    assertThat(mock.context.events().byReason("BackOff").get(0).warning()).isTrue();
  }

  @Test
  void backOffResetsAfterTenMinutesOfRunning() throws Exception {
    Pod pod =
        PodFixtures.pod("long-runner")
            .annotation("mock.vkj.dev/exit-after", "11m")
            .annotation("mock.vkj.dev/exit-code", "1")
            .container("app", "busybox")
            .build();
    mock.provider.createPod(pod);
    mock.advance(2 + 660); // first exit: immediate restart
    assertThat(mock.container(pod, "app").getRestartCount()).isEqualTo(1);
    mock.advance(660); // ran 11 min since the last back-off update: immediate again
    ContainerStatus app = mock.container(pod, "app");
    assertThat(app.getState().getRunning()).isNotNull();
    assertThat(app.getRestartCount()).isEqualTo(2);
  }

  @Test
  void restartPolicyDecidesWhatHappensAfterExit() throws Exception {
    Pod onFailureOk = exiting("onfailure-ok", "OnFailure", "0");
    Pod onFailureBad = exiting("onfailure-bad", "OnFailure", "1");
    Pod neverOk = exiting("never-ok", "Never", "0");
    Pod neverBad = exiting("never-bad", "Never", "3");
    Pod alwaysOk = exiting("always-ok", "Always", "0");
    for (Pod pod : List.of(onFailureOk, onFailureBad, neverOk, neverBad, alwaysOk)) {
      mock.provider.createPod(pod);
    }
    mock.advance(3);

    assertThat(mock.status(onFailureOk).getPhase()).isEqualTo("Succeeded");
    assertThat(mock.container(onFailureOk, "app").getState().getTerminated().getReason())
        .isEqualTo("Completed");
    assertThat(mock.container(onFailureBad, "app").getRestartCount()).isEqualTo(1);
    assertThat(mock.status(onFailureBad).getPhase()).isEqualTo("Running");
    assertThat(mock.status(neverOk).getPhase()).isEqualTo("Succeeded");
    assertThat(mock.status(neverBad).getPhase()).isEqualTo("Failed");
    assertThat(mock.container(neverBad, "app").getState().getTerminated().getExitCode())
        .isEqualTo(3);
    assertThat(mock.container(alwaysOk, "app").getRestartCount()).isEqualTo(1);
    assertThat(mock.status(alwaysOk).getPhase()).isEqualTo("Running");
  }

  @Test
  void perContainerExitAnnotationsOnlyAffectThatContainer() throws Exception {
    Pod pod =
        PodFixtures.pod("sidecar-job")
            .restartPolicy("Never")
            .annotation("mock.vkj.dev/exit-after.worker", "3s")
            .annotation("mock.vkj.dev/exit-code.worker", "4")
            .container("app", "busybox")
            .container("worker", "busybox")
            .build();
    mock.provider.createPod(pod);
    mock.advance(5);
    assertThat(mock.container(pod, "app").getState().getRunning()).isNotNull();
    assertThat(mock.container(pod, "worker").getState().getTerminated().getExitCode()).isEqualTo(4);
    PodStatus status = mock.status(pod);
    assertThat(status.getPhase()).isEqualTo("Running");
    assertThat(condition(status, "Ready").getMessage())
        .isEqualTo("containers with unready status: [worker]");
  }

  @Test
  void failStartShowsRunContainerErrorThenStartError() throws Exception {
    Pod always =
        PodFixtures.pod("broken")
            .annotation("mock.vkj.dev/fail-start", "exec: \"serve\": executable file not found")
            .container("app", "busybox")
            .build();
    Pod never =
        PodFixtures.pod("broken-once")
            .restartPolicy("Never")
            .annotation("mock.vkj.dev/fail-start", "no such binary")
            .container("app", "busybox")
            .build();
    mock.provider.createPod(always);
    mock.provider.createPod(never);
    mock.advance(2);

    ContainerStatus first = mock.container(always, "app");
    assertThat(first.getState().getWaiting().getReason()).isEqualTo("RunContainerError");
    assertThat(first.getState().getWaiting().getMessage())
        .isEqualTo("exec: \"serve\": executable file not found");
    assertThat(first.getLastState().getTerminated().getReason()).isEqualTo("StartError");
    assertThat(first.getLastState().getTerminated().getExitCode()).isEqualTo(128);

    mock.advance(1);
    ContainerStatus second = mock.container(always, "app");
    assertThat(second.getState().getWaiting().getReason()).isEqualTo("CrashLoopBackOff");
    assertThat(second.getRestartCount()).isEqualTo(1);

    ContainerStatus once = mock.container(never, "app");
    assertThat(once.getState().getTerminated().getReason()).isEqualTo("StartError");
    assertThat(once.getState().getTerminated().getMessage()).isEqualTo("no such binary");
    assertThat(mock.status(never).getPhase()).isEqualTo("Failed");
    assertThat(mock.context.events().byReason("Failed"))
        .anySatisfy(e -> assertThat(e.message()).isEqualTo("Error: no such binary"));
  }

  @Test
  void activeDeadlineFailsThePod() throws Exception {
    Pod pod = PodFixtures.simplePod("deadline");
    pod.getSpec().setActiveDeadlineSeconds(10L);
    mock.provider.createPod(pod);
    mock.advance(9);
    assertThat(mock.status(pod).getPhase()).isEqualTo("Running");
    mock.advance(1);
    PodStatus status = mock.status(pod);
    assertThat(status.getPhase()).isEqualTo("Failed");
    assertThat(status.getReason()).isEqualTo("DeadlineExceeded");
    assertThat(mock.container(pod, "app").getState().getTerminated()).isNotNull();
    assertThat(mock.context.events().hasReason("DeadlineExceeded")).isTrue();
  }

  @Test
  void updateWithANewImageRestartsTheContainer() throws Exception {
    Pod pod = PodFixtures.pod("upd").container("app", "nginx:1.26").build();
    mock.provider.createPod(pod);
    mock.advance(3);
    Pod changed =
        new PodBuilder(pod)
            .editSpec()
            .editFirstContainer()
            .withImage("nginx:1.27")
            .endContainer()
            .endSpec()
            .editMetadata()
            .addToLabels("tier", "web")
            .endMetadata()
            .build();
    mock.provider.updatePod(changed);
    ContainerStatus restarting = mock.container(pod, "app");
    assertThat(restarting.getState().getWaiting().getReason()).isEqualTo("ContainerCreating");
    assertThat(restarting.getImage()).isEqualTo("nginx:1.27");
    mock.advance(2);
    ContainerStatus running = mock.container(pod, "app");
    assertThat(running.getState().getRunning()).isNotNull();
    assertThat(running.getRestartCount()).isEqualTo(1);
    assertThat(mock.provider.getPod("default", "upd").orElseThrow().getMetadata().getLabels())
        .containsEntry("tier", "web");

    Pod unknown = PodFixtures.simplePod("nope");
    assertThatThrownBy(() -> mock.provider.updatePod(unknown))
        .isInstanceOf(ProviderException.class)
        .satisfies(e -> assertThat(((ProviderException) e).code()).isEqualTo(ErrorCode.NOT_FOUND));
  }

  @Test
  void createIsIdempotentAndANewUidReplacesTheOldPod() throws Exception {
    Pod pod = PodFixtures.simplePod("same");
    mock.provider.createPod(pod);
    mock.advance(3);
    String firstId = mock.container(pod, "app").getContainerID();
    mock.provider.createPod(pod);
    assertThat(mock.container(pod, "app").getContainerID()).isEqualTo(firstId);
    assertThat(mock.provider.listPods()).hasSize(1);

    Pod recreated = PodFixtures.simplePod("same");
    mock.provider.createPod(recreated);
    assertThat(mock.provider.listPods())
        .singleElement()
        .satisfies(
            p -> assertThat(p.getMetadata().getUid()).isEqualTo(recreated.getMetadata().getUid()));
    assertThat(mock.container(recreated, "app").getState().getWaiting()).isNotNull();
  }

  @Test
  void podsTheMockCannotRunAreRejected() throws Exception {
    assertInvalid(
        PodFixtures.pod("u")
            .annotation("mock.vkj.dev/unrunnable", "GPU required")
            .container("a", "b")
            .build(),
        "GPU required");
    assertInvalid(
        PodFixtures.pod("h").hostNetwork(true).container("a", "b").build(), "hostNetwork");
    assertInvalid(
        PodFixtures.pod("hp")
            .volume(
                new io.fabric8.kubernetes.api.model.VolumeBuilder()
                    .withName("host")
                    .withNewHostPath()
                    .withPath("/var/run")
                    .endHostPath()
                    .build())
            .container("a", "b")
            .build(),
        "hostPath");
    assertInvalid(
        PodFixtures.pod("big").container("a", "b", c -> c.requests("30", "1Gi")).build(),
        "cpu, requested: 30000");
    assertInvalid(
        PodFixtures.pod("huge").container("a", "b", c -> c.requests("1", "200Gi")).build(),
        "memory");
    assertInvalid(
        PodFixtures.pod("typo")
            .annotation("mock.vkj.dev/exit-afterr", "1s")
            .container("a", "b")
            .build(),
        "mock.vkj.dev/exit-afterr");
    assertInvalid(
        PodFixtures.pod("bad-duration")
            .annotation("mock.vkj.dev/exit-after", "soon")
            .container("a", "b")
            .build(),
        "mock.vkj.dev/exit-after");
    assertInvalid(
        PodFixtures.pod("bad-code")
            .annotation("mock.vkj.dev/exit-code", "300")
            .container("a", "b")
            .build(),
        "mock.vkj.dev/exit-code");
    assertInvalid(
        PodFixtures.pod("bad-name")
            .annotation("mock.vkj.dev/exit-code.ghost", "1")
            .container("a", "b")
            .build(),
        "ghost");
    assertThat(mock.provider.listPods()).isEmpty();
  }

  @Test
  void podCapacityIsEnforced() throws Exception {
    try (MockHarness one = MockHarness.with("pods", "1")) {
      one.provider.createPod(PodFixtures.simplePod("a"));
      assertThatThrownBy(() -> one.provider.createPod(PodFixtures.simplePod("b")))
          .isInstanceOf(ProviderException.class)
          .hasMessageContaining("pods, requested: 1, used: 1, capacity: 1");
    }
  }

  @Test
  void thousandsOfPodsAreCheap() throws Exception {
    try (MockHarness big = MockHarness.with("pods", "1000", "cpu", "1000", "memory", "1Ti")) {
      Set<String> ips = new HashSet<>();
      for (int i = 0; i < 1000; i++) {
        big.provider.createPod(PodFixtures.simplePod("pod-" + i));
      }
      big.advance(3);
      List<Pod> pods = big.provider.listPods();
      assertThat(pods).hasSize(1000);
      for (Pod pod : pods) {
        assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
        ips.add(pod.getStatus().getPodIP());
      }
      assertThat(ips).hasSize(1000);
      assertThat(big.provider.statsSummary().pods()).hasSize(1000);
      assertThat(
              Thread.getAllStackTraces().keySet().stream()
                  .filter(t -> t.getName().startsWith("mock-"))
                  .count())
          .as("no thread per pod")
          .isZero();
    }
  }

  @Test
  void describeNodeReflectsTheConfig() throws Exception {
    try (MockHarness custom =
        MockHarness.with(
            "cpu", "8", "memory", "32Gi", "pods", "50", "operatingSystem", "windows")) {
      var node = custom.provider.describeNode();
      assertThat(node.capacity().get("cpu").toString()).isEqualTo("8");
      assertThat(node.capacity().get("memory").toString()).isEqualTo("32Gi");
      assertThat(node.capacity().get("pods").toString()).isEqualTo("50");
      assertThat(node.operatingSystem()).isEqualTo("windows");
    }
  }

  private void assertInvalid(Pod pod, String messagePart) {
    assertThatThrownBy(() -> mock.provider.createPod(pod))
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining(messagePart)
        .satisfies(
            e -> assertThat(((ProviderException) e).code()).isEqualTo(ErrorCode.INVALID_INPUT));
  }

  private static Pod exiting(String name, String policy, String code) {
    return PodFixtures.pod(name)
        .restartPolicy(policy)
        .annotation("mock.vkj.dev/exit-after", "1s")
        .annotation("mock.vkj.dev/exit-code", code)
        .container("app", "busybox")
        .build();
  }

  private static PodCondition condition(PodStatus status, String type) {
    return status.getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no condition " + type));
  }
}
