package dev.vkj.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/vk-runner run} with the mock provider of {@code providers/mock} against the fabric8
 * mock API server: SIGTERM to the launcher's process reaches the JVM (the launcher execs it), whose
 * shutdown hook stops the node, and the process exits 0.
 */
class SigtermIT {
  private KubernetesMockServer server;
  private KubernetesClient client;

  @BeforeEach
  void startApiServer() {
    server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(),
            true);
    server.init();
    client = server.createClient();
  }

  @AfterEach
  void stopApiServer() {
    client.close();
    try {
      server.destroy();
    } catch (IllegalStateException e) {
      // the mock server waits for connections of a client whose process is gone and gives up
      // after its own timeout; what it serves is not under test
    }
  }

  @Test
  void aRunStoppedWithSigtermExitsZero() throws Exception {
    Path work = Files.createDirectories(Path.of("target", "sigterm-it"));
    Path log = work.resolve("runner.log");
    Files.deleteIfExists(log);
    Path kubeconfig =
        Files.writeString(
            work.resolve("kubeconfig"),
            """
            apiVersion: v1
            kind: Config
            clusters:
            - name: mock
              cluster: {server: "%s", insecure-skip-tls-verify: true}
            users:
            - name: test
              user: {token: "not-a-real-token"}
            contexts:
            - name: mock
              context: {cluster: mock, user: test, namespace: default}
            current-context: mock
            """
                .formatted(client.getMasterUrl()));
    Process runner =
        Launcher.distribution()
            .start(
                log,
                "run",
                "--provider=mock",
                "--node-name=vk-dist",
                "--kubeconfig=" + kubeconfig,
                "--node-ip=127.0.0.1",
                "--bind-address=127.0.0.1",
                "--kubelet-port=0",
                "--metrics-port=0");
    try {
      // a bound for a hung start only: a loaded machine takes a while to start a JVM
      Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
      while (client.nodes().withName("vk-dist").get() == null) {
        assertThat(runner.isAlive()).as("runner alive; %s", Launcher.read(log)).isTrue();
        assertThat(Instant.now()).as("node registered; %s", Launcher.read(log)).isBefore(deadline);
        Thread.sleep(200);
      }

      runner.destroy();

      assertThat(runner.waitFor(2, TimeUnit.MINUTES)).as(Launcher.read(log)).isTrue();
      assertThat(runner.exitValue()).as(Launcher.read(log)).isZero();
    } finally {
      runner.destroyForcibly();
    }
  }
}
