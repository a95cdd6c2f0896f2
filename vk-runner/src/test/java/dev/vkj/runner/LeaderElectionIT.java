package dev.vkj.runner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vkj.core.VirtualKubelet;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code vk-runner run --leader-elect} of one node against the fabric8 mock API server: one
 * leads and runs the node, the other waits; a clean stop hands over through the Lease, and a leader
 * that loses the Lease stops with exit code 1.
 */
@EnableKubernetesMockClient(crud = true)
class LeaderElectionIT {
  private static final String NODE = "vk-ha";
  private static final String LEASE = "vkj-leader-" + NODE;

  KubernetesClient client;

  @TempDir Path dir;

  /** One runner in the test JVM. */
  private final class Replica {
    final String name;
    final RunnerLifecycle lifecycle = RunnerLifecycle.manual();
    final StringWriter err = new StringWriter();
    final int metricsPort;
    final CompletableFuture<Integer> exit;

    Replica(String name) throws IOException {
      this(name, "4s", "3s");
    }

    Replica(String name, String leaseDuration, String renewDeadline) throws IOException {
      this.name = name;
      this.metricsPort = freePort();
      Path kubeconfig = kubeconfig();
      this.exit =
          CompletableFuture.supplyAsync(
              () ->
                  Main.execute(
                      Map.of(
                          "KUBECONFIG", kubeconfig.toString(),
                          "VKJ_NODE_NAME", NODE,
                          "VKJ_POD_NAME", name),
                      new PrintWriter(new StringWriter()),
                      new PrintWriter(err),
                      lifecycle,
                      "run",
                      "--leader-elect",
                      "--leader-elect-lease-duration=" + leaseDuration,
                      "--leader-elect-renew-deadline=" + renewDeadline,
                      "--leader-elect-retry-period=500ms",
                      "--node-ip=127.0.0.1",
                      "--bind-address=127.0.0.1",
                      "--kubelet-port=0",
                      "--metrics-port=" + metricsPort));
    }

    int readyz() throws Exception {
      return HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/readyz"))
                  .build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    }

    int awaitExit() throws Exception {
      return exit.get(3, TimeUnit.MINUTES);
    }
  }

  @Test
  void oneReplicaRunsTheNodeAndTheOtherTakesOverWhenItStops() throws Exception {
    // a Lease far longer than the test's bounds: only a release lets runner-b take over in time
    Replica a = new Replica("runner-a", "1h", "10s");
    VirtualKubelet kubeletA = a.lifecycle.awaitStarted(Duration.ofMinutes(3));
    assertThat(kubeletA).as("runner-a leads; %s", a.err).isNotNull();
    assertThat(holder()).startsWith("runner-a_");
    assertThat(client.nodes().withName(NODE).get()).isNotNull();

    Replica b = new Replica("runner-b", "1h", "10s");
    // the standby answers its probes (so a rollout goes on) but does not run the node
    await("runner-b ready as standby", () -> call(b::readyz) == 200);
    assertThat(b.lifecycle.awaitStarted(Duration.ofMillis(1))).isNull();
    assertThat(holder()).startsWith("runner-a_");

    // a clean stop releases the Lease: runner-b takes over without waiting for it to expire
    a.lifecycle.requestStop();
    assertThat(a.awaitExit()).as("runner-a exit; %s", a.err).isZero();
    VirtualKubelet kubeletB = b.lifecycle.awaitStarted(Duration.ofMinutes(3));
    // (had runner-a not released the Lease, runner-b would wait an hour)
    assertThat(kubeletB).as("runner-b takes over; %s", b.err).isNotNull();
    assertThat(holder()).startsWith("runner-b_");
    assertThat(lease().getSpec().getLeaseTransitions()).isEqualTo(1);

    b.lifecycle.requestStop();
    assertThat(b.awaitExit()).as("runner-b exit; %s", b.err).isZero();
    assertThat(holder()).as("released").isNullOrEmpty();
  }

  @Test
  void aLeaderThatLosesTheLeaseStopsWithExitCodeOne() throws Exception {
    Replica a = new Replica("runner-a");
    assertThat(a.lifecycle.awaitStarted(Duration.ofMinutes(3))).as("%s", a.err).isNotNull();

    // another holder renews the Lease as if runner-a's renewals had not reached the API server
    // (a renewal of runner-a may win the race: then try again on its version)
    await(
        "the Lease taken over",
        () -> {
          try {
            client
                .leases()
                .inNamespace("kube-node-lease")
                .withName(LEASE)
                .edit(
                    lease ->
                        new LeaseBuilder(lease)
                            .editSpec()
                            .withHolderIdentity("intruder")
                            .withRenewTime(now())
                            .withLeaseDurationSeconds(3600)
                            .endSpec()
                            .build());
            return true;
          } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            if (e.getCode() != 409) {
              throw e;
            }
            return false;
          }
        });

    assertThat(a.awaitExit()).as("runner-a exit; %s", a.err).isEqualTo(1);
    assertThat(a.lifecycle.leadershipWasLost()).isTrue();
    assertThat(holder()).as("not released by a replica that lost it").isEqualTo("intruder");
  }

  @Test
  void aStandbyStopsCleanly() throws Exception {
    Lease held =
        new LeaseBuilder()
            .withNewMetadata()
            .withNamespace("kube-node-lease")
            .withName(LEASE)
            .endMetadata()
            .withNewSpec()
            .withHolderIdentity("elsewhere")
            .withLeaseDurationSeconds(3600)
            .withAcquireTime(now())
            .withRenewTime(now())
            .withLeaseTransitions(0)
            .endSpec()
            .build();
    client.resource(held).create();

    Replica a = new Replica("runner-a");
    await("runner-a ready as standby", () -> call(a::readyz) == 200);
    a.lifecycle.requestStop();

    assertThat(a.awaitExit()).as("%s", a.err).isZero();
    assertThat(a.lifecycle.awaitStarted(Duration.ofMillis(1))).isNull();
    assertThat(client.nodes().withName(NODE).get()).as("a standby registers nothing").isNull();
    assertThat(holder()).isEqualTo("elsewhere");
  }

  private Lease lease() {
    return client.leases().inNamespace("kube-node-lease").withName(LEASE).get();
  }

  private String holder() {
    Lease lease = lease();
    return lease == null ? null : lease.getSpec().getHolderIdentity();
  }

  private static ZonedDateTime now() {
    return ZonedDateTime.now(ZoneOffset.UTC);
  }

  private Path kubeconfig() throws IOException {
    Path file = dir.resolve("kubeconfig");
    return Files.exists(file) ? file : TestKubeconfig.write(file, client.getMasterUrl().toString());
  }

  private interface Call {
    int get() throws Exception;
  }

  private static int call(Call call) {
    try {
      return call.get();
    } catch (Exception e) {
      return -1;
    }
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("timed out waiting for %s", what).isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
