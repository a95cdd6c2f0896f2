package dev.vkj.runner;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.vkj.core.VkjException;
import dev.vkj.core.VkjException.Code;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * Serves the runner's own metrics in the Prometheus text format at {@code /metrics}, and the probes
 * of the pod that runs it: {@code /healthz} (the process answers) and {@code /readyz} (the node is
 * registered and reports Ready). Plain HTTP without authentication, as a kubelet probes.
 */
final class MetricsServer implements AutoCloseable {
  private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  private static final String TEXT = "text/plain; charset=utf-8";

  private final HttpServer server;
  private final ExecutorService executor;

  private MetricsServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  static MetricsServer start(String bindAddress, int port, PrometheusMeterRegistry registry) {
    return start(bindAddress, port, registry, () -> true);
  }

  static MetricsServer start(
      String bindAddress, int port, PrometheusMeterRegistry registry, BooleanSupplier ready) {
    requireNonNull(registry, "registry is null");
    requireNonNull(ready, "ready is null");
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(bindAddress, port), 16);
    } catch (IOException e) {
      throw new VkjException(
          Code.STARTUP,
          "cannot serve metrics on " + bindAddress + ":" + port + ": " + e.getMessage(),
          e);
    }
    ExecutorService executor =
        Executors.newSingleThreadExecutor(
            task -> {
              Thread thread = new Thread(task, "vk-runner-metrics");
              thread.setDaemon(true);
              return thread;
            });
    server.setExecutor(executor);
    server.createContext("/", exchange -> handle(exchange, registry, ready));
    server.start();
    return new MetricsServer(server, executor);
  }

  private static void handle(
      HttpExchange exchange, PrometheusMeterRegistry registry, BooleanSupplier ready)
      throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      if (!path.equals("/metrics") && !path.equals("/healthz") && !path.equals("/readyz")) {
        respond(exchange, 404, TEXT, "not found\n");
      } else if (!exchange.getRequestMethod().equals("GET")
          && !exchange.getRequestMethod().equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        respond(exchange, 405, TEXT, "method not allowed\n");
      } else if (path.equals("/healthz")) {
        respond(exchange, 200, TEXT, "ok\n");
      } else if (path.equals("/readyz")) {
        boolean isReady = ready.getAsBoolean();
        respond(exchange, isReady ? 200 : 503, TEXT, isReady ? "ok\n" : "node not ready\n");
      } else {
        respond(exchange, 200, CONTENT_TYPE, registry.scrape());
      }
    }
  }

  private static void respond(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  /** The bound port; differs from the requested one when that was 0. */
  int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
