package dev.vkj.core.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vkj.core.provider.ProviderBoundary;
import dev.vkj.core.provider.ProviderBoundaryConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kubelet API behind the provider boundary: a hanging provider cannot hang a request. */
class ProviderBoundaryServerIT {
  @TempDir Path dir;
  private final CountDownLatch never = new CountDownLatch(1);
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private TestServer server;
  private ProviderBoundary boundary;

  @AfterEach
  void stop() {
    never.countDown();
    if (server != null) {
      server.close();
    }
    if (boundary != null) {
      boundary.close();
    }
  }

  @Test
  void containerLogsOfAHangingProviderAnswerAnErrorWithinTheTimeout() throws Exception {
    FakeProvider provider = new FakeProvider();
    provider.logs =
        call -> {
          try {
            never.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          throw new IllegalStateException("released");
        };
    boundary =
        ProviderBoundary.wrap(
            provider,
            ProviderBoundaryConfig.defaults().withTimeout("containerLogs", Duration.ofMillis(500)),
            meters);
    server = new TestServer(dir, boundary.provider(), false, Duration.ofSeconds(60));
    server.apiPods.add(Fixtures.pod("default", "web-0", "uid-web-0", "app", "shell-tty"));

    // the client's own timeout (20 s) would fail the test if the request hung
    HttpResponse<String> response = server.get(server.admin, "/containerLogs/default/web-0/app");

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.body()).contains("provider call containerLogs timed out after 500ms");
    assertThat(
            meters
                .get("vkj.provider.calls")
                .tag("operation", "containerLogs")
                .tag("code", "TRANSIENT")
                .timer()
                .count())
        .isEqualTo(1);
  }
}
