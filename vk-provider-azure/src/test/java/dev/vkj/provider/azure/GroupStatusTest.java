package dev.vkj.provider.azure;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.json.JsonProviders;
import com.azure.json.JsonReader;
import com.azure.resourcemanager.containerinstance.fluent.models.ContainerGroupInner;
import com.azure.resourcemanager.containerinstance.models.ContainerState;
import dev.vkj.spi.PodIdentity;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GroupStatusTest {
  private static final Instant NOW = Instant.parse("2024-10-16T05:20:00Z");

  /** Reads a recorded or example body with the SDK's own deserializer. */
  static ContainerGroupInner recorded(String file, String... path) throws IOException {
    String json;
    try (InputStream in = GroupStatusTest.class.getResourceAsStream("/aci/" + file)) {
      json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Object tree;
    try (JsonReader r = JsonProviders.createReader(json)) {
      tree = r.readUntyped();
    }
    for (String step : path) {
      tree = ((Map<?, ?>) tree).get(step);
    }
    String body;
    try (var out = new java.io.StringWriter();
        var w = JsonProviders.createWriter(out)) {
      w.writeUntyped(tree).flush();
      body = out.toString();
    }
    try (JsonReader r = JsonProviders.createReader(body)) {
      return ContainerGroupInner.fromJson(r);
    }
  }

  @Test
  void aRestartedContainerKeepsItsPreviousStateAndCount() throws Exception {
    ContainerGroupInner g =
        recorded("testCreateWithLivenessAndReadiness.GET-after-restart.json", "ResponseBody");
    PodStatus s = GroupStatus.status(g, NOW);
    assertThat(s.getPhase()).as("left to the core").isNull();
    ContainerStatus c = s.getContainerStatuses().get(0);
    assertThat(c.getRestartCount()).isEqualTo(1);
    assertThat(c.getState().getRunning().getStartedAt()).isEqualTo("2024-10-16T05:13:13Z");
    assertThat(c.getReady()).isTrue();
    var last = c.getLastState().getTerminated();
    assertThat(last.getExitCode()).isZero();
    assertThat(last.getReason()).isEqualTo("Completed");
    assertThat(last.getStartedAt()).isEqualTo("2024-10-16T05:12:17Z");
    assertThat(last.getFinishedAt()).isEqualTo("2024-10-16T05:13:13Z");
    assertThat(c.getContainerID()).matches("aci://[0-9a-f]{64}");
    assertThat(s.getStartTime()).isEqualTo("2024-10-16T05:12:17Z");
    assertThat(s.getPodIP()).isNotBlank();
  }

  @Test
  void aGroupThatFailedToProvisionFailsThePodWithItsLastEvent() throws Exception {
    ContainerGroupInner g = recorded("ContainerGroupsGet_Failed.json", "responses", "200", "body");
    PodStatus s = GroupStatus.status(g, NOW);
    assertThat(s.getPhase()).isEqualTo("Failed");
    assertThat(s.getReason()).isEqualTo(GroupStatus.PROVISIONING_FAILED);
    assertThat(s.getMessage()).isEqualTo("FailedMount: Output: mount error(2): Permission denied");
    assertThat(s.getContainerStatuses().get(0).getState().getWaiting().getReason())
        .isEqualTo("ContainerCreating");
  }

  @Test
  void exitCodesAreKeptUnlikeTheGoProvider() {
    var state =
        GroupStatus.state(
            fromJson(
                "{\"state\":\"Terminated\",\"exitCode\":137,\"startTime\":\"2024-10-16T05:12:17Z\","
                    + "\"finishTime\":\"2024-10-16T05:13:13Z\",\"detailStatus\":\"OOMKilled\"}"),
            NOW);
    assertThat(state.getTerminated().getExitCode()).isEqualTo(137);
    assertThat(state.getTerminated().getReason()).isEqualTo("Error");
    assertThat(state.getTerminated().getMessage()).isEqualTo("OOMKilled");
  }

  @Test
  void waitingDetailsBecomeKubeletReasons() {
    var crash =
        GroupStatus.state(
            fromJson(
                "{\"state\":\"Waiting\",\"detailStatus\":\"CrashLoopBackOff: Back-off 40s restarting\"}"),
            NOW);
    assertThat(crash.getWaiting().getReason()).isEqualTo("CrashLoopBackOff");
    assertThat(crash.getWaiting().getMessage()).isEqualTo("Back-off 40s restarting");
    var pending = GroupStatus.state(fromJson("{\"state\":\"Pending\",\"detailStatus\":\"\"}"), NOW);
    assertThat(pending.getWaiting().getReason()).isEqualTo("ContainerCreating");
    var odd =
        GroupStatus.state(
            fromJson("{\"state\":\"Waiting\",\"detailStatus\":\"image is being pulled\"}"), NOW);
    assertThat(odd.getWaiting().getReason()).isEqualTo("ContainerCreating");
    assertThat(odd.getWaiting().getMessage()).isEqualTo("image is being pulled");
  }

  @Test
  void tagsGiveThePodItsIdentityAndHash() throws Exception {
    ContainerGroupInner g =
        recorded("testCreateWithLivenessAndReadiness.GET-after-restart.json", "ResponseBody");
    g.withTags(
        Map.of(
            "Namespace", "default",
            "PodName", "web",
            "UID", "uid-1",
            "NodeName", "virtual-kubelet",
            "vkj-spec-hash", "ab12"));
    assertThat(GroupStatus.ofNode(g, "virtual-kubelet")).isTrue();
    assertThat(GroupStatus.ofNode(g, "other")).isFalse();
    Pod p = GroupStatus.toPod(g, NOW);
    assertThat(p.getMetadata().getNamespace()).isEqualTo("default");
    assertThat(p.getMetadata().getName()).isEqualTo("web");
    assertThat(p.getMetadata().getUid()).isEqualTo("uid-1");
    assertThat(PodIdentity.specHash(p)).hasValue("ab12");
    assertThat(p.getStatus().getContainerStatuses()).hasSize(2);
    g.withTags(Map.of("PodName", "web"));
    assertThat(GroupStatus.ofNode(g, "virtual-kubelet")).isFalse();
  }

  @Test
  void containerIdsMatchTheGoProvider() {
    // same input, same ID: a group the Go provider created keeps its container IDs
    String a = GroupStatus.containerId("/subscriptions/s/resourceGroups/r/x/cg", "app");
    String b = GroupStatus.containerId("/SUBSCRIPTIONS/S/RESOURCEGROUPS/R/X/CG", "APP");
    assertThat(a).isEqualTo(b).startsWith("aci://");
    assertThat(GroupStatus.containerId("/subscriptions/s/resourceGroups/r/x/cg", "sidecar"))
        .isNotEqualTo(a);
  }

  private static ContainerState fromJson(String json) {
    try (JsonReader r = JsonProviders.createReader(json)) {
      return ContainerState.fromJson(r);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
