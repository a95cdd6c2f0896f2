package dev.vkj.core.server;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * Request metrics: timer {@code vkj.kubelet.requests} (count, total and max time) tagged with
 * {@code route} and {@code status}. Streaming sessions are counted when they are handed over.
 */
final class ServerMetrics {
  static final String REQUESTS = "vkj.kubelet.requests";

  private final MeterRegistry registry;

  ServerMetrics(MeterRegistry registry) {
    this.registry = requireNonNull(registry, "registry is null");
  }

  void record(String route, String status, long nanos) {
    Timer.builder(REQUESTS)
        .description("Requests to the kubelet API")
        .tag("route", route)
        .tag("status", status)
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }
}
