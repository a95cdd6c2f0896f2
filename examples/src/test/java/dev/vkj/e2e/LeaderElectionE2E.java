package dev.vkj.e2e;

import static dev.vkj.e2e.E2eCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two runners of one node with {@code --leader-elect}, the mock provider and one state file (the
 * backend both would reach), on the real control plane, while pods are created and deleted: a
 * SIGKILL'd leader is replaced within the Lease's terms without the node turning NotReady, no pod
 * is lost or duplicated, {@code kubectl logs} reaches the new leader, the old one comes back as a
 * standby, and a SIGTERM'd leader releases the Lease so that the standby takes over at once.
 */
class LeaderElectionE2E {
  private static final String NODE = "vkj-ha";
  private static final String NS = "vkj-e2e-ha";
  private static final String LEASE = "vkj-leader-" + NODE;
  private static final Duration LEASE_DURATION = Duration.ofSeconds(15);

  private final KubernetesClient client =
      new KubernetesClientBuilder().withConfig(Config.autoConfigure(null)).build();
  private final Kubectl kubectl = Kubectl.fromEnvironment();
  private final Path work =
      Path.of(System.getProperty("vkj.e2e.logs", "target/e2e-logs"), "leader-election");
  private final Path stateFile = work.resolve("mock-state.json").toAbsolutePath();
  private final List<Replica> replicas = new ArrayList<>();

  /** One runner process of the node. */
  private final class Replica {
    final String name;
    final int kubeletPort;
    final int metricsPort;
    final RunnerProcess process;

    Replica(String name, int kubeletPort, int generation) throws IOException {
      this.name = name;
      this.kubeletPort = kubeletPort;
      this.metricsPort = E2eCluster.freePort();
      Path config = work.resolve("mock.yaml");
      Files.writeString(config, "stateFile: " + stateFile + "\nstartupDelay: 1s\n");
      List<String> args =
          new ArrayList<>(
              List.of(
                  "run",
                  "--provider=mock",
                  "--node-name=" + NODE,
                  "--node-ip=127.0.0.1",
                  "--kubelet-port=" + kubeletPort,
                  "--metrics-port=" + metricsPort,
                  "--provider-config=" + config,
                  "--leader-elect",
                  "--client-ca=" + System.getenv("VKJ_CLUSTER_CA")));
      String cert = System.getenv("VKJ_KUBELET_CERT");
      String key = System.getenv("VKJ_KUBELET_KEY");
      if (cert != null && key != null) {
        args.addAll(List.of("--tls-cert=" + cert, "--tls-key=" + key));
      }
      this.process =
          new RunnerProcess(
              List.of(),
              args,
              Map.of("VKJ_POD_NAME", name),
              work.resolve(name + "-" + generation + ".log"));
      replicas.add(this);
    }

    Replica start() {
      process.start();
      return this;
    }

    boolean standbyReady() {
      if (!process.isAlive()) {
        throw new AssertionError(name + " exited:\n" + process.log());
      }
      try {
        HttpResponse<Void> response =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + metricsPort + "/readyz"))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                    HttpResponse.BodyHandlers.discarding());
        return response.statusCode() == 200;
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  @AfterEach
  void cleanUp() throws InterruptedException {
    // while a replica still runs the node, it deletes the namespace's pods from the backend
    kubectl.exec(null, Duration.ofSeconds(60), "delete", "namespace", NS, "--wait=false");
    if (replicas.stream().anyMatch(r -> r.process.isAlive())) {
      try {
        await(
            Duration.ofMinutes(2),
            "the namespace's pods to be gone",
            () -> client.pods().inNamespace(NS).list().getItems().isEmpty());
      } catch (AssertionError e) {
        System.out.println("clean-up: " + e.getMessage());
      }
    }
    for (Replica replica : replicas) {
      if (replica.process.isAlive()) {
        replica.process.stop(Duration.ofSeconds(30));
      }
    }
    // nothing runs this node any more: it must not attract the pods of other tests
    client.nodes().withName(NODE).delete();
    client.leases().inNamespace("kube-node-lease").withName(LEASE).delete();
    client.close();
  }

  @Test
  void aStandbyTakesOverTheNodeWithoutLosingOrDuplicatingPods() throws Exception {
    Files.createDirectories(work);
    Files.deleteIfExists(stateFile);
    client
        .namespaces()
        .resource(
            new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                .withNewMetadata()
                .withName(NS)
                .endMetadata()
                .build())
        .create();
    int portA = Integer.parseInt(System.getenv().getOrDefault("VKJ_E2E_KUBELET_PORT", "10250"));
    int portB = E2eCluster.freePort();

    Replica a = new Replica("runner-a", portA, 1).start();
    awaitLeader("runner-a", portA);
    Replica b = new Replica("runner-b", portB, 1).start();
    await(Duration.ofMinutes(3), "runner-b ready as a standby", b::standbyReady);
    assertThat(holder()).startsWith("runner-a_");

    NodeWatch watch = new NodeWatch();
    // a pod bound to the node every 500 ms, each deleted once 12 newer ones exist
    PodChurn workload = new PodChurn(client, NS, NODE, "ha", Duration.ofMillis(500), 12);
    try {
      workload.start();
      await(Duration.ofMinutes(2), "pods Running on runner-a", () -> running().size() >= 5);

      // SIGKILL: no release; runner-b waits out the Lease, then runs the node
      long killed = System.nanoTime();
      int createdBeforeKill = workload.created();
      a.process.kill();
      awaitLeader("runner-b", portB);
      Duration takeover = Duration.ofNanos(System.nanoTime() - killed);
      System.out.printf(
          "leader-election: SIGKILL -> runner-b leads and Ready in %d ms%n", takeover.toMillis());
      // expiry after the last renewal, one retry period, a start of the node's controllers
      assertThat(takeover).isLessThan(LEASE_DURATION.plus(Duration.ofSeconds(45)));

      await(
          Duration.ofMinutes(2),
          "5 pods created after the kill",
          () -> workload.created() - createdBeforeKill >= 5);
    } finally {
      workload.stop();
    }
    awaitConverged();
    assertThat(watch.stop()).as("NotReady or unreachable while the leader changed").isEmpty();

    // logs of a pod reach the new leader through the API server
    Pod pod = running().get(0);
    String logs = kubectl.run("logs", "-n", NS, pod.getMetadata().getName());
    assertThat(logs).isNotBlank();

    // the old leader comes back as a standby and leaves the node alone
    Replica again = new Replica("runner-a", portA, 2).start();
    await(Duration.ofMinutes(3), "runner-a ready as a standby", again::standbyReady);
    assertThat(holder()).startsWith("runner-b_");
    assertThat(daemonPort()).isEqualTo(portB);

    // SIGTERM: runner-b stops its work and releases the Lease before it exits
    assertThat(b.process.stop(Duration.ofSeconds(60))).as("runner-b exit code").isZero();
    String afterExit = holder();
    assertThat(afterExit == null || afterExit.isEmpty() || afterExit.startsWith("runner-a_"))
        .as(
            "the Lease after runner-b exited: released, or already taken by runner-a (%s)",
            afterExit)
        .isTrue();
    long released = System.nanoTime();
    awaitLeader("runner-a", portA);
    Duration handover = Duration.ofNanos(System.nanoTime() - released);
    System.out.printf(
        "leader-election: SIGTERM -> runner-a leads and Ready in %d ms%n", handover.toMillis());
    assertThat(holder()).startsWith("runner-a_");
    awaitConverged();
  }

  /** Waits until {@code name} holds the Lease and the node is Ready at its kubelet port. */
  private void awaitLeader(String name, int port) {
    await(
        Duration.ofMinutes(3),
        name + " leads node " + NODE,
        () -> {
          String holder = holder();
          return holder != null && holder.startsWith(name + "_") && daemonPort() == port && ready();
        });
  }

  private String holder() {
    Lease lease = client.leases().inNamespace("kube-node-lease").withName(LEASE).get();
    return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
  }

  private int daemonPort() {
    Node node = client.nodes().withName(NODE).get();
    return node == null || node.getStatus() == null
        ? -1
        : node.getStatus().getDaemonEndpoints().getKubeletEndpoint().getPort();
  }

  private boolean ready() {
    Node node = client.nodes().withName(NODE).get();
    return node != null
        && node.getStatus() != null
        && node.getStatus().getConditions() != null
        && node.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private List<Pod> running() {
    return client.pods().inNamespace(NS).list().getItems().stream()
        .filter(E2eCluster::running)
        .toList();
  }

  /**
   * Every pod of the namespace runs exactly once in the backend, the backend runs nothing else, and
   * no pod is left Terminating.
   */
  private void awaitConverged() {
    List<String> problems = new ArrayList<>();
    try {
      await(
          Duration.ofMinutes(3),
          "API pods and backend pods to agree",
          () -> {
            problems.clear();
            problems.addAll(differences());
            return problems.isEmpty();
          });
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + ": " + problems, e);
    }
  }

  private List<String> differences() {
    List<String> problems = new ArrayList<>();
    Map<String, Integer> backend = backendUids();
    backend.forEach(
        (uid, count) -> {
          if (count > 1) {
            problems.add("uid " + uid + " runs " + count + " times");
          }
        });
    Set<String> api = new TreeSet<>();
    for (Pod pod : client.pods().inNamespace(NS).list().getItems()) {
      String uid = pod.getMetadata().getUid();
      api.add(uid);
      if (pod.getMetadata().getDeletionTimestamp() != null) {
        problems.add("Terminating: " + pod.getMetadata().getName());
      } else if (!E2eCluster.running(pod)) {
        problems.add("not Running: " + pod.getMetadata().getName());
      } else if (!backend.containsKey(uid)) {
        problems.add("lost (Running, not in the backend): " + pod.getMetadata().getName());
      }
    }
    for (String uid : backend.keySet()) {
      if (!api.contains(uid)) {
        problems.add("orphan in the backend: uid " + uid);
      }
    }
    return problems;
  }

  /** How many times each pod UID of the namespace is in the mock's state file. */
  @SuppressWarnings("unchecked")
  private Map<String, Integer> backendUids() {
    Map<String, Integer> counts = new HashMap<>();
    for (Map<String, Object> record : E2eCluster.stateRecords(stateFile)) {
      Map<String, Object> metadata =
          (Map<String, Object>) ((Map<String, Object>) record.get("pod")).get("metadata");
      if (NS.equals(metadata.get("namespace"))) {
        counts.merge((String) metadata.get("uid"), 1, Integer::sum);
      }
    }
    return counts;
  }

  /** Polls the node and records every moment it was not Ready or carried a health taint. */
  private final class NodeWatch {
    private final List<String> seen = Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;

    NodeWatch() {
      thread =
          new Thread(
              () -> {
                while (!stop.get()) {
                  try {
                    Node node = client.nodes().withName(NODE).get();
                    if (node != null && node.getStatus() != null) {
                      for (NodeCondition c : node.getStatus().getConditions()) {
                        if ("Ready".equals(c.getType()) && !"True".equals(c.getStatus())) {
                          seen.add("Ready=" + c.getStatus() + " (" + c.getMessage() + ")");
                        }
                      }
                      List<Taint> taints =
                          node.getSpec().getTaints() == null
                              ? List.of()
                              : node.getSpec().getTaints();
                      for (Taint t : taints) {
                        if (t.getKey().startsWith("node.kubernetes.io/")) {
                          seen.add("taint " + t.getKey() + ":" + t.getEffect());
                        }
                      }
                    }
                    Thread.sleep(250);
                  } catch (InterruptedException e) {
                    return;
                  } catch (RuntimeException e) {
                    // a failed read is not a node state
                  }
                }
              },
              "ha-node-watch");
      thread.setDaemon(true);
      thread.start();
    }

    Set<String> stop() throws InterruptedException {
      stop.set(true);
      thread.join(10_000);
      synchronized (seen) {
        return seen.stream().collect(Collectors.toCollection(TreeSet::new));
      }
    }
  }
}
