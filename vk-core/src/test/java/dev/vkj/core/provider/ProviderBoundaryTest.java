package dev.vkj.core.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vkj.spi.BackendLimits;
import dev.vkj.spi.BatchedPodStatus;
import dev.vkj.spi.ContainerExec;
import dev.vkj.spi.ContainerLogs;
import dev.vkj.spi.ErrorCode;
import dev.vkj.spi.LogOptions;
import dev.vkj.spi.NodeDescription;
import dev.vkj.spi.Provider;
import dev.vkj.spi.ProviderException;
import dev.vkj.spi.StatsProvider;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProviderBoundaryTest {
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final FakeBackend backend = new FakeBackend();
  private final CountDownLatch release = new CountDownLatch(1);
  private final List<ProviderBoundary> boundaries = new ArrayList<>();

  @AfterEach
  void closeAll() {
    release.countDown();
    boundaries.forEach(ProviderBoundary::close);
  }

  private Provider wrap(Provider provider, ProviderBoundaryConfig config) {
    ProviderBoundary boundary = ProviderBoundary.wrap(provider, config, meters);
    boundaries.add(boundary);
    return boundary.provider();
  }

  private Provider wrap(ProviderBoundaryConfig config) {
    return wrap(backend, config);
  }

  private static ProviderBoundaryConfig fast() {
    return ProviderBoundaryConfig.defaults().withRetryBackoff(Duration.ofMillis(10));
  }

  private Object hang() {
    try {
      release.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return Optional.empty();
  }

  private long timerCount(String operation, String code) {
    var timer =
        Search.in(meters)
            .name("vkj.provider.calls")
            .tag("operation", operation)
            .tag("code", code)
            .timer();
    return timer == null ? 0 : timer.count();
  }

  private double waits(String kind, String cause) {
    var counter =
        Search.in(meters)
            .name("vkj.provider.throttle.waits")
            .tag("kind", kind)
            .tag("cause", cause)
            .counter();
    return counter == null ? 0 : counter.count();
  }

  // ---- interfaces

  @Test
  void theWrapperImplementsExactlyTheDelegatesSpiInterfaces() {
    Provider wrapped = wrap(fast());

    assertThat(Arrays.asList(wrapped.getClass().getInterfaces()))
        .containsExactlyInAnyOrder(Provider.class, ContainerLogs.class, StatsProvider.class);
    assertThat(wrapped).isInstanceOf(ContainerLogs.class).isInstanceOf(StatsProvider.class);
    assertThat(wrapped)
        .isNotInstanceOf(ContainerExec.class)
        .isNotInstanceOf(BatchedPodStatus.class);
    assertThat(ProviderBoundary.spiInterfaces(backend))
        .containsExactly(Provider.class, ContainerLogs.class, StatsProvider.class);

    Provider plain =
        wrap(
            new Provider() {
              @Override
              public void createPod(Pod pod) {}

              @Override
              public void updatePod(Pod pod) {}

              @Override
              public void deletePod(Pod pod) {}

              @Override
              public Optional<Pod> getPod(String namespace, String name) {
                return Optional.empty();
              }

              @Override
              public Optional<PodStatus> getPodStatus(String namespace, String name) {
                return Optional.empty();
              }

              @Override
              public List<Pod> listPods() {
                return List.of();
              }

              @Override
              public NodeDescription describeNode() {
                return null;
              }
            },
            fast());
    assertThat(Arrays.asList(plain.getClass().getInterfaces())).containsExactly(Provider.class);
    assertThat(Proxy.isProxyClass(plain.getClass())).isTrue();
    assertThat(plain).isEqualTo(plain).isNotEqualTo(wrapped);
    assertThat(wrapped.toString()).startsWith("ProviderBoundary[");
  }

  // ---- timeouts

  @Test
  void aHangingCallReleasesTheCallerWithTransientAndIsInterrupted() {
    AtomicReference<Boolean> interrupted = new AtomicReference<>();
    CountDownLatch ended = new CountDownLatch(1);
    backend.behaviours.put(
        "getPodStatus",
        pod -> {
          try {
            release.await();
          } catch (InterruptedException e) {
            interrupted.set(true);
          } finally {
            ended.countDown();
          }
          return Optional.empty();
        });
    Provider wrapped = wrap(fast().withTimeout("getPodStatus", Duration.ofMillis(300)));

    assertThatThrownBy(() -> wrapped.getPodStatus("default", "a"))
        .isInstanceOfSatisfying(
            ProviderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TRANSIENT))
        .hasMessage("provider call getPodStatus timed out after 300ms");
    // the deadline covers the retries too: a timed-out read is not sent again
    assertThat(backend.calls("getPodStatus")).isEqualTo(1);
    assertThat(timerCount("getPodStatus", "TRANSIENT")).isEqualTo(1);
    await(() -> ended.getCount() == 0);
    assertThat(interrupted.get()).isTrue();
  }

  @Test
  void describeNodeTimesOutUnchecked() {
    backend.behaviours.put("describeNode", pod -> hang());
    Provider wrapped = wrap(fast().withTimeout("describeNode", Duration.ofMillis(200)));

    assertThatThrownBy(wrapped::describeNode)
        .isInstanceOfSatisfying(
            ProviderCallFailure.class,
            e -> assertThat(e.getCause().code()).isEqualTo(ErrorCode.TRANSIENT))
        .hasMessage("provider call describeNode timed out after 200ms");
  }

  @Test
  void followedLogsHaveNoTimeout() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    backend.behaviours.put(
        "containerLogs",
        pod -> {
          started.countDown();
          hang();
          return new ByteArrayInputStream("line\n".getBytes());
        });
    ContainerLogs wrapped =
        (ContainerLogs) wrap(fast().withTimeout("containerLogs", Duration.ofMillis(100)));
    LogOptions follow =
        new LogOptions(
            java.util.OptionalInt.empty(),
            java.util.OptionalLong.empty(),
            false,
            true,
            false,
            Optional.empty());

    CompletableFuture<InputStream> logs =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return wrapped.containerLogs("default", "a", "app", follow);
              } catch (ProviderException e) {
                throw new IllegalStateException(e);
              }
            });
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    // well past the 100 ms timeout of non-followed logs, the followed call is still running
    Thread.sleep(500);
    assertThat(logs).isNotDone();
    release.countDown();
    try (InputStream in = logs.get(10, TimeUnit.SECONDS)) {
      assertThat(new String(in.readAllBytes())).isEqualTo("line\n");
    }
  }

  // ---- class loader, errors, metrics

  @Test
  void theProvidersClassLoaderIsTheContextClassLoaderDuringTheCall() throws Exception {
    ClassLoader child = new OwnClassLoader(TcclProvider.class.getName());
    Provider provider =
        (Provider)
            child.loadClass(TcclProvider.class.getName()).getDeclaredConstructor().newInstance();
    assertThat(provider.getClass().getClassLoader()).isSameAs(child);

    Provider wrapped = wrap(provider, fast());

    assertThat(wrapped.listPods())
        .extracting(p -> p.getMetadata().getName())
        .containsExactly("tccl-is-the-providers-loader");
    assertThat(Thread.currentThread().getContextClassLoader()).isNotSameAs(child);
  }

  @Test
  void runtimeExceptionsBecomeInternalAndMetricsCarryOperationAndCode() throws Exception {
    Provider wrapped = wrap(fast());
    backend.behaviours.put(
        "createPod",
        pod -> {
          throw ProviderException.invalidInput("no GPUs here");
        });
    backend.behaviours.put(
        "deletePod",
        pod -> {
          throw new IllegalStateException("bug");
        });

    wrapped.getPod("default", "a");
    wrapped.getPod("default", "b");
    assertThatThrownBy(() -> wrapped.createPod(FakeBackend.pod("a")))
        .isInstanceOfSatisfying(
            ProviderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT));
    assertThatThrownBy(() -> wrapped.deletePod(FakeBackend.pod("a")))
        .isInstanceOfSatisfying(
            ProviderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL))
        .hasMessage("provider call deletePod failed with IllegalStateException")
        .hasRootCauseMessage("bug");

    assertThat(timerCount("getPod", "ok")).isEqualTo(2);
    assertThat(timerCount("createPod", "INVALID_INPUT")).isEqualTo(1);
    assertThat(timerCount("deletePod", "INTERNAL")).isEqualTo(1);
    assertThat(timerCount("createPod", "ok")).isZero();
  }

  // ---- retries

  @Test
  void aRetryableReadIsRetriedAndANonRetryableOneIsNot() throws Exception {
    Provider wrapped = wrap(fast());
    int[] failures = {2};
    backend.behaviours.put(
        "getPodStatus",
        pod -> {
          if (failures[0]-- > 0) {
            throw ProviderException.transientError("connection reset", null);
          }
          return Optional.of(new PodStatus());
        });
    backend.behaviours.put(
        "getPod",
        pod -> {
          throw ProviderException.notFound("no pod " + pod);
        });
    backend.behaviours.put(
        "listPods",
        pod -> {
          throw ProviderException.transientError("down", null);
        });

    assertThat(wrapped.getPodStatus("default", "a")).isPresent();
    assertThat(backend.calls("getPodStatus")).isEqualTo(3);
    assertThatThrownBy(() -> wrapped.getPod("default", "a"))
        .isInstanceOfSatisfying(
            ProviderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    assertThat(backend.calls("getPod")).isEqualTo(1);
    // at most two retries
    assertThatThrownBy(wrapped::listPods).isInstanceOf(ProviderException.class);
    assertThat(backend.calls("listPods")).isEqualTo(3);
    assertThat(timerCount("listPods", "TRANSIENT")).isEqualTo(3);
  }

  @Test
  void writesQuotaAndThrottledAnswersAreNotRetried() {
    Provider wrapped = wrap(fast());
    backend.behaviours.put(
        "createPod",
        pod -> {
          throw ProviderException.transientError("timeout", null);
        });
    backend.behaviours.put(
        "getPod",
        pod -> {
          throw ProviderException.quotaExceeded("quota", null);
        });

    assertThatThrownBy(() -> wrapped.createPod(FakeBackend.pod("a")))
        .isInstanceOf(ProviderException.class);
    assertThatThrownBy(() -> wrapped.getPod("default", "a")).isInstanceOf(ProviderException.class);

    assertThat(backend.calls("createPod")).isEqualTo(1);
    assertThat(backend.calls("getPod")).isEqualTo(1);
  }

  // ---- throttling and rates

  @Test
  void aThrottledAnswerForOnePodDelaysTheNextWriteForAnotherPodUntilTheRetryAfter()
      throws Exception {
    Provider wrapped = wrap(fast());
    Duration retryAfter = Duration.ofMillis(800);
    backend.behaviours.put(
        "createPod",
        pod -> {
          if (pod.equals("a")) {
            throw ProviderException.throttled("slow down", retryAfter);
          }
          return null;
        });

    long before = System.nanoTime();
    assertThatThrownBy(() -> wrapped.createPod(FakeBackend.pod("a")))
        .isInstanceOfSatisfying(
            ProviderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.THROTTLED));
    CompletableFuture<Void> other =
        CompletableFuture.runAsync(
            () -> {
              try {
                wrapped.createPod(FakeBackend.pod("b"));
              } catch (ProviderException e) {
                throw new IllegalStateException(e);
              }
            });
    // reads are another kind: not paused by a throttled write
    wrapped.getPod("default", "c");

    other.get(30, TimeUnit.SECONDS);
    long sentB =
        backend.sent.stream()
            .filter(s -> s.operation().equals("createPod") && "b".equals(s.pod()))
            .findFirst()
            .orElseThrow()
            .nanoTime();
    // only a lower bound: b waited at least the retry-after, however slow the machine is
    assertThat(sentB - before).isGreaterThanOrEqualTo(retryAfter.toNanos());
    assertThat(waits("writes", "throttled")).isGreaterThanOrEqualTo(1);
    assertThat(waits("reads", "throttled")).isZero();

    // after the pause calls go through again
    wrapped.createPod(FakeBackend.pod("d"));
    assertThat(backend.calls("createPod")).isEqualTo(3);
  }

  @Test
  void aCallWhoseTimeoutEndsBeforeThePauseFailsAtOnceWithThrottled() {
    Provider wrapped = wrap(fast().withTimeout("getPod", Duration.ofMillis(200)));
    backend.behaviours.put(
        "listPods",
        pod -> {
          throw ProviderException.throttled("slow down", Duration.ofSeconds(30));
        });

    assertThatThrownBy(wrapped::listPods).isInstanceOf(ProviderException.class);
    assertThatThrownBy(() -> wrapped.getPod("default", "a"))
        .isInstanceOfSatisfying(
            ProviderException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.THROTTLED);
              assertThat(e.retryAfter()).isPresent();
              assertThat(e.getMessage()).contains("the backend throttled reads");
            });
    assertThat(backend.calls("getPod")).isZero();
  }

  @Test
  void theConfiguredRateCapsCallsAndReplacesTheDeclaredOne() throws Exception {
    Provider declaring =
        new FakeBackend() {
          @Override
          public BackendLimits limits() {
            return BackendLimits.of(new BackendLimits.Rate(1000, 1000), null);
          }
        };
    BackendLimits.Rate five = new BackendLimits.Rate(5, 1);
    ProviderBoundary boundary = ProviderBoundary.wrap(declaring, fast().withReadRate(five), meters);
    boundaries.add(boundary);
    Provider wrapped = boundary.provider();
    assertThat(boundary.limits().reads()).contains(five);
    assertThat(boundary.limits().writes()).isEmpty();
    assertThat(wrapped.limits()).isEqualTo(boundary.limits());

    long start = System.nanoTime();
    for (int i = 0; i < 6; i++) {
      wrapped.getPod("default", "p" + i);
    }
    long elapsed = System.nanoTime() - start;

    // a burst of 1, then 5 more calls at 5 per second: at least 1 s, whatever the machine
    assertThat(elapsed).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(990));
    // a call delayed by a loaded machine finds a token already there and does not wait
    assertThat(waits("reads", "rate")).isBetween(1.0, 5.0);
  }

  @Test
  void theDeclaredRateAppliesWhenNoneIsConfigured() {
    Provider declaring =
        new FakeBackend() {
          @Override
          public BackendLimits limits() {
            return BackendLimits.of(null, new BackendLimits.Rate(25, 250));
          }
        };
    ProviderBoundary boundary = ProviderBoundary.wrap(declaring, fast(), meters);
    boundaries.add(boundary);

    assertThat(boundary.limits().writes()).contains(new BackendLimits.Rate(25, 250));
    assertThat(boundary.limits().reads()).isEmpty();
  }

  // ---- configuration

  @Test
  void timeoutsAreCheckedByOperation() {
    assertThat(ProviderBoundaryConfig.operations())
        .contains("createPod", "getPodStatus", "ping", "containerLogs")
        .doesNotContain("exec", "attach", "portForward");
    assertThat(ProviderBoundaryConfig.defaultTimeout("createPod")).contains(Duration.ofSeconds(60));
    assertThat(ProviderBoundaryConfig.defaultTimeout("listPods")).contains(Duration.ofSeconds(15));
    assertThat(ProviderBoundaryConfig.defaultTimeout("ping")).contains(Duration.ofSeconds(10));
    assertThatThrownBy(() -> ProviderBoundaryConfig.defaults().withTimeout("nope", Duration.ZERO))
        .hasMessageContaining("unknown provider operation 'nope'");
    assertThatThrownBy(
            () -> ProviderBoundaryConfig.defaults().withTimeout("exec", Duration.ofSeconds(1)))
        .hasMessageContaining("exec streams and has no timeout");
    assertThatThrownBy(() -> ProviderBoundaryConfig.defaults().withTimeout("ping", Duration.ZERO))
        .hasMessageContaining("must be positive");
  }

  private static void await(java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 30 s");
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /** Defines one class itself (from the test's class bytes); everything else from the parent. */
  private static final class OwnClassLoader extends ClassLoader {
    private final String name;

    OwnClassLoader(String name) {
      super(ProviderBoundaryTest.class.getClassLoader());
      this.name = name;
    }

    @Override
    protected Class<?> loadClass(String className, boolean resolve) throws ClassNotFoundException {
      if (!className.equals(name)) {
        return super.loadClass(className, resolve);
      }
      synchronized (getClassLoadingLock(className)) {
        Class<?> loaded = findLoadedClass(className);
        if (loaded != null) {
          return loaded;
        }
        try (InputStream in =
            getParent().getResourceAsStream(className.replace('.', '/') + ".class")) {
          byte[] bytes = in.readAllBytes();
          return defineClass(className, bytes, 0, bytes.length);
        } catch (IOException e) {
          throw new ClassNotFoundException(className, e);
        }
      }
    }
  }

  /** Names its one pod after what it sees as the context class loader. */
  public static class TcclProvider extends FakeBackend {
    public TcclProvider() {}

    @Override
    public List<Pod> listPods() {
      boolean own = Thread.currentThread().getContextClassLoader() == getClass().getClassLoader();
      return List.of(pod(own ? "tccl-is-the-providers-loader" : "tccl-is-another-loader"));
    }
  }
}
