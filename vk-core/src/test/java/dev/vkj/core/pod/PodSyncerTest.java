package dev.vkj.core.pod;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vkj.spi.PodIdentity;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Map;
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
  void statusVersionNodeNameTolerationsAndTheHashAnnotationDoNotChangeTheHash() {
    Pod b = pod();
    b.getMetadata().setResourceVersion("42");
    b.getMetadata().setUid("some-uid");
    b.setStatus(new PodStatusBuilder().withPhase("Running").build());
    b.getSpec().setNodeName("other");
    b.getSpec()
        .setTolerations(
            java.util.List.of(
                new io.fabric8.kubernetes.api.model.TolerationBuilder()
                    .withKey("node.kubernetes.io/not-ready")
                    .withOperator("Exists")
                    .withEffect("NoExecute")
                    .withTolerationSeconds(300L)
                    .build()));
    b.getMetadata().setAnnotations(Map.of(PodIdentity.SPEC_HASH, "0123"));
    assertThat(SpecHash.of(b)).isEqualTo(SpecHash.of(pod()));
    Pod empties = pod();
    empties.getSpec().setVolumes(java.util.List.of());
    empties.getMetadata().setAnnotations(Map.of());
    assertThat(SpecHash.of(empties))
        .as("empty and absent are the same")
        .isEqualTo(SpecHash.of(pod()));
  }

  @Test
  void imageEnvOrderLabelAndAnnotationChangesAreChanges() {
    String base = SpecHash.of(pod());
    Pod image = pod();
    image.getSpec().getContainers().get(0).setImage("nginx:1.26");
    Pod envOrder = pod();
    envOrder
        .getSpec()
        .getContainers()
        .get(0)
        .setEnv(java.util.List.of(new EnvVar("B", "2", null), new EnvVar("A", "1", null)));
    Pod label = pod();
    label.getMetadata().getLabels().put("tier", "front");
    Pod annotation = pod();
    annotation.getMetadata().setAnnotations(Map.of("note", "x"));
    Pod deadline = pod();
    deadline.getSpec().setActiveDeadlineSeconds(60L);
    for (Pod changed : java.util.List.of(image, envOrder, label, annotation, deadline)) {
      assertThat(SpecHash.of(changed)).isNotEqualTo(base);
    }
  }

  @Test
  void theHashIsStableAcrossReleases() {
    // pinned: a change here makes every restarted runner update every pod it adopts
    assertThat(SpecHash.canonicalJson(pod()))
        .isEqualTo(
            "{\"labels\":{\"app\":\"web\"},\"spec\":{\"containers\":[{\"env\":[{\"name\":\"A\","
                + "\"value\":\"1\"},{\"name\":\"B\",\"value\":\"2\"}],\"image\":\"nginx:1.25\","
                + "\"name\":\"app\"}]}}");
    assertThat(SpecHash.of(pod())).hasSize(64).matches("[0-9a-f]{64}");
  }

  @Test
  void numbersQuantitiesAndPortsKeepTheirPinnedForm() {
    Pod rich =
        new PodBuilder(pod())
            .editSpec()
            .withActiveDeadlineSeconds(600L)
            .withTerminationGracePeriodSeconds(30L)
            .withHostNetwork(false)
            .editFirstContainer()
            .withNewResources()
            .addToRequests("cpu", new Quantity("250m"))
            .addToRequests("memory", new Quantity("1.5Gi"))
            .addToLimits("nvidia.com/gpu", new Quantity("1"))
            .endResources()
            .addNewPort()
            .withContainerPort(8080)
            .withProtocol("TCP")
            .endPort()
            .withNewReadinessProbe()
            .withNewHttpGet()
            .withPath("/ready")
            .withPort(new IntOrString("http"))
            .endHttpGet()
            .withPeriodSeconds(5)
            .endReadinessProbe()
            .withNewLivenessProbe()
            .withNewTcpSocket()
            .withPort(new IntOrString(8080))
            .endTcpSocket()
            .endLivenessProbe()
            .withNewSecurityContext()
            .withRunAsUser(1000L)
            .withReadOnlyRootFilesystem(true)
            .endSecurityContext()
            .endContainer()
            .addNewVolume()
            .withName("cache")
            .withNewEmptyDir()
            .withSizeLimit(new Quantity("64Mi"))
            .endEmptyDir()
            .endVolume()
            .endSpec()
            .build();
    // pinned like the simple pod above, for the value types a spec holds
    assertThat(SpecHash.canonicalJson(rich))
        .isEqualTo(
            "{\"labels\":{\"app\":\"web\"},\"spec\":{\"activeDeadlineSeconds\":600,\"containe"
                + "rs\":[{\"env\":[{\"name\":\"A\",\"value\":\"1\"},{\"name\":\"B\",\"value\":\"2\""
                + "}],\"image\":\"nginx:1.25\",\"livenessProbe\":{\"tcpSocket\":{\"port\":8080}},\""
                + "name\":\"app\",\"ports\":[{\"containerPort\":8080,\"protocol\":\"TCP\"}],\"readi"
                + "nessProbe\":{\"httpGet\":{\"path\":\"/ready\",\"port\":\"http\"},\"periodSeconds"
                + "\":5},\"resources\":{\"limits\":{\"nvidia.com/gpu\":\"1\"},\"requests\":{\"cpu\""
                + ":\"250m\",\"memory\":\"1.5Gi\"}},\"securityContext\":{\"readOnlyRootFilesystem\""
                + ":true,\"runAsUser\":1000}}],\"hostNetwork\":false,\"terminationGracePeriodSecond"
                + "s\":30,\"volumes\":[{\"emptyDir\":{\"sizeLimit\":\"64Mi\"},\"name\":\"cache\"}]}"
                + "}");
  }

  @Test
  void quotaBackoffDoublesUpToFiveMinutes() {
    assertThat(PodSyncer.quotaBackoff(1)).isEqualTo(java.time.Duration.ofSeconds(1));
    assertThat(PodSyncer.quotaBackoff(2)).isEqualTo(java.time.Duration.ofSeconds(2));
    assertThat(PodSyncer.quotaBackoff(4)).isEqualTo(java.time.Duration.ofSeconds(8));
    assertThat(PodSyncer.quotaBackoff(100)).isEqualTo(java.time.Duration.ofMinutes(5));
  }

  @Test
  void podsInTransitionAreThoseNotRunningAllContainersOrBeingDeleted() {
    Pod p = pod();
    assertThat(PodLifecycle.inTransition(p)).as("no status yet").isTrue();
    p.setStatus(new PodStatusBuilder().withPhase("Pending").build());
    assertThat(PodLifecycle.inTransition(p)).isTrue();
    p.setStatus(
        new PodStatusBuilder()
            .withPhase("Running")
            .addNewContainerStatus()
            .withName("app")
            .withNewState()
            .withNewRunning()
            .endRunning()
            .endState()
            .endContainerStatus()
            .build());
    assertThat(PodLifecycle.inTransition(p)).as("steady").isFalse();
    p.getStatus()
        .getContainerStatuses()
        .get(0)
        .setState(
            new io.fabric8.kubernetes.api.model.ContainerStateBuilder()
                .withNewWaiting()
                .withReason("CrashLoopBackOff")
                .endWaiting()
                .build());
    assertThat(PodLifecycle.inTransition(p)).isTrue();
    Pod deleting = pod();
    deleting.getMetadata().setDeletionTimestamp("2026-01-01T00:00:00Z");
    assertThat(PodLifecycle.inTransition(deleting)).isTrue();
    Pod done = pod();
    done.setStatus(new PodStatusBuilder().withPhase("Succeeded").build());
    assertThat(PodLifecycle.inTransition(done)).isFalse();
  }

  @Test
  void keyIsNamespaceSlashName() {
    assertThat(PodSyncer.key(pod())).isEqualTo("ns/web");
  }

  @Test
  void untilDeadlineCountsFromStartTime() {
    java.time.Instant start = java.time.Instant.parse("2026-11-26T10:00:00Z");
    Pod p = pod();
    assertThat(PodLifecycle.untilDeadline(p, start, start)).as("no deadline").isNull();
    p.getSpec().setActiveDeadlineSeconds(30L);
    assertThat(PodLifecycle.untilDeadline(p, null, start)).as("not started").isNull();
    assertThat(PodLifecycle.untilDeadline(p, start, start.plusSeconds(10)))
        .isEqualTo(java.time.Duration.ofSeconds(20));
    assertThat(PodLifecycle.untilDeadline(p, start, start.plusSeconds(30))).isZero();
    assertThat(PodLifecycle.untilDeadline(p, start, start.plusSeconds(31)).isNegative()).isTrue();
  }

  @Test
  void viewCarriesTheWrittenStatusUntilTheCacheCatchesUp() {
    Pod cached = pod();
    cached.setStatus(new PodStatusBuilder().withPhase("Pending").build());
    cached.getMetadata().setUid("uid-1");
    PodStatusWriter.Memory st = new PodStatusWriter.Memory("uid-1");
    assertThat(st.view(cached)).as("nothing written yet").isSameAs(cached);

    st.written = new PodStatusBuilder().withPhase("Running").build();
    st.writtenAgainstVersion = "1";
    Pod view = st.view(cached);
    assertThat(view.getStatus().getPhase()).isEqualTo("Running");
    assertThat(view.getMetadata()).isSameAs(cached.getMetadata());
    assertThat(view.getSpec()).isSameAs(cached.getSpec());
    assertThat(cached.getStatus().getPhase()).as("the cache is not modified").isEqualTo("Pending");

    cached.getMetadata().setUid("uid-2"); // a new pod of that name
    assertThat(st.view(cached)).isSameAs(cached);
    cached.getMetadata().setUid("uid-1");
    cached.getMetadata().setResourceVersion("2"); // the informer delivered a newer object
    assertThat(st.view(cached)).isSameAs(cached);
  }
}
