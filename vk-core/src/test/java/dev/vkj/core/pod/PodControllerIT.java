package dev.vkj.core.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.vkj.core.MockApiServer;
import dev.vkj.spi.ErrorCode;
import dev.vkj.spi.ProviderException;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PodControllerIT {
  private static final String NODE = "vk";
  private static final String NS = "ns";
  private static final String HOLD = "test.vkj.dev/hold";
  private static final Map<String, String> NODE_LABEL = Map.of("vkj.dev/test-node", NODE);

  @RegisterExtension final MockApiServer api = new MockApiServer(new RecordingClient());
  KubernetesMockServer server;
  KubernetesClient client;

  @BeforeEach
  void connect() {
    server = api.server();
    client = api.client();
  }

  private final RecordingEvents events = new RecordingEvents();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private PodController controller;
  private int maxRetries = 20;
  private Duration pollInterval = Duration.ofMillis(200);

  @BeforeEach
  void clearRecordedRequests() {
    RecordingClient.REQUESTS.clear();
  }

  @AfterEach
  void stop() {
    if (controller != null) {
      controller.close();
    }
    // close our connections before the extension stops the mock server, which waits for them
    client.close();
  }

  private PodController start(FakeProvider provider) throws InterruptedException {
    return start(provider, Clock.systemUTC());
  }

  private PodController start(FakeProvider provider, Clock clock) throws InterruptedException {
    provider.clock = clock;
    PodControllerConfig config =
        PodControllerConfig.defaults(NODE)
            .withClock(clock)
            .withMaxRetries(maxRetries)
            .withWorkers(2)
            .withMeterRegistry(meters)
            .withHostIp(() -> "10.0.0.5")
            .withStatusPollInterval(pollInterval);
    controller = new PodController(client, provider, events, config, NODE_LABEL);
    controller.start();
    assertThat(controller.isRunning()).isTrue();
    return controller;
  }

  static PodBuilder pod(String name) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(NS)
        .withLabels(NODE_LABEL)
        .endMetadata()
        .withNewSpec()
        .withNodeName(NODE)
        .addNewContainer()
        .withName("app")
        .withImage("nginx:1.25")
        .endContainer()
        .endSpec();
  }

  private Pod create(Pod pod) {
    return client.pods().inNamespace(NS).resource(pod).create();
  }

  private Pod get(String name) {
    return client.pods().inNamespace(NS).withName(name).get();
  }

  private static void await(String what, BooleanSupplier condition) {
    // generous: a loaded machine is slow, and waiting longer for a condition proves no less
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return;
      }
      try {
        Thread.sleep(25);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail("interrupted while waiting for " + what);
      }
    }
    fail("timed out waiting for " + what);
  }

  private static String phase(Pod p) {
    return p == null || p.getStatus() == null ? null : p.getStatus().getPhase();
  }

  @ParameterizedTest(name = "notifier={0}")
  @ValueSource(booleans = {false, true})
  void createdPodBecomesRunningWithIpAndConditions(boolean notifier) throws Exception {
    FakeProvider provider = notifier ? new FakeProvider.Notifying() : new FakeProvider();
    start(provider);
    create(pod("web").build());

    await("pod running", () -> "Running".equals(phase(get("web"))));
    Pod api = get("web");
    assertThat(api.getStatus().getPodIP()).startsWith("10.1.0.");
    assertThat(api.getStatus().getHostIP()).isEqualTo("10.0.0.5");
    assertThat(api.getStatus().getStartTime()).isNotBlank();
    assertThat(api.getStatus().getQosClass()).isEqualTo("BestEffort");
    assertThat(api.getStatus().getContainerStatuses())
        .singleElement()
        .satisfies(s -> assertThat(s.getReady()).isTrue());
    assertThat(api.getStatus().getConditions())
        .extracting(PodCondition::getType)
        .containsExactly("Initialized", "Ready", "ContainersReady", "PodScheduled");
    assertThat(api.getStatus().getConditions()).allMatch(c -> "True".equals(c.getStatus()));
    assertThat(provider.created).hasSize(1);
    assertThat(controller.pods()).extracting(p -> p.getMetadata().getName()).containsExactly("web");
    await("Started event", () -> !events.withReason("Started").isEmpty());
    assertThat(events.withReason("Created"))
        .singleElement()
        .satisfies(e -> assertThat(e.message()).isEqualTo("Created container app"));
    if (notifier) {
      assertThat(((FakeProvider.Notifying) provider).registrations).hasValue(1);
    }

    // no status write when nothing changed: a few more polls leave the resourceVersion alone
    String version = get("web").getMetadata().getResourceVersion();
    Thread.sleep(600);
    assertThat(get("web").getMetadata().getResourceVersion()).isEqualTo(version);
    assertThat(provider.created).hasSize(1);
    assertThat(meters.get("vkj.pod.sync").timer().count()).isPositive();
    assertThat(meters.get("vkj.pod.queue.depth").gauge()).isNotNull();
  }

  @Test
  void statusIsWrittenAsOneJsonPatchGuardedByUid() throws Exception {
    FakeProvider provider = new FakeProvider();
    start(provider);
    Pod created = create(pod("web").build());
    await("pod running", () -> "Running".equals(phase(get("web"))));
    List<RecordingClient.Request> patches = RecordingClient.requests("PATCH");
    assertThat(patches).isNotEmpty();
    for (RecordingClient.Request r : patches) {
      assertThat(r.path()).isEqualTo("/api/v1/namespaces/ns/pods/web/status");
      assertThat(r.body())
          .startsWith(
              "[{\"op\":\"test\",\"path\":\"/metadata/uid\",\"value\":\""
                  + created.getMetadata().getUid()
                  + "\"},{\"op\":\"add\",\"path\":\"/status\"");
    }
    assertThat(RecordingClient.requests("GET"))
        .as("status writes need no extra GET")
        .noneMatch(r -> r.path().equals("/api/v1/namespaces/ns/pods/web"));
  }

  @Test
  void specChangeUpdatesOnceAndNeverCreatesTwice() throws Exception {
    FakeProvider provider = new FakeProvider();
    start(provider);
    create(pod("web").build());
    await("pod running", () -> "Running".equals(phase(get("web"))));

    // a day-long deadline has not passed yet
    editPod(
        "web",
        p -> new PodBuilder(p).editSpec().withActiveDeadlineSeconds(86_400L).endSpec().build());
    await("one update", () -> provider.updated.size() == 1);
    assertThat(provider.updated.get(0).getSpec().getActiveDeadlineSeconds()).isEqualTo(86_400L);

    // a metadata-only edit with the same spec does not cause another update
    editPod(
        "web",
        p -> new PodBuilder(p).editMetadata().addToLabels("tier", "front").endMetadata().build());
    await("label update", () -> provider.updated.size() == 2);
    Thread.sleep(500);
    assertThat(provider.updated).hasSize(2);
    assertThat(provider.created).hasSize(1);
    assertThat(provider.createAttempts).hasValue(1);
  }

  @Test
  void invalidInputFailsThePodOnceWithoutRetrying() throws Exception {
    FakeProvider provider = new FakeProvider();
    provider.createError = ProviderException.invalidInput("GPU pods are not supported here");
    start(provider);
    create(pod("gpu").build());

    await("pod failed", () -> "Failed".equals(phase(get("gpu"))));
    Pod api = get("gpu");
    assertThat(api.getStatus().getReason()).isEqualTo("ProviderFailed");
    assertThat(api.getStatus().getMessage()).isEqualTo("GPU pods are not supported here");
    await("event", () -> !events.withReason("ProviderFailed").isEmpty());
    assertThat(events.withReason("ProviderFailed").get(0).warning()).isTrue();
    Thread.sleep(800);
    assertThat(provider.createAttempts).as("no retry storm").hasValue(1);
    assertThat(events.withReason("ProviderFailed")).hasSize(1);
    assertThat(meters.get("vkj.pod.provider.errors").tag("code", "INVALID_INPUT").counter().count())
        .isEqualTo(1.0);
  }

  @Test
  void transientCreateErrorsAreRetried() throws Exception {
    FakeProvider provider = new FakeProvider();
    provider.createError = ProviderException.transientError("backend busy", null);
    start(provider);
    create(pod("web").build());
    await("retries", () -> provider.createAttempts.get() >= 3);
    assertThat(provider.created).isEmpty();
    provider.createError = null;
    await("pod running", () -> "Running".equals(phase(get("web"))));
    assertThat(provider.created).hasSize(1);
  }

  @Test
  void missingConfigMapBlocksUntilItAppears() throws Exception {
    FakeProvider provider = new FakeProvider();
    start(provider);
    create(
        pod("web")
            .editSpec()
            .editFirstContainer()
            .addNewEnv()
            .withName("MODE")
            .withNewValueFrom()
            .withNewConfigMapKeyRef("mode", "settings", false)
            .endValueFrom()
            .endEnv()
            .endContainer()
            .endSpec()
            .build());

    await(
        "CreateContainerConfigError",
        () -> {
          Pod p = get("web");
          return p.getStatus() != null
              && !p.getStatus().getContainerStatuses().isEmpty()
              && p.getStatus().getContainerStatuses().get(0).getState().getWaiting() != null
              && "CreateContainerConfigError"
                  .equals(
                      p.getStatus()
                          .getContainerStatuses()
                          .get(0)
                          .getState()
                          .getWaiting()
                          .getReason());
        });
    ContainerStatus cs = get("web").getStatus().getContainerStatuses().get(0);
    assertThat(cs.getState().getWaiting().getMessage())
        .isEqualTo("configmap \"settings\" not found");
    assertThat(phase(get("web"))).isEqualTo("Pending");
    assertThat(events.withReason("Failed"))
        .first()
        .satisfies(
            e -> {
              assertThat(e.warning()).isTrue();
              assertThat(e.container()).isEqualTo("app");
              assertThat(e.message()).isEqualTo("Error: configmap \"settings\" not found");
            });
    assertThat(provider.createAttempts).hasValue(0);

    client
        .configMaps()
        .inNamespace(NS)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("settings")
                .endMetadata()
                .withData(Map.of("mode", "fast"))
                .build())
        .create();
    await("pod running", () -> "Running".equals(phase(get("web"))));
    assertThat(provider.created).singleElement();
    assertThat(provider.created.get(0).getSpec().getContainers().get(0).getEnv())
        .contains(new EnvVar("MODE", "fast", null));
  }

  @Test
  void resolvedEnvironmentReachesTheProvider() throws Exception {
    client
        .configMaps()
        .inNamespace(NS)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("cfg")
                .endMetadata()
                .withData(Map.of("LEVEL", "debug"))
                .build())
        .create();
    client
        .secrets()
        .inNamespace(NS)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("creds")
                .endMetadata()
                .withData(Map.of("TOKEN", Base64.getEncoder().encodeToString("s3cr3t".getBytes())))
                .build())
        .create();
    FakeProvider provider = new FakeProvider();
    start(provider);
    create(
        pod("web")
            .editSpec()
            .editFirstContainer()
            .addNewEnvFrom()
            .withNewConfigMapRef("cfg", false)
            .endEnvFrom()
            .addNewEnv()
            .withName("TOKEN")
            .withNewValueFrom()
            .withNewSecretKeyRef("TOKEN", "creds", false)
            .endValueFrom()
            .endEnv()
            .addNewEnv()
            .withName("POD_NAME")
            .withNewValueFrom()
            .withNewFieldRef()
            .withFieldPath("metadata.name")
            .endFieldRef()
            .endValueFrom()
            .endEnv()
            .addNewEnv()
            .withName("HOST_IP")
            .withNewValueFrom()
            .withNewFieldRef()
            .withFieldPath("status.hostIP")
            .endFieldRef()
            .endValueFrom()
            .endEnv()
            .endContainer()
            .endSpec()
            .build());
    await("created", () -> provider.created.size() == 1);
    var container = provider.created.get(0).getSpec().getContainers().get(0);
    assertThat(container.getEnvFrom()).isEmpty();
    // only the Secret-derived variable keeps where it came from (SecretEnv)
    assertThat(container.getEnv())
        .filteredOn(e -> !"TOKEN".equals(e.getName()))
        .allMatch(e -> e.getValueFrom() == null);
    assertThat(container.getEnv())
        .contains(
            new EnvVar("LEVEL", "debug", null),
            new EnvVar(
                "TOKEN",
                "s3cr3t",
                new io.fabric8.kubernetes.api.model.EnvVarSourceBuilder()
                    .withNewSecretKeyRef("TOKEN", "creds", false)
                    .build()),
            new EnvVar("POD_NAME", "web", null),
            new EnvVar("HOST_IP", "10.0.0.5", null));
    // the API pod keeps its references
    assertThat(get("web").getSpec().getContainers().get(0).getEnv().get(0).getValueFrom())
        .isNotNull();
    await("pod running", () -> "Running".equals(phase(get("web"))));
    Thread.sleep(400);
    assertThat(provider.updated).as("resolved env is not a spec change").isEmpty();
  }

  @Test
  void startupAdoptsMatchingPodsAndDeletesOrphans() throws Exception {
    Pod kept = create(pod("kept").build());
    Pod replaced = create(pod("replaced").build());
    FakeProvider provider = new FakeProvider();
    PodStatusBuilder running =
        new PodStatusBuilder()
            .withPodIP("10.1.9.9")
            .addNewContainerStatus()
            .withName("app")
            .withImage("nginx:1.25")
            .withReady(true)
            .withRestartCount(0)
            .withNewState()
            .withNewRunning()
            .withStartedAt(
                Instant.now().minusSeconds(3600).truncatedTo(ChronoUnit.SECONDS).toString())
            .endRunning()
            .endState()
            .endContainerStatus();
    provider.preload(kept, running.build());
    Pod stale = pod("replaced").build();
    stale.getMetadata().setUid("old-uid");
    provider.preload(stale, running.build());
    provider.preload(
        pod("orphan").editMetadata().withUid("orphan-uid").endMetadata().build(), running.build());

    start(provider);
    await("leftovers deleted", () -> provider.deleted.size() == 2);
    assertThat(provider.deleted)
        .extracting(p -> p.getMetadata().getName())
        .containsExactlyInAnyOrder("orphan", "replaced");
    await("adopted pod running", () -> "Running".equals(phase(get("kept"))));
    assertThat(get("kept").getStatus().getPodIP()).isEqualTo("10.1.9.9");
    await("replaced pod recreated", () -> provider.created.size() == 1);
    assertThat(provider.created.get(0).getMetadata().getUid())
        .isEqualTo(replaced.getMetadata().getUid());
    Thread.sleep(300);
    assertThat(provider.created)
        .as("the adopted pod is never created again")
        .extracting(p -> p.getMetadata().getName())
        .containsExactly("replaced");
    assertThat(events.withReason("Started"))
        .as("adoption does not replay container events")
        .noneMatch(e -> e.pod().equals("ns/kept"));
  }

  @Test
  void terminalPodsAreLeftAlone() throws Exception {
    Pod done = pod("done").build();
    done.setStatus(new PodStatusBuilder().withPhase("Succeeded").build());
    create(done);
    Pod failed = pod("failed").build();
    failed.setStatus(new PodStatusBuilder().withPhase("Failed").build());
    create(failed);
    String v1 = get("done").getMetadata().getResourceVersion();
    String v2 = get("failed").getMetadata().getResourceVersion();
    FakeProvider provider = new FakeProvider();
    start(provider);
    Thread.sleep(600);
    assertThat(provider.createAttempts).hasValue(0);
    assertThat(provider.statusCalls).hasValue(0);
    assertThat(get("done").getMetadata().getResourceVersion()).isEqualTo(v1);
    assertThat(get("failed").getMetadata().getResourceVersion()).isEqualTo(v2);
  }

  /** The mock sets deletionTimestamp to "now" for pods with a finalizer; see it an hour early. */
  private static Clock anHourEarly() {
    return Clock.offset(Clock.systemUTC(), Duration.ofHours(-1));
  }

  private void deleteGracefully(String name) {
    client.pods().inNamespace(NS).withName(name).delete();
    await("deletionTimestamp", () -> get(name).getMetadata().getDeletionTimestamp() != null);
  }

  /** Edits a pod, reading it again when the controller wrote its status in between. */
  private void editPod(String name, java.util.function.UnaryOperator<Pod> change) {
    for (int attempt = 1; ; attempt++) {
      try {
        client.pods().inNamespace(NS).withName(name).edit(change);
        return;
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 5) {
          throw e;
        }
      }
    }
  }

  private void releaseFinalizer(String name) {
    editPod(
        name,
        p -> new PodBuilder(p).editMetadata().withFinalizers(List.of()).endMetadata().build());
  }

  private static boolean deleteSent() {
    return !RecordingClient.requests("DELETE").isEmpty();
  }

  @Test
  void gracefulDeleteWaitsForContainersThenWritesFinalStatusAndDeletesWithUid() throws Exception {
    FakeProvider provider = new FakeProvider();
    start(provider, anHourEarly());
    Pod created = create(pod("web").editMetadata().addToFinalizers(HOLD).endMetadata().build());
    await("pod running", () -> "Running".equals(phase(get("web"))));
    provider.ignoreDelete = true; // containers keep running for now

    deleteGracefully("web");
    await("provider delete", () -> provider.deleted.size() == 1);
    Thread.sleep(500);
    assertThat(deleteSent()).as("no final delete while containers run").isFalse();
    assertThat(phase(get("web"))).isEqualTo("Running");
    assertThat(events.withReason("Killing"))
        .singleElement()
        .satisfies(e -> assertThat(e.message()).isEqualTo("Stopping container app"));

    long stopped = System.nanoTime();
    provider.stopAll(NS, "web");
    await("final delete", PodControllerIT::deleteSent);
    assertThat(Duration.ofNanos(System.nanoTime() - stopped))
        .as("containers ended, so the grace period is not waited out")
        .isLessThan(Duration.ofSeconds(5));
    RecordingClient.Request delete = RecordingClient.requests("DELETE").get(0);
    assertThat(delete.path()).isEqualTo("/api/v1/namespaces/ns/pods/web");
    assertThat(delete.body())
        .contains("\"gracePeriodSeconds\":0")
        .contains("\"preconditions\":{\"uid\":\"" + created.getMetadata().getUid() + "\"}");
    Pod api = get("web");
    assertThat(phase(api)).isEqualTo("Succeeded");
    assertThat(api.getStatus().getContainerStatuses())
        .singleElement()
        .satisfies(s -> assertThat(s.getState().getTerminated().getExitCode()).isZero());
    assertThat(provider.deleteAttempts).hasValue(1);

    // the finalizer goes: the pod is gone and so is the controller's bookkeeping
    releaseFinalizer("web");
    await("pod gone", () -> get("web") == null);
    await("state released", () -> controller.trackedPods() == 0);
  }

  @Test
  void vanishedContainersAreReportedAsUnknownOnDelete() throws Exception {
    FakeProvider provider = new FakeProvider();
    start(provider, anHourEarly());
    create(pod("web").editMetadata().addToFinalizers(HOLD).endMetadata().build());
    await("pod running", () -> "Running".equals(phase(get("web"))));
    deleteGracefully("web");
    await("final delete", PodControllerIT::deleteSent);
    Pod api = get("web");
    assertThat(phase(api)).isEqualTo("Failed");
    ContainerStatus cs = api.getStatus().getContainerStatuses().get(0);
    assertThat(cs.getState().getTerminated().getReason()).isEqualTo("ContainerStatusUnknown");
    assertThat(cs.getState().getTerminated().getExitCode()).isEqualTo(137);
    releaseFinalizer("web");
  }

  @Test
  void failingProviderDeleteIsRetriedAndThePodIsKept() throws Exception {
    FakeProvider provider = new FakeProvider();
    start(provider);
    create(pod("web").editMetadata().addToFinalizers(HOLD).endMetadata().build());
    await("pod running", () -> "Running".equals(phase(get("web"))));
    provider.deleteError = ProviderException.transientError("backend unavailable", null);
    deleteGracefully("web");
    await("retries", () -> provider.deleteAttempts.get() >= 3);
    assertThat(deleteSent()).as("never removed while the backend may run it").isFalse();
    assertThat(get("web")).isNotNull();

    provider.deleteError = null;
    await("final delete", PodControllerIT::deleteSent);
    releaseFinalizer("web");
  }

  @Test
  void podLostByThePollingProviderFails() throws Exception {
    FakeProvider provider = new FakeProvider();
    start(provider);
    create(pod("web").build());
    await("pod running", () -> "Running".equals(phase(get("web"))));
    provider.lose(NS, "web");
    await("pod failed", () -> "Failed".equals(phase(get("web"))));
    Pod api = get("web");
    assertThat(api.getStatus().getReason()).isEqualTo("ProviderLost");
    assertThat(api.getStatus().getMessage()).contains("no longer exists");
    ContainerStatus cs = api.getStatus().getContainerStatuses().get(0);
    assertThat(cs.getState().getTerminated().getReason()).isEqualTo("ContainerStatusUnknown");
    assertThat(cs.getState().getTerminated().getExitCode()).isEqualTo(137);
    int creates = provider.createAttempts.get();
    Thread.sleep(500);
    assertThat(provider.createAttempts).as("a failed pod is not re-created").hasValue(creates);
    assertThat(events.withReason("ProviderLost")).hasSize(1);
  }

  @Test
  void deletedApiPodIsDeletedFromTheProviderAndForgotten() throws Exception {
    FakeProvider.Notifying provider = new FakeProvider.Notifying();
    start(provider);
    create(pod("web").build());
    await("pod running", () -> "Running".equals(phase(get("web"))));
    client.pods().inNamespace(NS).withName("web").delete(); // the mock removes it at once
    await("provider delete", () -> provider.pods.isEmpty());
    await("state released", () -> controller.trackedPods() == 0);
    assertThat(provider.deleted).hasSize(1);
  }

  @Test
  void throttledCallsWaitForRetryAfter() throws Exception {
    FakeProvider provider = new FakeProvider();
    provider.createErrorOnce = ProviderException.throttled("slow down", Duration.ofMillis(700));
    start(provider);
    long start = System.nanoTime();
    create(pod("web").build());
    await("pod running", () -> "Running".equals(phase(get("web"))));
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(650));
    assertThat(provider.createAttempts).hasValue(2);
    assertThat(
            meters
                .get("vkj.pod.provider.errors")
                .tag("code", ErrorCode.THROTTLED.name())
                .counter()
                .count())
        .isEqualTo(1.0);
  }

  @Test
  void aLostPushIsHealedByThePeriodicResync() throws Exception {
    FakeProvider.Notifying provider = new FakeProvider.Notifying();
    start(provider);
    create(pod("web").editSpec().withRestartPolicy("Never").endSpec().build());
    await("pod running", () -> "Running".equals(phase(get("web"))));

    // the backend's container ends, but the push announcing it never arrives
    String key = NS + "/web";
    PodStatus current = Serialization.clone(provider.statuses.get(key));
    ContainerStatus app = current.getContainerStatuses().get(0);
    app.setReady(false);
    app.setStarted(false);
    app.setState(
        new ContainerStateBuilder()
            .withNewTerminated()
            .withExitCode(0)
            .withReason("Completed")
            .withStartedAt(app.getState().getRunning().getStartedAt())
            .withFinishedAt(app.getState().getRunning().getStartedAt())
            .endTerminated()
            .build());
    current.setPhase(null);
    provider.statuses.put(key, current);

    await("status read again from the provider", () -> "Succeeded".equals(phase(get("web"))));
    assertThat(get("web").getStatus().getContainerStatuses().get(0).getState().getTerminated())
        .isNotNull();
  }

  @Test
  void thePeriodicResyncReadsOnlyPodsWithoutARecentPush() throws Exception {
    pollInterval = Duration.ofMillis(250); // a pod is due a read after 3 s without news
    FakeProvider.Notifying provider = new FakeProvider.Notifying();
    start(provider);
    create(pod("busy").build());
    create(pod("quiet").build());
    await("both running", () -> isRunning(get("busy")) && isRunning(get("quiet")));
    String busy = NS + "/busy";
    AtomicBoolean pushing = new AtomicBoolean(true);
    Thread pusher =
        new Thread(
            () -> {
              // the backend keeps announcing the busy pod's status
              while (pushing.get()) {
                provider.setStatus(busy, provider.pods.get(busy), provider.statuses.get(busy));
                try {
                  Thread.sleep(100);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
    pusher.start();
    try {
      await("the quiet pod read three times", () -> reads(provider, NS + "/quiet") >= 3);
    } finally {
      pushing.set(false);
      pusher.interrupt();
      pusher.join();
    }
    // a read per period for both would mean the pushes did not count; one read tolerates a stall
    assertThat(reads(provider, busy)).isLessThanOrEqualTo(1);
  }

  private static int reads(FakeProvider provider, String key) {
    AtomicInteger n = provider.statusCallsByKey.get(key);
    return n == null ? 0 : n.get();
  }

  private static boolean isRunning(Pod pod) {
    return pod != null && "Running".equals(phase(pod));
  }

  @Test
  void crashLoopRecordsBackOffAndKeepsThePodRunning() throws Exception {
    FakeProvider.Notifying provider = new FakeProvider.Notifying();
    start(provider);
    create(pod("web").build());
    await("pod running", () -> "Running".equals(phase(get("web"))));
    provider.crashLoop(NS, "web");
    await("BackOff event", () -> !events.withReason("BackOff").isEmpty());
    assertThat(events.withReason("BackOff"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.warning()).isTrue();
              assertThat(e.container()).isEqualTo("app");
            });
    await(
        "status shows the crash loop",
        () -> get("web").getStatus().getContainerStatuses().get(0).getState().getWaiting() != null);
    assertThat(phase(get("web"))).isEqualTo("Running");
    assertThat(KubeletStatusTest.condition(get("web").getStatus(), "Ready").getStatus())
        .isEqualTo("False");
  }

  @Test
  void persistentFailuresAreDroppedWithFailedSync() throws Exception {
    maxRetries = 2;
    pollInterval = Duration.ofHours(1); // a status poll syncs the pod again, as it should
    FakeProvider provider = new FakeProvider();
    provider.createError = new ProviderException(ErrorCode.INTERNAL, "backend defect");
    start(provider);
    create(pod("web").build());
    await("FailedSync", () -> !events.withReason("FailedSync").isEmpty());
    assertThat(events.withReason("FailedSync").get(0).message()).contains("backend defect");
    assertThat(provider.createAttempts).hasValue(3);
  }

  @Test
  void unsupportedUpdateIsReportedOnceWithoutRetry() throws Exception {
    FakeProvider provider = new FakeProvider();
    start(provider);
    create(pod("web").build());
    await("pod running", () -> "Running".equals(phase(get("web"))));
    provider.updateError = ProviderException.unsupported("containers cannot be changed in place");
    editPod(
        "web",
        p ->
            new PodBuilder(p)
                .editSpec()
                .editFirstContainer()
                .withImage("nginx:1.26")
                .endContainer()
                .endSpec()
                .build());
    await("warning", () -> !events.withReason("ProviderUpdateFailed").isEmpty());
    Thread.sleep(500);
    assertThat(events.withReason("ProviderUpdateFailed")).hasSize(1);
    assertThat(phase(get("web"))).isEqualTo("Running");
    assertThat(provider.created).hasSize(1);
  }

  @Test
  void podAlreadyTerminatingAtStartupIsDrivenToDeletion() throws Exception {
    Pod created = create(pod("web").editMetadata().addToFinalizers(HOLD).endMetadata().build());
    FakeProvider provider = new FakeProvider();
    provider.preload(
        created,
        new PodStatusBuilder()
            .addNewContainerStatus()
            .withName("app")
            .withReady(true)
            .withNewState()
            .withNewRunning()
            .endRunning()
            .endState()
            .endContainerStatus()
            .build());
    deleteGracefully("web");

    start(provider);
    await("final delete", PodControllerIT::deleteSent);
    assertThat(provider.deleted).extracting(p -> p.getMetadata().getName()).containsExactly("web");
    assertThat(provider.created).isEmpty();
    releaseFinalizer("web");
  }

  @Test
  void activeDeadlineFailsThePodOnTimeWithoutAnyOtherTrigger() throws Exception {
    // a pushing provider: no status polling that could sync the pod by chance
    FakeProvider.Notifying provider = new FakeProvider.Notifying();
    start(provider);
    long started = System.nanoTime();
    create(pod("job").editSpec().withActiveDeadlineSeconds(2L).endSpec().build());
    await("pod running", () -> "Running".equals(phase(get("job"))));
    assertThat(provider.deleted).as("still within the deadline").isEmpty();
    String startTime = provider.statuses.get(FakeProvider.key(NS, "job")).getStartTime();

    await("pod failed", () -> "Failed".equals(phase(get("job"))));
    // startTime has whole seconds, so the deadline may come up to a second early
    assertThat(Duration.ofNanos(System.nanoTime() - started))
        .as("failed at the deadline, not before")
        .isGreaterThanOrEqualTo(Duration.ofMillis(900));
    Pod api = get("job");
    assertThat(api.getMetadata().getDeletionTimestamp()).as("the API pod stays").isNull();
    assertThat(api.getStatus().getReason()).isEqualTo("DeadlineExceeded");
    assertThat(api.getStatus().getMessage())
        .isEqualTo("Pod was active on the node longer than the specified deadline");
    assertThat(api.getStatus().getStartTime()).isEqualTo(startTime);
    assertThat(api.getStatus().getContainerStatuses())
        .singleElement()
        .satisfies(c -> assertThat(c.getState().getTerminated()).isNotNull());
    assertThat(KubeletStatusTest.condition(api.getStatus(), "Ready").getStatus())
        .isEqualTo("False");
    assertThat(provider.deleted).extracting(p -> p.getMetadata().getName()).containsExactly("job");
    // recorded once the status write was answered
    await("DeadlineExceeded event", () -> !events.withReason("DeadlineExceeded").isEmpty());
    assertThat(events.withReason("DeadlineExceeded"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.warning()).isFalse();
              assertThat(e.message())
                  .isEqualTo("Pod was active on the node longer than the specified deadline");
            });
    assertThat(deleteSent()).as("no API delete").isFalse();
    // terminal: not re-created, no second event, and no pushed status kept for it
    Thread.sleep(400);
    assertThat(provider.created).hasSize(1);
    assertThat(events.withReason("DeadlineExceeded")).hasSize(1);
    assertThat(controller.trackedPods()).isEqualTo(1);
  }

  @Test
  void aTimerSetForAPodThatIsGoneCallsNoProvider() throws Exception {
    FakeProvider.Notifying provider = new FakeProvider.Notifying();
    start(provider);
    long created = System.nanoTime();
    // the deadline is a timer on the pod's key, set by every sync of the running pod
    create(pod("job").editSpec().withActiveDeadlineSeconds(3L).endSpec().build());
    await("pod running", () -> "Running".equals(phase(get("job"))));
    client.pods().inNamespace(NS).withName("job").delete(); // the mock removes it at once
    await("provider delete", () -> provider.deleted.size() == 1);
    await("state released", () -> controller.trackedPods() == 0);
    int gets = provider.getCalls.get();

    // past the deadline, with the startTime's rounding to whole seconds
    long wait = created + TimeUnit.SECONDS.toNanos(5) - System.nanoTime();
    Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(wait)));
    assertThat(provider.getCalls).as("the gone path ran once").hasValue(gets);
    assertThat(provider.deleteAttempts).hasValue(1);
    assertThat(events.withReason("DeadlineExceeded")).isEmpty();
  }

  @Test
  void passedActiveDeadlineFailsAPolledPodOnce() throws Exception {
    FakeProvider provider = new FakeProvider();
    provider.startedAgo = Duration.ofHours(1); // long past the deadline at the first status
    start(provider);
    create(pod("job").editSpec().withActiveDeadlineSeconds(60L).endSpec().build());
    await("pod failed", () -> "Failed".equals(phase(get("job"))));
    assertThat(get("job").getStatus().getReason()).isEqualTo("DeadlineExceeded");
    Thread.sleep(600); // several polls
    assertThat(provider.createAttempts).hasValue(1);
    assertThat(provider.deleteAttempts).hasValue(1);
    assertThat(events.withReason("DeadlineExceeded")).hasSize(1);
    assertThat(phase(get("job"))).isEqualTo("Failed");
  }

  @Test
  void loweredActiveDeadlineIsRescheduled() throws Exception {
    FakeProvider.Notifying provider = new FakeProvider.Notifying();
    start(provider);
    create(pod("job").editSpec().withActiveDeadlineSeconds(3600L).endSpec().build());
    await("pod running", () -> "Running".equals(phase(get("job"))));
    editPod(
        "job", p -> new PodBuilder(p).editSpec().withActiveDeadlineSeconds(1L).endSpec().build());
    await("pod failed", () -> "Failed".equals(phase(get("job"))));
    assertThat(get("job").getStatus().getReason()).isEqualTo("DeadlineExceeded");
  }

  @Test
  void podEvictedWhileTheSyncThatCreatedItRunsIsStillDeleted() throws Exception {
    // the eviction's push lands in the middle of a sync, between the create and the status read
    FakeProvider.Notifying provider = new FakeProvider.Notifying();
    provider.evictOnCreate = "backend out of memory";
    start(provider);
    Pod created = create(pod("web").editMetadata().addToFinalizers(HOLD).endMetadata().build());

    await("API delete", PodControllerIT::deleteSent);
    assertThat(RecordingClient.requests("DELETE").get(0).body())
        .contains("\"preconditions\":{\"uid\":\"" + created.getMetadata().getUid() + "\"}");
    await("Evicted event", () -> !events.withReason("Evicted").isEmpty());
    await("status written", () -> "Evicted".equals(get("web").getStatus().getReason()));
    assertThat(get("web").getStatus().getPhase()).isEqualTo("Failed");
    assertThat(provider.createAttempts).hasValue(1);
    releaseFinalizer("web");
    await("pod gone", () -> get("web") == null);
  }

  @ParameterizedTest(name = "provider grace={0}")
  @ValueSource(longs = {5, -1})
  void podEvictedInTheBackendIsDeletedWithItsGraceAndUid(long providerGrace) throws Exception {
    FakeProvider.Notifying provider = new FakeProvider.Notifying();
    start(provider, anHourEarly());
    Pod created =
        create(
            pod("web")
                .editMetadata()
                .addToFinalizers(HOLD)
                .endMetadata()
                .editSpec()
                .withTerminationGracePeriodSeconds(7L)
                .endSpec()
                .build());
    await("pod running", () -> "Running".equals(phase(get("web"))));

    provider.evict(NS, "web", providerGrace < 0 ? null : providerGrace, "backend out of memory");
    await("API delete", PodControllerIT::deleteSent);
    RecordingClient.Request delete = RecordingClient.requests("DELETE").get(0);
    assertThat(delete.path()).isEqualTo("/api/v1/namespaces/ns/pods/web");
    assertThat(delete.body())
        .contains("\"gracePeriodSeconds\":" + (providerGrace < 0 ? 7 : providerGrace) + ",")
        .contains("\"preconditions\":{\"uid\":\"" + created.getMetadata().getUid() + "\"}");
    // recorded once the DELETE was answered
    await("Evicted event", () -> !events.withReason("Evicted").isEmpty());
    assertThat(events.withReason("Evicted"))
        .singleElement()
        .satisfies(e -> assertThat(e.message()).isEqualTo("backend out of memory"));
    await("status written", () -> "Evicted".equals(get("web").getStatus().getReason()));

    // the API server marks the pod deleted; the usual graceful path removes it
    await("deletionTimestamp", () -> get("web").getMetadata().getDeletionTimestamp() != null);
    await("final delete", () -> RecordingClient.requests("DELETE").size() >= 2);
    assertThat(RecordingClient.requests("DELETE").get(1).body())
        .contains("\"gracePeriodSeconds\":0,");
    assertThat(events.withReason("Evicted")).hasSize(1);
    releaseFinalizer("web");
    await("pod gone", () -> get("web") == null);
    await("state released", () -> controller.trackedPods() == 0);
  }

  @Test
  void stateIsReleasedEvenWhenTheProviderCannotBeCleanedUp() throws Exception {
    maxRetries = 1;
    FakeProvider.Notifying provider = new FakeProvider.Notifying();
    start(provider);
    create(pod("web").build());
    await("pod running", () -> "Running".equals(phase(get("web"))));
    provider.getError = ProviderException.transientError("backend unavailable", null);
    client.pods().inNamespace(NS).withName("web").delete(); // the mock removes it at once
    await("FailedSync", () -> !events.withReason("FailedSync").isEmpty() || get("web") == null);
    await("state released", () -> controller.trackedPods() == 0);
  }

  @Test
  void statusRejectedByTheApiServerIsNotResentOnEveryPoll() throws Exception {
    server
        .expect()
        .patch()
        .withPath("/api/v1/namespaces/ns/pods/web/status")
        .andReturn(
            422,
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                + "\"reason\":\"Invalid\",\"code\":422,\"message\":\"status is invalid\"}")
        .always();
    FakeProvider provider = new FakeProvider();
    start(provider); // polled every 200 ms
    create(pod("web").build());
    await("status write attempted", () -> !RecordingClient.requests("PATCH").isEmpty());
    int statusCalls = provider.statusCalls.get();
    // polls over more than a second: new transition times alone must not cause a resend
    await("several polls", () -> provider.statusCalls.get() >= statusCalls + 7);
    assertThat(RecordingClient.requests("PATCH"))
        .as("the same rejected status is sent once")
        .hasSize(1);
  }
}
