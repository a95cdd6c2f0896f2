package dev.vkj.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vkj.core.VkjException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

final class MetricsServerTest {
  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> get(int port, String path, String method) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesPrometheusText() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Counter.builder("vkj.test.requests").register(registry).increment(3);

    try (MetricsServer server = MetricsServer.start("127.0.0.1", 0, registry)) {
      HttpResponse<String> metrics = get(server.port(), "/metrics", "GET");
      HttpResponse<String> other = get(server.port(), "/metricsx", "GET");
      HttpResponse<String> post = get(server.port(), "/metrics", "POST");

      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.headers().firstValue("Content-Type"))
          .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
      assertThat(metrics.body()).contains("vkj_test_requests_total 3.0");
      assertThat(other.statusCode()).isEqualTo(404);
      assertThat(post.statusCode()).isEqualTo(405);
    }
  }

  @Test
  void probesAnswerHealthAlwaysAndReadinessByTheNode() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    java.util.concurrent.atomic.AtomicBoolean ready =
        new java.util.concurrent.atomic.AtomicBoolean();
    try (MetricsServer server = MetricsServer.start("127.0.0.1", 0, registry, ready::get)) {
      assertThat(get(server.port(), "/healthz", "GET").statusCode()).isEqualTo(200);
      HttpResponse<String> notReady = get(server.port(), "/readyz", "GET");
      assertThat(notReady.statusCode()).isEqualTo(503);
      assertThat(notReady.body()).isEqualTo("node not ready\n");

      ready.set(true);
      HttpResponse<String> isReady = get(server.port(), "/readyz", "GET");
      assertThat(isReady.statusCode()).isEqualTo(200);
      assertThat(isReady.body()).isEqualTo("ok\n");
      assertThat(get(server.port(), "/readyz", "POST").statusCode()).isEqualTo(405);
    }
  }

  @Test
  void portInUseIsAStartupFailure() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (MetricsServer first = MetricsServer.start("127.0.0.1", 0, registry)) {
      assertThatThrownBy(() -> MetricsServer.start("127.0.0.1", first.port(), registry))
          .isInstanceOf(VkjException.class)
          .hasMessageContaining("cannot serve metrics on 127.0.0.1:" + first.port())
          .satisfies(
              e -> assertThat(((VkjException) e).code()).isEqualTo(VkjException.Code.STARTUP));
    }
  }
}
