package dev.vkj.provider.fargate;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.model.Attachment;
import software.amazon.awssdk.services.ecs.model.Container;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.NetworkInterface;
import software.amazon.awssdk.services.ecs.model.Task;

final class TaskStatusTest {
  private static final Instant CREATED = Instant.parse("2026-11-26T10:00:00Z");
  private static final Instant PULLED = Instant.parse("2026-11-26T10:00:20Z");
  private static final Instant STARTED = Instant.parse("2026-11-26T10:00:30.750Z");
  private static final Instant STOPPING = Instant.parse("2026-11-26T10:05:00Z");
  private static final Instant EXECUTION_STOPPED = Instant.parse("2026-11-26T10:05:10Z");
  private static final Instant STOPPED = Instant.parse("2026-11-26T10:05:30Z");
  private static final Instant NOW = Instant.parse("2026-11-26T10:10:00Z");
  private static final String TASK_ARN =
      "arn:aws:ecs:us-east-1:123456789012:task/jcluster/0f1e2d3c4b5a69788796a5b4c3d2e1f0";
  private static final String IMAGE = "public.ecr.aws/nginx/nginx:1.27";
  private static final String DIGEST =
      "sha256:4a1c2b8e7d6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b";

  private static Container.Builder container(String name, String lastStatus) {
    return Container.builder()
        .name(name)
        .image(IMAGE)
        .lastStatus(lastStatus)
        .taskArn(TASK_ARN)
        .containerArn("arn:aws:ecs:us-east-1:123456789012:container/jcluster/0f1e/" + name)
        .runtimeId("0f1e2d3c-" + name);
  }

  private static Attachment eni(String ipv4) {
    return Attachment.builder()
        .id("att-1")
        .type("ElasticNetworkInterface")
        .status("ATTACHED")
        .details(
            KeyValuePair.builder().name("subnetId").value("subnet-0abc").build(),
            KeyValuePair.builder().name("networkInterfaceId").value("eni-0abc").build(),
            KeyValuePair.builder().name("privateIPv4Address").value(ipv4).build())
        .build();
  }

  private static Task.Builder task(String lastStatus, Container.Builder... containers) {
    Container[] built = new Container[containers.length];
    for (int i = 0; i < containers.length; i++) {
      built[i] = containers[i].build();
    }
    return Task.builder()
        .taskArn(TASK_ARN)
        .lastStatus(lastStatus)
        .desiredStatus("RUNNING")
        .createdAt(CREATED)
        .containers(built);
  }

  /** A task that ran and stopped: every time set. */
  private static Task.Builder stopped(String stopCode, Container.Builder... containers) {
    return task("STOPPED", containers)
        .desiredStatus("STOPPED")
        .attachments(eni("10.0.1.23"))
        .pullStoppedAt(PULLED)
        .startedAt(STARTED)
        .stoppingAt(STOPPING)
        .executionStoppedAt(EXECUTION_STOPPED)
        .stoppedAt(STOPPED)
        .stopCode(stopCode)
        .stoppedReason("Essential container in task exited");
  }

  private static PodStatus status(Task task) {
    return TaskStatus.of(task, Set.of(), NOW);
  }

  private static ContainerStatus only(PodStatus s) {
    assertThat(s.getContainerStatuses()).hasSize(1);
    return s.getContainerStatuses().get(0);
  }

  @Test
  void aTaskBeingPreparedIsPendingWithContainersBeingCreated() {
    for (String last : new String[] {"PROVISIONING", "PENDING", "ACTIVATING"}) {
      PodStatus s = status(task(last, container("app", "PENDING")).build());
      assertThat(s.getPhase()).as(last).isEqualTo("Pending");
      assertThat(s.getReason()).isNull();
      assertThat(s.getStartTime()).isEqualTo("2026-11-26T10:00:00Z");
      assertThat(s.getPodIP()).isNull();
      ContainerStatus c = only(s);
      assertThat(c.getName()).isEqualTo("app");
      assertThat(c.getImage()).isEqualTo(IMAGE);
      assertThat(c.getImageID()).isEmpty();
      assertThat(c.getContainerID()).isEqualTo("ecs://0f1e2d3c-app");
      assertThat(c.getState().getWaiting().getReason()).isEqualTo("ContainerCreating");
      assertThat(c.getReady()).isFalse();
      assertThat(c.getStarted()).isFalse();
      assertThat(c.getRestartCount()).isZero();
    }
  }

  @Test
  void aRunningTaskRunsItsContainersSinceItStarted() {
    Task t =
        task(
                "RUNNING",
                container("web", "RUNNING").imageDigest(DIGEST),
                container("auth", "RUNNING"))
            .attachments(eni("10.0.1.23"))
            .pullStoppedAt(PULLED)
            .startedAt(STARTED)
            .healthStatus("HEALTHY")
            .build();
    PodStatus s = status(t);
    assertThat(s.getPhase()).isEqualTo("Running");
    assertThat(s.getContainerStatuses())
        .extracting(ContainerStatus::getName)
        .as("sorted by name, as the kubelet sorts them")
        .containsExactly("auth", "web");
    ContainerStatus web = s.getContainerStatuses().get(1);
    assertThat(web.getState().getRunning().getStartedAt()).isEqualTo("2026-11-26T10:00:30Z");
    assertThat(web.getReady()).isTrue();
    assertThat(web.getStarted()).isTrue();
    assertThat(web.getImageID()).isEqualTo("public.ecr.aws/nginx/nginx@" + DIGEST);
    assertThat(s.getPodIP()).isEqualTo("10.0.1.23");
    assertThat(s.getPodIPs()).extracting(PodIP::getIp).containsExactly("10.0.1.23");
    assertThat(s.getHostIP()).isEqualTo("10.0.1.23");
    assertThat(s.getInitContainerStatuses()).isEmpty();
    assertThat(s.getConditions()).as("left to the core").isEmpty();
    assertThat(s.getQosClass()).as("left to the core").isNull();
  }

  @Test
  void unhealthyTasksAndContainersAreNotReady() {
    Task sickTask =
        task("RUNNING", container("app", "RUNNING").healthStatus("HEALTHY"))
            .startedAt(STARTED)
            .healthStatus("UNHEALTHY")
            .build();
    assertThat(only(status(sickTask)).getReady()).isFalse();
    Task sickContainer =
        task("RUNNING", container("app", "RUNNING").healthStatus("UNHEALTHY"))
            .startedAt(STARTED)
            .healthStatus("HEALTHY")
            .build();
    assertThat(only(status(sickContainer)).getReady()).isFalse();
    assertThat(only(status(sickContainer)).getState().getRunning()).isNotNull();
    Task unknown =
        task("RUNNING", container("app", "RUNNING").healthStatus("UNKNOWN"))
            .startedAt(STARTED)
            .healthStatus("UNKNOWN")
            .build();
    assertThat(only(status(unknown)).getReady()).isTrue();
  }

  @Test
  void withoutAStartTimeContainersStartAtTheLastTimeEcsKnows() {
    Task pulled = task("RUNNING", container("app", "RUNNING")).pullStoppedAt(PULLED).build();
    assertThat(only(status(pulled)).getState().getRunning().getStartedAt())
        .isEqualTo("2026-11-26T10:00:20Z");
    Task created = task("RUNNING", container("app", "RUNNING")).build();
    assertThat(only(status(created)).getState().getRunning().getStartedAt())
        .isEqualTo("2026-11-26T10:00:00Z");
    Task nothing = task("RUNNING", container("app", "RUNNING")).createdAt(null).build();
    PodStatus s = status(nothing);
    assertThat(only(s).getState().getRunning().getStartedAt()).isEqualTo("2026-11-26T10:10:00Z");
    assertThat(s.getStartTime()).isEqualTo("2026-11-26T10:10:00Z");
  }

  @Test
  void completedInitContainersAreReadyAndListedInOrder() {
    Task t =
        task(
                "RUNNING",
                container("app", "RUNNING"),
                container("warm", "STOPPED").exitCode(0),
                container("migrate", "STOPPED").exitCode(0))
            .startedAt(STARTED)
            .build();
    PodStatus s =
        TaskStatus.of(t, new java.util.LinkedHashSet<>(java.util.List.of("migrate", "warm")), NOW);
    assertThat(s.getPhase()).isEqualTo("Running");
    assertThat(s.getInitContainerStatuses())
        .extracting(ContainerStatus::getName)
        .containsExactly("migrate", "warm");
    ContainerStatus migrate = s.getInitContainerStatuses().get(0);
    var done = migrate.getState().getTerminated();
    assertThat(done.getExitCode()).isZero();
    assertThat(done.getReason()).isEqualTo("Completed");
    assertThat(done.getMessage()).isNull();
    assertThat(done.getContainerID()).isEqualTo("ecs://0f1e2d3c-migrate");
    assertThat(migrate.getReady()).isTrue();
    assertThat(only(s).getName()).isEqualTo("app");
    assertThat(only(s).getReady()).isTrue();
  }

  @Test
  void whileInitContainersRunTheAppWaitsForThem() {
    Task t =
        task("RUNNING", container("app", "PENDING"), container("migrate", "RUNNING"))
            .startedAt(STARTED)
            .build();
    PodStatus s = TaskStatus.of(t, Set.of("migrate"), NOW);
    assertThat(s.getPhase()).isEqualTo("Pending");
    ContainerStatus migrate = s.getInitContainerStatuses().get(0);
    assertThat(migrate.getState().getRunning()).isNotNull();
    assertThat(migrate.getReady()).as("still initializing").isFalse();
    assertThat(only(s).getState().getWaiting().getReason()).isEqualTo("PodInitializing");

    // before the task runs, init containers are being created like any other
    PodStatus pending =
        TaskStatus.of(
            task("PENDING", container("app", "PENDING"), container("migrate", "PENDING")).build(),
            Set.of("migrate"),
            NOW);
    assertThat(pending.getInitContainerStatuses().get(0).getState().getWaiting().getReason())
        .isEqualTo("ContainerCreating");
    assertThat(only(pending).getState().getWaiting().getReason()).isEqualTo("PodInitializing");
  }

  @Test
  void aSidecarRunningNextToTheAppIsReady() {
    Task t =
        task("RUNNING", container("app", "RUNNING"), container("proxy", "RUNNING"))
            .startedAt(STARTED)
            .build();
    PodStatus s = TaskStatus.of(t, Set.of("proxy"), NOW);
    assertThat(s.getPhase()).isEqualTo("Running");
    assertThat(s.getInitContainerStatuses().get(0).getReady()).isTrue();
  }

  @Test
  void aStoppedTaskWhoseAppContainersExitedZeroSucceeded() {
    Task t =
        stopped(
                "EssentialContainerExited",
                container("app", "STOPPED").exitCode(0),
                container("helper", "STOPPED").exitCode(0))
            .build();
    PodStatus s = status(t);
    assertThat(s.getPhase()).isEqualTo("Succeeded");
    assertThat(s.getReason()).isNull();
    ContainerStatus app = s.getContainerStatuses().get(0);
    var end = app.getState().getTerminated();
    assertThat(end.getExitCode()).isZero();
    assertThat(end.getReason()).isEqualTo("Completed");
    assertThat(end.getMessage()).isEqualTo("Essential container in task exited");
    assertThat(end.getStartedAt()).isEqualTo("2026-11-26T10:00:30Z");
    assertThat(end.getFinishedAt()).isEqualTo("2026-11-26T10:05:10Z");
    assertThat(app.getReady()).isFalse();
    assertThat(s.getPodIP()).isEqualTo("10.0.1.23");
  }

  @Test
  void aStoppedTaskWithAFailedAppContainerFailed() {
    Task t =
        stopped(
                "EssentialContainerExited",
                container("app", "STOPPED").exitCode(1),
                container("helper", "STOPPED").exitCode(0))
            .build();
    PodStatus s = status(t);
    assertThat(s.getPhase()).isEqualTo("Failed");
    assertThat(s.getReason()).as("the container states tell why").isNull();
    var end = s.getContainerStatuses().get(0).getState().getTerminated();
    assertThat(end.getExitCode()).isEqualTo(1);
    assertThat(end.getReason()).isEqualTo("Error");
  }

  @Test
  void anOutOfMemoryKillIsOomKilled() {
    Task t =
        stopped(
                "EssentialContainerExited",
                container("app", "STOPPED")
                    .exitCode(137)
                    .reason("OutOfMemoryError: Container killed due to memory usage"))
            .build();
    PodStatus s = status(t);
    assertThat(s.getPhase()).isEqualTo("Failed");
    var end = only(s).getState().getTerminated();
    assertThat(end.getExitCode()).isEqualTo(137);
    assertThat(end.getReason()).isEqualTo("OOMKilled");
    assertThat(end.getMessage())
        .isEqualTo("OutOfMemoryError: Container killed due to memory usage");
  }

  @Test
  void aTaskThatFailedToStartFailsThePodWithThePullError() {
    String pullError =
        "CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to"
            + " resolve ref public.ecr.aws/nginx/nginx:9.99: not found";
    Task t =
        task(
                "STOPPED",
                container("app", "STOPPED").reason(pullError),
                container("helper", "STOPPED"))
            .desiredStatus("STOPPED")
            .attachments(eni("10.0.1.23"))
            .stoppingAt(STOPPING)
            .stoppedAt(STOPPED)
            .stopCode("TaskFailedToStart")
            .stoppedReason(pullError)
            .build();
    PodStatus s = status(t);
    assertThat(s.getPhase()).isEqualTo("Failed");
    assertThat(s.getReason()).isEqualTo("TaskFailedToStart");
    assertThat(s.getMessage()).isEqualTo(pullError);
    var app = s.getContainerStatuses().get(0).getState().getTerminated();
    assertThat(app.getExitCode()).isEqualTo(128);
    assertThat(app.getReason()).isEqualTo("ErrImagePull");
    assertThat(app.getMessage()).isEqualTo(pullError);
    assertThat(app.getStartedAt()).as("it never ran").isNull();
    assertThat(app.getFinishedAt()).isEqualTo("2026-11-26T10:05:30Z");
    var helper = s.getContainerStatuses().get(1).getState().getTerminated();
    assertThat(helper.getExitCode()).isEqualTo(128);
    assertThat(helper.getReason()).isEqualTo("TaskFailedToStart");
    assertThat(helper.getMessage()).isEqualTo(pullError);
  }

  @Test
  void secretsThatCouldNotBeReadAreAConfigError() {
    String error =
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource"
            + " retrieval failed: unable to retrieve secret from ssm";
    Task t =
        task("STOPPED", container("app", "STOPPED").reason(error))
            .stopCode("TaskFailedToStart")
            .stoppedReason(error)
            .stoppedAt(STOPPED)
            .build();
    var end = only(status(t)).getState().getTerminated();
    assertThat(end.getReason()).isEqualTo("CreateContainerConfigError");
    assertThat(end.getExitCode()).isEqualTo(128);
  }

  @Test
  void aStoppedContainerWithoutAnExitCodeEndedUnknown() {
    Task t =
        stopped("UserInitiated", container("app", "STOPPED"))
            .stoppedReason("Task stopped by user")
            .build();
    PodStatus s = status(t);
    assertThat(s.getPhase()).isEqualTo("Failed");
    var end = only(s).getState().getTerminated();
    assertThat(end.getExitCode()).isEqualTo(137);
    assertThat(end.getReason()).isEqualTo("ContainerStatusUnknown");
    assertThat(end.getMessage()).isEqualTo("Task stopped by user");
    assertThat(end.getStartedAt()).isEqualTo("2026-11-26T10:00:30Z");
  }

  @Test
  void aSpotInterruptionIsThePodsReason() {
    Task t =
        stopped("SpotInterruption", container("app", "STOPPED").exitCode(143))
            .stoppedReason("Your Spot Task was interrupted.")
            .build();
    PodStatus s = status(t);
    assertThat(s.getPhase()).isEqualTo("Failed");
    assertThat(s.getReason()).isEqualTo("SpotInterruption");
    assertThat(s.getMessage()).isEqualTo("Your Spot Task was interrupted.");
    assertThat(only(s).getState().getTerminated().getReason()).isEqualTo("Error");
  }

  @Test
  void noFinalPhaseBeforeTheTaskIsStopped() {
    for (String last : new String[] {"DEACTIVATING", "STOPPING", "DEPROVISIONING"}) {
      Task t =
          task(last, container("app", "STOPPED").exitCode(0))
              .desiredStatus("STOPPED")
              .startedAt(STARTED)
              .stoppingAt(STOPPING)
              .build();
      PodStatus s = status(t);
      assertThat(s.getPhase()).as(last).isEqualTo("Running");
      var end = only(s).getState().getTerminated();
      assertThat(end.getExitCode()).isZero();
      assertThat(end.getFinishedAt()).isEqualTo("2026-11-26T10:05:00Z");
    }
  }

  @Test
  void noExitCodeIsMadeUpWhileTheTaskStops() {
    Task t =
        task("STOPPING", container("app", "STOPPED"))
            .desiredStatus("STOPPED")
            .startedAt(STARTED)
            .build();
    ContainerStatus c = only(status(t));
    assertThat(c.getState().getTerminated()).isNull();
    assertThat(c.getState().getRunning().getStartedAt()).isEqualTo("2026-11-26T10:00:30Z");
    assertThat(c.getReady()).isFalse();

    Task neverStarted =
        task("DEACTIVATING", container("app", "PENDING")).desiredStatus("STOPPED").build();
    PodStatus s = status(neverStarted);
    assertThat(s.getPhase()).isEqualTo("Pending");
    assertThat(only(s).getState().getWaiting().getReason()).isEqualTo("ContainerCreating");

    Task pullFailing =
        task(
                "DEACTIVATING",
                container("app", "STOPPED")
                    .reason("CannotPullContainerError: access denied for ecr"))
            .desiredStatus("STOPPED")
            .build();
    var waiting = only(status(pullFailing)).getState().getWaiting();
    assertThat(waiting.getReason()).isEqualTo("ErrImagePull");
    assertThat(waiting.getMessage()).isEqualTo("CannotPullContainerError: access denied for ecr");
  }

  @Test
  void theIpComesFromTheEniElseTheContainerNetworkInterfaces() {
    Task eni =
        task("RUNNING", container("app", "RUNNING"))
            .attachments(
                Attachment.builder().type("ServiceConnect").build(),
                Attachment.builder()
                    .type("ElasticNetworkInterface")
                    .details(
                        KeyValuePair.builder().name("privateIPv4Address").value("10.0.2.9").build(),
                        KeyValuePair.builder().name("ipv6Address").value("2600:1f18::9").build())
                    .build())
            .build();
    PodStatus s = status(eni);
    assertThat(s.getPodIP()).isEqualTo("10.0.2.9");
    assertThat(s.getPodIPs()).extracting(PodIP::getIp).containsExactly("10.0.2.9", "2600:1f18::9");
    assertThat(s.getHostIP()).isEqualTo("10.0.2.9");

    Task fallback =
        task(
                "RUNNING",
                container("app", "RUNNING")
                    .networkInterfaces(
                        NetworkInterface.builder()
                            .attachmentId("att-1")
                            .privateIpv4Address("10.0.3.4")
                            .build()))
            .build();
    assertThat(status(fallback).getPodIP()).isEqualTo("10.0.3.4");
  }

  @Test
  void imageIdsNameTheRepositoryAndTheDigest() {
    assertThat(TaskStatus.imageId(IMAGE, DIGEST)).isEqualTo("public.ecr.aws/nginx/nginx@" + DIGEST);
    assertThat(TaskStatus.imageId("registry.local:5000/team/app:1.0", DIGEST))
        .isEqualTo("registry.local:5000/team/app@" + DIGEST);
    assertThat(TaskStatus.imageId("registry.local:5000/team/app", DIGEST))
        .isEqualTo("registry.local:5000/team/app@" + DIGEST);
    assertThat(TaskStatus.imageId("nginx@" + DIGEST, DIGEST)).isEqualTo("nginx@" + DIGEST);
    assertThat(TaskStatus.imageId(null, DIGEST)).isEqualTo(DIGEST);
    assertThat(TaskStatus.imageId(IMAGE, null)).isNull();
  }

  @Test
  void containerIdsUseTheRuntimeIdElseTheArn() {
    Task t =
        task(
                "RUNNING",
                container("a", "RUNNING").runtimeId(null),
                container("b", "RUNNING").runtimeId(null).containerArn(null))
            .build();
    PodStatus s = status(t);
    assertThat(s.getContainerStatuses().get(0).getContainerID())
        .isEqualTo("ecs://arn:aws:ecs:us-east-1:123456789012:container/jcluster/0f1e/a");
    assertThat(s.getContainerStatuses().get(1).getContainerID()).isNull();
  }

  @Test
  void sparseTasksDoNotBreakTheMapping() {
    PodStatus empty = TaskStatus.of(Task.builder().build(), Set.of("init"), NOW);
    assertThat(empty.getPhase()).isEqualTo("Pending");
    assertThat(empty.getContainerStatuses()).isEmpty();
    assertThat(empty.getStartTime()).isEqualTo("2026-11-26T10:10:00Z");
    assertThat(empty.getPodIP()).isNull();

    Task nameless =
        Task.builder()
            .lastStatus("RUNNING")
            .containers(Container.builder().build(), Container.builder().name("app").build())
            .attachments(Attachment.builder().build())
            .build();
    PodStatus s = TaskStatus.of(nameless, Set.of(), NOW);
    assertThat(s.getPhase()).isEqualTo("Pending");
    ContainerStatus app = only(s);
    assertThat(app.getImage()).isNull();
    assertThat(app.getContainerID()).isNull();
    assertThat(app.getState().getWaiting().getReason()).isEqualTo("ContainerCreating");

    Task stoppedBare =
        Task.builder()
            .lastStatus("STOPPED")
            .containers(Container.builder().name("app").build())
            .build();
    PodStatus gone = TaskStatus.of(stoppedBare, Set.of(), NOW);
    assertThat(gone.getPhase()).isEqualTo("Failed");
    assertThat(only(gone).getState().getTerminated().getExitCode()).isEqualTo(137);
    assertThat(only(gone).getState().getTerminated().getFinishedAt())
        .isEqualTo("2026-11-26T10:10:00Z");

    Task bareStopCode =
        Task.builder()
            .lastStatus("STOPPED")
            .stopCode("TaskFailedToStart")
            .containers(Container.builder().name("app").exitCode(null).build())
            .build();
    PodStatus failed = TaskStatus.of(bareStopCode, Set.of("missing"), NOW);
    assertThat(failed.getPhase()).isEqualTo("Failed");
    assertThat(failed.getMessage()).isNull();
    assertThat(failed.getInitContainerStatuses()).isEmpty();
  }

  @Test
  void aStatusEcsAddsLaterLeavesThePhaseToTheCore() {
    Task t = task("SUSPENDED", container("app", "RUNNING")).startedAt(STARTED).build();
    assertThat(status(t).getPhase()).isNull();
  }

  @Test
  void ecsErrorNamesBecomeKubeletReasons() {
    assertThat(TaskStatus.kubeletReason("CannotPullContainerError: x")).isEqualTo("ErrImagePull");
    assertThat(TaskStatus.kubeletReason("ResourceInitializationError: x"))
        .isEqualTo("CreateContainerConfigError");
    assertThat(TaskStatus.kubeletReason("CannotCreateContainerError: x"))
        .isEqualTo("CreateContainerError");
    assertThat(TaskStatus.kubeletReason("CannotStartContainerError: x")).isEqualTo("StartError");
    assertThat(TaskStatus.kubeletReason("OutOfMemoryError: x")).isEqualTo("OOMKilled");
    assertThat(TaskStatus.kubeletReason("DockerTimeoutError: x")).isEqualTo("DockerTimeoutError");
    assertThat(TaskStatus.kubeletReason("Essential container in task exited")).isNull();
    assertThat(TaskStatus.kubeletReason("  ")).isNull();
    assertThat(TaskStatus.kubeletReason(null)).isNull();
  }
}
