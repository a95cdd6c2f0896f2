package dev.vkj.core.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunningPodsTest {
  @Test
  void showsIdentityNamesAndImagesButNoEnvironment() {
    Pod resolved =
        new PodBuilder()
            .withNewMetadata()
            .withNamespace("ns")
            .withName("web")
            .withUid("uid-1")
            .addToAnnotations("note", "x")
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("app")
            .withImage("nginx")
            .addNewEnv()
            .withName("PASSWORD")
            .withValue("hunter2")
            .withNewValueFrom()
            .withNewSecretKeyRef("password", "db", false)
            .endValueFrom()
            .endEnv()
            .withArgs("--token=hunter2")
            .endContainer()
            .endSpec()
            .withNewStatus()
            .withPhase("Running")
            .endStatus()
            .build();

    List<Pod> shown = KubeletApi.runningPods(List.of(resolved));

    assertThat(shown).hasSize(1);
    Pod pod = shown.get(0);
    assertThat(pod.getMetadata().getNamespace()).isEqualTo("ns");
    assertThat(pod.getMetadata().getName()).isEqualTo("web");
    assertThat(pod.getMetadata().getUid()).isEqualTo("uid-1");
    assertThat(pod.getSpec().getContainers())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.getName()).isEqualTo("app");
              assertThat(c.getImage()).isEqualTo("nginx");
            });
    assertThat(Serialization.asJson(shown)).doesNotContain("hunter2").doesNotContain("PASSWORD");
  }
}
