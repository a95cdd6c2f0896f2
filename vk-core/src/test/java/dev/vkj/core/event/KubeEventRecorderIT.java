package dev.vkj.core.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.vkj.core.MockApiServer;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class KubeEventRecorderIT {
  @RegisterExtension final MockApiServer api = new MockApiServer();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  private static Pod pod(String name) {
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace("ns")
        .withName(name)
        .withUid(name + "-uid")
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("app")
        .endContainer()
        .endSpec()
        .build();
  }

  private KubeEventRecorder recorder(KubernetesClient client, double qps, int burst) {
    return new KubeEventRecorder(client, "vk", Clock.systemUTC(), qps, burst, meters);
  }

  private List<Event> events(KubernetesClient client) {
    return client.v1().events().inNamespace("ns").list().getItems();
  }

  private double count(String name, String tag, String value) {
    return meters.get(name).tag(tag, value).counter().count();
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void repeatsAreCountedOnOneEventWithPatches() throws Exception {
    KubernetesClient client = api.client();
    try (KubeEventRecorder events = recorder(client, 1000, 1000)) {
      Pod pod = pod("crash");
      for (int i = 0; i < 100; i++) {
        events.container(pod, "app", true, "BackOff", "Back-off restarting failed container app");
      }
      await(
          "100 writes",
          () ->
              meters.find("vkj.events.written").counters().stream()
                      .mapToDouble(c -> c.count())
                      .sum()
                  == 100);
    }
    assertThat(events(client))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getCount()).isEqualTo(100);
              assertThat(e.getReason()).isEqualTo("BackOff");
              assertThat(e.getInvolvedObject().getFieldPath()).isEqualTo("spec.containers{app}");
              assertThat(e.getSource().getComponent()).isEqualTo("kubelet");
            });
    assertThat(count("vkj.events.written", "verb", "create")).isEqualTo(1);
    assertThat(count("vkj.events.written", "verb", "patch")).isEqualTo(99);
  }

  @Test
  void manySimilarMessagesAreCombinedIntoOneEvent() throws Exception {
    KubernetesClient client = api.client();
    try (KubeEventRecorder events = recorder(client, 1000, 1000)) {
      Pod pod = pod("flaky");
      for (int i = 1; i <= 15; i++) {
        events.warning(pod, "FailedSync", "attempt " + i + " failed");
      }
      await(
          "15 writes",
          () ->
              meters.find("vkj.events.written").counters().stream()
                      .mapToDouble(c -> c.count())
                      .sum()
                  == 15);
    }
    List<Event> all = events(client);
    // ten distinct messages, then one combined event that counts the rest
    assertThat(all).hasSize(11);
    assertThat(all)
        .filteredOn(e -> e.getMessage().startsWith(KubeEventRecorder.COMBINED_PREFIX))
        .singleElement()
        .satisfies(e -> assertThat(e.getCount()).isEqualTo(5));
  }

  @Test
  void writesBeyondTheBurstAreDroppedAndCounted() throws Exception {
    KubernetesClient client = api.client();
    try (KubeEventRecorder events = recorder(client, 0.001, 5)) {
      recordScheduled(events, 0, 20);
      awaitWrittenOrDropped("rate_limit", 20);
    }
    assertThat(events(client)).hasSize(5);
    assertThat(count("vkj.events.dropped", "reason", "rate_limit")).isEqualTo(15);
  }

  @Test
  void whileTheNodeIsBusyEventsGetATenthOfTheBurst() throws Exception {
    KubernetesClient client = api.client();
    AtomicBoolean busy = new AtomicBoolean(true);
    try (KubeEventRecorder events = recorder(client, 0.001, 50)) {
      events.yieldTo(busy::get);
      recordScheduled(events, 0, 20);
      awaitWrittenOrDropped("node_busy", 20);
      assertThat(count("vkj.events.written", "verb", "create")).isEqualTo(5);

      // once the pods are synced, the whole burst is there again
      busy.set(false);
      recordScheduled(events, 20, 40);
      await("idle writes handled", () -> count("vkj.events.written", "verb", "create") == 25);
    }
    assertThat(events(client)).hasSize(25);
    assertThat(count("vkj.events.dropped", "reason", "node_busy")).isEqualTo(15);
    assertThat(count("vkj.events.dropped", "reason", "rate_limit")).isZero();
  }

  /** One {@code Scheduled} event for each of the pods p{from} to p{to - 1}. */
  private static void recordScheduled(KubeEventRecorder events, int from, int to) {
    for (int i = from; i < to; i++) {
      events.normal(pod("p" + i), "Scheduled", "placed");
    }
  }

  /** Waits until {@code n} events were either created or dropped for {@code reason}. */
  private void awaitWrittenOrDropped(String reason, int n) throws InterruptedException {
    await(
        "events handled",
        () ->
            count("vkj.events.written", "verb", "create")
                    + count("vkj.events.dropped", "reason", reason)
                == n);
  }

  @Test
  void aStalledApiServerNeverBlocksTheCaller() throws Exception {
    // accepts connections and never answers
    try (ServerSocket silent = new ServerSocket(0)) {
      List<Socket> held = new ArrayList<>();
      Thread acceptor =
          new Thread(
              () -> {
                try {
                  while (true) {
                    held.add(silent.accept());
                  }
                } catch (Exception closed) {
                  // the test is over
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
      try (KubernetesClient client =
              new KubernetesClientBuilder()
                  .withConfig(
                      new io.fabric8.kubernetes.client.ConfigBuilder(
                              io.fabric8.kubernetes.client.Config.empty())
                          .withMasterUrl("http://127.0.0.1:" + silent.getLocalPort())
                          .withRequestTimeout(60_000)
                          .build())
                  .build();
          KubeEventRecorder events = recorder(client, 1000, 1000)) {
        assertTimeoutPreemptively(
            Duration.ofSeconds(30),
            () -> {
              for (int i = 0; i < 3000; i++) {
                events.normal(pod("p" + i), "Scheduled", "placed " + i);
              }
            });
        // the writer holds one event, the queue 1,000; the rest were dropped, not waited for
        await(
            "queue overflow counted",
            () -> count("vkj.events.dropped", "reason", "queue_full") >= 1000);
      }
      for (Socket s : held) {
        s.close();
      }
    }
  }
}
