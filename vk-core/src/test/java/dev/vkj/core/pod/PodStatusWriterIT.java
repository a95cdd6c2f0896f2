package dev.vkj.core.pod;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vkj.core.MockApiServer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PodStatusWriterIT {
  @RegisterExtension final MockApiServer api = new MockApiServer(new RecordingClient());

  @Test
  void readsThePodsOwnResourceVersionFromAnAnswerWithoutParsingIt() {
    String answer =
        "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"a\",\"uid\":\"u\","
            + "\"resourceVersion\":\"4711\",\"annotations\":{\"x\":\"\\\"resourceVersion\\\":\\\"1\\\"\"}},"
            + "\"status\":{}}";
    assertThat(PodStatusWriter.resourceVersion(answer.getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("4711");
    assertThat(PodStatusWriter.resourceVersion("{\"kind\":\"Status\"}".getBytes())).isNull();
    assertThat(PodStatusWriter.resourceVersion("{\"resourceVersion\":\"".getBytes())).isNull();
    assertThat(PodStatusWriter.resourceVersion(null)).isNull();
  }

  @Test
  void onlyTheVersionItsOwnWriteProducedIsAnEcho() throws Exception {
    KubernetesClient client = api.client();
    Pod created =
        client
            .pods()
            .inNamespace("ns")
            .resource(
                new PodBuilder()
                    .withNewMetadata()
                    .withName("a")
                    .withNamespace("ns")
                    .withUid("uid-a")
                    .withLabels(Map.of("app", "a"))
                    .endMetadata()
                    .withNewSpec()
                    .withNodeName("vk")
                    .addNewContainer()
                    .withName("c")
                    .withImage("nginx")
                    .endContainer()
                    .endSpec()
                    .build())
            .create();
    PodStatusWriter writer = new PodStatusWriter(client, new PodCache(client, "vk", null));
    PodStatus running = new PodStatusBuilder().withPhase("Running").build();

    writer.write(created, running);
    Pod echoed = client.pods().inNamespace("ns").withName("a").get();

    assertThat(echoed.getStatus().getPhase()).isEqualTo("Running");
    assertThat(echoed.getMetadata().getResourceVersion())
        .isNotEqualTo(created.getMetadata().getResourceVersion());
    assertThat(writer.echoesOwnWrite(created, echoed)).isTrue();

    // a label set by someone else in the same update is news, and so is any later version
    Pod relabelled =
        new PodBuilder(echoed).editMetadata().addToLabels("tier", "web").endMetadata().build();
    assertThat(writer.echoesOwnWrite(created, relabelled)).isFalse();
    Pod deleting =
        new PodBuilder(echoed)
            .editMetadata()
            .withDeletionTimestamp("2026-01-01T00:00:00Z")
            .endMetadata()
            .build();
    assertThat(writer.echoesOwnWrite(created, deleting)).isFalse();
    Pod later =
        new PodBuilder(echoed).editMetadata().withResourceVersion("999999").endMetadata().build();
    assertThat(writer.echoesOwnWrite(echoed, later)).isFalse();

    // after the pod is forgotten nothing is an echo
    writer.forget("ns/a");
    assertThat(writer.echoesOwnWrite(created, echoed)).isFalse();
  }
}
