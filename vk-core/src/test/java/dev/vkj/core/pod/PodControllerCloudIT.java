package dev.vkj.core.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.vkj.core.MockApiServer;
import dev.vkj.spi.PodIdentity;
import dev.vkj.spi.Provider;
import dev.vkj.spi.ProviderException;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The pod controller against backends that behave like cloud APIs: spec hashes instead of echoed
 * specs, batched status, slow deletes, failing lists, exhausted quotas.
 */
class PodControllerCloudIT {
  private static final String NODE = "vk";
  private static final String NS = "ns";
  private static final Map<String, String> NODE_LABEL = Map.of("vkj.dev/test-node", NODE);

  @RegisterExtension final MockApiServer api = new MockApiServer();
  KubernetesMockServer server;
  KubernetesClient client;

  @org.junit.jupiter.api.BeforeEach
  void connect() {
    server = api.server();
    client = api.client();
  }

  private final RecordingEvents events = new RecordingEvents();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private PodController controller;

  @AfterEach
  void stop() {
    if (controller != null) {
      controller.close();
    }
    client.close();
  }

  private PodControllerConfig config() {
    return PodControllerConfig.defaults(NODE)
        .withClock(Clock.systemUTC())
        .withWorkers(4)
        .withMeterRegistry(meters)
        .withHostIp(() -> "10.0.0.5")
        .withStatusPollInterval(Duration.ofMillis(200));
  }

  private PodController start(Provider provider, PodControllerConfig config)
      throws InterruptedException {
    controller = new PodController(client, provider, events, config, NODE_LABEL);
    controller.start();
    return controller;
  }

  private static PodBuilder pod(String name) {
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

  private static String phase(Pod p) {
    return p == null || p.getStatus() == null ? null : p.getStatus().getPhase();
  }

  private static void await(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
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

  private static void await(String what, BooleanSupplier condition) {
    // 1,000 pods keep the queue busy on a loaded machine; waiting longer proves no less
    await(what, Duration.ofMinutes(2), condition);
  }

  private void editPod(String name, UnaryOperator<Pod> change) {
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

  private long runningInApi() {
    return client.pods().inNamespace(NS).list().getItems().stream()
        .filter(p -> "Running".equals(phase(p)))
        .count();
  }

  @Test
  void restartOverAThousandAdoptedPodsOfACloudBackendNeitherCreatesNorUpdates() throws Exception {
    int n = 1000;
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
    for (int i = 0; i < n; i++) {
      create(
          pod("web-" + i)
              .editSpec()
              .editFirstContainer()
              .addNewEnv()
              .withName("TOKEN")
              .withNewValueFrom()
              .withNewSecretKeyRef("TOKEN", "creds", false)
              .endValueFrom()
              .endEnv()
              .addNewEnv()
              .withName("INDEX")
              .withValue(String.valueOf(i))
              .endEnv()
              .endContainer()
              .endSpec()
              .build());
    }
    // first run: the pods are created, each with its spec hash
    FakeProvider backend = new FakeProvider();
    PodControllerConfig config =
        config().withWorkers(10).withStatusPollInterval(Duration.ofSeconds(5));
    start(backend, config);
    await("all created", Duration.ofMinutes(3), () -> backend.created.size() == n);
    await("all running", Duration.ofMinutes(3), () -> runningInApi() == n);
    assertThat(backend.created)
        .allSatisfy(p -> assertThat(PodIdentity.specHash(p)).get().asString().hasSize(64));
    Pod web7 =
        backend.created.stream()
            .filter(p -> p.getMetadata().getName().equals("web-7"))
            .findFirst()
            .orElseThrow();
    assertThat(backend.getPod(NS, "web-7").flatMap(PodIdentity::specHash))
        .as("the fake keeps and returns the annotation")
        .isEqualTo(PodIdentity.specHash(web7));
    controller.close();
    controller = null;

    // restart against the same backend, seen through a cloud API: no spec, no env
    CloudView cloud = new CloudView(backend);
    long syncsBefore = meters.get("vkj.pod.sync").timer().count();
    start(cloud, config);
    await("every pod synced", Duration.ofMinutes(3), () -> cloud.statusReads.get() >= n);
    // a create or update would happen inside a pod's first sync after the restart; the queue
    // itself never stays empty for long, since polls keep arriving on a loaded machine
    await(
        "a full round of syncs",
        Duration.ofMinutes(3),
        () -> meters.get("vkj.pod.sync").timer().count() >= syncsBefore + n);
    assertThat(cloud.creates).as("createPod calls after the restart").hasValue(0);
    assertThat(cloud.updates).as("updatePod calls after the restart").hasValue(0);
    assertThat(cloud.deletes).hasValue(0);
    assertThat(cloud.gets).as("adoption needs no getPod per pod").hasValue(0);

    // a real change is still detected from the hash alone
    editPod(
        "web-3",
        p ->
            new PodBuilder(p)
                .editSpec()
                .editFirstContainer()
                .withImage("nginx:1.26")
                .endContainer()
                .endSpec()
                .build());
    // behind 1,000 polled pods on a loaded machine; waiting longer proves no less
    await("one update", Duration.ofMinutes(5), () -> cloud.updates.get() == 1);
    assertThat(cloud.creates).hasValue(0);
  }

  @Test
  void batchedStatusReadsSteadyPodsOnlyThroughTheList() throws Exception {
    FakeProvider.Batched provider = new FakeProvider.Batched();
    start(provider, config().withProviderReadBudget(1));
    for (int i = 0; i < 5; i++) {
      create(pod("web-" + i).build());
    }
    await("all running", () -> runningInApi() == 5);
    // steady: several poll periods pass with list calls only
    int reads = provider.statusCalls.get();
    int lists = provider.listStatusCalls.get();
    await("five more lists", () -> provider.listStatusCalls.get() >= lists + 5);
    assertThat(provider.statusCalls.get()).as("per-pod reads of steady pods").isEqualTo(reads);

    // a pod missing from the list is gone from the backend
    provider.lose(NS, "web-2");
    await("pod failed", () -> "Failed".equals(phase(get("web-2"))));
    assertThat(get("web-2").getStatus().getReason()).isEqualTo("ProviderLost");
    assertThat(runningInApi()).isEqualTo(4);
  }

  @Test
  void aPodCreatedWhileAListIsRunningIsNotTakenAsLost() throws Exception {
    FakeProvider.Batched provider = new FakeProvider.Batched();
    // one read for the new pod, then none: the stale list is all there is
    start(provider, config().withProviderReadBudget(0.01));
    CountDownLatch release = new CountDownLatch(1);
    provider.holdNextList = release;
    assertThat(provider.listHeld.await(20, TimeUnit.SECONDS)).isTrue();
    // the list has taken its snapshot; the pod is created after that
    create(pod("web").build());
    await("created", () -> provider.created.size() == 1);
    await("running", () -> "Running".equals(phase(get("web"))));
    release.countDown();
    int lists = provider.listStatusCalls.get();
    await("two more lists", () -> provider.listStatusCalls.get() >= lists + 2);
    assertThat(phase(get("web"))).isEqualTo("Running");
    assertThat(events.withReason("ProviderLost")).isEmpty();
  }

  @Test
  void slowLeftoverDeletesDelayNeitherStartNorNewPodsAndRunFourAtATime() throws Exception {
    FakeProvider provider = new FakeProvider();
    for (int i = 0; i < 8; i++) {
      provider.preload(
          pod("orphan-" + i).editMetadata().withUid("orphan-uid-" + i).endMetadata().build(),
          new PodStatusBuilder().build());
    }
    CountDownLatch gate = new CountDownLatch(1);
    provider.deleteGate = gate;
    start(provider, config());
    assertThat(controller.isRunning()).as("start returned while deletes hang").isTrue();
    await("four deletes in flight", () -> provider.deletesInFlight.get() == 4);

    create(pod("web").build());
    await("new pod running meanwhile", () -> "Running".equals(phase(get("web"))));
    assertThat(provider.maxDeletesInFlight).hasValue(4);
    assertThat(provider.pods).containsKey(FakeProvider.key(NS, "orphan-0"));

    gate.countDown();
    await("leftovers deleted", () -> provider.pods.size() == 1);
    assertThat(provider.deleted).hasSize(8);
    assertThat(provider.maxDeletesInFlight).hasValue(4);
    assertThat(provider.created).extracting(p -> p.getMetadata().getName()).containsExactly("web");
  }

  @Test
  void aFailingStartupListIsRetriedAndNothingIsCreatedBeforeItSucceeds() throws Exception {
    Pod kept = create(pod("kept").build());
    FakeProvider provider = new FakeProvider();
    provider.preload(
        kept,
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
    provider.preload(
        pod("orphan").editMetadata().withUid("orphan-uid").endMetadata().build(),
        new PodStatusBuilder().build());
    provider.listError = ProviderException.transientError("backend unavailable", null);
    start(provider, config());
    assertThat(controller.isRunning()).isTrue();
    create(pod("fresh").build());
    await("list retried", () -> provider.listAttempts.get() >= 2);
    assertThat(provider.createAttempts).as("no create before adoption decided").hasValue(0);
    assertThat(provider.deleted).isEmpty();

    provider.listError = null;
    await("orphan deleted", () -> !provider.pods.containsKey(FakeProvider.key(NS, "orphan")));
    await("fresh created", () -> "Running".equals(phase(get("fresh"))));
    await("kept adopted", () -> "Running".equals(phase(get("kept"))));
    assertThat(provider.created)
        .as("the adopted pod is never created")
        .extracting(p -> p.getMetadata().getName())
        .containsExactly("fresh");
  }

  @Test
  void exhaustedQuotaKeepsThePodPendingWithAReasonUntilCapacityReturns() throws Exception {
    FakeProvider provider = new FakeProvider();
    String message = "regional quota of 100 container groups reached";
    provider.createError = ProviderException.quotaExceeded(message, Duration.ofMillis(200));
    start(provider, config().withMaxRetries(1));
    create(pod("web").build());

    await(
        "Pending with the quota reason",
        () -> {
          Pod p = get("web");
          return p.getStatus() != null
              && "ProviderQuotaExceeded".equals(p.getStatus().getReason())
              && !p.getStatus().getContainerStatuses().isEmpty()
              && p.getStatus().getContainerStatuses().get(0).getState().getWaiting() != null;
        });
    Pod api = get("web");
    assertThat(phase(api)).isEqualTo("Pending");
    assertThat(api.getStatus().getMessage()).isEqualTo(message);
    ContainerStatus cs = api.getStatus().getContainerStatuses().get(0);
    assertThat(cs.getState().getWaiting().getReason()).isEqualTo("ProviderQuotaExceeded");
    assertThat(cs.getState().getWaiting().getMessage()).isEqualTo(message);
    assertThat(events.withReason("ProviderQuotaExceeded"))
        .as("a Warning from the first failure")
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.warning()).isTrue();
              assertThat(e.message()).isEqualTo(message);
            });

    // more attempts than maxRetries allows for failures: still no FailedSync
    await("retried", () -> provider.createAttempts.get() >= 3);
    assertThat(events.withReason("FailedSync")).isEmpty();
    assertThat(events.withReason("ProviderQuotaExceeded")).hasSize(1);
    assertThat(phase(get("web"))).isEqualTo("Pending");

    provider.createError = null;
    await("running once capacity returns", () -> "Running".equals(phase(get("web"))));
    assertThat(get("web").getStatus().getReason()).isNull();
    assertThat(get("web").getStatus().getContainerStatuses().get(0).getState().getRunning())
        .isNotNull();
    assertThat(provider.created).hasSize(1);
  }
}
