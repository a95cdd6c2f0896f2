package dev.vkj.core.server;

import dev.vkj.spi.stats.ContainerStats;
import dev.vkj.spi.stats.CpuStats;
import dev.vkj.spi.stats.MemoryStats;
import dev.vkj.spi.stats.PodStats;
import dev.vkj.spi.stats.StatsSummary;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a {@link StatsSummary} as the kubelet's {@code stats/v1alpha1} {@code Summary} JSON, the
 * shape metrics-server before 0.6 and {@code kubectl get --raw .../stats/summary} read. Times have
 * second precision in UTC, like {@code metav1.Time}.
 */
final class StatsJson {
  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private StatsJson() {}

  static String render(StatsSummary summary) {
    Map<String, Object> node = new LinkedHashMap<>();
    node.put("nodeName", summary.node().nodeName());
    node.put("startTime", time(summary.node().startTime()));
    node.put("cpu", cpu(summary.node().cpu()));
    node.put("memory", memory(summary.node().memory()));
    List<Object> pods = new ArrayList<>();
    for (PodStats pod : summary.pods()) {
      Map<String, Object> podRef = new LinkedHashMap<>();
      podRef.put("name", pod.name());
      podRef.put("namespace", pod.namespace());
      podRef.put("uid", pod.uid());
      List<Object> containers = new ArrayList<>();
      for (ContainerStats container : pod.containers()) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", container.name());
        c.put("startTime", time(container.startTime()));
        c.put("cpu", cpu(container.cpu()));
        c.put("memory", memory(container.memory()));
        containers.add(c);
      }
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("podRef", podRef);
      p.put("startTime", time(pod.startTime()));
      p.put("containers", containers);
      p.put("cpu", cpu(pod.cpu()));
      p.put("memory", memory(pod.memory()));
      pods.add(p);
    }
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("node", node);
    root.put("pods", pods);
    return JSON.asJson(root);
  }

  private static Map<String, Object> cpu(CpuStats cpu) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("time", time(cpu.time()));
    m.put("usageNanoCores", Math.max(0, cpu.usageNanoCores()));
    m.put("usageCoreNanoSeconds", Usage.cpuNanoSeconds(cpu));
    return m;
  }

  private static Map<String, Object> memory(MemoryStats memory) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("time", time(memory.time()));
    m.put("usageBytes", Math.max(0, memory.usageBytes()));
    m.put("workingSetBytes", Usage.workingSetBytes(memory));
    m.put("rssBytes", Math.max(0, memory.rssBytes()));
    return m;
  }

  static String time(Instant instant) {
    return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
  }
}
