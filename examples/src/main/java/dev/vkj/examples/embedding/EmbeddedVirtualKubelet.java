package dev.vkj.examples.embedding;

import dev.vkj.core.VirtualKubelet;
import dev.vkj.examples.minimal.MinimalProvider;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a virtual node from plain Java, without the runner: the kubeconfig is found as kubectl finds
 * it, and SIGTERM or Ctrl-C stops it cleanly (exit code 0).
 *
 * <pre>
 * java -cp examples/target/classes:... dev.vkj.examples.embedding.EmbeddedVirtualKubelet \
 *     [node-name [kubelet-port]]
 * </pre>
 *
 * <p>The node is called {@code embedded-node} and serves the kubelet API on port 10251 unless the
 * arguments say otherwise. Its pods run on {@link MinimalProvider}, whose backend is a map owned
 * here. Stopping closes the {@link VirtualKubelet}, which stops its work and deletes nothing: the
 * Node and the pods stay in the cluster for the next start, and the last line printed lists the
 * pods the backend still runs after {@code close()} returned.
 */
public final class EmbeddedVirtualKubelet {
  static final String DEFAULT_NODE_NAME = "embedded-node";
  static final int DEFAULT_KUBELET_PORT = 10251;

  /** How long the shutdown hook waits for a hung close() before it lets the JVM exit anyway. */
  private static final long CLOSE_TIMEOUT_SECONDS = 60;

  private EmbeddedVirtualKubelet() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length > 2) {
      usage("too many arguments");
    }
    String nodeName = args.length > 0 ? args[0] : DEFAULT_NODE_NAME;
    int kubeletPort = args.length > 1 ? port(args[1]) : DEFAULT_KUBELET_PORT;

    // the backend of the minimal provider: here it outlives the provider, as a cloud's would
    Map<String, Pod> backend = new ConcurrentHashMap<>();
    CountDownLatch stopRequested = new CountDownLatch(1);
    CountDownLatch finished = new CountDownLatch(1);
    AtomicBoolean stoppedCleanly = new AtomicBoolean();

    // SIGTERM and Ctrl-C start the JVM's shutdown, which ends when the hooks return: the hook
    // asks main to stop and waits until close() has returned, or the work would be cut short
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  boolean running = finished.getCount() > 0;
                  stopRequested.countDown();
                  if (awaitUninterruptibly(finished) && running && stoppedCleanly.get()) {
                    // a stop that was asked for and completed is a success: exit 0, not the
                    // signal's 143 (a hook can only choose the exit code by halting)
                    Runtime.getRuntime().halt(0);
                  }
                },
                "embedded-vk-shutdown"));

    try {
      try (KubernetesClient client = new KubernetesClientBuilder().build();
          VirtualKubelet kubelet =
              VirtualKubelet.builder()
                  .client(client) // not closed by vkj
                  .nodeName(nodeName)
                  .provider("minimal", context -> new MinimalProvider(context, 20, backend))
                  .kubeletPort(kubeletPort)
                  .build()) {
        kubelet.start();
        System.out.println(
            "node "
                + kubelet.nodeName()
                + " is ready (kubelet port "
                + kubelet.kubeletPort()
                + ")");
        stopRequested.await();
        System.out.println("stopping node " + nodeName);
      }
      // close() has returned: the controllers, the server and the provider are stopped
      TreeSet<String> left = new TreeSet<>(backend.keySet());
      System.out.println(
          "stopped; pods the backend still runs: "
              + (left.isEmpty() ? "(none)" : String.join(" ", left)));
      stoppedCleanly.set(true);
    } finally {
      finished.countDown();
    }
  }

  private static int port(String text) {
    try {
      int port = Integer.parseInt(text);
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    usage("invalid kubelet port: " + text + " (expected 0-65535)");
    return -1;
  }

  private static void usage(String problem) {
    System.err.println(problem);
    System.err.println("usage: EmbeddedVirtualKubelet [node-name [kubelet-port]]");
    System.exit(2);
  }

  /** Whether {@code latch} opened within {@link #CLOSE_TIMEOUT_SECONDS}. */
  private static boolean awaitUninterruptibly(CountDownLatch latch) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CLOSE_TIMEOUT_SECONDS);
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return latch.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
