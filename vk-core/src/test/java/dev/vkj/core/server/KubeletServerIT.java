package dev.vkj.core.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vkj.core.server.FakeStreamHandler.Call;
import dev.vkj.core.server.TestServer.RecordingAuthorizer;
import dev.vkj.core.server.auth.AuthException;
import dev.vkj.core.server.auth.Decision;
import dev.vkj.core.server.auth.RequestAttributes;
import dev.vkj.core.server.auth.UserInfo;
import dev.vkj.core.server.stream.StreamRequest;
import dev.vkj.spi.LogOptions;
import dev.vkj.spi.ProviderException;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.micrometer.core.instrument.Timer;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class KubeletServerIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  @TempDir Path dir;

  private final FakeProvider provider = new FakeProvider();
  private TestServer server;

  private TestServer start(boolean anonymousAuth) throws Exception {
    server = new TestServer(dir, provider, anonymousAuth, Duration.ofSeconds(60));
    server.apiPods.add(Fixtures.pod("default", "web-0", "uid-web-0", "app", "shell-tty"));
    return server;
  }

  private TestServer start() throws Exception {
    return start(false);
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  // ---- authentication and authorization

  @Test
  void withoutCredentialsIs401() throws Exception {
    start();

    HttpResponse<String> response = server.get(server.anonymous, "/healthz");

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.body()).isEqualTo("Unauthorized");
    assertThat(server.authorizer.calls).isEmpty();
  }

  @Test
  void aClientCertificateIsAuthenticatedAndAuthorized() throws Exception {
    start();

    HttpResponse<String> response = server.get(server.admin, "/healthz");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("ok");
    assertThat(response.headers().firstValue("content-type")).contains("text/plain; charset=utf-8");
    assertThat(server.authorizer.calls)
        .containsExactly(
            new RecordingAuthorizer.Call(
                UserInfo.of(
                    "kube-apiserver-kubelet-client",
                    List.of("kubeadm:cluster-admins", "system:authenticated")),
                new RequestAttributes("get", "proxy", "vk-node-1")));
  }

  @Test
  void aDeniedRequestIs403WithTheKubeletMessage() throws Exception {
    start();
    server.authorizer.decide = (user, attributes) -> Decision.DENY;

    HttpResponse<String> response = server.get(server.admin, "/stats/summary");

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.body())
        .isEqualTo(
            "Forbidden (user=kube-apiserver-kubelet-client, verb=get, resource=nodes,"
                + " subresource=stats)");
  }

  @Test
  void anAuthorizerErrorIs500() throws Exception {
    start();
    server.authorizer.decide =
        (user, attributes) -> {
          throw new AuthException(AuthException.Code.ACCESS_REVIEW_FAILED, "api server down");
        };

    HttpResponse<String> response = server.send(server.admin, "POST", "/stats/summary");

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.body())
        .isEqualTo(
            "Authorization error (user=kube-apiserver-kubelet-client, verb=create,"
                + " resource=nodes, subresource=stats)");
  }

  @Test
  void anonymousAccessWhenEnabled() throws Exception {
    start(true);

    HttpResponse<String> response = server.get(server.anonymous, "/metrics/resource");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(server.authorizer.calls)
        .containsExactly(
            new RecordingAuthorizer.Call(
                UserInfo.anonymous(), new RequestAttributes("get", "metrics", "vk-node-1")));
  }

  @Test
  void aCertificateOfAnotherCaIs401EvenWithAnonymousAccess() throws Exception {
    start(true);
    TestPki other = TestPki.create("other");

    HttpResponse<String> response =
        server.get(TestServer.client(TestPki.trustAllContext(other.client("admin"))), "/healthz");

    assertThat(response.statusCode()).isEqualTo(401);
  }

  @Test
  void aGeneratedCertificateServesWhenNoneIsGiven() throws Exception {
    KubeletServerConfig config =
        KubeletServerConfig.defaults("vk-node-1")
            .withBindAddress("127.0.0.1")
            .withPort(0)
            .withAnonymousAuth(true);
    try (KubeletServer generated =
        new KubeletServer(
            config,
            provider,
            List::of,
            dev.vkj.core.server.auth.Authenticators.none(),
            dev.vkj.core.server.auth.Authorizers.alwaysAllow(),
            new FakeStreamHandler(),
            new io.micrometer.core.instrument.simple.SimpleMeterRegistry())) {
      generated.start();
      try (RawHttp http = new RawHttp(TestPki.trustAllContext(null), generated.port())) {
        http.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(http.read(false).text()).isEqualTo("ok");
        var certificate =
            (java.security.cert.X509Certificate)
                http.socket().getSession().getPeerCertificates()[0];
        assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=vk-node-1");
        assertThat(http.socket().getSession().getProtocol()).isIn("TLSv1.2", "TLSv1.3");
      }
    }
  }

  @Test
  void tlsHellosOfVersion10And11AreRefused() throws Exception {
    start();
    // by hand: the JDK client would refuse TLS 1.0/1.1 before sending a byte

    for (int version : new int[] {RawClientHello.TLS_1_0, RawClientHello.TLS_1_1}) {
      RawClientHello.Answer answer = RawClientHello.offer(server.server.port(), version);
      assertThat(answer.isServerHello())
          .as("answer to a ClientHello of version %x: %s", version, answer)
          .isFalse();
      assertThat(answer.isAlertOrClosed())
          .as("answer to a ClientHello of version %x: %s", version, answer)
          .isTrue();
    }
    assertThat(server.get(server.admin, "/healthz").statusCode()).isEqualTo(200);
  }

  @Test
  void theSameHandBuiltHelloOfVersion12GetsAServerHello() throws Exception {
    start();

    RawClientHello.Answer answer =
        RawClientHello.offer(server.server.port(), RawClientHello.TLS_1_2);

    assertThat(answer.isServerHello()).as("answer: %s", answer).isTrue();
    assertThat(answer.serverVersion()).isEqualTo(RawClientHello.TLS_1_2);
  }

  // ---- routing

  @Test
  void unknownPathsAre404AndWrongMethods405() throws Exception {
    start();

    HttpResponse<String> outside = server.get(server.anonymous, "/nope");
    HttpResponse<String> insideUnauthenticated = server.get(server.anonymous, "/stats/nope");
    HttpResponse<String> inside = server.get(server.admin, "/stats/nope");
    HttpResponse<String> wrongMethod = server.send(server.admin, "DELETE", "/pods");
    HttpResponse<String> wrongMethodLogs =
        server.send(server.admin, "POST", "/containerLogs/default/web-0/app");

    assertThat(outside.statusCode()).isEqualTo(404);
    assertThat(outside.body()).isEqualTo("404 page not found");
    assertThat(insideUnauthenticated.statusCode()).isEqualTo(401);
    assertThat(inside.statusCode()).isEqualTo(404);
    assertThat(inside.body()).isEqualTo("404: Page Not Found");
    assertThat(wrongMethod.statusCode()).isEqualTo(405);
    assertThat(wrongMethod.body()).isEqualTo("405: Method Not Allowed");
    assertThat(wrongMethodLogs.statusCode()).isEqualTo(405);
    assertThat(server.authorizer.calls)
        .extracting(c -> c.attributes().verb())
        .containsExactly("get", "delete", "create");
  }

  @Test
  void malformedTargetsAre400AndTheServerKeepsServing() throws Exception {
    start();

    for (String target : List.of("/pods/%zz", "/containerLogs/a/b/c?tailLines=%", "/%C3%28", "*")) {
      RawHttp.Response response =
          server.raw("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      assertThat(response.status()).as(target).isEqualTo(400);
    }
    assertThat(server.raw("GARBAGE\r\n\r\n").status()).isEqualTo(400);
    assertThat(server.get(server.admin, "/healthz").statusCode()).isEqualTo(200);
  }

  @Test
  void oversizedRequestsAreRejected() throws Exception {
    start();
    String longTarget = "/pods?x=" + "a".repeat(KubeletServer.MAX_INITIAL_LINE + 10);
    String bigHeader = "X-Big: " + "b".repeat(KubeletServer.MAX_HEADER_SIZE + 10) + "\r\n";

    assertThat(server.raw("GET " + longTarget + " HTTP/1.1\r\nHost: x\r\n\r\n").status())
        .isEqualTo(414);
    assertThat(server.raw("GET /pods HTTP/1.1\r\nHost: x\r\n" + bigHeader + "\r\n").status())
        .isEqualTo(431);
    assertThat(
            server
                .raw(
                    "POST /stats/summary HTTP/1.1\r\nHost: x\r\nContent-Length: "
                        + (KubeletServer.MAX_BODY + 1)
                        + "\r\n\r\n")
                .status())
        .isEqualTo(413);
    assertThat(server.get(server.admin, "/healthz").statusCode()).isEqualTo(200);
  }

  @Test
  void keepAliveServesSeveralRequestsOnOneConnection() throws Exception {
    start();
    try (RawHttp http = new RawHttp(server.adminTls, server.server.port())) {
      http.send(
          "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nHEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(http.read(false).text()).isEqualTo("ok");
      RawHttp.Response head = http.read(true);
      assertThat(head.status()).isEqualTo(200);
      http.send("GET /pods HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      RawHttp.Response pods = http.read(false);
      assertThat(pods.status()).isEqualTo(200);
      assertThat(pods.header("connection")).isEqualTo("close");
      assertThat(http.input().read()).isEqualTo(-1);
    }
  }

  @Test
  void idleConnectionsAreClosed() throws Exception {
    // long enough for a TLS handshake on a loaded machine, well under TIMEOUT
    server = new TestServer(dir, provider, false, Duration.ofSeconds(3));
    try (RawHttp http = new RawHttp(server.adminTls, server.server.port())) {
      long start = System.nanoTime();
      assertThat(http.input().read()).isEqualTo(-1);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TIMEOUT);
    }
  }

  @Test
  void requestsAreCountedByRouteAndStatus() throws Exception {
    start();
    server.get(server.admin, "/healthz");
    server.get(server.admin, "/healthz");
    server.get(server.anonymous, "/pods");

    Await.until(
        "metrics",
        TIMEOUT,
        () -> {
          Timer ok =
              server
                  .registry
                  .find("vkj.kubelet.requests")
                  .tags("route", "healthz", "status", "200")
                  .timer();
          Timer denied =
              server
                  .registry
                  .find("vkj.kubelet.requests")
                  .tags("route", "pods", "status", "401")
                  .timer();
          return ok != null && ok.count() == 2 && denied != null && denied.count() == 1;
        });
  }

  // ---- pods, stats and metrics

  @Test
  void podsListsTheApiPodsOfThisNode() throws Exception {
    start();

    HttpResponse<String> response = server.get(server.admin, "/pods");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).contains("application/json");
    PodList list = JSON.unmarshal(response.body(), PodList.class);
    assertThat(list.getKind()).isEqualTo("PodList");
    assertThat(list.getApiVersion()).isEqualTo("v1");
    assertThat(list.getItems()).extracting(p -> p.getMetadata().getName()).containsExactly("web-0");
  }

  @Test
  void runningPodsListsTheProvidersPods() throws Exception {
    start();
    provider.running.add(Fixtures.pod("batch", "job-1", "uid-job-1", "main"));

    HttpResponse<String> response = server.get(server.admin, "/runningpods/");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(JSON.unmarshal(response.body(), PodList.class).getItems())
        .extracting(p -> p.getMetadata().getName())
        .containsExactly("job-1");
  }

  @Test
  void statsSummaryAndResourceMetrics() throws Exception {
    start();
    provider.stats = Fixtures.summary();

    HttpResponse<String> summary =
        server.get(server.admin, "/stats/summary?only_cpu_and_memory=true");
    HttpResponse<String> posted = server.send(server.admin, "POST", "/stats/summary/");
    HttpResponse<String> metrics = server.get(server.admin, "/metrics/resource");

    assertThat(summary.statusCode()).isEqualTo(200);
    assertThat(summary.headers().firstValue("content-type")).contains("application/json");
    assertThat(summary.body()).isEqualTo(StatsJson.render(Fixtures.summary()));
    assertThat(posted.statusCode()).isEqualTo(200);
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("content-type"))
        .contains("text/plain; version=0.0.4; charset=utf-8");
    assertThat(Exposition.parse(metrics.body())).hasSize(8);
  }

  @Test
  void aStatsFailureIs500ForTheSummaryAndScrapeErrorForMetrics() throws Exception {
    start();
    provider.statsError = ProviderException.transientError("backend unreachable", null);

    HttpResponse<String> summary = server.get(server.admin, "/stats/summary");
    HttpResponse<String> metrics = server.get(server.admin, "/metrics/resource");

    assertThat(summary.statusCode()).isEqualTo(500);
    assertThat(summary.body()).isEqualTo("Internal Error: backend unreachable");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).isEqualTo(ResourceMetrics.renderScrapeError());
  }

  @Test
  void missingCapabilitiesAre501() throws Exception {
    server = new TestServer(dir, FakeProvider.bare(), false, Duration.ofSeconds(60));
    server.apiPods.add(Fixtures.pod("default", "web-0", "uid-web-0", "app"));

    for (String path :
        List.of(
            "/stats/summary",
            "/metrics/resource",
            "/containerLogs/default/web-0/app",
            "/exec/default/web-0/app?command=ls&output=1",
            "/attach/default/web-0/app?output=1",
            "/portForward/default/web-0")) {
      HttpResponse<String> response = server.get(server.admin, path);
      assertThat(response.statusCode()).as(path).isEqualTo(501);
      assertThat(response.body()).as(path).contains("does not");
    }
    assertThat(server.get(server.admin, "/exec/default/web-0/app?command=ls&output=1").body())
        .contains("\"kind\":\"Status\"", "\"code\":501", "does not support exec");
  }

  // ---- container logs

  @Test
  void logsPassEveryParameterToTheProvider() throws Exception {
    start();

    HttpResponse<String> response =
        server.get(
            server.admin,
            "/containerLogs/default/web-0/app?follow=true&tailLines=10&limitBytes=4096"
                + "&timestamps=1&previous=true&sinceTime=2026-11-26T09:00:00Z");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("log of web-0/app\n");
    assertThat(response.headers().firstValue("content-type")).isEmpty();
    assertThat(response.headers().firstValue("transfer-encoding")).contains("chunked");
    assertThat(provider.logCalls)
        .containsExactly(
            new FakeProvider.LogCall(
                "default",
                "web-0",
                "app",
                new LogOptions(
                    OptionalInt.of(10),
                    OptionalLong.of(4096),
                    true,
                    true,
                    true,
                    Optional.of(Instant.parse("2026-11-26T09:00:00Z")))));
  }

  @Test
  void sinceSecondsIsRelativeToNow() throws Exception {
    start();

    server.get(server.admin, "/containerLogs/default/web-0/app?sinceSeconds=30");

    assertThat(provider.logCalls.get(0).options().sinceTime())
        .contains(Fixtures.NOW.minusSeconds(30));
  }

  @Test
  void logErrorsUseTheKubeletStatusesAndWords() throws Exception {
    start();
    Map<String, String> expected =
        Map.of(
            "/containerLogs/default/web-0/app?tailLines=x",
            "400 {\"message\": \"Unable to decode query.\"}",
            "/containerLogs/default/web-0/app?sinceTime=tomorrow",
            "400 {\"message\": \"Unable to decode query.\"}",
            "/containerLogs/default/web-0/app?tailLines=-1",
            "422 {\"message\": \"Invalid request.\"}",
            "/containerLogs/default/web-0/app?sinceSeconds=5&sinceTime=2026-11-26T09:00:00Z",
            "422 {\"message\": \"Invalid request.\"}",
            "/containerLogs/default/nope/app",
            "404 pod \"nope\" does not exist",
            "/containerLogs/other/web-0/app",
            "404 pod \"web-0\" does not exist",
            "/containerLogs/default/web-0/db",
            "404 container \"db\" not found in pod \"web-0\"");
    for (var entry : expected.entrySet()) {
      HttpResponse<String> response = server.get(server.admin, entry.getKey());
      assertThat(response.statusCode() + " " + response.body())
          .as(entry.getKey())
          .isEqualTo(entry.getValue());
    }
    assertThat(provider.logCalls).isEmpty();
  }

  @Test
  void providerErrorsMapToStatuses() throws Exception {
    start();
    provider.logs =
        call -> {
          if (call.container().equals("app")) {
            throw ProviderException.invalidInput(
                "previous terminated container \"app\" in pod \"web-0\" not found");
          }
          throw ProviderException.throttled("slow down", Duration.ofMillis(1500));
        };

    HttpResponse<String> invalid =
        server.get(server.admin, "/containerLogs/default/web-0/app?previous=true");
    HttpResponse<String> throttled =
        server.get(server.admin, "/containerLogs/default/web-0/shell-tty");

    assertThat(invalid.statusCode()).isEqualTo(400);
    assertThat(invalid.body())
        .isEqualTo("previous terminated container \"app\" in pod \"web-0\" not found");
    assertThat(throttled.statusCode()).isEqualTo(429);
    assertThat(throttled.headers().firstValue("retry-after")).contains("2");
  }

  @Test
  void aProviderCrashIs500WithoutAStackTrace() throws Exception {
    start();
    provider.logs =
        call -> {
          throw new IllegalStateException("boom\n\tat secret.Place(Secret.java:1)");
        };

    HttpResponse<String> response = server.get(server.admin, "/containerLogs/default/web-0/app");

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.body()).startsWith("Internal Error").doesNotContain("at secret", "boom");
    assertThat(server.get(server.admin, "/healthz").statusCode()).isEqualTo(200);
  }

  @Test
  void limitBytesCutsTheStream() throws Exception {
    start();
    provider.logs =
        call -> new java.io.ByteArrayInputStream("0123456789abcdef".repeat(2000).getBytes());

    HttpResponse<String> response =
        server.get(server.admin, "/containerLogs/default/web-0/app?limitBytes=10");
    HttpResponse<String> big =
        server.get(server.admin, "/containerLogs/default/web-0/app?limitBytes=20000");

    assertThat(response.body()).isEqualTo("0123456789");
    assertThat(big.body()).hasSize(20000);
  }

  @Test
  void followStreamsLinesBeforeTheStreamEnds() throws Exception {
    start();
    QueueInputStream log = new QueueInputStream();
    provider.logs = call -> log;

    HttpResponse<InputStream> response =
        server.admin.send(
            HttpRequest.newBuilder(server.uri("/containerLogs/default/web-0/app?follow=true"))
                .timeout(TIMEOUT)
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      log.add("line 1\n");
      assertThat(reader.readLine()).isEqualTo("line 1");
      log.add("line 2\nline 3\n");
      assertThat(reader.readLine()).isEqualTo("line 2");
      assertThat(reader.readLine()).isEqualTo("line 3");
      log.end();
      assertThat(reader.readLine()).isNull();
    }
    Await.until("log stream closed", TIMEOUT, log::isClosed);
  }

  @Test
  void aClientDisconnectClosesTheProviderStream() throws Exception {
    start();
    QueueInputStream log = new QueueInputStream();
    provider.logs = call -> log;

    try (RawHttp http = new RawHttp(server.adminTls, server.server.port())) {
      http.send("GET /containerLogs/default/web-0/app?follow HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(http.line()).isEqualTo("HTTP/1.1 200 OK");
      log.add("hello\n");
      String line;
      while (!(line = http.line()).equals("hello")) {
        assertThat(line).isNotNull();
      }
      assertThat(log.isClosed()).isFalse();
    }
    Await.until("provider stream closed", TIMEOUT, log::isClosed);
    assertThat(server.get(server.admin, "/healthz").statusCode()).isEqualTo(200);
  }

  @Test
  void aSlowClientHoldsTheProviderBack() throws Exception {
    start();
    java.util.concurrent.atomic.AtomicLong produced = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.atomic.AtomicBoolean closed =
        new java.util.concurrent.atomic.AtomicBoolean();
    InputStream endless =
        new InputStream() {
          @Override
          public int read() {
            return 'x';
          }

          @Override
          public int read(byte[] b, int off, int len) {
            if (closed.get()) {
              return -1;
            }
            java.util.Arrays.fill(b, off, off + len, (byte) 'x');
            produced.addAndGet(len);
            return len;
          }

          @Override
          public void close() {
            closed.set(true);
          }
        };
    provider.logs = call -> endless;

    javax.net.ssl.SSLSocket socket =
        (javax.net.ssl.SSLSocket) server.adminTls.getSocketFactory().createSocket();
    try (socket) {
      socket.setReceiveBufferSize(16 * 1024);
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", server.server.port()), 10_000);
      socket.startHandshake();
      socket
          .getOutputStream()
          .write(
              "GET /containerLogs/default/web-0/app?follow=1 HTTP/1.1\r\nHost: x\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      // the client reads nothing: the copy must stall once the buffers are full
      Await.until(
          "the log copy to stall",
          TIMEOUT,
          () -> {
            long before = produced.get();
            try {
              Thread.sleep(300);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return before > 0 && produced.get() == before;
          });
      assertThat(produced.get()).isLessThan(64L * 1024 * 1024);
    }
    Await.until("provider stream closed", TIMEOUT, closed::get);
  }

  // ---- exec, attach and port-forward hand-over

  @Test
  void execIsHandedOverWithItsParameters() throws Exception {
    start();

    HttpResponse<String> response =
        server.send(
            server.admin,
            "POST",
            "/exec/default/web-0/app?command=sh&command=-c&command=echo%20hi&error=1&input=1"
                + "&output=1&tty=1");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body())
        .isEqualTo(
            "EXEC default/web-0/app command=[sh, -c, echo hi] stdin=true stdout=true"
                + " stderr=false tty=true ports=[]");
    Call call = server.streams.calls.get(0);
    assertThat(call.pipeline()).startsWith("ssl", "http-codec", "http-aggregator", "router");
    assertThat(call.onEventLoop()).isTrue();
    assertThat(server.authorizer.calls.get(0).attributes())
        .isEqualTo(new RequestAttributes("create", "proxy", "vk-node-1"));
  }

  @Test
  void execWithThePodUidAndAttachWithTheContainersTty() throws Exception {
    start();

    HttpResponse<String> exec =
        server.get(server.admin, "/exec/default/web-0/uid-web-0/app?command=ls&output=1");
    HttpResponse<String> attach =
        server.get(server.admin, "/attach/default/web-0/shell-tty?input=1&output=1&error=1");

    assertThat(exec.body()).startsWith("EXEC default/web-0/app command=[ls]");
    assertThat(attach.body())
        .isEqualTo(
            "ATTACH default/web-0/shell-tty command=[] stdin=true stdout=true stderr=false"
                + " tty=true ports=[]");
  }

  @Test
  void streamRequestsAreValidatedBeforeTheHandOver() throws Exception {
    start();
    Map<String, String> expected =
        Map.of(
            "/exec/default/web-0/app?command=ls",
            "400 you must specify at least 1 of stdin, stdout, stderr",
            "/exec/default/web-0/app?command=ls&tty=1&error=1",
            "400 you must specify at least 1 of stdin, stdout, stderr",
            "/exec/default/web-0/app?output=1",
            "400 you must specify a command to run",
            "/exec/default/nope/app?command=ls&output=1",
            "404 pod does not exist",
            "/exec/default/web-0/db?command=ls&output=1",
            "404 container db not found in pod web-0",
            "/exec/default/web-0/other-uid/app?command=ls&output=1",
            "404 pod not found",
            "/portForward/default/web-0/other-uid",
            "404 pod not found",
            "/attach/default/nope/app?output=1",
            "404 pod does not exist");
    for (var entry : expected.entrySet()) {
      HttpResponse<String> response = server.send(server.admin, "POST", entry.getKey());
      var status = JSON.unmarshal(response.body(), io.fabric8.kubernetes.api.model.Status.class);
      assertThat(response.statusCode() + " " + status.getMessage())
          .as(entry.getKey())
          .isEqualTo(entry.getValue());
      assertThat(status.getKind()).isEqualTo("Status");
      assertThat(status.getCode()).isEqualTo(response.statusCode());
    }
    assertThat(server.streams.calls).isEmpty();
  }

  @Test
  void portForwardTakesWebSocketPortsAndIgnoresThemForSpdy() throws Exception {
    start();

    RawHttp.Response webSocket =
        server.raw(
            "GET /portForward/default/web-0?port=8080,9090 HTTP/1.1\r\nHost: x\r\n"
                + "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
    RawHttp.Response noPort =
        server.raw(
            "GET /portForward/default/web-0 HTTP/1.1\r\nHost: x\r\nConnection: close, Upgrade\r\n"
                + "Upgrade: websocket\r\n\r\n");
    RawHttp.Response spdy =
        server.raw(
            "POST /portForward/default/web-0/uid-web-0 HTTP/1.1\r\nHost: x\r\n"
                + "Connection: Upgrade\r\nUpgrade: SPDY/3.1\r\n"
                + "X-Stream-Protocol-Version: portforward.k8s.io\r\nContent-Length: 0\r\n\r\n");

    assertThat(webSocket.text()).endsWith("ports=[8080, 9090]");
    assertThat(noPort.status()).isEqualTo(400);
    assertThat(noPort.text()).contains("query parameter \\\"port\\\" is required");
    assertThat(spdy.text())
        .isEqualTo(
            "PORT_FORWARD default/web-0/ command=[] stdin=false stdout=false stderr=false tty=false"
                + " ports=[]");
    assertThat(server.streams.calls)
        .extracting(Call::target)
        .extracting(StreamRequest::kind)
        .containsOnly(StreamRequest.Kind.PORT_FORWARD);
  }

  @Test
  void aWebSocketBearerProtocolIsTakenOutOfTheHeader() throws Exception {
    start();
    List<String> tokens = new java.util.concurrent.CopyOnWriteArrayList<>();
    server.server.close();
    KubeletServerConfig config =
        KubeletServerConfig.defaults("vk-node-1").withBindAddress("127.0.0.1").withPort(0);
    StreamHeadersHandler handler = new StreamHeadersHandler();
    try (KubeletServer tokenServer =
        new KubeletServer(
            config,
            provider,
            () -> List.of(Fixtures.pod("default", "web-0", "u", "app")),
            credentials -> {
              credentials.bearerToken().ifPresent(tokens::add);
              return credentials.bearerToken().map(t -> UserInfo.of("token-user", List.of()));
            },
            dev.vkj.core.server.auth.Authorizers.alwaysAllow(),
            handler,
            new io.micrometer.core.instrument.simple.SimpleMeterRegistry())) {
      tokenServer.start();
      String encoded =
          java.util.Base64.getUrlEncoder()
              .withoutPadding()
              .encodeToString("my-token".getBytes(StandardCharsets.UTF_8));
      RawHttp.Response response =
          RawHttp.exchange(
              TestPki.trustAllContext(null),
              tokenServer.port(),
              "GET /exec/default/web-0/app?command=ls&output=1 HTTP/1.1\r\nHost: x\r\n"
                  + "Connection: Upgrade\r\nUpgrade: websocket\r\n"
                  + "Sec-WebSocket-Protocol: v4.channel.k8s.io, base64url.bearer.authorization.k8s.io."
                  + encoded
                  + "\r\n\r\n");
      assertThat(response.status()).isEqualTo(200);
      assertThat(tokens).containsExactly("my-token");
      assertThat(handler.protocols).containsExactly("v4.channel.k8s.io");
    }
  }

  /** Records the WebSocket protocols the stream handler sees. */
  private static final class StreamHeadersHandler
      implements dev.vkj.core.server.stream.StreamHandler {
    final List<String> protocols = new java.util.concurrent.CopyOnWriteArrayList<>();
    final FakeStreamHandler delegate = new FakeStreamHandler();

    @Override
    public void handle(
        io.netty.channel.ChannelHandlerContext ctx,
        io.netty.handler.codec.http.FullHttpRequest request,
        StreamRequest target) {
      protocols.addAll(request.headers().getAll("Sec-WebSocket-Protocol"));
      delegate.handle(ctx, request, target);
    }
  }
}
