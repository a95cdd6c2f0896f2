package dev.vkj.core.server.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vkj.spi.TerminalSize;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Exec, attach and port-forward over SPDY/3.1 on a loopback socket, the way kubectl speaks. */
class SpdyStreamingIT {
  private static final String[] KUBECTL_PROTOCOLS = {
    "v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io", "channel.k8s.io"
  };

  private StreamTestServer server;

  @BeforeEach
  void start() throws Exception {
    server = new StreamTestServer();
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Test
  void execEchoWritesStdoutAndSuccessStatus() throws Exception {
    try (SpdyTestClient client =
        SpdyTestClient.connect(
            server.port(),
            "/exec/default/web-0/app?command=echo&command=hello&error=1&output=1",
            KUBECTL_PROTOCOLS)) {
      assertThat(client.status).isEqualTo(101);
      assertThat(client.header("X-Stream-Protocol-Version")).isEqualTo("v4.channel.k8s.io");
      assertThat(client.header("Upgrade")).isEqualTo("SPDY/3.1");
      assertThat(client.header("Connection")).containsIgnoringCase("upgrade");

      int error = client.openStream("error");
      int stdout = client.openStream("stdout");
      int stderr = client.openStream("stderr");
      assertThat(error).isPositive();
      assertThat(stdout).isPositive();
      assertThat(stderr).isPositive();

      assertThat(text(client.awaitFin(stdout))).isEqualTo("hello\n");
      assertThat(client.awaitFin(stderr)).isEmpty();
      assertThat(text(client.awaitFin(error)))
          .isEqualTo("{\"metadata\":{},\"status\":\"Success\"}");
      assertThat(client.awaitGoAway()).isTrue();
      assertThat(server.provider.lastCommand).containsExactly("echo", "hello");
      assertThat(server.provider.lastHadStderr).isTrue();
    }
  }

  @Test
  void stdinRoundTripOfMoreThanOneMebibyteDoesNotStall() throws Exception {
    try (SpdyTestClient client =
        SpdyTestClient.connect(
            server.port(),
            "/exec/default/web-0/app?command=cat&input=1&output=1",
            KUBECTL_PROTOCOLS)) {
      int error = client.openStream("error");
      int stdin = client.openStream("stdin");
      int stdout = client.openStream("stdout");

      byte[] payload = new byte[3 * 1024 * 1024 / 2];
      new Random(42).nextBytes(payload);
      // the client never sends WINDOW_UPDATE; data flows far beyond the 64 KiB initial window
      for (int off = 0; off < payload.length; off += 16384) {
        client.write(
            stdin, Arrays.copyOfRange(payload, off, Math.min(payload.length, off + 16384)), false);
      }
      client.fin(stdin);

      assertThat(client.awaitFin(stdout)).isEqualTo(payload);
      assertThat(text(client.awaitFin(error))).contains("\"status\":\"Success\"");
    }
  }

  @Test
  void nonZeroExitCodeIsReportedAsStatus() throws Exception {
    try (SpdyTestClient client =
        SpdyTestClient.connect(
            server.port(),
            "/exec/default/web-0/app?command=exit&command=3&output=1",
            KUBECTL_PROTOCOLS)) {
      int error = client.openStream("error");
      int stdout = client.openStream("stdout");

      assertThat(client.awaitFin(stdout)).isEmpty();
      assertThat(text(client.awaitFin(error)))
          .isEqualTo(
              "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"command terminated with"
                  + " non-zero exit code: error executing command [exit 3], exit code 3\","
                  + "\"reason\":\"NonZeroExitCode\",\"details\":{\"causes\":[{\"reason\":"
                  + "\"ExitCode\",\"message\":\"3\"}]}}");
    }
  }

  @Test
  void olderProtocolsGetPlainTextErrors() throws Exception {
    try (SpdyTestClient client =
        SpdyTestClient.connect(
            server.port(),
            "/exec/default/web-0/app?command=exit&command=3&output=1",
            "v2.channel.k8s.io")) {
      assertThat(client.header("X-Stream-Protocol-Version")).isEqualTo("v2.channel.k8s.io");
      int error = client.openStream("error");
      int stdout = client.openStream("stdout");
      client.awaitFin(stdout);
      assertThat(text(client.awaitFin(error)))
          .isEqualTo(
              "command terminated with non-zero exit code: error executing command [exit 3],"
                  + " exit code 3");
    }
  }

  @Test
  void providerErrorsBecomeStatuses() throws Exception {
    try (SpdyTestClient client =
        SpdyTestClient.connect(
            server.port(),
            "/exec/default/web-0/app?command=notfound&output=1",
            KUBECTL_PROTOCOLS)) {
      int error = client.openStream("error");
      client.openStream("stdout");
      assertThat(text(client.awaitFin(error)))
          .isEqualTo(
              "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"container \\\"app\\\" not"
                  + " found in pod\",\"reason\":\"NotFound\",\"code\":404}");
    }
    try (SpdyTestClient client =
        SpdyTestClient.connect(
            server.port(), "/exec/default/web-0/app?command=fail&output=1", KUBECTL_PROTOCOLS)) {
      int error = client.openStream("error");
      client.openStream("stdout");
      assertThat(text(client.awaitFin(error)))
          .isEqualTo(
              "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"Internal error occurred:"
                  + " error executing command in container: backend unavailable\",\"reason\":"
                  + "\"InternalError\",\"details\":{\"causes\":[{\"message\":\"error executing"
                  + " command in container: backend unavailable\"}]},\"code\":500}");
    }
  }

  @Test
  void ttyResizesReachTheProvider() throws Exception {
    try (SpdyTestClient client =
        SpdyTestClient.connect(
            server.port(),
            "/exec/default/web-0/app?command=tty&error=1&input=1&output=1&tty=1",
            KUBECTL_PROTOCOLS)) {
      int error = client.openStream("error");
      int stdin = client.openStream("stdin");
      int stdout = client.openStream("stdout");
      // no stderr stream with a TTY
      int resize = client.openStream("resize");
      client.awaitData(stdout, "ready\n".length());

      client.write(
          resize, "{\"Width\":80,\"Height\":24}\n{\"Wid".getBytes(StandardCharsets.UTF_8), false);
      client.write(resize, "th\":120,\"Height\":40}\n".getBytes(StandardCharsets.UTF_8), false);
      assertThat(server.provider.resizes.poll(5, TimeUnit.SECONDS))
          .isEqualTo(new TerminalSize(80, 24));
      assertThat(server.provider.resizes.poll(5, TimeUnit.SECONDS))
          .isEqualTo(new TerminalSize(120, 40));

      client.write(stdin, "ls\n".getBytes(StandardCharsets.UTF_8), true);
      assertThat(text(client.awaitFin(stdout))).isEqualTo("ready\nls\n");
      assertThat(text(client.awaitFin(error))).contains("Success");
      assertThat(server.provider.lastTty).isTrue();
      assertThat(server.provider.lastHadStderr).isFalse();
    }
  }

  @Test
  void pingsAreAnswered() throws Exception {
    try (SpdyTestClient client =
        SpdyTestClient.connect(
            server.port(), "/exec/default/web-0/app?command=block&output=1", KUBECTL_PROTOCOLS)) {
      assertThat(client.ping(1)).isTrue();
      int error = client.openStream("error");
      int stdout = client.openStream("stdout");
      client.awaitData(stdout, "started\n".length());
      assertThat(client.ping(3)).isTrue();
      assertThat(error).isPositive();
    }
  }

  @Test
  void clientDisconnectCancelsTheProviderCall() throws Exception {
    SpdyTestClient client =
        SpdyTestClient.connect(
            server.port(), "/exec/default/web-0/app?command=block&output=1", KUBECTL_PROTOCOLS);
    client.openStream("error");
    int stdout = client.openStream("stdout");
    assertThat(text(client.awaitData(stdout, 8))).isEqualTo("started\n");
    client.close();

    assertThat(server.provider.blockCancelled.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(server.provider.blockInterrupted).isTrue();
    assertThat(server.provider.blockSawClosed).isTrue();
  }

  @Test
  void attachReportsSuccessLikeTheKubelet() throws Exception {
    try (SpdyTestClient client =
        SpdyTestClient.connect(
            server.port(), "/attach/default/web-0/app?input=1&output=1", KUBECTL_PROTOCOLS)) {
      int error = client.openStream("error");
      int stdin = client.openStream("stdin");
      int stdout = client.openStream("stdout");
      client.write(stdin, "hi\n".getBytes(StandardCharsets.UTF_8), true);
      assertThat(text(client.awaitFin(stdout))).isEqualTo("attached\nhi\n");
      assertThat(text(client.awaitFin(error)))
          .isEqualTo("{\"metadata\":{},\"status\":\"Success\"}");
    }
  }

  @Test
  void missingStreamsTimeOut() throws Exception {
    server.close();
    server = new StreamTestServer(Duration.ofSeconds(30), Duration.ofMillis(300));
    try (SpdyTestClient client =
        SpdyTestClient.connect(
            server.port(), "/exec/default/web-0/app?command=echo&output=1", KUBECTL_PROTOCOLS)) {
      client.openStream("error");
      // stdout never comes
      assertThat(client.awaitConnectionClosed()).isTrue();
      assertThat(server.provider.lastCommand).isNull();
    }
  }

  @Test
  void idleConnectionIsClosed() throws Exception {
    server.close();
    server = new StreamTestServer(Duration.ofMillis(300), Duration.ofSeconds(30));
    try (SpdyTestClient client =
        SpdyTestClient.connect(
            server.port(), "/exec/default/web-0/app?command=block&output=1", KUBECTL_PROTOCOLS)) {
      client.openStream("error");
      client.openStream("stdout");
      assertThat(client.awaitConnectionClosed()).isTrue();
      assertThat(server.provider.blockCancelled.await(30, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void upgradeErrorsAreHttpAnswers() throws Exception {
    try (SpdyTestClient client =
        SpdyTestClient.connect(server.port(), "/exec/default/web-0/app?command=ls&output=1")) {
      assertThat(client.status).isEqualTo(400);
      assertThat(client.responseBody).contains("X-Stream-Protocol-Version is required");
    }
    try (SpdyTestClient client =
        SpdyTestClient.connect(
            server.port(), "/exec/default/web-0/app?command=ls&output=1", "v9.channel.k8s.io")) {
      assertThat(client.status).isEqualTo(403);
      assertThat(client.responseBody).contains("unable to negotiate protocol");
      assertThat(client.responseHeaders.get("x-accepted-stream-protocol-versions"))
          .containsExactly(
              "v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io", "channel.k8s.io");
    }
    try (SpdyTestClient client =
        SpdyTestClient.connect(
            server.port(), "/exec/default/web-0/app?command=ls", "v4.channel.k8s.io")) {
      assertThat(client.status).isEqualTo(400);
      assertThat(client.responseBody).contains("at least 1 of stdin, stdout, stderr");
    }
  }

  @Test
  void portForwardRoundTripsOnTwoConcurrentPairs() throws Exception {
    try (SpdyTestClient client =
        SpdyTestClient.connect(server.port(), "/portForward/default/web-0", "portforward.k8s.io")) {
      assertThat(client.status).isEqualTo(101);
      assertThat(client.header("X-Stream-Protocol-Version")).isEqualTo("portforward.k8s.io");

      int error0 =
          client.openStream(Map.of("streamType", "error", "port", "8080", "requestID", "0"));
      client.fin(error0);
      int data0 = client.openStream(Map.of("streamType", "data", "port", "8080", "requestID", "0"));
      int error1 =
          client.openStream(Map.of("streamType", "error", "port", "9090", "requestID", "1"));
      client.fin(error1);
      int data1 = client.openStream(Map.of("streamType", "data", "port", "9090", "requestID", "1"));

      client.write(data1, "second".getBytes(StandardCharsets.UTF_8), false);
      client.write(data0, "first".getBytes(StandardCharsets.UTF_8), false);
      assertThat(text(client.awaitData(data0, 5))).isEqualTo("first");
      assertThat(text(client.awaitData(data1, 6))).isEqualTo("second");

      client.fin(data0);
      assertThat(text(client.awaitFin(data0))).isEqualTo("first");
      assertThat(client.awaitFin(error0)).isEmpty();
      // the second pair is still open and working
      client.write(data1, "!".getBytes(StandardCharsets.UTF_8), true);
      assertThat(text(client.awaitFin(data1))).isEqualTo("second!");
      assertThat(server.provider.forwardedPorts).containsExactlyInAnyOrder(8080, 9090);
    }
  }

  @Test
  void portForwardErrorsAreWrittenAsText() throws Exception {
    try (SpdyTestClient client =
        SpdyTestClient.connect(server.port(), "/portForward/default/web-0", "portforward.k8s.io")) {
      int error =
          client.openStream(Map.of("streamType", "error", "port", "9999", "requestID", "0"));
      client.fin(error);
      int data = client.openStream(Map.of("streamType", "data", "port", "9999", "requestID", "0"));
      assertThat(text(client.awaitFin(error)))
          .isEqualTo("error forwarding port 9999 to pod default/web-0: connection refused");
      client.awaitFin(data);
    }
  }

  @Test
  void invalidPortHeadersAreRejected() throws Exception {
    try (SpdyTestClient client =
        SpdyTestClient.connect(server.port(), "/portForward/default/web-0", "portforward.k8s.io")) {
      int missing = client.openStream(Map.of("streamType", "error", "requestID", "0"));
      int zero = client.openStream(Map.of("streamType", "error", "port", "0", "requestID", "1"));
      int tooBig =
          client.openStream(Map.of("streamType", "error", "port", "70000", "requestID", "2"));
      int text = client.openStream(Map.of("streamType", "error", "port", "http", "requestID", "3"));
      int badType =
          client.openStream(Map.of("streamType", "video", "port", "80", "requestID", "4"));
      assertThat(missing).isNegative();
      assertThat(zero).isNegative();
      assertThat(tooBig).isNegative();
      assertThat(text).isNegative();
      assertThat(badType).isNegative();
      // the connection still serves valid pairs
      int error = client.openStream(Map.of("streamType", "error", "port", "80", "requestID", "5"));
      assertThat(error).isPositive();
    }
  }

  @Test
  void portForwardRejectsRemoteCommandProtocols() throws Exception {
    try (SpdyTestClient client =
        SpdyTestClient.connect(server.port(), "/portForward/default/web-0", KUBECTL_PROTOCOLS)) {
      assertThat(client.status).isEqualTo(403);
      assertThat(client.responseBody).contains("server accepts [portforward.k8s.io]");
    }
  }

  @Test
  void version1ResetsTheErrorStreamAtSetup() throws Exception {
    try (SpdyTestClient client =
        SpdyTestClient.connect(
            server.port(),
            "/exec/default/web-0/app?command=echo&command=old&output=1",
            "channel.k8s.io")) {
      assertThat(client.header("X-Stream-Protocol-Version")).isEqualTo("channel.k8s.io");
      int error = client.openStream("error");
      int stdout = client.openStream("stdout");
      assertThat(client.awaitReset(error)).isTrue();
      assertThat(text(client.awaitFin(stdout))).isEqualTo("old\n");
      assertThat(client.awaitGoAway()).isTrue();
    }
  }

  @Test
  void streamsAreMatchedByTypeNotOrder() throws Exception {
    try (SpdyTestClient client =
        SpdyTestClient.connect(
            server.port(),
            "/exec/default/web-0/app?command=stderr&command=oops&error=1&output=1",
            KUBECTL_PROTOCOLS)) {
      int stderr = client.openStream("stderr");
      int unknown = client.openStream("video");
      int stdout = client.openStream("stdout");
      int error = client.openStream("ERROR");
      assertThat(unknown).isPositive();
      assertThat(text(client.awaitFin(stderr))).isEqualTo("oops\n");
      assertThat(client.awaitFin(stdout)).isEmpty();
      assertThat(text(client.awaitFin(error))).contains("Success");
    }
  }

  @Test
  void clientDisconnectCancelsPortForwardPairs() throws Exception {
    SpdyTestClient client =
        SpdyTestClient.connect(server.port(), "/portForward/default/web-0", "portforward.k8s.io");
    int error = client.openStream(Map.of("streamType", "error", "port", "8080", "requestID", "0"));
    client.fin(error);
    int data = client.openStream(Map.of("streamType", "data", "port", "8080", "requestID", "0"));
    client.write(data, "ping".getBytes(StandardCharsets.UTF_8), false);
    assertThat(text(client.awaitData(data, 4))).isEqualTo("ping");
    // the provider is now blocked reading from the client
    assertThat(server.provider.forwardsEnded).isEmpty();
    client.close();
    assertThat(server.provider.forwardsEnded.poll(5, TimeUnit.SECONDS)).isEqualTo(8080);
  }

  @Test
  void clientResetOfADataStreamCancelsOnlyThatPair() throws Exception {
    try (SpdyTestClient client =
        SpdyTestClient.connect(server.port(), "/portForward/default/web-0", "portforward.k8s.io")) {
      int error0 =
          client.openStream(Map.of("streamType", "error", "port", "8080", "requestID", "0"));
      int data0 = client.openStream(Map.of("streamType", "data", "port", "8080", "requestID", "0"));
      int error1 =
          client.openStream(Map.of("streamType", "error", "port", "8081", "requestID", "1"));
      int data1 = client.openStream(Map.of("streamType", "data", "port", "8081", "requestID", "1"));
      client.write(data0, "a".getBytes(StandardCharsets.UTF_8), false);
      client.awaitData(data0, 1);
      client.reset(data0);
      assertThat(server.provider.forwardsEnded.poll(5, TimeUnit.SECONDS)).isEqualTo(8080);
      client.write(data1, "b".getBytes(StandardCharsets.UTF_8), true);
      assertThat(text(client.awaitFin(data1))).isEqualTo("b");
      assertThat(client.awaitFin(error1)).isEmpty();
      assertThat(error0).isPositive();
    }
  }

  @Test
  void clientGoAwayCancelsTheProviderCall() throws Exception {
    try (SpdyTestClient client =
        SpdyTestClient.connect(
            server.port(), "/exec/default/web-0/app?command=block&output=1", KUBECTL_PROTOCOLS)) {
      client.openStream("error");
      int stdout = client.openStream("stdout");
      client.awaitData(stdout, 8);
      client.goAway();
      assertThat(server.provider.blockCancelled.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(server.provider.blockInterrupted).isTrue();
    }
  }

  @Test
  void outputKeepsAnIdleConnectionAlive() throws Exception {
    server.close();
    server = new StreamTestServer(Duration.ofMillis(300), Duration.ofSeconds(30));
    try (SpdyTestClient client =
        SpdyTestClient.connect(
            server.port(),
            "/exec/default/web-0/app?command=tick&command=8&command=100&output=1",
            KUBECTL_PROTOCOLS)) {
      int error = client.openStream("error");
      int stdout = client.openStream("stdout");
      // 800 ms of output with no client traffic, longer than the 300 ms idle timeout
      assertThat(text(client.awaitFin(stdout))).isEqualTo("tick\n".repeat(8));
      assertThat(text(client.awaitFin(error))).contains("Success");
    }
  }
}
