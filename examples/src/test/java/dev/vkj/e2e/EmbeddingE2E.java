package dev.vkj.e2e;

import static dev.vkj.e2e.E2eCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.simple.SimpleLogger;

/**
 * The embedding example ({@code dev.vkj.examples.embedding.EmbeddedVirtualKubelet}) as a user runs
 * it: its own JVM on the runtime classpath of the examples module, joined to the cluster of
 * KUBECONFIG, stopped with SIGTERM.
 */
class EmbeddingE2E {
  private static final String NODE = "vkj-e2e-embedded";
  private static final String NS = "vkj-embed-" + Long.toString(System.currentTimeMillis(), 36);
  private static final String MAIN_CLASS = "dev.vkj.examples.embedding.EmbeddedVirtualKubelet";

  private KubernetesClient client;
  private Path output;
  private Process process;

  @BeforeEach
  void setUp() throws IOException {
    assertThat(System.getenv("KUBECONFIG"))
        .as("KUBECONFIG must point at a cluster (scripts/control-plane.sh up prints one)")
        .isNotBlank();
    client = new KubernetesClientBuilder().withConfig(Config.autoConfigure(null)).build();
    Path logs = Path.of(System.getProperty("vkj.e2e.logs", "target/e2e-logs"));
    output = Files.createDirectories(logs.resolve("embedding")).resolve("embedded.log");
    Files.deleteIfExists(output);
    // a node left by an earlier run would look Ready before the example registered
    client.nodes().withName(NODE).delete();
    await(Duration.ofSeconds(60), "no node " + NODE, () -> node() == null);
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .create();
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
    // nothing serves the node any more: force the pod out, then remove the node and namespace
    client.pods().inNamespace(NS).withGracePeriod(0).delete();
    client.namespaces().withName(NS).delete();
    client.nodes().withName(NODE).delete();
    client.close();
  }

  @Test
  void runsTheHandsOnPodAndStopsOnSigtermWithoutDeletingIt() throws Exception {
    process = startExample(NODE, E2eCluster.freePort());
    await(
        Duration.ofMinutes(3),
        "node " + NODE + " Ready",
        () -> {
          assertThat(process.isAlive()).as("example running; output:\n%s", output()).isTrue();
          return nodeReady();
        });
    assertThat(node().getMetadata().getLabels()).containsEntry("type", "virtual-kubelet");

    // the hands-on pod: the node selector and toleration of examples/virtual-node.yaml, pinned to
    // this node because other virtual nodes of the suite may still be registered
    Pod handsOn =
        E2eCluster.virtualNodePod(NS, "aci-helloworld", "microsoft/aci-helloworld")
            .editSpec()
            .addToNodeSelector("kubernetes.io/hostname", NODE)
            .endSpec()
            .build();
    client.pods().inNamespace(NS).resource(handsOn).create();
    await(
        Duration.ofSeconds(90),
        "aci-helloworld Running",
        () -> pod() != null && E2eCluster.running(pod()));
    Pod running = pod();
    assertThat(running.getSpec().getNodeName()).isEqualTo(NODE);

    process.destroy(); // SIGTERM
    assertThat(process.waitFor(90, TimeUnit.SECONDS))
        .as("example exited after SIGTERM; output:\n%s", output())
        .isTrue();
    String out = output();
    assertThat(process.exitValue()).as("exit code; output:\n%s", out).isZero();

    // the shutdown hook waited for close(), and close() returned after the pod workers stopped
    int workersStopped = out.indexOf("Pod controller for node " + NODE + " stopped");
    int closeReturned = out.indexOf("stopped; pods the backend still runs:");
    assertThat(workersStopped).as("pod controller stopped; output:\n%s", out).isNotNegative();
    assertThat(closeReturned)
        .as("close() returned; output:\n%s", out)
        .isGreaterThan(workersStopped);
    // close() deleted nothing in the backend ...
    assertThat(out.substring(closeReturned).lines().findFirst().orElseThrow())
        .contains(NS + "/aci-helloworld");
    // ... nor in the API: the pod is still bound, not being deleted, with the same UID
    Pod after = pod();
    assertThat(after).isNotNull();
    assertThat(after.getMetadata().getUid()).isEqualTo(running.getMetadata().getUid());
    assertThat(after.getMetadata().getDeletionTimestamp()).isNull();
    assertThat(after.getSpec().getNodeName()).isEqualTo(NODE);
    assertThat(node()).as("the Node stays for the next start").isNotNull();
  }

  /**
   * The example's JVM: the examples classes and their runtime classpath, plus slf4j-simple so that
   * the core's log lands in the output next to what the example prints.
   */
  private Process startExample(String nodeName, int kubeletPort) throws IOException {
    List<String> classpath = new ArrayList<>();
    classpath.add(System.getProperty("vkj.examples.classes", "target/classes"));
    Path runtime =
        Path.of(System.getProperty("vkj.examples.classpath", "target/runtime-classpath.txt"));
    assertThat(runtime).as("runtime classpath (written by the build under -Pe2e)").exists();
    String entries = Files.readString(runtime).strip();
    if (!entries.isEmpty()) {
      classpath.add(entries);
    }
    classpath.add(jarOf(SimpleLogger.class));
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx384m",
            "-cp",
            String.join(File.pathSeparator, classpath),
            MAIN_CLASS,
            nodeName,
            Integer.toString(kubeletPort));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(output.toFile())
        .start();
  }

  private static String jarOf(Class<?> type) {
    try {
      return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private String output() {
    try {
      return Files.exists(output) ? Files.readString(output) : "";
    } catch (IOException e) {
      return "(cannot read " + output + ": " + e + ")";
    }
  }

  private Node node() {
    return client.nodes().withName(NODE).get();
  }

  private boolean nodeReady() {
    Node node = node();
    return node != null
        && node.getStatus() != null
        && node.getStatus().getConditions() != null
        && node.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private Pod pod() {
    return client.pods().inNamespace(NS).withName("aci-helloworld").get();
  }
}
