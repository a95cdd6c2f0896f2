package dev.vkj.provider.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vkj.spi.ErrorCode;
import dev.vkj.spi.ProviderException;
import dev.vkj.spi.stats.ContainerStats;
import dev.vkj.spi.stats.PodStats;
import dev.vkj.spi.stats.StatsSummary;
import dev.vkj.testing.PodFixtures;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MockPortForwardAndStatsTest {
  private MockHarness mock;
  private Pod web;

  @BeforeEach
  void setUp() throws Exception {
    mock = MockHarness.withDefaults();
    web =
        PodFixtures.pod("web-1")
            .container("app", "nginx", c -> c.port(80).requests("250m", "128Mi"))
            .container("sidecar", "busybox", c -> c.port(9000))
            .build();
    mock.provider.createPod(web);
    mock.advance(2);
  }

  @AfterEach
  void tearDown() {
    mock.close();
  }

  @Test
  void httpRequestGetsAWelcomePage() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] request =
        "GET / HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: curl/8\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);
    mock.provider.portForward("default", "web-1", 80, new ByteArrayInputStream(request), out);
    String response = out.toString(StandardCharsets.UTF_8);
    assertThat(response).startsWith("HTTP/1.1 200 OK\r\n");
    assertThat(response).contains("Content-Type: text/html", "Welcome to vkj", "default/web-1");
    String body = response.substring(response.indexOf("\r\n\r\n") + 4);
    assertThat(response)
        .contains("Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n");
  }

  @Test
  void otherBytesAreEchoedUntilTheClientCloses() throws Exception {
    PipedOutputStream client = new PipedOutputStream();
    PipedInputStream fromClient = new PipedInputStream(client);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CompletableFuture<Void> session =
        CompletableFuture.runAsync(
            () -> {
              try {
                mock.provider.portForward("default", "web-1", 9000, fromClient, out);
              } catch (ProviderException e) {
                throw new IllegalStateException(e);
              }
            });
    client.write("PING 1\n".getBytes(StandardCharsets.US_ASCII));
    client.write(new byte[] {0, 1, 2, (byte) 255});
    client.flush();
    assertThat(session).isNotDone();
    client.close();
    session.get(5, TimeUnit.SECONDS);
    byte[] expected = new byte[] {'P', 'I', 'N', 'G', ' ', '1', '\n', 0, 1, 2, (byte) 255};
    assertThat(out.toByteArray()).isEqualTo(expected);
  }

  @Test
  void undeclaredPortIsInvalid() {
    assertThatThrownBy(
            () ->
                mock.provider.portForward(
                    "default",
                    "web-1",
                    8080,
                    new ByteArrayInputStream(new byte[0]),
                    new ByteArrayOutputStream()))
        .isInstanceOf(ProviderException.class)
        .hasMessage("no container in pod default/web-1 listens on port 8080")
        .satisfies(
            e -> assertThat(((ProviderException) e).code()).isEqualTo(ErrorCode.INVALID_INPUT));
  }

  @Test
  void statsAreNonZeroPlausibleAndMonotonic() throws Exception {
    mock.advance(30);
    StatsSummary first = mock.provider.statsSummary();
    PodStats pod = first.pods().get(0);
    assertThat(pod.name()).isEqualTo("web-1");
    assertThat(pod.uid()).isEqualTo(web.getMetadata().getUid());
    assertThat(pod.containers()).extracting(ContainerStats::name).contains("app", "sidecar");
    ContainerStats app = container(pod, "app");
    // about 40 % of the 250m request
    assertThat(app.cpu().usageNanoCores()).isBetween(70_000_000L, 130_000_000L);
    assertThat(app.memory().workingSetBytes()).isBetween(60L << 20, 90L << 20);
    assertThat(app.startTime()).isEqualTo(mock.clock().instant().minusSeconds(30));
    for (ContainerStats c : pod.containers()) {
      assertThat(c.cpu().usageNanoCores()).isPositive();
      assertThat(c.cpu().usageCoreNanoSeconds()).isPositive();
      assertThat(c.memory().workingSetBytes()).isPositive();
    }
    assertThat(pod.cpu().usageNanoCores())
        .isEqualTo(pod.containers().stream().mapToLong(c -> c.cpu().usageNanoCores()).sum());
    assertThat(first.node().cpu().usageNanoCores()).isGreaterThan(pod.cpu().usageNanoCores());
    assertThat(first.node().memory().workingSetBytes())
        .isGreaterThan(pod.memory().workingSetBytes());

    long previousPod = pod.cpu().usageCoreNanoSeconds();
    long previousNode = first.node().cpu().usageCoreNanoSeconds();
    for (int i = 0; i < 20; i++) {
      mock.advance(17);
      StatsSummary next = mock.provider.statsSummary();
      long podCpu = next.pods().get(0).cpu().usageCoreNanoSeconds();
      assertThat(podCpu).isGreaterThan(previousPod);
      assertThat(next.node().cpu().usageCoreNanoSeconds()).isGreaterThan(previousNode);
      previousPod = podCpu;
      previousNode = next.node().cpu().usageCoreNanoSeconds();
    }
  }

  @Test
  void nodeCpuKeepsGrowingWhenPodsGoAway() throws Exception {
    mock.advance(60);
    long before = mock.provider.statsSummary().node().cpu().usageCoreNanoSeconds();
    mock.provider.deletePod(web);
    mock.advance(5);
    StatsSummary after = mock.provider.statsSummary();
    assertThat(after.pods()).isEmpty();
    assertThat(after.node().cpu().usageCoreNanoSeconds()).isGreaterThan(before);
  }

  @Test
  void podsWithoutRunningContainersHaveNoStats() throws Exception {
    mock.provider.createPod(PodFixtures.simplePod("starting"));
    assertThat(mock.provider.statsSummary().pods())
        .extracting(PodStats::name)
        .containsExactly("web-1");
  }

  private static ContainerStats container(PodStats pod, String name) {
    return pod.containers().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
  }
}
