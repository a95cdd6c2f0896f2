package dev.vkj.core.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Throws a few thousand random requests (methods, paths, parameters, headers, some garbage) at a
 * server on loopback: every request gets a well-formed response with an expected status, never a
 * 5xx other than 501, and the server answers {@code /healthz} afterwards.
 */
final class FuzzIT {
  private static final int REQUESTS = 2000;
  private static final Set<Integer> EXPECTED = Set.of(200, 400, 404, 405, 413, 414, 422, 431, 501);

  private static final List<String> METHODS =
      List.of(
          "GET", "GET", "GET", "POST", "POST", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE",
          "FOO", "get");
  private static final List<String> FIRST =
      List.of(
          "healthz",
          "pods",
          "runningpods",
          "stats",
          "metrics",
          "containerLogs",
          "exec",
          "attach",
          "portForward",
          "logs",
          "spec",
          "configz",
          "debug",
          "nope",
          "",
          "..",
          "%2e");
  private static final List<String> SEGMENTS =
      List.of(
          "default",
          "web-0",
          "app",
          "shell-tty",
          "uid-web-0",
          "summary",
          "resource",
          "ping",
          "x",
          "..",
          ".",
          "",
          "%2F",
          "%zz",
          "%",
          "%C3%A9",
          "%C3%28",
          "a%20b",
          "a+b",
          "%00",
          "~",
          "web-0%3F",
          "%E2%82%AC");
  private static final List<String> KEYS =
      List.of(
          "follow",
          "tailLines",
          "limitBytes",
          "sinceSeconds",
          "sinceTime",
          "timestamps",
          "previous",
          "tail",
          "command",
          "input",
          "output",
          "error",
          "tty",
          "port",
          "ports",
          "only_cpu_and_memory",
          "x",
          "",
          "%zz");
  private static final List<String> VALUES =
      List.of(
          "1",
          "0",
          "true",
          "false",
          "-1",
          "x",
          "",
          "99999999999999999999",
          "2026-11-26T09:00:00Z",
          "2026-13-45T99:00:00Z",
          "%",
          "%zz",
          "80,8080",
          "5",
          "all",
          "sh",
          "%2B",
          "a+b");

  @TempDir Path dir;

  @Test
  void randomRequestsAlwaysGetAWellFormedAnswer() throws Exception {
    long seed = Long.getLong("fuzz.seed", System.nanoTime());
    Random random = new Random(seed);
    FakeProvider provider = new FakeProvider();
    provider.stats = Fixtures.summary();
    Map<Integer, Integer> statuses = new TreeMap<>();
    try (TestServer server = new TestServer(dir, provider, false, Duration.ofSeconds(60))) {
      server.apiPods.add(Fixtures.pod("default", "web-0", "uid-web-0", "app", "shell-tty"));
      RawHttp http = null;
      String previous = "";
      try {
        for (int i = 0; i < REQUESTS; i++) {
          if (http == null) {
            http = new RawHttp(server.adminTls, server.server.port());
          }
          String method = pick(random, METHODS);
          boolean close = random.nextInt(10) == 0;
          String request = request(random, method, close);
          http.send(request.getBytes(StandardCharsets.UTF_8));
          RawHttp.Response response;
          try {
            response = http.read(request.startsWith("HEAD "));
          } catch (IOException e) {
            throw new AssertionError(
                "seed " + seed + ", request " + i + ": " + request + "after: " + previous, e);
          }
          statuses.merge(response.status(), 1, Integer::sum);
          assertThat(response.status())
              .as("seed %d, request %d: %s -> %s", seed, i, request, response.text())
              .isIn(EXPECTED);
          assertThat(response.text()).doesNotContain("Exception", "\tat ");
          previous = request + " -> " + response.statusLine() + " " + response.headers();
          if (close || "close".equalsIgnoreCase(response.header("connection"))) {
            http.close();
            http = null;
          }
        }
      } finally {
        if (http != null) {
          http.close();
        }
      }
      assertThat(server.get(server.admin, "/healthz").body()).isEqualTo("ok");
    }
    assertThat(statuses.keySet()).contains(200, 400, 404, 405);
  }

  private static String request(Random random, String method, boolean close) {
    if (random.nextInt(50) == 0) {
      return pick(
          random,
          List.of(
              "GARBAGE\r\n\r\n",
              "GET\r\n\r\n",
              "GET / HTTP/9.9\r\n\r\n",
              "GET /pods HTTP/1.1\r\nBad Header\r\n\r\n"));
    }
    StringBuilder target = new StringBuilder("/");
    if (random.nextInt(20) != 0) {
      target.append(pick(random, FIRST));
      int more = random.nextInt(6);
      for (int i = 0; i < more; i++) {
        target.append('/').append(pick(random, SEGMENTS));
      }
      if (random.nextBoolean()) {
        target.append('/');
      }
    }
    int params = random.nextInt(5);
    for (int i = 0; i < params; i++) {
      target.append(i == 0 ? '?' : '&').append(pick(random, KEYS));
      if (random.nextInt(5) != 0) {
        target.append('=').append(pick(random, VALUES));
      }
    }
    StringBuilder request =
        new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: x\r\n");
    if (random.nextInt(4) == 0) {
      request
          .append("Authorization: ")
          .append(pick(random, List.of("Bearer ", "Bearer x", "Basic abc", "bearer  two words")))
          .append("\r\n");
    }
    if (random.nextInt(6) == 0) {
      request
          .append("Connection: Upgrade\r\nUpgrade: ")
          .append(pick(random, List.of("websocket", "SPDY/3.1")))
          .append("\r\n");
    }
    if (close) {
      request.append("Connection: close\r\n");
    }
    if (!method.equals("HEAD") && random.nextInt(8) == 0) {
      String body = "x".repeat(random.nextInt(100));
      request.append("Content-Length: ").append(body.length()).append("\r\n\r\n").append(body);
    } else {
      request.append("\r\n");
    }
    return request.toString();
  }

  private static String pick(Random random, List<String> values) {
    return values.get(random.nextInt(values.size()));
  }
}
