package dev.vkj.toolkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ContainerStatusesTest {
  private static final Instant STARTED = Instant.parse("2025-03-01T10:00:02.987654321Z");
  private static final Instant FINISHED = Instant.parse("2025-03-01T10:05:00.5Z");

  @Test
  void timestampsAreWholeSecondsCutNotRounded() {
    assertThat(ContainerStatuses.timestamp(STARTED)).isEqualTo("2025-03-01T10:00:02Z");
    assertThat(ContainerStatuses.timestamp(Instant.parse("2025-03-01T10:00:00Z")))
        .isEqualTo("2025-03-01T10:00:00Z");
  }

  @Test
  void states() {
    ContainerState waiting = ContainerStatuses.waiting("ImagePullBackOff", "");
    assertThat(waiting.getWaiting().getReason()).isEqualTo("ImagePullBackOff");
    assertThat(waiting.getWaiting().getMessage()).isNull();
    assertThat(waiting.getRunning()).isNull();

    assertThat(ContainerStatuses.running(STARTED).getRunning().getStartedAt())
        .isEqualTo("2025-03-01T10:00:02Z");

    ContainerState done = ContainerStatuses.terminated(0, null, null, STARTED, FINISHED);
    assertThat(done.getTerminated().getExitCode()).isZero();
    assertThat(done.getTerminated().getReason()).isEqualTo("Completed");
    assertThat(done.getTerminated().getStartedAt()).isEqualTo("2025-03-01T10:00:02Z");
    assertThat(done.getTerminated().getFinishedAt()).isEqualTo("2025-03-01T10:05:00Z");

    ContainerState failed =
        ContainerStatuses.terminated(137, "OOMKilled", "killed", null, FINISHED, "aci://abc");
    assertThat(failed.getTerminated().getReason()).isEqualTo("OOMKilled");
    assertThat(failed.getTerminated().getMessage()).isEqualTo("killed");
    assertThat(failed.getTerminated().getStartedAt()).isNull();
    assertThat(failed.getTerminated().getContainerID()).isEqualTo("aci://abc");
    assertThat(
            ContainerStatuses.terminated(2, "", null, STARTED, FINISHED)
                .getTerminated()
                .getReason())
        .isEqualTo("Error");
  }

  @Test
  void builderDefaultsLikeTheKubelet() {
    ContainerStatus s = ContainerStatuses.of("app", "nginx:1.27").build();
    assertThat(s.getName()).isEqualTo("app");
    assertThat(s.getImage()).isEqualTo("nginx:1.27");
    assertThat(s.getImageID()).isEmpty();
    assertThat(s.getContainerID()).isNull();
    assertThat(s.getRestartCount()).isZero();
    assertThat(s.getReady()).isFalse();
    assertThat(s.getStarted()).isFalse();
    assertThat(s.getState().getWaiting().getReason()).isEqualTo("ContainerCreating");
    assertThat(s.getLastState()).isEqualTo(new ContainerState());
  }

  @Test
  void runningAfterARestart() {
    ContainerStatus s =
        ContainerStatuses.of("app", "nginx:1.27")
            .containerId("containerd://0123")
            .imageId("docker.io/library/nginx@sha256:ab")
            .restartCount(1)
            .lastState(ContainerStatuses.terminated(1, null, null, STARTED, FINISHED))
            .state(ContainerStatuses.running(FINISHED))
            .ready(true)
            .build();
    assertThat(s.getContainerID()).isEqualTo("containerd://0123");
    assertThat(s.getImageID()).isEqualTo("docker.io/library/nginx@sha256:ab");
    assertThat(s.getRestartCount()).isEqualTo(1);
    assertThat(s.getReady()).isTrue();
    assertThat(s.getStarted()).isTrue();
    assertThat(s.getState().getRunning().getStartedAt()).isEqualTo("2025-03-01T10:05:00Z");
    assertThat(s.getLastState().getTerminated().getReason()).isEqualTo("Error");

    ContainerStatus probing =
        ContainerStatuses.of("app", "nginx")
            .state(ContainerStatuses.running(STARTED))
            .started(false)
            .build();
    assertThat(probing.getStarted()).isFalse();
    assertThat(ContainerStatuses.of("init", "busybox").started(null).build().getStarted()).isNull();
  }

  @Test
  void badInputIsRefusedClearly() {
    assertThatThrownBy(() -> ContainerStatuses.of("", "nginx"))
        .hasMessage("name must not be empty");
    assertThatThrownBy(() -> ContainerStatuses.of("app", "nginx").containerId("0123"))
        .hasMessageContaining("<type>://<id>");
    assertThatThrownBy(() -> ContainerStatuses.of("app", "nginx").restartCount(-1))
        .hasMessage("restartCount must not be negative: -1");
    assertThatThrownBy(() -> ContainerStatuses.of("app", "nginx").state(new ContainerState()))
        .hasMessage("state must be exactly one of waiting, running or terminated");
    assertThatThrownBy(() -> ContainerStatuses.terminated(0, null, null, FINISHED, STARTED))
        .hasMessageContaining("is after finishedAt");
    assertThatThrownBy(() -> ContainerStatuses.waiting(null, "x"))
        .hasMessage("reason must not be empty");
  }

  @Test
  void stoppingTerminatesWhatStillRunsAndKeepsWhatEnded() {
    Instant started = Instant.parse("2030-01-01T10:00:00Z");
    Instant at = started.plusSeconds(30);
    var status = new io.fabric8.kubernetes.api.model.PodStatus();
    status.setPodIP("10.0.0.7");
    status.setStartTime(ContainerStatuses.timestamp(started));
    status.setContainerStatuses(
        java.util.List.of(
            ContainerStatuses.of("web", "nginx")
                .restartCount(2)
                .state(ContainerStatuses.running(started))
                .ready(true)
                .build(),
            ContainerStatuses.of("init-done", "busybox")
                .state(ContainerStatuses.terminated(3, null, null, started, started.plusSeconds(1)))
                .build(),
            ContainerStatuses.of("waiting", "busybox")
                .state(ContainerStatuses.waiting(ContainerStatuses.CONTAINER_CREATING, null))
                .build()));

    var stopped = ContainerStatuses.stopping(status, at, "deleted");

    assertThat(stopped.getPodIP()).isEqualTo("10.0.0.7");
    assertThat(stopped.getStartTime()).isEqualTo("2030-01-01T10:00:00Z");
    var web = stopped.getContainerStatuses().get(0);
    assertThat(web.getRestartCount()).isEqualTo(2);
    assertThat(web.getReady()).isFalse();
    assertThat(web.getState().getTerminated().getExitCode()).isZero();
    assertThat(web.getState().getTerminated().getStartedAt()).isEqualTo("2030-01-01T10:00:00Z");
    assertThat(web.getState().getTerminated().getFinishedAt()).isEqualTo("2030-01-01T10:00:30Z");
    assertThat(web.getState().getTerminated().getMessage()).isEqualTo("deleted");
    assertThat(stopped.getContainerStatuses().get(1).getState().getTerminated().getExitCode())
        .isEqualTo(3);
    var waiting = stopped.getContainerStatuses().get(2).getState().getTerminated();
    assertThat(waiting.getStartedAt()).isNull();
    assertThat(waiting.getFinishedAt()).isEqualTo("2030-01-01T10:00:30Z");
  }
}
