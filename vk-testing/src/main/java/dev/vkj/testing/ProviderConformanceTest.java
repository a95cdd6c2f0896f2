package dev.vkj.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vkj.spi.AttachIO;
import dev.vkj.spi.ContainerExec;
import dev.vkj.spi.ContainerLogs;
import dev.vkj.spi.ErrorCode;
import dev.vkj.spi.LogOptions;
import dev.vkj.spi.NodeDescription;
import dev.vkj.spi.PodStatusNotifier;
import dev.vkj.spi.PortForward;
import dev.vkj.spi.Provider;
import dev.vkj.spi.ProviderContext;
import dev.vkj.spi.ProviderException;
import dev.vkj.spi.StatsProvider;
import dev.vkj.spi.TerminalSize;
import dev.vkj.spi.stats.ContainerStats;
import dev.vkj.spi.stats.PodStats;
import dev.vkj.spi.stats.StatsSummary;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The conformance kit of the provider SPI. Every provider's test suite extends this class and
 * implements {@link #createProvider(ProviderContext)}; the inherited tests then check the contract
 * that the vkj core relies on:
 *
 * <ul>
 *   <li>create, then {@code getPod}, {@code listPods} and {@code getPodStatus} see the pod;
 *   <li>creating the same pod (same UID) twice leaves one pod;
 *   <li>deleting an unknown pod succeeds;
 *   <li>after delete, the status is terminated or absent, and the pod eventually leaves {@code
 *       listPods};
 *   <li>the status holds exactly one container status per spec container, each with exactly one
 *       state;
 *   <li>{@code describeNode} reports cpu, memory and pods capacity and a known OS; {@code ping}
 *       works;
 *   <li>for each optional capability the provider implements ({@link ContainerLogs}, {@link
 *       ContainerExec}, {@link PortForward}, {@link StatsProvider}, {@link PodStatusNotifier}): an
 *       unknown pod gives {@link ErrorCode#NOT_FOUND}, and a running pod behaves sensibly.
 *       Capabilities the provider does not implement are skipped (JUnit "aborted").
 * </ul>
 *
 * <p>Usage:
 *
 * <pre>{@code
 * class MyProviderTest extends ProviderConformanceTest {
 *   @Override
 *   protected Provider createProvider(ProviderContext context) throws Exception {
 *     return new MyProviderFactory().create(ProviderConfig.of(Map.of("endpoint", fake.url())), context);
 *   }
 * }
 * }</pre>
 *
 * <p>Each test gets a fresh {@link FakeProviderContext} (override {@link #createContext()} to
 * customise it) and a fresh provider, closed afterwards. The context clock is a {@link
 * MutableClock}; while a test waits for a state change it advances that clock by {@link
 * #clockStep()} on every poll, so providers that simulate time with the context clock make
 * progress. Providers backed by a real backend (or a local fake of one) may need a longer {@link
 * #timeout()}. Override {@link #testPod(String)} when the backend needs particular images or
 * resources, and {@link #echoCommand(String)} when its containers lack {@code echo}.
 *
 * <p>Subclasses can add their own tests and use {@link #context}, {@link #provider}, {@link
 * #statusListener}, {@link #awaitRunning(Pod)} and {@link #eventually()}.
 */
public abstract class ProviderConformanceTest {
  /** The context of the current test; created before each test. */
  protected FakeProviderContext context;

  /** The provider under test; created before each test and closed after it. */
  protected Provider provider;

  /** Receives pushes when the provider is a {@link PodStatusNotifier}; empty otherwise. */
  protected RecordingStatusListener statusListener;

  private ExecutorService blockingCalls;

  /** Creates the provider under test with the given context. */
  protected abstract Provider createProvider(ProviderContext context) throws Exception;

  /** The context each test uses; override to set node name, resources or clock. */
  protected FakeProviderContext createContext() {
    return FakeProviderContext.builder().build();
  }

  /** How long a test waits for a state change or a blocking call. Default 15 s. */
  protected Duration timeout() {
    return Duration.ofSeconds(15);
  }

  /** How far the {@link MutableClock} moves on each poll while a test waits. Default 1 s. */
  protected Duration clockStep() {
    return Duration.ofSeconds(1);
  }

  /**
   * The pod used by the tests: one container {@code app} ({@code busybox:1.36}) declaring port
   * 8080, with small requests. Override to fit the backend; keep the name, namespace and a unique
   * UID.
   */
  protected Pod testPod(String name) {
    return PodFixtures.pod(name)
        .namespace("conformance")
        .nodeName(context.nodeName())
        .container("app", "busybox:1.36", c -> c.port(8080).requests("100m", "64Mi"))
        .build();
  }

  /** A command that prints {@code text} and a newline to stdout and exits 0. */
  protected List<String> echoCommand(String text) {
    return List.of("echo", text);
  }

  @BeforeEach
  void setUpProvider() throws Exception {
    blockingCalls = Executors.newCachedThreadPool();
    context = createContext();
    provider = createProvider(context);
    assertThat(provider).as("createProvider result").isNotNull();
    statusListener = new RecordingStatusListener();
    if (provider instanceof PodStatusNotifier notifier) {
      notifier.notifyPodStatus(statusListener);
    }
  }

  @AfterEach
  void tearDownProvider() {
    try {
      if (provider != null) {
        provider.close();
      }
    } finally {
      blockingCalls.shutdownNow();
      if (context != null) {
        context.close();
      }
    }
  }

  /** Polls with {@link #timeout()} and advances the clock by {@link #clockStep()} each poll. */
  protected Eventually eventually() {
    return Eventually.within(timeout())
        .pollingEvery(Duration.ofMillis(25))
        .beforeEachPoll(() -> context.clock().advance(clockStep()));
  }

  /** Waits until every container of the pod is running and returns that status. */
  protected PodStatus awaitRunning(Pod pod) {
    String ns = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    return eventually()
        .untilPresent(
            "all containers of " + ns + "/" + name + " running",
            () -> {
              Optional<PodStatus> status = provider.getPodStatus(ns, name);
              if (status.isEmpty() || status.get().getContainerStatuses() == null) {
                return null;
              }
              List<ContainerStatus> statuses = status.get().getContainerStatuses();
              boolean allRunning =
                  statuses.size() == pod.getSpec().getContainers().size()
                      && statuses.stream()
                          .allMatch(s -> s.getState() != null && s.getState().getRunning() != null);
              return allRunning ? status.get() : null;
            });
  }

  /** Runs a blocking call on another thread and fails the test if it takes longer than allowed. */
  protected <T> T withTimeout(String what, Callable<T> call) throws Exception {
    Future<T> future = blockingCalls.submit(call);
    try {
      return future.get(timeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new AssertionError(what + " did not return within " + timeout());
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }

  @Test
  @DisplayName("createPod, then getPod, listPods and getPodStatus know the pod")
  void createThenGetListAndStatus() throws Exception {
    Pod pod = testPod("create-get");
    provider.createPod(pod);

    Optional<Pod> got = provider.getPod("conformance", "create-get");
    assertThat(got).as("getPod after createPod").isPresent();
    assertThat(got.get().getMetadata().getUid()).isEqualTo(pod.getMetadata().getUid());
    assertThat(got.get().getSpec().getContainers())
        .extracting(Container::getName)
        .containsExactly("app");

    assertThat(provider.listPods())
        .extracting(p -> p.getMetadata().getNamespace() + "/" + p.getMetadata().getName())
        .contains("conformance/create-get");

    eventually()
        .untilAsserted(
            () -> assertThat(provider.getPodStatus("conformance", "create-get")).isPresent());
  }

  @Test
  @DisplayName("getPod and getPodStatus of an unknown pod are empty")
  void unknownPodIsEmpty() throws Exception {
    assertThat(provider.getPod("conformance", "no-such-pod")).isEmpty();
    assertThat(provider.getPodStatus("conformance", "no-such-pod")).isEmpty();
    assertThat(provider.listPods()).noneMatch(p -> "no-such-pod".equals(p.getMetadata().getName()));
  }

  @Test
  @DisplayName("createPod twice with the same UID is idempotent")
  void createTwiceIsIdempotent() throws Exception {
    Pod pod = testPod("twice");
    provider.createPod(pod);
    provider.createPod(pod);

    List<Pod> matching =
        provider.listPods().stream()
            .filter(
                p ->
                    "conformance".equals(p.getMetadata().getNamespace())
                        && "twice".equals(p.getMetadata().getName()))
            .collect(Collectors.toList());
    assertThat(matching).hasSize(1);
    assertThat(matching.get(0).getMetadata().getUid()).isEqualTo(pod.getMetadata().getUid());
  }

  @Test
  @DisplayName("deletePod of an unknown pod succeeds")
  void deleteUnknownPodSucceeds() throws Exception {
    provider.deletePod(testPod("never-created"));
    assertThat(provider.getPod("conformance", "never-created")).isEmpty();
  }

  @Test
  @DisplayName("deletePod: status is terminated or absent, then the pod leaves listPods")
  void deleteTerminatesThenRemoves() throws Exception {
    Pod pod = testPod("delete-me");
    provider.createPod(pod);
    awaitRunning(pod);

    provider.deletePod(pod);

    Optional<PodStatus> after = provider.getPodStatus("conformance", "delete-me");
    if (after.isPresent() && after.get().getContainerStatuses() != null) {
      // A container may still be stopping, but none may be (re)started after the delete.
      for (ContainerStatus status : after.get().getContainerStatuses()) {
        assertThat(status.getState()).as("state of " + status.getName()).isNotNull();
      }
    }
    eventually()
        .untilAsserted(
            () -> {
              Optional<PodStatus> status = provider.getPodStatus("conformance", "delete-me");
              status.ifPresent(
                  s ->
                      assertThat(s.getContainerStatuses())
                          .as("containers after delete")
                          .allMatch(c -> c.getState().getRunning() == null));
            });
    eventually()
        .untilAsserted(
            () ->
                assertThat(provider.listPods())
                    .noneMatch(p -> "delete-me".equals(p.getMetadata().getName())));
    assertThat(provider.getPod("conformance", "delete-me")).isEmpty();
    // A second delete of the now unknown pod still succeeds.
    provider.deletePod(pod);
  }

  @Test
  @DisplayName("status has one valid container status per spec container")
  void statusHasOneContainerStatusPerContainer() throws Exception {
    Pod pod =
        PodFixtures.pod("two-containers")
            .namespace("conformance")
            .nodeName(context.nodeName())
            .container("first", testImage(), c -> c.requests("100m", "64Mi"))
            .container("second", testImage(), c -> c.requests("100m", "64Mi"))
            .build();
    provider.createPod(pod);

    PodStatus initial =
        eventually()
            .untilPresent(
                "status of conformance/two-containers",
                () -> provider.getPodStatus("conformance", "two-containers").orElse(null));
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
  void describeNodeHasCapacity() {
    NodeDescription node = provider.describeNode();
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
    withTimeout(
        "ping",
        () -> {
          provider.ping();
          return null;
        });
  }

  @Test
  @DisplayName("PodStatusNotifier: a push arrives after createPod")
  void statusPushAfterCreate() throws Exception {
    assumeTrue(provider instanceof PodStatusNotifier, "provider does not push status");
    Pod pod = testPod("pushed");
    provider.createPod(pod);
    eventually()
        .untilAsserted(
            () -> {
              Optional<Pod> pushed = statusListener.latest("conformance", "pushed");
              assertThat(pushed).as("push for conformance/pushed").isPresent();
              assertThat(pushed.get().getMetadata().getUid()).isEqualTo(pod.getMetadata().getUid());
              assertThat(pushed.get().getStatus()).isNotNull();
            });
  }

  @Test
  @DisplayName("ContainerLogs: unknown pod or container is NOT_FOUND")
  void logsOfUnknownPodNotFound() throws Exception {
    assumeTrue(provider instanceof ContainerLogs, "provider has no logs");
    ContainerLogs logs = (ContainerLogs) provider;
    assertCode(
        ErrorCode.NOT_FOUND,
        () -> logs.containerLogs("conformance", "no-such-pod", "app", LogOptions.defaults()));

    Pod pod = testPod("logs-unknown-container");
    provider.createPod(pod);
    awaitRunning(pod);
    assertCode(
        ErrorCode.NOT_FOUND,
        () ->
            logs.containerLogs(
                "conformance",
                "logs-unknown-container",
                "no-such-container",
                LogOptions.defaults()));
  }

  @Test
  @DisplayName("ContainerLogs: the log of a running container can be read to its end")
  void logsOfRunningPod() throws Exception {
    assumeTrue(provider instanceof ContainerLogs, "provider has no logs");
    Pod pod = testPod("logs");
    provider.createPod(pod);
    awaitRunning(pod);
    // Without follow the stream must end on its own; withTimeout fails the test if it blocks.
    withTimeout(
        "reading a log without follow",
        () -> {
          try (InputStream in =
              ((ContainerLogs) provider)
                  .containerLogs("conformance", "logs", "app", LogOptions.defaults())) {
            assertThat(in).as("log stream").isNotNull();
            return in.readAllBytes();
          }
        });
    // tailLines=0 asks for no line at all (the kubelet's rule).
    LogOptions none =
        new LogOptions(
            OptionalInt.of(0), OptionalLong.empty(), false, false, false, Optional.empty());
    byte[] empty =
        withTimeout(
            "reading a log with tailLines=0",
            () -> {
              try (InputStream in =
                  ((ContainerLogs) provider).containerLogs("conformance", "logs", "app", none)) {
                return in.readAllBytes();
              }
            });
    assertThat(empty).as("log with tailLines=0").isEmpty();
  }

  @Test
  @DisplayName("ContainerExec: unknown pod is NOT_FOUND")
  void execOfUnknownPodNotFound() {
    assumeTrue(provider instanceof ContainerExec, "provider has no exec");
    TestAttachIO io = new TestAttachIO(new byte[0], false);
    assertCode(
        ErrorCode.NOT_FOUND,
        () ->
            ((ContainerExec) provider)
                .exec("conformance", "no-such-pod", "app", echoCommand("x"), io));
  }

  @Test
  @DisplayName("ContainerExec: echo in a running container prints and exits 0")
  void execInRunningPod() throws Exception {
    assumeTrue(provider instanceof ContainerExec, "provider has no exec");
    Pod pod = testPod("exec");
    provider.createPod(pod);
    awaitRunning(pod);
    TestAttachIO io = new TestAttachIO(new byte[0], false);
    int exitCode =
        withTimeout(
            "exec",
            () ->
                ((ContainerExec) provider)
                    .exec("conformance", "exec", "app", echoCommand("conformance-ok"), io));
    assertThat(exitCode).as("exit code").isZero();
    assertThat(io.stdoutText()).contains("conformance-ok");
  }

  @Test
  @DisplayName("PortForward: unknown pod is NOT_FOUND")
  void portForwardOfUnknownPodNotFound() {
    assumeTrue(provider instanceof PortForward, "provider has no port-forward");
    assertCode(
        ErrorCode.NOT_FOUND,
        () ->
            ((PortForward) provider)
                .portForward(
                    "conformance",
                    "no-such-pod",
                    8080,
                    new ByteArrayInputStream(new byte[0]),
                    new ByteArrayOutputStream()));
  }

  @Test
  @DisplayName("PortForward: a connection to a declared port ends when the client closes")
  void portForwardToRunningPod() throws Exception {
    assumeTrue(provider instanceof PortForward, "provider has no port-forward");
    Pod pod = testPod("forward");
    provider.createPod(pod);
    awaitRunning(pod);
    int port = pod.getSpec().getContainers().get(0).getPorts().get(0).getContainerPort();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    // The client sent nothing and closed: the session must end, without an error.
    withTimeout(
        "port-forward with a closed client",
        () -> {
          ((PortForward) provider)
              .portForward(
                  "conformance", "forward", port, new ByteArrayInputStream(new byte[0]), out);
          return null;
        });
  }

  @Test
  @DisplayName("StatsProvider: a running pod has non-zero cpu and memory for every container")
  void statsOfRunningPod() throws Exception {
    assumeTrue(provider instanceof StatsProvider, "provider has no stats");
    Pod pod = testPod("stats");
    provider.createPod(pod);
    awaitRunning(pod);
    context.clock().advance(Duration.ofSeconds(10));

    StatsSummary summary =
        eventually()
            .untilPresent(
                "stats of conformance/stats",
                () -> {
                  StatsSummary s = ((StatsProvider) provider).statsSummary();
                  return s.pods().stream().anyMatch(p -> p.name().equals("stats")) ? s : null;
                });
    assertThat(summary.node().nodeName()).isEqualTo(context.nodeName());
    assertThat(summary.node().cpu().usageCoreNanoSeconds()).isPositive();
    assertThat(summary.node().memory().workingSetBytes()).isPositive();
    PodStats stats =
        summary.pods().stream().filter(p -> p.name().equals("stats")).findFirst().orElseThrow();
    assertThat(stats.namespace()).isEqualTo("conformance");
    assertThat(stats.uid()).isEqualTo(pod.getMetadata().getUid());
    assertThat(stats.containers()).extracting(ContainerStats::name).containsExactly("app");
    for (ContainerStats container : stats.containers()) {
      assertThat(container.cpu().usageNanoCores()).as("usageNanoCores").isPositive();
      assertThat(container.cpu().usageCoreNanoSeconds()).as("usageCoreNanoSeconds").isPositive();
      assertThat(container.memory().workingSetBytes()).as("workingSetBytes").isPositive();
    }
  }

  private String testImage() {
    Pod template = testPod("image-probe");
    return template.getSpec().getContainers().get(0).getImage();
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

  /** Asserts that {@code call} throws a {@link ProviderException} with {@code code}. */
  protected static void assertCode(ErrorCode code, ProviderCall call) {
    assertThatThrownBy(call::call)
        .isInstanceOf(ProviderException.class)
        .satisfies(e -> assertThat(((ProviderException) e).code()).isEqualTo(code));
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
