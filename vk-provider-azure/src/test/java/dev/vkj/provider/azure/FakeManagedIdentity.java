package dev.vkj.provider.azure;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The managed-identity endpoint of Azure App Service, the one {@code DefaultAzureCredential} calls
 * when {@code IDENTITY_ENDPOINT} and {@code IDENTITY_HEADER} are set: {@code GET
 * ?api-version=2019-08-01&resource=...} with the secret in {@code X-IDENTITY-HEADER}. It hands out
 * the ARM fake's token, so a runner started as a separate process authenticates the way it would in
 * Azure, without a service principal secret.
 */
public final class FakeManagedIdentity implements AutoCloseable {
  private final HttpServer server;
  private final String token;
  private final String header = "identity-header-" + UUID.randomUUID();
  private final Clock clock;
  private final AtomicInteger issued = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();

  public FakeManagedIdentity(String token, Clock clock) throws IOException {
    this.token = requireNonNull(token, "token is null");
    this.clock = requireNonNull(clock, "clock is null");
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    server.createContext("/msi/token", this::handle);
    server.start();
  }

  /** The environment a process needs to take its token from here. */
  public Map<String, String> environment() {
    return Map.of(
        "IDENTITY_ENDPOINT",
        "http://127.0.0.1:" + server.getAddress().getPort() + "/msi/token",
        "IDENTITY_HEADER",
        header);
  }

  /** The secret header value, which must never appear in a log. */
  public String secretHeader() {
    return header;
  }

  public int tokensIssued() {
    return issued.get();
  }

  public int refused() {
    return refused.get();
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String raw = exchange.getRequestURI().getRawQuery();
      Map<String, String> query = FakeArm.params(raw == null ? "" : raw);
      if (!header.equals(exchange.getRequestHeaders().getFirst("X-IDENTITY-HEADER"))) {
        refused.incrementAndGet();
        answer(exchange, 401, "{\"error\":\"unauthorized\",\"error_description\":\"bad header\"}");
        return;
      }
      String resource = query.get("resource");
      if (!"2019-08-01".equals(query.get("api-version")) || resource == null) {
        refused.incrementAndGet();
        answer(
            exchange,
            400,
            "{\"error\":\"invalid_request\",\"error_description\":\"api-version and resource\"}");
        return;
      }
      issued.incrementAndGet();
      long expiresOn = clock.instant().getEpochSecond() + 3600;
      answer(
          exchange,
          200,
          "{\"access_token\":\""
              + token
              + "\",\"expires_on\":\""
              + expiresOn
              + "\",\"resource\":\""
              + resource
              + "\",\"token_type\":\"Bearer\",\"client_id\":\""
              + UUID.nameUUIDFromBytes(token.getBytes(StandardCharsets.UTF_8))
              + "\"}");
    }
  }

  private static void answer(HttpExchange exchange, int status, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
