package dev.vkj.provider.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import dev.vkj.spi.ErrorCode;
import dev.vkj.spi.LogOptions;
import dev.vkj.spi.PodIdentity;
import dev.vkj.spi.ProviderConfig;
import dev.vkj.spi.ProviderException;
import dev.vkj.testing.FakeProviderContext;
import dev.vkj.testing.MutableClock;
import dev.vkj.testing.ProviderConformanceTest;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** The provider through the real Azure SDK against the local ARM fake over TLS. */
class AzureProviderIT {
  private final MutableClock clock = new MutableClock();
  private FakeArm arm;
  private FakeProviderContext context;
  private AzureProvider provider;

  @BeforeEach
  void start() throws Exception {
    arm = FakeArm.withArmLimits(clock);
    context = FakeProviderContext.builder().nodeName("virtual-kubelet").clock(clock).build();
    provider = connect(arm, context, Map.of());
  }

  @AfterEach
  void stop() {
    if (provider != null) {
      provider.close();
    }
    context.close();
    arm.close();
  }

  static AzureProvider connect(FakeArm arm, FakeProviderContext context, Map<String, String> extra)
      throws Exception {
    Map<String, String> raw = new HashMap<>(extra);
    raw.put("armEndpoint", arm.endpoint());
    AzureProvider provider = connect(arm, GroupTranslatorTest.config(raw), context);
    // these checks count a list's reads; its real-time bound would cut them on a slow machine
    provider.listReadTime = Duration.ofMinutes(5);
    return provider;
  }

  /** The provider through the SDK with a credential and a client that trust this fake. */
  static AzureProvider connect(FakeArm arm, AzureConfig config, dev.vkj.spi.ProviderContext context)
      throws Exception {
    return AzureProviderFactory.connect(
        config, context, credential(arm.token), http(arm), arm.clientTls());
  }

  static TokenCredential credential(String token) {
    return request -> Mono.just(new AccessToken(token, OffsetDateTime.now().plusHours(1)));
  }

  static HttpClient http(FakeArm arm) throws Exception {
    return AzureProviderFactory.httpClient(
        java.net.http.HttpClient.newBuilder().sslContext(arm.clientTls()));
  }

  /** The hands-on pod with its container changed. */
  private static Pod helloworld(
      java.util.function.UnaryOperator<io.fabric8.kubernetes.api.model.ContainerBuilder> change) {
    Pod pod = GroupTranslatorTest.helloworld();
    var container = pod.getSpec().getContainers().get(0);
    pod.getSpec()
        .setContainers(
            List.of(
                change
                    .apply(new io.fabric8.kubernetes.api.model.ContainerBuilder(container))
                    .build()));
    return pod;
  }

  /** Another pod like the hands-on's. */
  private static Pod named(String name, String uid) {
    return new PodBuilder(GroupTranslatorTest.helloworld())
        .editMetadata()
        .withName(name)
        .withUid(uid)
        .endMetadata()
        .build();
  }

  private static String groupOf(Pod pod) {
    return GroupNames.groupName(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
  }

  private PodStatus status(Pod pod) throws ProviderException {
    return provider
        .getPodStatus(pod.getMetadata().getNamespace(), pod.getMetadata().getName())
        .orElse(null);
  }

  @Test
  void theHandsOnPodRunsAsOneGroupAndIsDeletedWithoutWaitingForArm() throws Exception {
    Pod pod = GroupTranslatorTest.helloworld();
    provider.createPod(pod);

    assertThat(arm.groupNames()).containsExactly(groupOf(pod));
    assertThat(arm.count("PUT", "group")).isEqualTo(1);
    PodStatus pending = status(pod);
    assertThat(pending.getContainerStatuses().get(0).getState().getWaiting().getReason())
        .isEqualTo("ContainerCreating");

    clock.advance(Duration.ofSeconds(1));
    PodStatus running = status(pod);
    assertThat(running.getContainerStatuses().get(0).getState().getRunning()).isNotNull();
    assertThat(running.getPodIP()).startsWith("20.48.0.");
    assertThat(running.getStartTime()).isNotNull();

    Pod listed = provider.listPods().get(0);
    assertThat(listed.getMetadata().getUid()).isEqualTo(pod.getMetadata().getUid());
    assertThat(PodIdentity.specHash(listed)).hasValue("ab12");

    provider.deletePod(pod);
    assertThat(arm.count("DELETE", "group")).isEqualTo(1);
    PodStatus stopping = status(pod);
    assertThat(stopping.getContainerStatuses().get(0).getState().getTerminated()).isNotNull();
    clock.advance(Duration.ofSeconds(1));
    assertThat(status(pod)).isNull();
    assertThat(arm.groupNames()).isEmpty();
    assertThat(arm.count("GET", "operation")).as("no long-running operation is polled").isZero();
    provider.deletePod(pod); // deleting an unknown pod succeeds
  }

  @Test
  void secretValuesReachArmOnlyAsSecureValues() throws Exception {
    Pod pod =
        new PodBuilder(GroupTranslatorTest.helloworld())
            .editSpec()
            .editFirstContainer()
            .addToEnv(
                new EnvVarBuilder()
                    .withName("PASSWORD")
                    .withValue("hunter2-secret")
                    .withNewValueFrom()
                    .withNewSecretKeyRef("password", "db", false)
                    .endValueFrom()
                    .build())
            .endContainer()
            .endSpec()
            .build();
    provider.createPod(pod);
    @SuppressWarnings("unchecked")
    var stored =
        (List<Map<String, Object>>)
            ((Map<String, Object>)
                    ((Map<String, Object>)
                        ((List<Map<String, Object>>)
                                ((Map<String, Object>) arm.stored(groupOf(pod)).get("properties"))
                                    .get("containers"))
                            .get(0)
                            .get("properties")))
                .get("environmentVariables");
    assertThat(stored).containsExactly(Map.of("name", "PASSWORD", "secureValue", "hunter2-secret"));
    clock.advance(Duration.ofSeconds(1));
    assertThat(provider.getPod("default", "aci-helloworld").orElseThrow().toString())
        .doesNotContain("hunter2-secret");
  }

  @Test
  void aFailedProvisioningCarriesArmsErrorCodeAndMessage() throws Exception {
    Pod pod = helloworld(c -> c.withImage("myregistry.azurecr.io/does-not-exist:1"));
    provider.createPod(pod);
    clock.advance(Duration.ofSeconds(1));
    PodStatus failed = status(pod);
    assertThat(failed.getPhase()).isEqualTo("Failed");
    assertThat(failed.getReason()).isEqualTo("ProvisioningFailed");
    assertThat(failed.getMessage())
        .startsWith("InaccessibleImage: The image 'myregistry.azurecr.io/does-not-exist:1'");
  }

  @Test
  void exitCodesAndRestartsComeThrough() throws Exception {
    Pod pod = helloworld(c -> c.withCommand("sh", "-c", "sleep 1; exit 3"));
    provider.createPod(pod);
    clock.advance(Duration.ofSeconds(5));
    var c = status(pod).getContainerStatuses().get(0);
    assertThat(c.getRestartCount()).isEqualTo(2);
    assertThat(c.getState().getRunning()).isNotNull();
    assertThat(c.getLastState().getTerminated().getExitCode()).isEqualTo(3);
    assertThat(c.getLastState().getTerminated().getReason()).isEqualTo("Error");
  }

  @Test
  void throttlingIsReportedWithArmsRetryAfterAndNotRetriedBehindTheCore() throws Exception {
    arm.close();
    // two reads at once, then one per 100 s: however slow the machine, the third is throttled
    arm = new FakeArm(clock, 0.01, 2, 10, 200);
    provider.close();
    provider = connect(arm, context, Map.of());
    provider.ping();
    provider.ping();
    assertThatThrownBy(provider::ping)
        .isInstanceOfSatisfying(
            ProviderException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.THROTTLED);
              assertThat(e.retryAfter())
                  .hasValueSatisfying(
                      d -> assertThat(d).isGreaterThanOrEqualTo(Duration.ofSeconds(1)));
            })
        .hasMessageContaining("SubscriptionRequestsThrottled");
    assertThat(arm.requests).hasSize(3);
    assertThat(arm.throttled()).isEqualTo(1);
  }

  @Test
  void aFullSubscriptionIsAQuotaWait() throws Exception {
    arm.maxGroups = 1;
    provider.createPod(GroupTranslatorTest.helloworld());
    Pod second = named("second", "uid-2");
    assertThatThrownBy(() -> provider.createPod(second))
        .isInstanceOfSatisfying(
            ProviderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.QUOTA_EXCEEDED))
        .hasMessageContaining("ContainerGroupQuotaReached");
  }

  @Test
  void aRestartedProviderAdoptsByTagsWithoutWriting() throws Exception {
    Pod pod = GroupTranslatorTest.helloworld();
    provider.createPod(pod);
    provider.close();
    long writes = arm.count("PUT", "group");
    provider = connect(arm, context, Map.of());
    List<Pod> adopted = provider.listPods();
    assertThat(adopted)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getMetadata().getUid()).isEqualTo(pod.getMetadata().getUid());
              assertThat(PodIdentity.specHash(p)).hasValue("ab12");
            });
    assertThat(arm.count("PUT", "group")).isEqualTo(writes);
    // a group of another node in the same resource group is not ours
    arm.put(
        "aci-group",
        "other-node-pod",
        Map.of(
            "location",
            "japaneast",
            "tags",
            Map.of("NodeName", "other", "Namespace", "default", "PodName", "x"),
            "properties",
            Map.of(
                "containers",
                List.of(Map.of("name", "c", "properties", Map.of("image", "nginx"))),
                "osType",
                "Linux")));
    assertThat(provider.listPods()).hasSize(1);
  }

  @Test
  void batchedStatusReadsChangedGroupsAndFewSteadyOnes() throws Exception {
    arm.pageSize = 2;
    for (int i = 0; i < 5; i++) {
      provider.createPod(named("web-" + i, "uid-" + i));
    }
    arm.requests.clear();
    List<Pod> provisioning = provider.listPodStatuses();
    assertThat(provisioning).hasSize(5);
    assertThat(arm.count("GET", "list")).as("three pages").isEqualTo(3);
    assertThat(arm.count("GET", "group")).as("groups still provisioning are not read").isZero();
    assertThat(
            provisioning
                .get(0)
                .getStatus()
                .getContainerStatuses()
                .get(0)
                .getState()
                .getWaiting()
                .getReason())
        .isEqualTo("ContainerCreating");
    clock.advance(Duration.ofSeconds(1));
    provider.getPodStatus("default", "web-0"); // the core reads a pod in transition itself
    arm.requests.clear();
    provider.listPodStatuses();
    assertThat(arm.count("GET", "group"))
        .as("the other four, now provisioned, read once")
        .isEqualTo(4);

    arm.requests.clear();
    List<Pod> steady = provider.listPodStatuses();
    assertThat(steady)
        .hasSize(5)
        .allSatisfy(
            p ->
                assertThat(p.getStatus().getContainerStatuses().get(0).getState().getRunning())
                    .isNotNull());
    assertThat(arm.count("GET", "group")).as("steady groups are not read").isZero();

    clock.advance(AzureProvider.STEADY_REFRESH.plusSeconds(1));
    arm.requests.clear();
    provider.listPodStatuses();
    assertThat(arm.count("GET", "group")).isEqualTo(AzureProvider.STEADY_READS_PER_LIST);
  }

  /**
   * A group read after it was provisioned but before its containers ran keeps its provisioning
   * state when they start: the list must read it again instead of serving the waiting state it
   * remembered, or a Running pod would flip back to ContainerCreating.
   */
  @Test
  void aGroupReadBeforeItsContainersRanIsReadAgainUntilTheyRun() throws Exception {
    provider.createPod(named("web-0", "uid-0"));
    clock.advance(arm.provisionDelay.plusMillis(1));
    var early = provider.getPodStatus("default", "web-0").orElseThrow();
    assertThat(early.getContainerStatuses().get(0).getState().getWaiting()).isNotNull();

    clock.advance(arm.startDelay);
    arm.requests.clear();
    List<Pod> listed = provider.listPodStatuses();
    assertThat(listed.get(0).getStatus().getContainerStatuses().get(0).getState().getRunning())
        .as("the container's state now, not the one remembered")
        .isNotNull();
    assertThat(arm.count("GET", "group")).isEqualTo(1);

    arm.requests.clear();
    provider.listPodStatuses();
    assertThat(arm.count("GET", "group")).as("running: steady, not read again").isZero();
  }

  @Test
  void aRestartedProviderReadsItsGroupsOnceOverSeveralPolls() throws Exception {
    for (int i = 0; i < 5; i++) {
      provider.createPod(named("web-" + i, "uid-" + i));
    }
    clock.advance(Duration.ofSeconds(1));
    provider.close();
    provider = connect(arm, context, Map.of());
    provider.listReadsPerCall = 2;
    arm.requests.clear();
    // a group left out of a list would count as gone, so the list fails until all were read once
    assertThatThrownBy(provider::listPodStatuses)
        .isInstanceOfSatisfying(
            ProviderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TRANSIENT))
        .hasMessageContaining("2 container groups; 3 more");
    assertThatThrownBy(provider::listPodStatuses).hasMessageContaining("1 more");
    List<Pod> all = provider.listPodStatuses();
    assertThat(all)
        .hasSize(5)
        .allSatisfy(
            p ->
                assertThat(p.getStatus().getContainerStatuses().get(0).getState().getRunning())
                    .isNotNull());
    assertThat(arm.count("GET", "group")).as("each group read once").isEqualTo(5);
  }

  @Test
  void logsTailAndTimestampsComeFromListLogs() throws Exception {
    Pod pod = GroupTranslatorTest.helloworld();
    provider.createPod(pod);
    clock.advance(Duration.ofSeconds(1));
    String group = groupOf(pod);
    arm.log(group, "aci-helloworld", "listening on port 80");
    arm.log(group, "aci-helloworld", "GET / 200");
    LogOptions tail =
        new LogOptions(
            OptionalInt.of(1),
            java.util.OptionalLong.empty(),
            false,
            false,
            false,
            Optional.empty());
    try (InputStream in =
        provider.containerLogs("default", "aci-helloworld", "aci-helloworld", tail)) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("GET / 200\n");
    }
    try (InputStream in =
        provider.containerLogs(
            "default", "aci-helloworld", "aci-helloworld", LogOptions.defaults())) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
          .isEqualTo("listening on port 80\nGET / 200\n");
    }
    LogOptions previous =
        new LogOptions(
            OptionalInt.empty(),
            java.util.OptionalLong.empty(),
            false,
            false,
            true,
            Optional.empty());
    assertThatThrownBy(
            () -> provider.containerLogs("default", "aci-helloworld", "aci-helloworld", previous))
        .isInstanceOfSatisfying(
            ProviderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED));
    assertThatThrownBy(
            () ->
                provider.containerLogs("default", "aci-helloworld", "nope", LogOptions.defaults()))
        .isInstanceOfSatisfying(
            ProviderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
  }

  @Test
  void refusedCredentialsStopTheProviderBeforeAnyArmCall() throws Exception {
    AzureConfig config = GroupTranslatorTest.config(Map.of("armEndpoint", arm.endpoint()));
    TokenCredential refused =
        request ->
            Mono.error(new IllegalStateException("AADSTS7000215: Invalid client secret provided."));
    assertThatThrownBy(
            () ->
                AzureProviderFactory.connect(config, context, refused, http(arm), arm.clientTls()))
        .isInstanceOfSatisfying(
            ProviderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.AUTH))
        .hasMessageContaining("AADSTS7000215");
    assertThat(arm.requests).isEmpty();
    AzureProvider wrongToken =
        AzureProviderFactory.connect(
            config, context, credential("not-the-token"), http(arm), arm.clientTls());
    assertThatThrownBy(wrongToken::ping)
        .isInstanceOfSatisfying(
            ProviderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.AUTH));
  }

  @Test
  void execRunsThroughAcisWebSocketWithThePasswordFirst() throws Exception {
    Pod pod = GroupTranslatorTest.helloworld();
    provider.createPod(pod);
    clock.advance(Duration.ofSeconds(1));
    var echo = new ProviderConformanceTest.TestAttachIO(new byte[0], false);
    assertThat(
            provider.exec(
                "default", "aci-helloworld", "aci-helloworld", List.of("echo", "hello"), echo))
        .isZero();
    assertThat(echo.stdoutText()).isEqualTo("hello\r\n");
    assertThat(arm.exec.started.get(0).command()).isEqualTo("echo hello");
    assertThat(arm.exec.started.get(0).rows()).isEqualTo(24);
    assertThat(arm.exec.started.get(0).cols()).isEqualTo(80);

    var cat =
        new ProviderConformanceTest.TestAttachIO(
            "typed input".getBytes(StandardCharsets.UTF_8), false);
    assertThat(provider.exec("default", "aci-helloworld", "aci-helloworld", List.of("cat"), cat))
        .isZero();
    assertThat(cat.stdoutText()).isEqualTo("typed input");
    assertThat(arm.count("POST", "exec")).isEqualTo(2);
  }

  @Test
  void aTerminalExecTakesTheClientsSizeOnceAndEndsWithCtrlD() throws Exception {
    Pod pod = GroupTranslatorTest.helloworld();
    provider.createPod(pod);
    clock.advance(Duration.ofSeconds(1));
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    dev.vkj.spi.AttachIO tty =
        new dev.vkj.spi.AttachIO() {
          public Optional<InputStream> stdin() {
            return Optional.of(
                new java.io.ByteArrayInputStream("ls\n".getBytes(StandardCharsets.UTF_8)));
          }

          public Optional<java.io.OutputStream> stdout() {
            return Optional.of(out);
          }

          public Optional<java.io.OutputStream> stderr() {
            return Optional.empty();
          }

          public boolean tty() {
            return true;
          }

          public void onResize(java.util.function.Consumer<dev.vkj.spi.TerminalSize> listener) {
            listener.accept(new dev.vkj.spi.TerminalSize(120, 40));
          }

          public boolean isClosed() {
            return false;
          }
        };
    assertThat(provider.exec("default", "aci-helloworld", "aci-helloworld", List.of("cat"), tty))
        .isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("ls\n");
    assertThat(arm.exec.started.get(0).rows()).isEqualTo(40);
    assertThat(arm.exec.started.get(0).cols()).isEqualTo(120);
  }

  @Test
  void execRefusesWhatAciCannotRunAndUnknownPods() throws Exception {
    var io = new ProviderConformanceTest.TestAttachIO(new byte[0], false);
    assertThatThrownBy(() -> provider.exec("default", "nope", "app", List.of("ls"), io))
        .isInstanceOfSatisfying(
            ProviderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    provider.createPod(GroupTranslatorTest.helloworld());
    clock.advance(Duration.ofSeconds(1));
    assertThatThrownBy(
            () ->
                provider.exec(
                    "default",
                    "aci-helloworld",
                    "aci-helloworld",
                    List.of("sh", "-c", "echo a b"),
                    io))
        .isInstanceOfSatisfying(
            ProviderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT))
        .hasMessageContaining("'echo a b'");
    assertThatThrownBy(() -> provider.exec("default", "aci-helloworld", "other", List.of("ls"), io))
        .isInstanceOfSatisfying(
            ProviderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    assertThatThrownBy(() -> provider.attach("default", "aci-helloworld", "aci-helloworld", io))
        .isInstanceOfSatisfying(
            ProviderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED));
    assertThat(arm.count("POST", "exec")).isZero();
  }

  @Test
  void aciEventsBecomeKubernetesEventsOnceEach() throws Exception {
    Pod pod = helloworld(c -> c.withCommand("sh", "-c", "sleep 1; exit 1"));
    provider.createPod(pod);
    clock.advance(Duration.ofSeconds(1));
    status(pod);
    status(pod);
    provider.listPodStatuses();
    var events = context.events().forPod("default", "aci-helloworld");
    assertThat(events).extracting(e -> e.reason()).containsExactly("Pulling", "Pulled", "Started");
    assertThat(events.get(2).message()).isEqualTo("Started container");
    assertThat(events.get(2).container()).isEqualTo("aci-helloworld");
    clock.advance(Duration.ofSeconds(2)); // the container exited and was started again
    status(pod);
    status(pod);
    assertThat(context.events().forPod("default", "aci-helloworld"))
        .extracting(e -> e.reason())
        .containsExactly("Pulling", "Pulled", "Started", "Started");
  }

  @Test
  void serverErrorsAreTransientAndReachTheCoreUnretried() throws Exception {
    arm.failNext.add(503);
    assertThatThrownBy(provider::ping)
        .isInstanceOfSatisfying(
            ProviderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TRANSIENT))
        .hasMessageContaining("HTTP 503");
    assertThat(arm.requests).hasSize(1);
    provider.ping();
  }

  @Test
  void aBadConfigurationNamesTheKey() {
    Map<String, String> good =
        Map.of(
            "region", "japaneast",
            "resourceGroup", "aci-group",
            "subscriptionId", "00000000-1111-2222-3333-444444444444");
    Map<String, String> noGroup = new HashMap<>(good);
    noGroup.remove("resourceGroup");
    assertThatThrownBy(() -> create(noGroup))
        .isInstanceOfSatisfying(
            ProviderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG))
        .hasMessageContaining("resourceGroup");
    Map<String, String> badSubscription = new HashMap<>(good);
    badSubscription.put("subscriptionId", "not-a-guid");
    assertThatThrownBy(() -> create(badSubscription)).hasMessageContaining("subscriptionId");
    Map<String, String> plainHttp = new HashMap<>(good);
    plainHttp.put("armEndpoint", "http://127.0.0.1:1/");
    assertThatThrownBy(() -> create(plainHttp)).hasMessageContaining("armEndpoint");
  }

  private dev.vkj.spi.Provider create(Map<String, String> raw) throws ProviderException {
    var factory = new AzureProviderFactory();
    return factory.create(ProviderConfig.validated(raw, factory.configKeys()), context);
  }
}
