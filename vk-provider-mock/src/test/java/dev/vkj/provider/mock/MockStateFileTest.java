package dev.vkj.provider.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vkj.spi.ErrorCode;
import dev.vkj.spi.ProviderException;
import dev.vkj.testing.Eventually;
import dev.vkj.testing.FakeProviderContext;
import dev.vkj.testing.MutableClock;
import dev.vkj.testing.PodFixtures;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MockStateFileTest {
  @TempDir Path dir;

  @Test
  void aSecondProviderAdoptsThePodsRunningWithTheSameIps() throws Exception {
    Path state = dir.resolve("state/mock.json");
    MutableClock clock = new MutableClock();
    Pod web = PodFixtures.pod("web-1").container("app", "nginx", c -> c.port(80)).build();
    Pod crashing =
        PodFixtures.pod("crash")
            .annotation("mock.vkj.dev/exit-after", "5s")
            .annotation("mock.vkj.dev/exit-code", "1")
            .container("app", "busybox")
            .build();
    PodStatus webBefore;
    PodStatus crashBefore;
    try (MockHarness first = harness(clock, state)) {
      first.provider.createPod(web);
      first.provider.createPod(crashing);
      clock.advanceSeconds(13); // crash: ran 02..07, restarted, ran 07..12, now backing off
      webBefore = first.status(web);
      crashBefore = first.status(crashing);
      assertThat(crashBefore.getContainerStatuses().get(0).getState().getWaiting().getReason())
          .isEqualTo("CrashLoopBackOff");
      Eventually.within(Duration.ofSeconds(5)).until(() -> Files.exists(state));
    }
    assertThat(Files.readString(state)).contains("\"web-1\"", webBefore.getPodIP());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state)))
        .isEqualTo("rw-------");

    try (MockHarness second = harness(clock, state)) {
      assertThat(second.provider.listPods())
          .extracting(p -> p.getMetadata().getName())
          .containsExactlyInAnyOrder("web-1", "crash");
      PodStatus webAfter = second.status(web);
      assertThat(webAfter).isEqualTo(webBefore);
      ContainerStatus app = webAfter.getContainerStatuses().get(0);
      assertThat(app.getState().getRunning().getStartedAt()).isEqualTo("2026-11-26T12:00:02Z");
      assertThat(app.getRestartCount()).isZero();
      assertThat(second.status(crashing)).isEqualTo(crashBefore);

      // the simulation goes on where it stopped: the crash loop restarts at 12:00:22
      clock.advanceSeconds(9);
      ContainerStatus crash = second.container(crashing, "app");
      assertThat(crash.getState().getRunning().getStartedAt()).isEqualTo("2026-11-26T12:00:22Z");
      assertThat(crash.getRestartCount()).isEqualTo(2);

      // creating an adopted pod again is a no-op; new pods never get an adopted IP
      second.provider.createPod(web);
      assertThat(second.status(web).getContainerStatuses().get(0).getRestartCount()).isZero();
      Pod fresh = PodFixtures.simplePod("fresh");
      second.provider.createPod(fresh);
      assertThat(second.status(fresh).getPodIP())
          .isNotIn(webBefore.getPodIP(), crashBefore.getPodIP());
    }
  }

  @Test
  void deletedPodsAreGoneAfterReload() throws Exception {
    Path state = dir.resolve("mock.json");
    MutableClock clock = new MutableClock();
    Pod pod = PodFixtures.simplePod("short-lived");
    try (MockHarness first = harness(clock, state)) {
      first.provider.createPod(pod);
      clock.advanceSeconds(3);
      first.provider.deletePod(pod);
      clock.advanceSeconds(3);
      assertThat(first.provider.listPods()).isEmpty();
    }
    try (MockHarness second = harness(clock, state)) {
      assertThat(second.provider.listPods()).isEmpty();
    }
  }

  @Test
  void aCreateIsOnDiskWhenItReturns() throws Exception {
    Path state = dir.resolve("mock.json");
    MutableClock clock = new MutableClock();
    Pod pod = PodFixtures.simplePod("durable");
    MockHarness crashed = withoutPeriodicSaves(clock, state);

    crashed.provider.createPod(pod);

    // never closed, as after a SIGKILL
    assertThat(names(new StateStore(state).load("vk-test"))).containsExactly("durable");
    try (MockHarness restarted = harness(clock, state)) {
      assertThat(restarted.provider.listPods())
          .extracting(p -> p.getMetadata().getUid())
          .containsExactly(pod.getMetadata().getUid());
    }
  }

  @Test
  void concurrentCreatesAreAllOnDiskWhenTheyReturn() throws Exception {
    Path state = dir.resolve("mock.json");
    MutableClock clock = new MutableClock();
    MockHarness crashed = withoutPeriodicSaves(clock, state);
    int threads = 8;
    int perThread = 12;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < perThread; i++) {
                    crashed.provider.createPod(PodFixtures.simplePod("p-" + thread + "-" + i));
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(names(new StateStore(state).load("vk-test"))).hasSize(threads * perThread);
    try (MockHarness restarted = harness(clock, state)) {
      assertThat(restarted.provider.listPods()).hasSize(threads * perThread);
    }
  }

  @Test
  void aDeleteIsOnDiskWhenItReturns() throws Exception {
    Path state = dir.resolve("mock.json");
    MutableClock clock = new MutableClock();
    Pod pod = PodFixtures.simplePod("deleted");
    MockHarness crashed = withoutPeriodicSaves(clock, state);
    crashed.provider.createPod(pod);
    clock.advanceSeconds(3);

    crashed.provider.deletePod(pod);

    StateStore.PodRecord saved = new StateStore(state).load("vk-test").pods().get(0);
    assertThat(saved.deletedAt()).isEqualTo(clock.instant().toString());
    try (MockHarness restarted = harness(clock, state)) {
      clock.advanceSeconds(3);
      assertThat(restarted.provider.listPods()).isEmpty();
    }
  }

  @Test
  void theCreateCounterCountsCreatesOfThisProcessOnly() throws Exception {
    Path state = dir.resolve("mock.json");
    MutableClock clock = new MutableClock();
    Pod adopted = PodFixtures.simplePod("adopted");
    try (MockHarness first = harness(clock, state)) {
      first.provider.createPod(adopted);
      assertThat(creates(first)).isEqualTo(1);
    }
    try (MockHarness second = harness(clock, state)) {
      second.provider.createPod(adopted); // adopted from the file: no create
      second.provider.createPod(PodFixtures.simplePod("new"));
      second.provider.createPod(PodFixtures.simplePod("new-too"));

      assertThat(creates(second)).isEqualTo(2);
    }
  }

  @Test
  void aCorruptStateFileFailsStartupNamingTheKey() throws Exception {
    Path state = dir.resolve("mock.json");
    Files.writeString(state, "{\"version\": 1, \"pods\": [ {\"pod\": ", StandardCharsets.UTF_8);
    assertThatThrownBy(() -> harness(new MutableClock(), state))
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining("'stateFile'")
        .hasMessageContaining(state.toString())
        .satisfies(
            e -> assertThat(((ProviderException) e).code()).isEqualTo(ErrorCode.INVALID_CONFIG));

    Files.writeString(state, "[1, 2, 3]", StandardCharsets.UTF_8);
    assertThatThrownBy(() -> harness(new MutableClock(), state))
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining("'stateFile'");
  }

  @Test
  void aStateFileOfAnotherNodeIsRefused() throws Exception {
    Path state = dir.resolve("mock.json");
    MutableClock clock = new MutableClock();
    try (MockHarness first = harness(clock, state)) {
      first.provider.createPod(PodFixtures.simplePod("a"));
    }
    FakeProviderContext other =
        FakeProviderContext.builder().nodeName("other").clock(clock).build();
    try {
      assertThatThrownBy(() -> new MockHarness(other, Map.of("stateFile", state.toString())))
          .isInstanceOf(ProviderException.class)
          .hasMessageContaining("belongs to node vk-test");
    } finally {
      other.close();
    }
  }

  /**
   * A provider whose context is already closed, so no periodic save can run: only what a call wrote
   * before it returned is on disk. The test never closes it, as after a SIGKILL.
   */
  private static MockHarness withoutPeriodicSaves(MutableClock clock, Path state)
      throws ProviderException {
    MockHarness harness = harness(clock, state);
    harness.context.close();
    return harness;
  }

  private static List<String> names(StateStore.State state) {
    return state.pods().stream().map(p -> p.pod().getMetadata().getName()).toList();
  }

  private static double creates(MockHarness harness) {
    return harness.context.meterRegistry().get("vkj.mock.creates").counter().count();
  }

  private static MockHarness harness(MutableClock clock, Path state) throws ProviderException {
    FakeProviderContext context = FakeProviderContext.builder().clock(clock).build();
    try {
      return new MockHarness(context, Map.of("stateFile", state.toString()));
    } catch (ProviderException | RuntimeException e) {
      context.close();
      throw e;
    }
  }
}
