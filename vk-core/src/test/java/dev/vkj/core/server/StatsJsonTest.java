package dev.vkj.core.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class StatsJsonTest {
  @SuppressWarnings("unchecked")
  private static Map<String, Object> parse(String json) {
    return new KubernetesSerialization().unmarshal(json, Map.class);
  }

  @Test
  @SuppressWarnings("unchecked")
  void rendersTheKubeletSummaryShape() {
    Map<String, Object> root = parse(StatsJson.render(Fixtures.summary()));

    assertThat(root).containsOnlyKeys("node", "pods");
    Map<String, Object> node = (Map<String, Object>) root.get("node");
    assertThat(node)
        .containsEntry("nodeName", "vk-node-1")
        .containsEntry("startTime", "2026-11-26T00:00:00Z");
    assertThat((Map<String, Object>) node.get("cpu"))
        .containsOnlyKeys("time", "usageNanoCores", "usageCoreNanoSeconds")
        .containsEntry("time", "2026-11-26T10:00:00Z")
        .containsEntry("usageNanoCores", 250000000)
        .containsEntry("usageCoreNanoSeconds", 3600250000000L);
    assertThat((Map<String, Object>) node.get("memory"))
        .containsOnlyKeys("time", "usageBytes", "workingSetBytes", "rssBytes")
        .containsEntry("workingSetBytes", 1073741824);

    List<Map<String, Object>> pods = (List<Map<String, Object>>) root.get("pods");
    assertThat(pods).hasSize(2);
    Map<String, Object> web = pods.get(0);
    assertThat(web).containsOnlyKeys("podRef", "startTime", "containers", "cpu", "memory");
    assertThat((Map<String, Object>) web.get("podRef"))
        .isEqualTo(
            Map.of(
                "name", "web-0",
                "namespace", "default",
                "uid", "6f1c2a8e-0000-4000-8000-000000000001"));
    List<Map<String, Object>> containers = (List<Map<String, Object>>) web.get("containers");
    assertThat(containers).extracting(c -> c.get("name")).containsExactly("app", "sidecar");
    assertThat(containers.get(0))
        .containsOnlyKeys("name", "startTime", "cpu", "memory")
        // metav1.Time has second precision
        .containsEntry("startTime", "2026-11-26T09:00:05Z");
  }

  @Test
  @SuppressWarnings("unchecked")
  void idleContainersReportAtLeastOneNanosecondAndOneByte() {
    Map<String, Object> root = parse(StatsJson.render(Fixtures.summary()));
    Map<String, Object> sidecar =
        ((List<Map<String, Object>>)
                ((List<Map<String, Object>>) root.get("pods")).get(0).get("containers"))
            .get(1);

    assertThat((Map<String, Object>) sidecar.get("cpu"))
        .containsEntry("usageCoreNanoSeconds", 1)
        .containsEntry("usageNanoCores", 0);
    assertThat((Map<String, Object>) sidecar.get("memory")).containsEntry("workingSetBytes", 1);
  }
}
