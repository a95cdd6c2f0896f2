package dev.vkj.core.server.stream;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A channel-aware client on top of {@link java.net.http.WebSocket}. */
final class WebSocketTestClient implements WebSocket.Listener, AutoCloseable {
  record Message(int channel, byte[] data) {
    String text() {
      return new String(data, StandardCharsets.UTF_8);
    }
  }

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  final BlockingQueue<Message> messages = new LinkedBlockingQueue<>();
  final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private final boolean base64;
  private final ByteArrayOutputStream partialBinary = new ByteArrayOutputStream();
  private final StringBuilder partialText = new StringBuilder();
  private WebSocket webSocket;
  volatile String subprotocol;

  private WebSocketTestClient(boolean base64) {
    this.base64 = base64;
  }

  static WebSocketTestClient connect(int port, String pathAndQuery, String... subprotocols) {
    subprotocols = Arrays.stream(subprotocols).filter(p -> !p.isEmpty()).toArray(String[]::new);
    boolean base64 = subprotocols.length > 0 && subprotocols[0].contains("base64");
    WebSocketTestClient client = new WebSocketTestClient(base64);
    WebSocket.Builder builder = HTTP.newWebSocketBuilder();
    if (subprotocols.length > 0) {
      builder.subprotocols(
          subprotocols[0], Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
    }
    client.webSocket =
        builder.buildAsync(URI.create("ws://127.0.0.1:" + port + pathAndQuery), client).join();
    client.subprotocol = client.webSocket.getSubprotocol();
    return client;
  }

  /** The HTTP status of a refused upgrade. */
  static int refusedStatus(int port, String pathAndQuery, String... subprotocols) {
    try {
      connect(port, pathAndQuery, subprotocols).close();
      throw new AssertionError("the upgrade was accepted");
    } catch (CompletionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException handshake) {
        return handshake.getResponse().statusCode();
      }
      throw e;
    }
  }

  /**
   * Sends a WebSocket upgrade over a plain socket (the JDK client refuses subprotocols such as
   * {@code SPDY/3.1+portforward.k8s.io}) and returns the status line and body of the answer.
   */
  static String rawUpgrade(int port, String pathAndQuery, String protocolHeader)
      throws java.io.IOException {
    String request =
        "GET "
            + pathAndQuery
            + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
            + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            + "Sec-WebSocket-Protocol: "
            + protocolHeader
            + "\r\n\r\n";
    return rawRequest(port, request);
  }

  /** Sends raw request bytes and returns everything the server answers until it closes. */
  static String rawRequest(int port, String request) throws java.io.IOException {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  void send(int channel, byte[] data) {
    if (base64) {
      webSocket
          .sendText((char) ('0' + channel) + Base64.getEncoder().encodeToString(data), true)
          .join();
    } else {
      byte[] message = new byte[data.length + 1];
      message[0] = (byte) channel;
      System.arraycopy(data, 0, message, 1, data.length);
      webSocket.sendBinary(ByteBuffer.wrap(message), true).join();
    }
  }

  void send(int channel, String text) {
    send(channel, text.getBytes(StandardCharsets.UTF_8));
  }

  Message next() throws InterruptedException {
    // generous: a loaded machine can starve the server for seconds; a pass proves no less
    Message message = messages.poll(30, TimeUnit.SECONDS);
    if (message == null) {
      throw new AssertionError("no message within 30 s");
    }
    return message;
  }

  /** Every message until the server closes the WebSocket. */
  List<Message> untilClosed() throws Exception {
    closed.get(30, TimeUnit.SECONDS);
    List<Message> all = new ArrayList<>();
    messages.drainTo(all);
    return all;
  }

  @Override
  public void onOpen(WebSocket webSocket) {
    webSocket.request(1);
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
    byte[] bytes = new byte[data.remaining()];
    data.get(bytes);
    partialBinary.writeBytes(bytes);
    if (last) {
      byte[] message = partialBinary.toByteArray();
      partialBinary.reset();
      messages.add(new Message(message[0] & 0xff, Arrays.copyOfRange(message, 1, message.length)));
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partialText.append(data);
    if (last) {
      String message = partialText.toString();
      partialText.setLength(0);
      messages.add(
          new Message(message.charAt(0) - '0', Base64.getDecoder().decode(message.substring(1))));
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closed.complete(statusCode);
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closed.completeExceptionally(error);
  }

  @Override
  public void close() {
    if (!webSocket.isOutputClosed()) {
      webSocket.sendClose(WebSocket.NORMAL_CLOSURE, "").exceptionally(e -> null);
    }
  }

  void abort() {
    webSocket.abort();
  }
}
