package dev.vkj.core.server;

import dev.vkj.spi.stats.ContainerStats;
import dev.vkj.spi.stats.CpuStats;
import dev.vkj.spi.stats.MemoryStats;
import dev.vkj.spi.stats.NodeStats;
import dev.vkj.spi.stats.PodStats;
import dev.vkj.spi.stats.StatsSummary;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Instant;
import java.util.List;

final class Fixtures {
  static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");

  private Fixtures() {}

  static Pod pod(String namespace, String name, String uid, String... containers) {
    PodBuilder builder =
        new PodBuilder()
            .withNewMetadata()
            .withNamespace(namespace)
            .withName(name)
            .withUid(uid)
            .endMetadata()
            .withNewSpec()
            .withNodeName("vk-node-1")
            .endSpec();
    for (String container : containers) {
      boolean tty = container.endsWith("-tty");
      builder
          .editSpec()
          .addToContainers(
              new ContainerBuilder().withName(container).withImage("busybox").withTty(tty).build())
          .endSpec();
    }
    return builder.build();
  }

  static StatsSummary summary() {
    CpuStats cpu = new CpuStats(NOW, 3_500_000, 12_500_000_000L);
    MemoryStats memory = new MemoryStats(NOW, 62_914_560, 52_428_800, 41_943_040);
    ContainerStats app =
        new ContainerStats("app", Instant.parse("2026-11-26T09:00:05.250Z"), cpu, memory);
    ContainerStats idle =
        new ContainerStats(
            "sidecar",
            Instant.parse("2026-11-26T09:00:06Z"),
            new CpuStats(NOW, 0, 0),
            new MemoryStats(NOW, 0, 0, 0));
    PodStats web =
        new PodStats(
            "default",
            "web-0",
            "6f1c2a8e-0000-4000-8000-000000000001",
            Instant.parse("2026-11-26T09:00:00Z"),
            List.of(app, idle),
            cpu,
            memory);
    PodStats odd =
        new PodStats(
            "team\"a",
            "job\\1\nx",
            "uid-2",
            Instant.parse("2026-11-26T09:30:00Z"),
            List.of(new ContainerStats("main", Instant.parse("2026-11-26T09:30:01Z"), cpu, memory)),
            cpu,
            memory);
    NodeStats node =
        new NodeStats(
            "vk-node-1",
            Instant.parse("2026-11-26T00:00:00Z"),
            new CpuStats(NOW, 250_000_000, 3_600_250_000_000L),
            new MemoryStats(NOW, 1_610_612_736, 1_073_741_824, 805_306_368));
    return new StatsSummary(node, List.of(web, odd));
  }
}
