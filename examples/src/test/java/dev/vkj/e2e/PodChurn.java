package dev.vkj.e2e;

import static dev.vkj.e2e.E2eCluster.await;
import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Pods bound to one node, created one per period; each is deleted once {@code keep} newer ones were
 * created. Pausable, so that a check sees a settled namespace. Failed requests (an API server away
 * or loaded) are skipped: the tests check their invariants on what exists.
 */
final class PodChurn {
  private final KubernetesClient client;
  private final String namespace;
  private final String node;
  private final String prefix;
  private final Duration period;
  private final int keep;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicBoolean paused = new AtomicBoolean();
  private final AtomicBoolean idle = new AtomicBoolean();
  private final AtomicInteger created = new AtomicInteger();
  private final Map<Integer, String> names = new HashMap<>();
  private Thread thread;

  PodChurn(
      KubernetesClient client,
      String namespace,
      String node,
      String prefix,
      Duration period,
      int keep) {
    this.client = requireNonNull(client, "client is null");
    this.namespace = requireNonNull(namespace, "namespace is null");
    this.node = requireNonNull(node, "node is null");
    this.prefix = requireNonNull(prefix, "prefix is null");
    this.period = requireNonNull(period, "period is null");
    this.keep = keep;
  }

  void start() {
    thread =
        new Thread(
            () -> {
              int i = 0;
              while (!stop.get()) {
                try {
                  if (paused.get()) {
                    idle.set(true);
                    Thread.sleep(50);
                    continue;
                  }
                  idle.set(false);
                  churn(i++);
                  Thread.sleep(period.toMillis());
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "pod-churn-" + prefix);
    thread.setDaemon(true);
    thread.start();
  }

  private void churn(int i) {
    try {
      String name = prefix + "-" + i;
      client.pods().inNamespace(namespace).resource(pod(name)).create();
      synchronized (names) {
        names.put(created.getAndIncrement(), name);
      }
      if (i >= keep) {
        client.pods().inNamespace(namespace).withName(prefix + "-" + (i - keep)).delete();
      }
    } catch (RuntimeException e) {
      // skipped; see the class comment
    }
  }

  private Pod pod(String name) {
    return E2eCluster.virtualNodePod(namespace, name, "nginx")
        .editSpec()
        .withNodeName(node)
        .endSpec()
        .build();
  }

  /** How many pods were created so far. */
  int created() {
    return created.get();
  }

  /** Stops creating and deleting; returns once no request is in flight. */
  void pause() {
    paused.set(true);
    await(Duration.ofMinutes(2), "the pod churn to pause", idle::get);
  }

  void resume() {
    paused.set(false);
  }

  /** How many of the pods created from the {@code from}th on are Running. */
  long runningSince(int from) {
    Set<String> wanted = new TreeSet<>();
    synchronized (names) {
      names.forEach(
          (i, name) -> {
            if (i >= from) {
              wanted.add(name);
            }
          });
    }
    return client.pods().inNamespace(namespace).list().getItems().stream()
        .filter(p -> wanted.contains(p.getMetadata().getName()))
        .filter(E2eCluster::running)
        .count();
  }

  void stop() throws InterruptedException {
    stop.set(true);
    if (thread != null) {
      thread.join(30_000);
    }
  }
}
