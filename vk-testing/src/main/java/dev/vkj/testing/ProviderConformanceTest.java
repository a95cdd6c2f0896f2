package dev.vkj.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vkj.core.VirtualKubelet;
import dev.vkj.spi.AttachIO;
import dev.vkj.spi.ConfigKey;
import dev.vkj.spi.ContainerExec;
import dev.vkj.spi.ContainerLogs;
import dev.vkj.spi.ErrorCode;
import dev.vkj.spi.LogOptions;
import dev.vkj.spi.NodeDescription;
import dev.vkj.spi.PodIdentity;
import dev.vkj.spi.PodStatusNotifier;
import dev.vkj.spi.PortForward;
import dev.vkj.spi.Provider;
import dev.vkj.spi.ProviderConfig;
import dev.vkj.spi.ProviderContext;
import dev.vkj.spi.ProviderException;
import dev.vkj.spi.ProviderFactory;
import dev.vkj.spi.SecretEnv;
import dev.vkj.spi.StatsProvider;
import dev.vkj.spi.TerminalSize;
import dev.vkj.spi.stats.ContainerStats;
import dev.vkj.spi.stats.PodStats;
import dev.vkj.spi.stats.StatsSummary;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The conformance kit of the provider SPI. A provider's test suite extends this class and
 * implements {@link #factory()}; the inherited checks then test the contract that the vkj core
 * relies on, in three ways: by calling the factory, by calling the provider's methods directly, and
 * by running the provider under the real core (controllers and kubelet API server) against an
 * in-JVM API server. {@code docs/provider-guide.md} explains each check and each hook.
 *
 * <p>Usage:
 *
 * <pre>{@code
 * class MyProviderConformanceTest extends ProviderConformanceTest {
 *   protected ProviderFactory factory() { return new MyProviderFactory(); }
 *   protected Map<String, String> providerConfig() { return Map.of("endpoint", fake.url()); }
 * }
 * }</pre>
 *
 * <p>Every provider call the kit makes runs on another thread under {@link #callTimeout()}: a
 * provider that hangs fails the check with a message naming the call instead of hanging the build.
 * Optional capabilities the provider does not offer are not skipped silently: the kit asserts that
 * the kubelet API answers {@code 501 Not Implemented} for them. The checks that need a capability
 * are reported as skipped (JUnit "aborted") only when that capability is absent.
 *
 * <p>Each check gets a fresh {@link FakeProviderContext} (override {@link #createContext()}) and a
 * fresh provider, closed afterwards. The context clock is a {@link MutableClock} that moves by
 * {@link #clockStep()} on every poll while a check waits, so providers that simulate time with it
 * make progress.
 */
public abstract class ProviderConformanceTest {
  /** The pattern of {@link ProviderFactory#name()}. */
  public static final Pattern PROVIDER_NAME = Pattern.compile("[a-z][a-z0-9-]*");

  /** The namespace of every pod the kit creates. */
  protected static final String NAMESPACE = "conformance";

  /** The Secret a secret-derived variable of the kit refers to. */
  protected static final String SECRET_NAME = "conformance-credentials";

  /** How long starting the core (API mock, informers, kubelet server) may take at most. */
  private static final Duration CORE_START = Duration.ofMinutes(3);

  /** The optional capabilities of a provider. */
  public enum Capability {
    STATUS_PUSH(PodStatusNotifier.class),
    LOGS(ContainerLogs.class),
    EXEC(ContainerExec.class),
    PORT_FORWARD(PortForward.class),
    STATS(StatsProvider.class);

    private final Class<?> type;

    Capability(Class<?> type) {
      this.type = type;
    }

    /** The SPI interface a provider implements to offer this capability. */
    public Class<?> type() {
      return type;
    }

    /** The capabilities a provider object implements. */
    public static Set<Capability> of(Provider provider) {
      Set<Capability> found = EnumSet.noneOf(Capability.class);
      for (Capability capability : values()) {
        if (capability.type.isInstance(provider)) {
          found.add(capability);
        }
      }
      return found;
    }
  }

  /** The context of the current check; created before each check. */
  protected FakeProviderContext context;

  /** The provider under test; created before each check and closed after it. */
  protected Provider provider;

  /** Receives pushes when the provider is a {@link PodStatusNotifier}; empty otherwise. */
  protected RecordingStatusListener statusListener;

  private ExecutorService blockingCalls;

  // ---- hooks ----

  /** The factory of the provider under test, as listed in {@code META-INF/services}. */
  protected abstract ProviderFactory factory();

  /**
   * The raw configuration the checks create the provider with (as a user writes it in the provider
   * config file); checked against {@link ProviderFactory#configKeys()}. Default: empty.
   */
  protected Map<String, String> providerConfig() {
    return Map.of();
  }

  /**
   * Creates the provider under test. Default: {@link #factory()} with {@link #providerConfig()},
   * checked as the runner checks it.
   */
  protected Provider createProvider(ProviderContext context) throws Exception {
    ProviderFactory factory = factory();
    return factory.create(
        ProviderConfig.validated(providerConfig(), factory.configKeys()), context);
  }

  /**
   * Creates a second provider instance on the same backend as the last one {@link #createProvider}
   * made, as a restarted runner does. The kit closes the first one before. The default calls {@link
   * #createProvider} again, which is right for a provider whose backend lives outside the JVM; a
   * provider that keeps its backend in memory or in a file must pass the same state (for example
   * the same state file).
   */
  protected Provider createRestartedProvider(ProviderContext context) throws Exception {
    return createProvider(context);
  }

  /** The context each check uses; override to set node name, resources or clock. */
  protected FakeProviderContext createContext() {
    return FakeProviderContext.builder().build();
  }

  /** How long a check waits for a state change. Default 15 s. */
  protected Duration timeout() {
    return Duration.ofSeconds(15);
  }

  /** How long one provider call may take before the check fails. Default: {@link #timeout()}. */
  protected Duration callTimeout() {
    return timeout();
  }

  /**
   * How long a check through the core waits for a state change (the core polls and retries on its
   * own schedule). Default: the longer of {@link #timeout()} and 30 s.
   */
  protected Duration coreTimeout() {
    Duration thirty = Duration.ofSeconds(30);
    return timeout().compareTo(thirty) > 0 ? timeout() : thirty;
  }

  /** How far the {@link MutableClock} moves on each poll while a check waits. Default 1 s. */
  protected Duration clockStep() {
    return Duration.ofSeconds(1);
  }

  /**
   * The optional capabilities the provider offers. Default: those its class implements. Override
   * with a fixed set to pin them: a capability lost by accident then fails {@code
   * capabilitiesAreTheExpectedOnes} instead of turning checks into 501 checks.
   */
  protected Set<Capability> expectedCapabilities() {
    return Capability.of(provider);
  }

  /**
   * The pod used by the checks: one container {@code app} ({@code busybox:1.36}) declaring port
   * 8080, with small requests. Override to fit the backend; keep the name, the namespace {@link
   * #NAMESPACE}, the node name and a unique UID.
   */
  protected Pod testPod(String name) {
    return PodFixtures.pod(name)
        .namespace(NAMESPACE)
        .nodeName(context.nodeName())
        .container("app", "busybox:1.36", c -> c.port(8080).requests("100m", "64Mi"))
        .build();
  }

  /**
   * A pod the backend can never run; {@code createPod} must refuse it with {@link
   * ErrorCode#INVALID_INPUT}. Default: {@link #testPod} with a request of 100,000 CPUs and 1000 Ti
   * of memory.
   */
  protected Pod impossiblePod(String name) {
    Pod pod = testPod(name);
    return new PodBuilder(pod)
        .editSpec()
        .editFirstContainer()
        .editOrNewResources()
        .addToRequests("cpu", new Quantity("100000"))
        .addToRequests("memory", new Quantity("1000Ti"))
        .endResources()
        .endContainer()
        .endSpec()
        .build();
  }

  /** A command that prints {@code text} and a newline to stdout and exits 0. */
  protected List<String> echoCommand(String text) {
    return List.of("echo", text);
  }

  /**
   * A pod whose container {@code app} writes {@code marker} to its log and keeps running. Default:
   * {@link #testPod} with the command {@code sh -c "echo <marker>; exec sleep 3600"}.
   */
  protected Pod logPod(String name, String marker) {
    return new PodBuilder(testPod(name))
        .editSpec()
        .editFirstContainer()
        .withCommand("sh", "-c", "echo " + marker + "; exec sleep 3600")
        .endContainer()
        .endSpec()
        .build();
  }

  /**
   * The text the log of {@code container} of {@code pod} (from {@link #logPod}) must contain.
   * Default: the marker.
   */
  protected String expectedLogText(Pod pod, String container, String marker) {
    return marker;
  }

  /**
   * A pod whose first declared port echoes what it receives. Default: {@link #testPod}; a backend
   * that runs real images overrides it with a container that echoes (for example {@code socat
   * TCP-LISTEN:8080,fork EXEC:cat}).
   */
  protected Pod portForwardPod(String name) {
    return testPod(name);
  }

  /** What the pod's port answers to {@code sent}. Default: the same bytes (an echo). */
  protected byte[] expectedPortForwardReply(byte[] sent) {
    return sent;
  }

  /**
   * Checks where the backend keeps a secret-derived variable ({@link SecretEnv}) of a running pod,
   * for example that a fake cloud API received it as a secure value. Called after the kit checked
   * that the value appears nowhere in what {@code getPod}, {@code listPods} and {@code
   * getPodStatus} return. Default: nothing more.
   *
   * @param pod the pod as given to {@code createPod}
   * @param container the container holding the variable
   * @param variable the resolved variable: {@code value} and {@code valueFrom.secretKeyRef}
   */
  protected void verifySecretStorage(Pod pod, String container, EnvVar variable) throws Exception {}

  /**
   * The value the factory-level secret check gives to a declared secret key. Default: a random
   * marker; override when the factory validates the format of the value.
   */
  protected String secretConfigValue(ConfigKey key) {
    return "vkj-conformance-secret-" + UUID.randomUUID();
  }

  // ---- lifecycle of a check ----

  @BeforeEach
  void setUpProvider() throws Exception {
    blockingCalls =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "vkj-conformance-call");
              t.setDaemon(true);
              return t;
            });
    context = createContext();
    provider = call("createProvider", () -> createProvider(context));
    assertThat(provider).as("createProvider result").isNotNull();
    statusListener = new RecordingStatusListener();
    listen(provider);
  }

  @AfterEach
  void tearDownProvider() throws Exception {
    try {
      if (provider != null) {
        Provider closing = provider;
        call(
            "close",
            () -> {
              closing.close();
              return null;
            });
      }
    } finally {
      blockingCalls.shutdownNow();
      if (context != null) {
        context.close();
      }
    }
  }

  private void listen(Provider target) throws Exception {
    if (target instanceof PodStatusNotifier notifier) {
      call(
          "notifyPodStatus",
          () -> {
            notifier.notifyPodStatus(statusListener);
            return null;
          });
    }
  }

  /** Polls with {@link #timeout()} and advances the clock by {@link #clockStep()} each poll. */
  protected Eventually eventually() {
    return Eventually.within(timeout())
        .pollingEvery(Duration.ofMillis(25))
        .beforeEachPoll(() -> context.clock().advance(clockStep()));
  }

  /**
   * Runs a provider call on another thread and fails the check, naming the call, if it takes longer
   * than {@link #callTimeout()}.
   */
  protected <T> T call(String what, Callable<T> call) throws Exception {
    Future<T> future = blockingCalls.submit(call);
    try {
      return future.get(callTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new AssertionError("provider call " + what + " did not return within " + callTimeout());
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw e;
    }
  }

  /** The same as {@link #call}; kept for subclasses written against the first kit. */
  protected <T> T withTimeout(String what, Callable<T> call) throws Exception {
    return call(what, call);
  }

  /** {@code createPod} under the call timeout; adds a spec hash as the core does when missing. */
  protected Pod create(Pod pod) throws Exception {
    Pod hashed = withSpecHash(pod);
    call(
        "createPod " + name(hashed),
        () -> {
          provider.createPod(hashed);
          return null;
        });
    return hashed;
  }

  /** {@code updatePod} under the call timeout. */
  protected void update(Pod pod) throws Exception {
    call(
        "updatePod " + name(pod),
        () -> {
          provider.updatePod(pod);
          return null;
        });
  }

  /** {@code deletePod} under the call timeout. */
  protected void delete(Pod pod) throws Exception {
    call(
        "deletePod " + name(pod),
        () -> {
          provider.deletePod(pod);
          return null;
        });
  }

  /** {@code getPod} under the call timeout. */
  protected Optional<Pod> get(String name) throws Exception {
    return call("getPod " + NAMESPACE + "/" + name, () -> provider.getPod(NAMESPACE, name));
  }

  /** {@code getPodStatus} under the call timeout. */
  protected Optional<PodStatus> status(String name) throws Exception {
    return call(
        "getPodStatus " + NAMESPACE + "/" + name, () -> provider.getPodStatus(NAMESPACE, name));
  }

  /** {@code listPods} under the call timeout. */
  protected List<Pod> list() throws Exception {
    return call("listPods", () -> provider.listPods());
  }

  /** Waits until every container of the pod is running and returns that status. */
  protected PodStatus awaitRunning(Pod pod) {
    String name = pod.getMetadata().getName();
    return eventually()
        .untilPresent(
            "all containers of " + NAMESPACE + "/" + name + " running",
            () -> {
              Optional<PodStatus> status = status(name);
              return status.isPresent() && allRunning(pod, status.get()) ? status.get() : null;
            });
  }

  private static boolean allRunning(Pod pod, PodStatus status) {
    List<ContainerStatus> statuses = status.getContainerStatuses();
    return statuses != null
        && statuses.size() == pod.getSpec().getContainers().size()
        && statuses.stream()
            .allMatch(s -> s.getState() != null && s.getState().getRunning() != null);
  }

  // ---- factory ----

  @Test
  @DisplayName("factory: registered in META-INF/services for ServiceLoader")
  void factoryIsRegisteredWithServiceLoader() {
    ProviderFactory factory = factory();
    assertThat(factory).as("factory()").isNotNull();
    List<Class<?>> registered =
        ServiceLoader.load(ProviderFactory.class, factory.getClass().getClassLoader()).stream()
            .map(ServiceLoader.Provider::type)
            .collect(Collectors.toList());
    assertThat(registered)
        .as(
            "factories listed in META-INF/services/%s (the runner finds providers only there)",
            ProviderFactory.class.getName())
        .contains(factory.getClass());
  }

  @Test
  @DisplayName("factory: the name matches [a-z][a-z0-9-]*")
  void factoryNameIsValid() {
    String name = factory().name();
    assertThat(name).as("factory name").isNotNull().matches(PROVIDER_NAME);
  }

  @Test
  @DisplayName("factory: config keys are declared once each and accept the test configuration")
  void factoryDeclaresItsConfigKeys() throws Exception {
    List<ConfigKey> keys = factory().configKeys();
    assertThat(keys).as("configKeys()").isNotNull().doesNotContainNull();
    Set<String> names = new HashSet<>();
    for (ConfigKey key : keys) {
      assertThat(names.add(key.name())).as("config key %s declared once", key.name()).isTrue();
      assertThat(key.description()).as("description of config key %s", key.name()).isNotBlank();
    }
    assertThat(names)
        .as("keys of providerConfig() must be declared, or the runner rejects them")
        .containsAll(providerConfig().keySet());
    ProviderConfig.validated(providerConfig(), keys);
  }

  @Test
  @DisplayName("factory: an unknown config key is rejected with INVALID_CONFIG naming it")
  void unknownConfigKeyIsRejected() {
    String unknown = "conformance-unknown-key";
    Map<String, String> raw = new HashMap<>(providerConfig());
    raw.put(unknown, "x");
    ProviderException e =
        expectProviderException(() -> ProviderConfig.validated(raw, factory().configKeys()));
    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG);
    assertThat(e.getMessage()).contains(unknown);
  }

  @Test
  @DisplayName("factory: secret config values never appear in toString, logs or errors")
  void secretConfigValuesAreNeverShown() throws Exception {
    ProviderFactory factory = factory();
    List<ConfigKey> secrets =
        factory.configKeys().stream().filter(ConfigKey::secret).collect(Collectors.toList());
    assumeFalse(secrets.isEmpty(), "the factory declares no secret key (expected skip)");
    Map<String, String> raw = new HashMap<>(providerConfig());
    List<String> values = new ArrayList<>();
    for (ConfigKey key : secrets) {
      String value = secretConfigValue(key);
      raw.put(key.name(), value);
      values.add(value);
    }
    ProviderConfig config = ProviderConfig.validated(raw, factory.configKeys());
    for (ConfigKey key : secrets) {
      assertThat(config.isSecret(key.name())).as("%s marked secret", key.name()).isTrue();
    }
    assertNoneContained("ProviderConfig.toString()", config.toString(), values);

    // What the provider prints while it starts: SLF4J simple and most console loggers write to
    // System.err or System.out, which are captured here.
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream out = System.out;
    PrintStream err = System.err;
    PrintStream capture = new PrintStream(new Tee(printed, err), true, StandardCharsets.UTF_8);
    System.setOut(capture);
    System.setErr(capture);
    FakeProviderContext secretContext = createContext();
    try {
      Provider created =
          call("create with secret config", () -> factory.create(config, secretContext));
      if (created != null) {
        call(
            "close",
            () -> {
              created.close();
              return null;
            });
      }
    } catch (ProviderException e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        assertNoneContained(
            "message of " + t.getClass().getName(), String.valueOf(t.getMessage()), values);
      }
    } finally {
      System.setOut(out);
      System.setErr(err);
      secretContext.close();
    }
    assertNoneContained(
        "output while creating the provider", printed.toString(StandardCharsets.UTF_8), values);
    for (RecordingEventRecorder.Event event : secretContext.events().events()) {
      assertNoneContained("event " + event.reason(), event.message(), values);
    }
  }

  private static void assertNoneContained(String where, String text, List<String> secrets) {
    for (String secret : secrets) {
      if (text != null && text.contains(secret)) {
        fail("a secret config value appears in " + where);
      }
    }
  }

  // ---- pod lifecycle ----

  @Test
  @DisplayName("createPod, then getPod, listPods and getPodStatus know the pod")
  void createThenGetListAndStatus() throws Exception {
    Pod pod = create(testPod("create-get"));

    Optional<Pod> got = get("create-get");
    assertThat(got).as("getPod after createPod").isPresent();
    assertThat(got.get().getMetadata().getUid()).isEqualTo(pod.getMetadata().getUid());
    assertThat(got.get().getSpec().getContainers())
        .extracting(Container::getName)
        .containsExactly("app");

    assertThat(list())
        .extracting(p -> p.getMetadata().getNamespace() + "/" + p.getMetadata().getName())
        .contains(NAMESPACE + "/create-get");

    eventually().untilAsserted(() -> assertThat(status("create-get")).isPresent());
  }

  @Test
  @DisplayName("getPod and getPodStatus of an unknown pod are empty")
  void unknownPodIsEmpty() throws Exception {
    assertThat(get("no-such-pod")).isEmpty();
    assertThat(status("no-such-pod")).isEmpty();
    assertThat(list()).noneMatch(p -> "no-such-pod".equals(p.getMetadata().getName()));
  }

  @Test
  @DisplayName("createPod twice with the same UID is idempotent")
  void createTwiceIsIdempotent() throws Exception {
    Pod pod = create(testPod("twice"));
    create(pod);

    List<Pod> matching =
        list().stream()
            .filter(
                p ->
                    NAMESPACE.equals(p.getMetadata().getNamespace())
                        && "twice".equals(p.getMetadata().getName()))
            .collect(Collectors.toList());
    assertThat(matching).hasSize(1);
    assertThat(matching.get(0).getMetadata().getUid()).isEqualTo(pod.getMetadata().getUid());
  }

  @Test
  @DisplayName("deletePod of an unknown pod succeeds")
  void deleteUnknownPodSucceeds() throws Exception {
    delete(testPod("never-created"));
    assertThat(get("never-created")).isEmpty();
  }

  @Test
  @DisplayName("deletePod: status is terminated or absent, then the pod leaves listPods")
  void deleteTerminatesThenRemoves() throws Exception {
    Pod pod = create(testPod("delete-me"));
    awaitRunning(pod);

    delete(pod);

    Optional<PodStatus> after = status("delete-me");
    if (after.isPresent() && after.get().getContainerStatuses() != null) {
      // A container may still be stopping, but none may be (re)started after the delete.
      for (ContainerStatus status : after.get().getContainerStatuses()) {
        assertThat(status.getState()).as("state of " + status.getName()).isNotNull();
      }
    }
    eventually()
        .untilAsserted(
            () ->
                status("delete-me")
                    .ifPresent(
                        s ->
                            assertThat(s.getContainerStatuses())
                                .as("containers after delete")
                                .allMatch(c -> c.getState().getRunning() == null)));
    eventually()
        .untilAsserted(
            () -> assertThat(list()).noneMatch(p -> "delete-me".equals(p.getMetadata().getName())));
    assertThat(get("delete-me")).isEmpty();
    // A second delete of the now unknown pod still succeeds.
    delete(pod);
  }

  @Test
  @DisplayName("status has one valid container status per spec container")
  void statusHasOneContainerStatusPerContainer() throws Exception {
    Pod pod =
        PodFixtures.pod("two-containers")
            .namespace(NAMESPACE)
            .nodeName(context.nodeName())
            .container("first", testImage(), c -> c.requests("100m", "64Mi"))
            .container("second", testImage(), c -> c.requests("100m", "64Mi"))
            .build();
    create(pod);

    PodStatus initial =
        eventually()
            .untilPresent(
                "status of " + NAMESPACE + "/two-containers",
                () -> status("two-containers").orElse(null));
    assertValidContainerStatuses(pod, initial);

    PodStatus running = awaitRunning(pod);
    assertValidContainerStatuses(pod, running);
    for (ContainerStatus status : running.getContainerStatuses()) {
      assertThat(status.getRestartCount()).as("restartCount").isNotNull().isGreaterThanOrEqualTo(0);
      assertThat(status.getState().getRunning().getStartedAt())
          .as("startedAt of " + status.getName())
          .isNotBlank();
    }
  }

  @Test
  @DisplayName("describeNode reports cpu, memory and pods capacity and a known OS")
  void describeNodeHasCapacity() throws Exception {
    NodeDescription node = call("describeNode", () -> provider.describeNode());
    assertThat(node.capacity()).containsKeys("cpu", "memory", "pods");
    assertThat(node.allocatable()).containsKeys("cpu", "memory", "pods");
    node.capacity()
        .forEach(
            (resource, quantity) ->
                assertThat(quantity.getNumericalAmount().signum())
                    .as("capacity " + resource)
                    .isPositive());
    assertThat(node.operatingSystem()).isIn("linux", "windows");
    assertThat(node.architecture()).isNotBlank();
  }

  @Test
  @DisplayName("ping succeeds on a healthy backend")
  void pingWorks() throws Exception {
    call(
        "ping",
        () -> {
          provider.ping();
          return null;
        });
  }

  @Test
  @DisplayName("a pod the backend can never run is refused with INVALID_INPUT")
  void impossiblePodIsInvalidInput() throws Exception {
    Pod pod = impossiblePod("impossible");
    ProviderException e = expectProviderException(() -> create(pod));
    assertThat(e.code()).as("error code of createPod").isEqualTo(ErrorCode.INVALID_INPUT);
    assertThat(e.getMessage()).as("message for the pod's events").isNotBlank();
    assertThat(get("impossible")).as("a refused pod is not kept").isEmpty();
  }

  @Test
  @DisplayName("updatePod with only a label changed keeps the containers running, stores the hash")
  void labelOnlyUpdateKeepsPodRunning() throws Exception {
    Pod pod = create(testPod("relabel"));
    PodStatus before = awaitRunning(pod);
    Pod relabelled =
        new PodBuilder(pod)
            .editMetadata()
            .addToLabels("conformance.vkj.dev/relabelled", "true")
            .addToAnnotations(PodIdentity.SPEC_HASH, randomHash())
            .endMetadata()
            .build();
    update(relabelled);

    // a restart may come late: look a few times while the clock moves on
    for (int i = 0; i < 3; i++) {
      PodStatus after = status("relabel").orElse(null);
      assertThat(after).as("status after a label-only update").isNotNull();
      assertThat(allRunning(pod, after)).as("all containers still running: %s", after).isTrue();
      for (ContainerStatus was : before.getContainerStatuses()) {
        ContainerStatus now =
            after.getContainerStatuses().stream()
                .filter(c -> c.getName().equals(was.getName()))
                .findFirst()
                .orElseThrow();
        assertThat(now.getContainerID())
            .as("containerID of %s", was.getName())
            .isEqualTo(was.getContainerID());
        assertThat(now.getState().getRunning().getStartedAt())
            .as("startedAt of %s", was.getName())
            .isEqualTo(was.getState().getRunning().getStartedAt());
        assertThat(now.getRestartCount())
            .as("restartCount of %s", was.getName())
            .isEqualTo(was.getRestartCount());
      }
      context.clock().advance(clockStep());
    }
    Pod stored = get("relabel").orElse(null);
    assertThat(stored).as("getPod after updatePod").isNotNull();
    assertThat(PodIdentity.specHash(stored))
        .as("spec hash after updatePod (the one given with the update)")
        .isEqualTo(PodIdentity.specHash(relabelled));
  }

  @Test
  @DisplayName("restart: a new provider instance lists the pod with its UID and spec hash")
  void restartedProviderListsPodWithUidAndSpecHash() throws Exception {
    Pod pod = create(testPod("adopted"));
    awaitRunning(pod);
    Provider first = provider;
    provider = null;
    call(
        "close",
        () -> {
          first.close();
          return null;
        });
    provider = call("createRestartedProvider", () -> createRestartedProvider(context));
    assertThat(provider).as("createRestartedProvider result").isNotNull();
    listen(provider);

    Pod listed =
        list().stream()
            .filter(p -> NAMESPACE.equals(p.getMetadata().getNamespace()))
            .filter(p -> "adopted".equals(p.getMetadata().getName()))
            .findFirst()
            .orElse(null);
    assertThat(listed).as("listPods of the restarted provider has the pod").isNotNull();
    assertThat(listed.getMetadata().getUid())
        .as("UID listed")
        .isEqualTo(pod.getMetadata().getUid());
    assertThat(PodIdentity.specHash(listed))
        .as("spec hash listed (annotation %s)", PodIdentity.SPEC_HASH)
        .isEqualTo(PodIdentity.specHash(pod));
    Pod got = get("adopted").orElse(null);
    assertThat(got).as("getPod of the restarted provider").isNotNull();
    assertThat(got.getMetadata().getUid()).isEqualTo(pod.getMetadata().getUid());
    assertThat(PodIdentity.specHash(got)).isEqualTo(PodIdentity.specHash(pod));
    awaitRunning(pod);
  }

  @Test
  @DisplayName("a secret-derived variable's value is never returned by getPod, listPods, status")
  void secretEnvValueIsNeverReturned() throws Exception {
    String secret = "vkj-conformance-secret-" + UUID.randomUUID();
    EnvVar variable =
        new EnvVarBuilder()
            .withName("CONFORMANCE_TOKEN")
            .withValue(secret)
            .withNewValueFrom()
            .withNewSecretKeyRef()
            .withName(SECRET_NAME)
            .withKey("token")
            .endSecretKeyRef()
            .endValueFrom()
            .build();
    assertThat(SecretEnv.fromSecret(variable)).isTrue();
    Pod base = testPod("secret-env");
    Container app = base.getSpec().getContainers().get(0);
    Pod pod =
        create(
            new PodBuilder(base)
                .editSpec()
                .editFirstContainer()
                .addToEnv(variable)
                .addToEnv(new EnvVar("CONFORMANCE_PLAIN", "visible", null))
                .endContainer()
                .endSpec()
                .build());
    awaitRunning(pod);

    List<String> secrets = List.of(secret);
    assertNoneContained("getPod", Serialization.asJson(get("secret-env").orElseThrow()), secrets);
    assertNoneContained(
        "listPods",
        Serialization.asJson(
            list().stream()
                .filter(p -> "secret-env".equals(p.getMetadata().getName()))
                .collect(Collectors.toList())),
        secrets);
    assertNoneContained(
        "getPodStatus", Serialization.asJson(status("secret-env").orElseThrow()), secrets);
    for (RecordingEventRecorder.Event event : context.events().events()) {
      assertNoneContained("event " + event.reason(), event.message(), secrets);
    }
    verifySecretStorage(pod, app.getName(), variable);
  }

  // ---- optional capabilities ----

  @Test
  @DisplayName("capabilities: the provider implements exactly the expected ones")
  void capabilitiesAreTheExpectedOnes() {
    assertThat(Capability.of(provider))
        .as("capabilities implemented by %s", provider.getClass().getName())
        .isEqualTo(expectedCapabilities());
  }

  private void require(Capability capability) {
    assumeTrue(
        expectedCapabilities().contains(capability),
        "provider does not offer " + capability + " (expected skip; its 501 answer is checked)");
    assertThat(provider)
        .as("provider expected to offer %s", capability)
        .isInstanceOf(capability.type());
  }

  private void requireMissing(Capability capability) {
    assumeFalse(
        expectedCapabilities().contains(capability),
        "provider offers " + capability + " (expected skip; its content is checked)");
  }

  @Test
  @DisplayName("PodStatusNotifier: a push arrives after createPod")
  void statusPushAfterCreate() throws Exception {
    require(Capability.STATUS_PUSH);
    Pod pod = create(testPod("pushed"));
    eventually()
        .untilAsserted(
            () -> {
              Optional<Pod> pushed = statusListener.latest(NAMESPACE, "pushed");
              assertThat(pushed).as("push for " + NAMESPACE + "/pushed").isPresent();
              assertThat(pushed.get().getMetadata().getUid()).isEqualTo(pod.getMetadata().getUid());
              assertThat(pushed.get().getStatus()).isNotNull();
            });
  }

  @Test
  @DisplayName("ContainerLogs: unknown pod or container is NOT_FOUND")
  void logsOfUnknownPodNotFound() throws Exception {
    require(Capability.LOGS);
    ContainerLogs logs = (ContainerLogs) provider;
    assertCode(
        ErrorCode.NOT_FOUND,
        () ->
            call(
                "containerLogs of an unknown pod",
                () -> logs.containerLogs(NAMESPACE, "no-such-pod", "app", LogOptions.defaults())));

    Pod pod = create(testPod("logs-unknown-container"));
    awaitRunning(pod);
    assertCode(
        ErrorCode.NOT_FOUND,
        () ->
            call(
                "containerLogs of an unknown container",
                () ->
                    logs.containerLogs(
                        NAMESPACE,
                        "logs-unknown-container",
                        "no-such-container",
                        LogOptions.defaults())));
  }

  @Test
  @DisplayName("ContainerLogs: the log holds what the container wrote and ends without follow")
  void logsOfRunningPod() throws Exception {
    require(Capability.LOGS);
    ContainerLogs logs = (ContainerLogs) provider;
    String marker = "vkj-conformance-log-" + UUID.randomUUID();
    Pod pod = create(logPod("logs", marker));
    awaitRunning(pod);
    String expected = expectedLogText(pod, "app", marker);
    // Without follow the stream must end on its own; the call timeout fails the check if not.
    eventually()
        .untilAsserted(
            () -> {
              String text =
                  call(
                      "reading a log without follow",
                      () -> {
                        try (InputStream in =
                            logs.containerLogs(NAMESPACE, "logs", "app", LogOptions.defaults())) {
                          assertThat(in).as("log stream").isNotNull();
                          return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                        }
                      });
              assertThat(text).as("log of " + NAMESPACE + "/logs/app").contains(expected);
            });
    // tailLines=0 asks for no line at all (the kubelet's rule).
    LogOptions none =
        new LogOptions(
            OptionalInt.of(0), OptionalLong.empty(), false, false, false, Optional.empty());
    byte[] empty =
        call(
            "reading a log with tailLines=0",
            () -> {
              try (InputStream in = logs.containerLogs(NAMESPACE, "logs", "app", none)) {
                return in.readAllBytes();
              }
            });
    assertThat(empty).as("log with tailLines=0").isEmpty();
  }

  @Test
  @DisplayName("ContainerExec: unknown pod is NOT_FOUND")
  void execOfUnknownPodNotFound() {
    require(Capability.EXEC);
    TestAttachIO io = new TestAttachIO(new byte[0], false);
    assertCode(
        ErrorCode.NOT_FOUND,
        () ->
            call(
                "exec in an unknown pod",
                () ->
                    ((ContainerExec) provider)
                        .exec(NAMESPACE, "no-such-pod", "app", echoCommand("x"), io)));
  }

  @Test
  @DisplayName("ContainerExec: echo in a running container prints its text and exits 0")
  void execInRunningPod() throws Exception {
    require(Capability.EXEC);
    Pod pod = create(testPod("exec"));
    awaitRunning(pod);
    String marker = "vkj-conformance-exec-" + UUID.randomUUID();
    TestAttachIO io = new TestAttachIO(new byte[0], false);
    int exitCode =
        call(
            "exec",
            () ->
                ((ContainerExec) provider).exec(NAMESPACE, "exec", "app", echoCommand(marker), io));
    assertThat(exitCode).as("exit code").isZero();
    assertThat(io.stdoutText()).as("stdout of exec").contains(marker);
  }

  @Test
  @DisplayName("PortForward: unknown pod is NOT_FOUND")
  void portForwardOfUnknownPodNotFound() {
    require(Capability.PORT_FORWARD);
    assertCode(
        ErrorCode.NOT_FOUND,
        () ->
            call(
                "portForward to an unknown pod",
                () -> {
                  ((PortForward) provider)
                      .portForward(
                          NAMESPACE,
                          "no-such-pod",
                          8080,
                          new ByteArrayInputStream(new byte[0]),
                          new ByteArrayOutputStream());
                  return null;
                }));
  }

  @Test
  @DisplayName("PortForward: bytes sent to a declared port come back, the session ends on close")
  void portForwardToRunningPod() throws Exception {
    require(Capability.PORT_FORWARD);
    Pod pod = create(portForwardPod("forward"));
    awaitRunning(pod);
    int port = pod.getSpec().getContainers().get(0).getPorts().get(0).getContainerPort();
    byte[] sent =
        ("vkj-conformance-bytes-" + UUID.randomUUID() + "\n").getBytes(StandardCharsets.UTF_8);
    byte[] expected = expectedPortForwardReply(sent);
    ClientStream fromClient = new ClientStream(sent);
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    OutputStream toClient = new SynchronizedOutput(received);
    Future<Object> session =
        blockingCalls.submit(
            () -> {
              ((PortForward) provider)
                  .portForward(NAMESPACE, "forward", port, fromClient, toClient);
              return null;
            });
    try {
      eventually()
          .untilAsserted(
              () -> {
                if (session.isDone()) {
                  session.get();
                }
                byte[] got;
                synchronized (received) {
                  got = received.toByteArray();
                }
                assertThat(new String(got, StandardCharsets.ISO_8859_1))
                    .as("bytes received through port-forward")
                    .contains(new String(expected, StandardCharsets.ISO_8859_1));
              });
    } finally {
      fromClient.close();
    }
    // The client closed: the session must end, without an error.
    try {
      session.get(callTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      session.cancel(true);
      throw new AssertionError(
          "portForward did not return within " + callTimeout() + " after the client closed");
    }
  }

  @Test
  @DisplayName("StatsProvider: a running pod has non-zero cpu and memory for every container")
  void statsOfRunningPod() throws Exception {
    require(Capability.STATS);
    Pod pod = create(testPod("stats"));
    awaitRunning(pod);
    context.clock().advance(Duration.ofSeconds(10));

    StatsSummary summary =
        eventually()
            .untilPresent(
                "stats of " + NAMESPACE + "/stats",
                () -> {
                  StatsSummary s =
                      call("statsSummary", () -> ((StatsProvider) provider).statsSummary());
                  return s.pods().stream().anyMatch(p -> p.name().equals("stats")) ? s : null;
                });
    assertThat(summary.node().nodeName()).isEqualTo(context.nodeName());
    assertThat(summary.node().cpu().usageCoreNanoSeconds()).isPositive();
    assertThat(summary.node().memory().workingSetBytes()).isPositive();
    PodStats stats =
        summary.pods().stream().filter(p -> p.name().equals("stats")).findFirst().orElseThrow();
    assertThat(stats.namespace()).isEqualTo(NAMESPACE);
    assertThat(stats.uid()).isEqualTo(pod.getMetadata().getUid());
    assertThat(stats.containers()).extracting(ContainerStats::name).containsExactly("app");
    for (ContainerStats container : stats.containers()) {
      assertThat(container.cpu().usageNanoCores()).as("usageNanoCores").isPositive();
      assertThat(container.cpu().usageCoreNanoSeconds()).as("usageCoreNanoSeconds").isPositive();
      assertThat(container.memory().workingSetBytes()).as("workingSetBytes").isPositive();
    }
  }

  @Test
  @DisplayName("without ContainerLogs, the kubelet API answers /containerLogs with 501")
  void logsMissingAnswer501() throws Exception {
    requireMissing(Capability.LOGS);
    assertKubeletApiAnswers501("/containerLogs/" + NAMESPACE + "/api-pod/app");
  }

  @Test
  @DisplayName("without ContainerExec, the kubelet API answers /exec and /attach with 501")
  void execMissingAnswer501() throws Exception {
    requireMissing(Capability.EXEC);
    assertKubeletApiAnswers501(
        "/exec/" + NAMESPACE + "/api-pod/app?command=echo&command=x&output=1",
        "/attach/" + NAMESPACE + "/api-pod/app?output=1");
  }

  @Test
  @DisplayName("without PortForward, the kubelet API answers /portForward with 501")
  void portForwardMissingAnswer501() throws Exception {
    requireMissing(Capability.PORT_FORWARD);
    assertKubeletApiAnswers501("/portForward/" + NAMESPACE + "/api-pod");
  }

  @Test
  @DisplayName("without StatsProvider, the kubelet API answers /stats/summary with 501")
  void statsMissingAnswer501() throws Exception {
    requireMissing(Capability.STATS);
    assertKubeletApiAnswers501("/stats/summary", "/metrics/resource");
  }

  private void assertKubeletApiAnswers501(String... paths) throws Exception {
    Pod apiPod = testPod("api-pod");
    try (KubeletApiProbe api =
        new KubeletApiProbe(context.nodeName(), provider, List.of(apiPod), callTimeout())) {
      for (String path : paths) {
        HttpResponse<String> response = call("GET " + path, () -> api.get(path));
        assertThat(response.statusCode())
            .as("kubelet API answer to %s: %s", path, response.body())
            .isEqualTo(501);
      }
    }
  }

  // ---- through the core ----

  @Test
  @DisplayName("core: an API pod becomes Running and leaves the backend after the API delete")
  void throughCoreRunsAndDeletesPods() throws Exception {
    try (InJvmCluster cluster = new InJvmCluster()) {
      CountingProvider counting = CountingProvider.wrap(provider, false);
      startCore(cluster, new SimpleMeterRegistry(), ctx -> counting);
      Pod api = cluster.create(apiPod("core-run"));
      awaitApiRunning(cluster, "core-run");
      assertThat(counting.created).as("createPod calls").hasSize(1);
      assertThat(counting.created.get(0).getMetadata().getUid())
          .isEqualTo(api.getMetadata().getUid());
      assertStoredHash(counting.created.get(0));

      cluster.delete(NAMESPACE, "core-run");
      coreEventually()
          .untilAsserted(
              () -> {
                assertThat(counting.deleted)
                    .as("deletePod calls after the API delete")
                    .isNotEmpty();
                assertThat(get("core-run")).as("getPod after the API delete").isEmpty();
                assertThat(list())
                    .as("backend pods after the API delete")
                    .noneMatch(p -> "core-run".equals(p.getMetadata().getName()));
              });
    }
  }

  @Test
  @DisplayName("core: a restarted core adopts the running pod with no create and no update")
  void throughCoreRestartAdoptsWithoutCreateOrUpdate() throws Exception {
    try (InJvmCluster cluster = new InJvmCluster()) {
      CountingProvider first = CountingProvider.wrap(provider, true);
      VirtualKubelet kubelet = startCore(cluster, new SimpleMeterRegistry(), ctx -> first);
      cluster.create(apiPod("core-adopt"));
      awaitApiRunning(cluster, "core-adopt");
      assertThat(first.created).as("createPod calls of the first run").hasSize(1);
      Pod given = first.created.get(0);
      // closing the core closes the provider: the restarted one must find the pod on its own
      provider = null;
      kubelet.close();

      CountingProvider[] second = new CountingProvider[1];
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      startCore(
          cluster,
          meters,
          ctx -> {
            try {
              provider = createRestartedProvider(context);
            } catch (Exception e) {
              throw new IllegalStateException("createRestartedProvider failed: " + e, e);
            }
            second[0] = CountingProvider.wrap(provider, false);
            return second[0];
          });
      // adoption decides from listPods alone; a create or update would come in the first sync
      coreEventually()
          .until(
              "the restarted core listed its pods and synced " + NAMESPACE + "/core-adopt",
              () -> second[0].listings() >= 1 && completedSyncs(meters) >= 1);
      awaitApiRunning(cluster, "core-adopt");
      assertThat(second[0].created).as("createPod calls after the restart").isEmpty();
      assertThat(second[0].updated).as("updatePod calls after the restart").isEmpty();
      assertThat(second[0].deleted).as("deletePod calls after the restart").isEmpty();
      Pod adopted = get("core-adopt").orElse(null);
      assertThat(adopted).as("backend pod after the restart").isNotNull();
      assertThat(adopted.getMetadata().getUid()).isEqualTo(given.getMetadata().getUid());
      assertStoredHash(given);
    }
  }

  /** Pod syncs the core finished; the core's timer, or 1 when it does not publish one. */
  private static long completedSyncs(SimpleMeterRegistry meters) {
    Timer timer = meters.find("vkj.pod.sync").timer();
    return timer == null ? 1 : timer.count();
  }

  private VirtualKubelet startCore(
      InJvmCluster cluster,
      SimpleMeterRegistry meters,
      java.util.function.Function<ProviderContext, Provider> factory)
      throws Exception {
    Future<VirtualKubelet> started =
        blockingCalls.submit(
            () -> cluster.start(context.nodeName(), context.clock(), meters, factory));
    // the start is not under test: its bound only stops a hung start, so a slow machine gets time
    Duration bound = coreTimeout().compareTo(CORE_START) > 0 ? coreTimeout() : CORE_START;
    try {
      return started.get(bound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      started.cancel(true);
      throw new AssertionError("the core did not start within " + bound);
    } catch (ExecutionException e) {
      throw new AssertionError("the core did not start: " + e.getCause(), e.getCause());
    }
  }

  /** The pod as a user creates it in the API: no UID (the API server sets it), bound to us. */
  private Pod apiPod(String name) {
    Pod pod = testPod(name);
    return new PodBuilder(pod).editMetadata().withUid(null).endMetadata().build();
  }

  /**
   * The core sets the spec hash on the pods it gives the provider (see {@link PodIdentity}); when
   * it did, the backend must return it.
   */
  private void assertStoredHash(Pod given) throws Exception {
    Optional<String> hash = PodIdentity.specHash(given);
    if (hash.isPresent()) {
      Pod stored = get(given.getMetadata().getName()).orElseThrow();
      assertThat(PodIdentity.specHash(stored)).as("spec hash stored from the core").isEqualTo(hash);
    }
  }

  private void awaitApiRunning(InJvmCluster cluster, String name) {
    coreEventually()
        .untilAsserted(
            () -> {
              Pod pod = cluster.get(NAMESPACE, name);
              assertThat(pod).as("API pod " + NAMESPACE + "/" + name).isNotNull();
              assertThat(pod.getStatus() == null ? null : pod.getStatus().getPhase())
                  .as("phase of API pod %s/%s (status %s)", NAMESPACE, name, pod.getStatus())
                  .isEqualTo("Running");
            });
  }

  private Eventually coreEventually() {
    return Eventually.within(coreTimeout())
        .pollingEvery(Duration.ofMillis(100))
        .beforeEachPoll(() -> context.clock().advance(clockStep()));
  }

  // ---- helpers ----

  private String testImage() {
    return testPod("image-probe").getSpec().getContainers().get(0).getImage();
  }

  private static String name(Pod pod) {
    return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
  }

  /** The pod with a spec hash annotation, as the core passes it; derived from the pod's content. */
  protected static Pod withSpecHash(Pod pod) {
    if (PodIdentity.specHash(pod).isPresent()) {
      return pod;
    }
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("spec", pod.getSpec());
    view.put("labels", pod.getMetadata().getLabels());
    view.put("annotations", pod.getMetadata().getAnnotations());
    return new PodBuilder(pod)
        .editMetadata()
        .addToAnnotations(PodIdentity.SPEC_HASH, sha256(Serialization.asJson(view)))
        .endMetadata()
        .build();
  }

  private static String randomHash() {
    return sha256(UUID.randomUUID().toString());
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void assertValidContainerStatuses(Pod pod, PodStatus status) {
    Set<String> specNames =
        pod.getSpec().getContainers().stream().map(Container::getName).collect(Collectors.toSet());
    assertThat(status.getContainerStatuses()).as("containerStatuses").isNotNull();
    assertThat(status.getContainerStatuses())
        .extracting(ContainerStatus::getName)
        .as("one status per spec container")
        .containsExactlyInAnyOrderElementsOf(specNames);
    for (ContainerStatus container : status.getContainerStatuses()) {
      ContainerState state = container.getState();
      assertThat(state).as("state of " + container.getName()).isNotNull();
      int set =
          (state.getWaiting() != null ? 1 : 0)
              + (state.getRunning() != null ? 1 : 0)
              + (state.getTerminated() != null ? 1 : 0);
      assertThat(set).as("exactly one state set for " + container.getName()).isEqualTo(1);
      assertThat(container.getImage()).as("image of " + container.getName()).isNotBlank();
      if (state.getWaiting() != null) {
        assertThat(state.getWaiting().getReason())
            .as("waiting reason of " + container.getName())
            .isNotBlank();
      }
    }
  }

  /** A call that is expected to fail with a {@link ProviderException}. */
  @FunctionalInterface
  protected interface ProviderCall {
    void call() throws Exception;
  }

  /** Runs {@code call} and returns the {@link ProviderException} it must throw. */
  protected static ProviderException expectProviderException(ProviderCall call) {
    try {
      call.call();
    } catch (ProviderException e) {
      return e;
    } catch (Exception e) {
      throw new AssertionError("expected a ProviderException, got " + e, e);
    }
    throw new AssertionError("expected a ProviderException, but the call succeeded");
  }

  /** Asserts that {@code call} throws a {@link ProviderException} with {@code code}. */
  protected static void assertCode(ErrorCode code, ProviderCall call) {
    assertThat(expectProviderException(call).code()).isEqualTo(code);
  }

  /** Copies to two streams: what the kit captures and what the user still sees. */
  private static final class Tee extends OutputStream {
    private final OutputStream first;
    private final OutputStream second;

    Tee(OutputStream first, OutputStream second) {
      this.first = first;
      this.second = second;
    }

    @Override
    public synchronized void write(int b) throws IOException {
      first.write(b);
      second.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
      first.write(b, off, len);
      second.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      second.flush();
    }
  }

  /** The client side of a port-forward: sends its bytes, then stays open until closed. */
  private static final class ClientStream extends InputStream {
    private final byte[] data;
    private final CountDownLatch closed = new CountDownLatch(1);
    private int position;

    ClientStream(byte[] data) {
      this.data = Arrays.copyOf(data, data.length);
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      synchronized (this) {
        if (position < data.length) {
          int n = Math.min(len, data.length - position);
          System.arraycopy(data, position, b, off, n);
          position += n;
          return n;
        }
      }
      try {
        closed.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("port-forward client interrupted");
      }
      return -1;
    }

    @Override
    public void close() {
      closed.countDown();
    }
  }

  /** Collects the bytes the pod sends back. */
  private static final class SynchronizedOutput extends OutputStream {
    private final ByteArrayOutputStream target;

    SynchronizedOutput(ByteArrayOutputStream target) {
      this.target = target;
    }

    @Override
    public void write(int b) {
      synchronized (target) {
        target.write(b);
      }
    }

    @Override
    public void write(byte[] b, int off, int len) {
      synchronized (target) {
        target.write(b, off, len);
      }
    }
  }

  /**
   * An {@link AttachIO} over in-memory streams for exec and attach tests: stdin from a byte array,
   * stdout and stderr collected.
   */
  public static final class TestAttachIO implements AttachIO {
    private final InputStream stdin;
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final boolean tty;
    private volatile boolean closed;

    public TestAttachIO(byte[] stdin, boolean tty) {
      this(new ByteArrayInputStream(stdin), tty);
    }

    public TestAttachIO(InputStream stdin, boolean tty) {
      this.stdin = stdin;
      this.tty = tty;
    }

    @Override
    public Optional<InputStream> stdin() {
      return Optional.ofNullable(stdin);
    }

    @Override
    public Optional<OutputStream> stdout() {
      return Optional.of(stdout);
    }

    @Override
    public Optional<OutputStream> stderr() {
      return tty ? Optional.empty() : Optional.of(stderr);
    }

    @Override
    public boolean tty() {
      return tty;
    }

    @Override
    public void onResize(Consumer<TerminalSize> listener) {
      listener.accept(new TerminalSize(80, 24));
    }

    @Override
    public boolean isClosed() {
      return closed;
    }

    public void close() {
      closed = true;
    }

    public String stdoutText() {
      synchronized (stdout) {
        return stdout.toString(StandardCharsets.UTF_8);
      }
    }

    public String stderrText() {
      synchronized (stderr) {
        return stderr.toString(StandardCharsets.UTF_8);
      }
    }
  }
}
