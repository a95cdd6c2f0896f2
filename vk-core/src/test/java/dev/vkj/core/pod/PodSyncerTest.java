package dev.vkj.core.pod;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import org.junit.jupiter.api.Test;

class PodSyncerTest {
  private static Pod pod() {
    return new PodBuilder()
        .withNewMetadata()
        .withName("web")
        .withNamespace("ns")
        .withResourceVersion("1")
        .addToLabels("app", "web")
        .endMetadata()
        .withNewSpec()
        .withNodeName("vk")
        .addNewContainer()
        .withName("app")
        .withImage("nginx:1.25")
        .withEnv(new EnvVar("A", "1", null), new EnvVar("B", "2", null))
        .endContainer()
        .endSpec()
        .build();
  }

  @Test
  void podsDifferingOnlyInStatusVersionOrEnvOrderAreEqual() {
    Pod a = pod();
    Pod b = pod();
    b.getMetadata().setResourceVersion("42");
    b.setStatus(new PodStatusBuilder().withPhase("Running").build());
    b.getSpec()
        .getContainers()
        .get(0)
        .setEnv(java.util.List.of(new EnvVar("B", "2", null), new EnvVar("A", "1", null)));
    assertThat(PodSyncer.sameSpec(a, b)).isTrue();
    assertThat(PodSyncer.specHash(a)).isEqualTo(PodSyncer.specHash(b));
  }

  @Test
  void imageLabelAndAnnotationChangesAreChanges() {
    Pod image = pod();
    image.getSpec().getContainers().get(0).setImage("nginx:1.26");
    assertThat(PodSyncer.sameSpec(pod(), image)).isFalse();
    Pod label = pod();
    label.getMetadata().getLabels().put("tier", "front");
    assertThat(PodSyncer.sameSpec(pod(), label)).isFalse();
    Pod annotation = pod();
    annotation.getMetadata().getAnnotations().put("note", "x");
    assertThat(PodSyncer.sameSpec(pod(), annotation)).isFalse();
    assertThat(PodSyncer.specHash(pod())).isNotEqualTo(PodSyncer.specHash(image));
  }

  @Test
  void keyIsNamespaceSlashName() {
    assertThat(PodSyncer.key(pod())).isEqualTo("ns/web");
  }

  @Test
  void untilDeadlineCountsFromStartTime() {
    java.time.Instant start = java.time.Instant.parse("2026-11-26T10:00:00Z");
    Pod p = pod();
    assertThat(PodSyncer.untilDeadline(p, start, start)).as("no deadline").isNull();
    p.getSpec().setActiveDeadlineSeconds(30L);
    assertThat(PodSyncer.untilDeadline(p, null, start)).as("not started").isNull();
    assertThat(PodSyncer.untilDeadline(p, start, start.plusSeconds(10)))
        .isEqualTo(java.time.Duration.ofSeconds(20));
    assertThat(PodSyncer.untilDeadline(p, start, start.plusSeconds(30))).isZero();
    assertThat(PodSyncer.untilDeadline(p, start, start.plusSeconds(31)).isNegative()).isTrue();
  }

  @Test
  void viewCarriesTheWrittenStatusUntilTheCacheCatchesUp() {
    Pod cached = pod();
    cached.setStatus(new PodStatusBuilder().withPhase("Pending").build());
    PodSyncer.PodState st = new PodSyncer.PodState("uid-1");
    assertThat(st.view(cached)).as("nothing written yet").isSameAs(cached);

    st.written = new PodStatusBuilder().withPhase("Running").build();
    st.writtenAgainstVersion = "1";
    Pod view = st.view(cached);
    assertThat(view.getStatus().getPhase()).isEqualTo("Running");
    assertThat(view.getMetadata()).isSameAs(cached.getMetadata());
    assertThat(view.getSpec()).isSameAs(cached.getSpec());
    assertThat(cached.getStatus().getPhase()).as("the cache is not modified").isEqualTo("Pending");

    cached.getMetadata().setResourceVersion("2"); // the informer delivered a newer object
    assertThat(st.view(cached)).isSameAs(cached);
  }
}
