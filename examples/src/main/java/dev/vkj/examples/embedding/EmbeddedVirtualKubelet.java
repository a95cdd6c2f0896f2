package dev.vkj.examples.embedding;

import dev.vkj.core.VirtualKubelet;
import dev.vkj.examples.minimal.MinimalProviderFactory;
import dev.vkj.spi.ProviderConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs a virtual node from plain Java, without the runner: the kubeconfig is found as kubectl finds
 * it, the node is called {@code embedded-node}, and Ctrl-C stops it.
 *
 * <pre>
 * java -cp examples/target/classes:... dev.vkj.examples.embedding.EmbeddedVirtualKubelet
 * </pre>
 */
public final class EmbeddedVirtualKubelet {
  private EmbeddedVirtualKubelet() {}

  public static void main(String[] args) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    try (KubernetesClient client = new KubernetesClientBuilder().build();
        VirtualKubelet kubelet =
            VirtualKubelet.builder()
                .client(client)
                .nodeName("embedded-node")
                .provider(new MinimalProviderFactory(), ProviderConfig.of(Map.of("maxPods", "20")))
                .kubeletPort(10251)
                .build()) {
      Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
      kubelet.start();
      System.out.println("node " + kubelet.nodeName() + " is ready; Ctrl-C stops it");
      stopped.await();
    }
  }
}
