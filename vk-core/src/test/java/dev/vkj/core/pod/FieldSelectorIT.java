package dev.vkj.core.pod;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The production informer path: pods selected with {@code spec.nodeName=<node>}. */
class FieldSelectorIT {
  private NodeSelectingMockServer server;
  private PodController controller;

  @BeforeEach
  void startServer() throws Exception {
    server = new NodeSelectingMockServer();
  }

  @AfterEach
  void stop() {
    if (controller != null) {
      controller.close();
    }
    server.close();
  }

  private static Pod pod(String name, String node) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("ns")
        .endMetadata()
        .withNewSpec()
        .withNodeName(node)
        .addNewContainer()
        .withName("app")
        .withImage("nginx")
        .endContainer()
        .endSpec()
        .build();
  }

  @Test
  void onlyPodsBoundToThisNodeAreRun() throws Exception {
    KubernetesClient client = server.client();
    FakeProvider provider = new FakeProvider();
    controller =
        new PodController(
            client,
            provider,
            new RecordingEvents(),
            PodControllerConfig.defaults("vk").withStatusPollInterval(Duration.ofMillis(200)));
    controller.start();
    client.pods().inNamespace("ns").resource(pod("mine", "vk")).create();
    client.pods().inNamespace("ns").resource(pod("theirs", "other")).create();

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      Pod p = client.pods().inNamespace("ns").withName("mine").get();
      if (p.getStatus() != null && "Running".equals(p.getStatus().getPhase())) {
        break;
      }
      Thread.sleep(25);
    }
    assertThat(client.pods().inNamespace("ns").withName("mine").get().getStatus().getPhase())
        .isEqualTo("Running");
    Thread.sleep(300);
    assertThat(provider.created).extracting(p -> p.getMetadata().getName()).containsExactly("mine");
    assertThat(controller.pods())
        .extracting(p -> p.getMetadata().getName())
        .containsExactly("mine");
    assertThat(client.pods().inNamespace("ns").withName("theirs").get().getStatus())
        .as("pods of other nodes are not touched")
        .isNull();
  }
}
