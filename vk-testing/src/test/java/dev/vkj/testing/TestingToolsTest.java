package dev.vkj.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TestingToolsTest {
  @Test
  void mutableClockMovesOnlyWhenTold() {
    MutableClock clock = new MutableClock();
    assertThat(clock.instant()).isEqualTo(Instant.parse("2026-11-26T12:00:00Z"));
    assertThat(clock.advanceSeconds(5)).isEqualTo(Instant.parse("2026-11-26T12:00:05Z"));
    clock.advance(Duration.ofMillis(250));
    assertThat(clock.millis()).isEqualTo(Instant.parse("2026-11-26T12:00:05.250Z").toEpochMilli());
    clock.set(Instant.parse("2030-01-01T00:00:00Z"));
    assertThat(clock.withZone(java.time.ZoneId.of("Europe/Paris")).instant())
        .isEqualTo(Instant.parse("2030-01-01T00:00:00Z"));
    assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void eventuallyWaitsForTheConditionAndFailsAfterTheTimeout() {
    AtomicInteger polls = new AtomicInteger();
    Eventually.within(Duration.ofSeconds(2)).until(() -> polls.incrementAndGet() >= 3);
    assertThat(polls).hasValue(3);

    MutableClock clock = new MutableClock();
    Eventually.within(Duration.ofSeconds(2))
        .beforeEachPoll(() -> clock.advanceSeconds(1))
        .until(() -> clock.instant().isAfter(MutableClock.DEFAULT_START.plusSeconds(4)));

    assertThatThrownBy(
            () -> Eventually.within(Duration.ofMillis(100)).until("never true", () -> false))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("never true");
    assertThatThrownBy(
            () ->
                Eventually.within(Duration.ofMillis(100))
                    .untilAsserted(() -> assertThat(1).isEqualTo(2)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("not satisfied within");
    assertThat(Eventually.within(Duration.ofSeconds(1)).untilPresent("value", () -> "x"))
        .isEqualTo("x");
  }

  @Test
  void podFixturesBuildCompletePods() {
    Pod pod =
        PodFixtures.pod("web-1")
            .namespace("shop")
            .uid("u-1")
            .restartPolicy("Never")
            .annotation("a", "b")
            .label("app", "web")
            .initContainer("init", "busybox")
            .container(
                "app",
                "nginx:1.27",
                c -> c.port(80).env("MODE", "demo").requests("100m", "64Mi").limits("1", null))
            .configMapVolume("cfg", "web-config", "/etc/web")
            .secretVolume("creds", "web-secret", "/var/run/creds")
            .build();
    assertThat(pod.getMetadata().getNamespace()).isEqualTo("shop");
    assertThat(pod.getMetadata().getUid()).isEqualTo("u-1");
    assertThat(pod.getMetadata().getAnnotations()).containsEntry("a", "b");
    assertThat(pod.getSpec().getNodeName()).isEqualTo("vk-test");
    assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Never");
    Container app = pod.getSpec().getContainers().get(0);
    assertThat(app.getPorts().get(0).getContainerPort()).isEqualTo(80);
    assertThat(app.getEnv().get(0).getValue()).isEqualTo("demo");
    assertThat(app.getResources().getRequests().get("cpu").toString()).isEqualTo("100m");
    assertThat(app.getResources().getLimits()).containsOnlyKeys("cpu");
    assertThat(app.getVolumeMounts())
        .extracting(m -> m.getName() + ":" + m.getMountPath())
        .containsExactly("cfg:/etc/web", "creds:/var/run/creds");
    assertThat(pod.getSpec().getInitContainers().get(0).getVolumeMounts()).hasSize(2);
    assertThat(pod.getSpec().getVolumes().get(0).getConfigMap().getName()).isEqualTo("web-config");
    assertThat(PodFixtures.simplePod("a").getMetadata().getUid())
        .isNotEqualTo(PodFixtures.simplePod("a").getMetadata().getUid());
  }

  @Test
  void inMemoryResourcesStoreConfigMapsAndEncodedSecrets() {
    InMemoryClusterResources resources =
        new InMemoryClusterResources()
            .putConfigMap("default", "cfg", Map.of("k", "v"))
            .putSecret("default", "s", Map.of("password", "hunter2"));
    assertThat(resources.configMap("default", "cfg").orElseThrow().getData())
        .containsEntry("k", "v");
    assertThat(resources.configMap("other", "cfg")).isEmpty();
    String encoded = resources.secret("default", "s").orElseThrow().getData().get("password");
    assertThat(new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8))
        .isEqualTo("hunter2");
    resources.removeSecret("default", "s");
    assertThat(resources.secret("default", "s")).isEmpty();
  }

  @Test
  void recordingEventRecorderKeepsEventsByReasonAndPod() {
    RecordingEventRecorder events = new RecordingEventRecorder();
    Pod pod = PodFixtures.simplePod("web-1");
    events.normal(pod, "Scheduled", "ok");
    events.container(pod, "app", true, "BackOff", "Back-off restarting failed container");
    events.node(false, "NodeReady", "ready");
    assertThat(events.byReason("BackOff"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.container()).isEqualTo("app");
              assertThat(e.warning()).isTrue();
              assertThat(e.namespace()).isEqualTo("default");
            });
    assertThat(events.forPod("default", "web-1")).hasSize(2);
    assertThat(events.events().get(2).isNodeEvent()).isTrue();
    assertThat(events.hasReason("Missing")).isFalse();
  }

  @Test
  void fakeContextRunsTasksAndShutsDownItsScheduler() throws Exception {
    FakeProviderContext context =
        FakeProviderContext.builder().nodeName("n1").nodeIp("192.0.2.1").kubeletPort(10255).build();
    assertThat(context.nodeName()).isEqualTo("n1");
    assertThat(context.nodeIp()).isEqualTo("192.0.2.1");
    assertThat(context.kubeletPort()).isEqualTo(10255);
    CountDownLatch ran = new CountDownLatch(1);
    context.scheduler().schedule(ran::countDown, 10, TimeUnit.MILLISECONDS);
    assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
    context.meterRegistry().counter("c").increment();
    assertThat(context.meterRegistry().counter("c").count()).isEqualTo(1.0);
    context.close();
    assertThat(context.scheduler().isShutdown()).isTrue();
  }
}
