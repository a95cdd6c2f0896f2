package dev.vkj.core.server.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vkj.core.server.stream.WebSocketTestClient.Message;
import dev.vkj.spi.TerminalSize;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Exec, attach and port-forward over WebSocket with every supported subprotocol. */
class WebSocketStreamingIT {
  private static final String SUCCESS = "{\"metadata\":{},\"status\":\"Success\"}";

  private StreamTestServer server;

  @BeforeEach
  void start() throws Exception {
    server = new StreamTestServer();
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  private static boolean jsonStatus(String protocol) {
    return protocol.startsWith("v4.") || protocol.startsWith("v5.");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "v5.channel.k8s.io",
        "v4.channel.k8s.io",
        "v4.base64.channel.k8s.io",
        "channel.k8s.io",
        "base64.channel.k8s.io",
        ""
      })
  void execWritesStdoutThenStatusThenCloses(String protocol) throws Exception {
    WebSocketTestClient client =
        WebSocketTestClient.connect(
            server.port(),
            "/exec/default/web-0/app?command=echo&command=hi&error=1&output=1",
            protocol);
    assertThat(client.subprotocol).isEqualTo(protocol);

    List<Message> messages = client.untilClosed();
    // the first, empty message on stdout signals the connection
    assertThat(messages.get(0).channel()).isEqualTo(1);
    assertThat(messages.get(0).data()).isEmpty();
    assertThat(messages.get(1).channel()).isEqualTo(1);
    assertThat(messages.get(1).text()).isEqualTo("hi\n");
    if (jsonStatus(protocol)) {
      assertThat(messages).hasSize(3);
      assertThat(messages.get(2).channel()).isEqualTo(3);
      assertThat(messages.get(2).text()).isEqualTo(SUCCESS);
    } else {
      // pre-v4 protocols say nothing on success
      assertThat(messages).hasSize(2);
    }
    assertThat(client.closed.get()).isEqualTo(1000);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "v5.channel.k8s.io",
        "v4.channel.k8s.io",
        "v4.base64.channel.k8s.io",
        "channel.k8s.io",
        "base64.channel.k8s.io",
        ""
      })
  void exitCodeOnTheErrorChannel(String protocol) throws Exception {
    WebSocketTestClient client =
        WebSocketTestClient.connect(
            server.port(), "/exec/default/web-0/app?command=exit&command=3&error=1", protocol);
    List<Message> messages = client.untilClosed();
    // only stderr requested: the first empty message goes there
    assertThat(messages.get(0).channel()).isEqualTo(2);
    Message status = messages.get(messages.size() - 1);
    assertThat(status.channel()).isEqualTo(3);
    if (jsonStatus(protocol)) {
      assertThat(status.text())
          .contains("\"reason\":\"NonZeroExitCode\"")
          .contains("{\"reason\":\"ExitCode\",\"message\":\"3\"}");
    } else {
      assertThat(status.text())
          .isEqualTo(
              "command terminated with non-zero exit code: error executing command [exit 3],"
                  + " exit code 3");
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "v5.channel.k8s.io",
        "v4.channel.k8s.io",
        "v4.base64.channel.k8s.io",
        "channel.k8s.io",
        "base64.channel.k8s.io"
      })
  void stdinReachesTheProvider(String protocol) throws Exception {
    WebSocketTestClient client =
        WebSocketTestClient.connect(
            server.port(),
            "/exec/default/web-0/app?command=head&command=10&input=1&output=1",
            protocol);
    assertThat(client.next().data()).isEmpty();
    client.send(0, "hello ");
    client.send(0, "world");
    List<Message> messages = client.untilClosed();
    assertThat(messages.get(0).channel()).isEqualTo(1);
    assertThat(messages.get(0).text()).isEqualTo("hello worl");
  }

  @Test
  void v5CloseSignalEndsStdin() throws Exception {
    WebSocketTestClient client =
        WebSocketTestClient.connect(
            server.port(),
            "/exec/default/web-0/app?command=cat&input=1&output=1",
            "v5.channel.k8s.io");
    assertThat(client.next().data()).isEmpty();
    client.send(0, "abc");
    client.send(255, new byte[] {0});
    List<Message> messages = client.untilClosed();
    assertThat(messages).extracting(Message::channel).containsExactly(1, 3);
    assertThat(messages.get(0).text()).isEqualTo("abc");
    assertThat(messages.get(1).text()).isEqualTo(SUCCESS);
  }

  @Test
  void resizeMessagesReachTheProvider() throws Exception {
    WebSocketTestClient client =
        WebSocketTestClient.connect(
            server.port(),
            "/exec/default/web-0/app?command=tty&input=1&output=1&tty=1",
            "v5.channel.k8s.io");
    assertThat(client.next().data()).isEmpty();
    assertThat(client.next().text()).isEqualTo("ready\n");
    client.send(4, "{\"Width\":100,\"Height\":30}");
    client.send(4, "{\"width\":101,\"height\":31}");
    assertThat(server.provider.resizes.poll(5, TimeUnit.SECONDS))
        .isEqualTo(new TerminalSize(100, 30));
    assertThat(server.provider.resizes.poll(5, TimeUnit.SECONDS))
        .isEqualTo(new TerminalSize(101, 31));
    client.send(0, "x");
    client.send(255, new byte[] {0});
    List<Message> messages = client.untilClosed();
    assertThat(messages.get(messages.size() - 1).text()).isEqualTo(SUCCESS);
    assertThat(server.provider.lastTty).isTrue();
  }

  @Test
  void clientCloseCancelsTheProviderCall() throws Exception {
    WebSocketTestClient client =
        WebSocketTestClient.connect(
            server.port(), "/exec/default/web-0/app?command=block&output=1", "v4.channel.k8s.io");
    assertThat(client.next().data()).isEmpty();
    assertThat(client.next().text()).isEqualTo("started\n");
    client.close();
    assertThat(server.provider.blockCancelled.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(server.provider.blockInterrupted).isTrue();
    assertThat(server.provider.blockSawClosed).isTrue();
  }

  @Test
  void connectionLossCancelsTheProviderCall() throws Exception {
    WebSocketTestClient client =
        WebSocketTestClient.connect(
            server.port(), "/exec/default/web-0/app?command=block&output=1", "v5.channel.k8s.io");
    assertThat(client.next().data()).isEmpty();
    assertThat(client.next().text()).isEqualTo("started\n");
    client.abort();
    assertThat(server.provider.blockCancelled.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(server.provider.blockInterrupted).isTrue();
  }

  @Test
  void providerErrorsBecomeStatuses() throws Exception {
    WebSocketTestClient client =
        WebSocketTestClient.connect(
            server.port(),
            "/exec/default/web-0/app?command=notfound&output=1",
            "v4.channel.k8s.io");
    List<Message> messages = client.untilClosed();
    Message status = messages.get(messages.size() - 1);
    assertThat(status.channel()).isEqualTo(3);
    assertThat(status.text())
        .contains("\"reason\":\"NotFound\"")
        .contains("\"code\":404")
        .doesNotContain("Exception");
  }

  @Test
  void attachOverWebSocket() throws Exception {
    WebSocketTestClient client =
        WebSocketTestClient.connect(
            server.port(), "/attach/default/web-0/app?output=1", "v4.channel.k8s.io");
    List<Message> messages = client.untilClosed();
    assertThat(messages).extracting(Message::channel).containsExactly(1, 1, 3);
    assertThat(messages.get(1).text()).isEqualTo("attached\n");
    assertThat(messages.get(2).text()).isEqualTo(SUCCESS);
  }

  @ParameterizedTest
  @ValueSource(strings = {"v4.channel.k8s.io", "v4.base64.channel.k8s.io"})
  void portForwardOverWebSocket(String protocol) throws Exception {
    WebSocketTestClient client =
        WebSocketTestClient.connect(
            server.port(), "/portForward/default/web-0?port=8080,9090", protocol);
    assertThat(client.subprotocol).isEqualTo(protocol);
    // the port, little-endian, first on the data and the error channel of each port
    for (int i = 0; i < 4; i++) {
      Message message = client.next();
      int port = message.channel() < 2 ? 8080 : 9090;
      assertThat(message.data()).containsExactly(port & 0xff, port >> 8);
    }
    client.send(2, "to 9090");
    client.send(0, "to 8080");
    Message first = client.next();
    Message second = client.next();
    assertThat(List.of(first, second))
        .extracting(Message::channel, Message::text)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(0, "to 8080"),
            org.assertj.core.groups.Tuple.tuple(2, "to 9090"));
    client.close();
    assertThat(client.closed.get(5, TimeUnit.SECONDS)).isEqualTo(1000);
  }

  @Test
  void portForwardErrorOverWebSocketThenClose() throws Exception {
    WebSocketTestClient client =
        WebSocketTestClient.connect(
            server.port(), "/portForward/default/web-0?port=9999", "v4.base64.channel.k8s.io");
    List<Message> messages = client.untilClosed();
    assertThat(messages).extracting(Message::channel).containsExactly(0, 1, 1);
    assertThat(messages.get(0).data()).containsExactly(0x0f, 0x27);
    assertThat(messages.get(2).text())
        .isEqualTo("error forwarding port 9999 to pod default/web-0: connection refused");
  }

  @Test
  void unsupportedUpgradesAreHttpErrors() {
    assertThat(
            WebSocketTestClient.refusedStatus(
                server.port(), "/exec/default/web-0/app?command=ls&output=1", "v9.channel.k8s.io"))
        .isEqualTo(403);
    assertThat(
            WebSocketTestClient.refusedStatus(
                server.port(), "/portForward/default/web-0?port=80", "channel.k8s.io"))
        .isEqualTo(403);
  }

  @Test
  void portForwardChannelFormNeedsThePortQuery() throws Exception {
    assertThat(
            WebSocketTestClient.rawUpgrade(
                server.port(), "/portForward/default/web-0", "v4.channel.k8s.io"))
        .startsWith("HTTP/1.1 400 ")
        .endsWith("query parameter \"port\" is required\n");
    assertThat(
            WebSocketTestClient.rawUpgrade(
                server.port(), "/portForward/default/web-0?port=80", "v5.channel.k8s.io"))
        .startsWith("HTTP/1.1 403 ")
        .contains("unsupported WebSocket subprotocol [v5.channel.k8s.io] for port-forward");
    assertThat(
            WebSocketTestClient.rawUpgrade(
                server.port(), "/portForward/default/web-0?port=80,0", "v4.channel.k8s.io"))
        .startsWith("HTTP/1.1 400 ")
        .contains("invalid port 0");
    // kubectl 1.30+ exec offers only v5, which is served
    assertThat(
            WebSocketTestClient.rawUpgrade(
                server.port(), "/exec/default/web-0/app?command=ls&output=1", "v5.channel.k8s.io"))
        .startsWith("HTTP/1.1 101 ")
        .containsIgnoringCase("sec-websocket-protocol: v5.channel.k8s.io");
  }

  @Test
  void portForwardThroughTheSpdyTunnel() throws Exception {
    // kubectl 1.31+: no port query, SPDY/3.1 frames inside binary WebSocket messages
    try (SpdyTestClient client =
        SpdyTestClient.connectTunnel(server.port(), "/portForward/default/web-0")) {
      assertThat(client.status).isEqualTo(101);
      assertThat(client.header("Sec-WebSocket-Protocol")).isEqualTo("SPDY/3.1+portforward.k8s.io");
      int error =
          client.openStream(Map.of("streamType", "error", "port", "8080", "requestID", "0"));
      client.fin(error);
      int data = client.openStream(Map.of("streamType", "data", "port", "8080", "requestID", "0"));
      byte[] payload = new byte[200_000];
      new java.util.Random(7).nextBytes(payload);
      client.write(data, payload, true);
      assertThat(client.awaitFin(data)).isEqualTo(payload);
      assertThat(client.awaitFin(error)).isEmpty();
      assertThat(client.ping(5)).isTrue();
      int bad = client.openStream(Map.of("streamType", "data", "port", "0", "requestID", "1"));
      assertThat(bad).isNegative();
    }
  }

  @Test
  void idleWebSocketIsClosedAndTheCallCancelled() throws Exception {
    server.close();
    server =
        new StreamTestServer(java.time.Duration.ofMillis(300), java.time.Duration.ofSeconds(30));
    WebSocketTestClient client =
        WebSocketTestClient.connect(
            server.port(), "/exec/default/web-0/app?command=block&output=1", "v5.channel.k8s.io");
    // the 300 ms idle timeout may close the socket before the call's first output when the
    // machine is loaded, so only the close and the cancelled call are required
    client.untilClosed();
    assertThat(server.provider.blockCancelled.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(server.provider.blockSawClosed).isTrue();
  }

  @Test
  void malformedWebSocketUpgradesAreHttpErrors() throws Exception {
    String noKey =
        "GET /exec/default/web-0/app?command=ls&output=1 HTTP/1.1\r\nHost: x\r\n"
            + "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
            + "Sec-WebSocket-Protocol: v4.channel.k8s.io\r\n\r\n";
    assertThat(WebSocketTestClient.rawRequest(server.port(), noKey)).startsWith("HTTP/1.1 400 ");
    String post =
        "POST /exec/default/web-0/app?command=ls&output=1 HTTP/1.1\r\nHost: x\r\n"
            + "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nContent-Length: 0\r\n\r\n";
    assertThat(WebSocketTestClient.rawRequest(server.port(), post))
        .startsWith("HTTP/1.1 400 ")
        .contains("a WebSocket upgrade must use GET");
    String oldVersion =
        "GET /exec/default/web-0/app?command=ls&output=1 HTTP/1.1\r\nHost: x\r\n"
            + "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 5\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
    assertThat(WebSocketTestClient.rawRequest(server.port(), oldVersion))
        .startsWith("HTTP/1.1 426 ");
    String plain = "GET /exec/default/web-0/app?command=ls&output=1 HTTP/1.1\r\nHost: x\r\n\r\n";
    assertThat(WebSocketTestClient.rawRequest(server.port(), plain))
        .startsWith("HTTP/1.1 400 ")
        .contains("X-Stream-Protocol-Version is required");
  }
}
