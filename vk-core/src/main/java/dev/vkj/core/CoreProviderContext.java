package dev.vkj.core;

import static java.util.Objects.requireNonNull;

import dev.vkj.spi.ClusterResources;
import dev.vkj.spi.EventRecorder;
import dev.vkj.spi.ProviderContext;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;

/** The services the core hands to its provider. */
record CoreProviderContext(
    String nodeName,
    String nodeIp,
    int kubeletPort,
    Clock clock,
    ScheduledExecutorService scheduler,
    ClusterResources resources,
    MeterRegistry meterRegistry,
    EventRecorder events)
    implements ProviderContext {

  CoreProviderContext {
    requireNonNull(nodeName, "nodeName is null");
    requireNonNull(nodeIp, "nodeIp is null");
    requireNonNull(clock, "clock is null");
    requireNonNull(scheduler, "scheduler is null");
    requireNonNull(resources, "resources is null");
    requireNonNull(meterRegistry, "meterRegistry is null");
    requireNonNull(events, "events is null");
  }
}
