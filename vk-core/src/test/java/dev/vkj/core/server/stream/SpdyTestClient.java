package dev.vkj.core.server.stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdyPingFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynStreamFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyGoAwayFrame;
import io.netty.handler.codec.spdy.SpdyPingFrame;
import io.netty.handler.codec.spdy.SpdyRstStreamFrame;
import io.netty.handler.codec.spdy.SpdySynReplyFrame;
import io.netty.handler.codec.spdy.SpdyVersion;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A SPDY/3.1 client that behaves like client-go's spdystream: opens streams one at a time and waits
 * for each reply, never sends WINDOW_UPDATE or SETTINGS. Framing uses Netty's codec on an embedded
 * channel over a blocking socket.
 */
final class SpdyTestClient implements AutoCloseable {
  private static final long TIMEOUT_MILLIS = 10_000;

  final int status;
  final Map<String, List<String>> responseHeaders;
  final String responseBody;

  private final Socket socket;
  private final OutputStream out;
  private final EmbeddedChannel codec;
  private final Object lock = new Object();
  private final Set<Integer> replied = new HashSet<>();
  private final Set<Integer> resets = new HashSet<>();
  private final Set<Integer> finished = new HashSet<>();
  private final Map<Integer, ByteArrayOutputStream> data = new HashMap<>();
  private final Set<Integer> pingReplies = new HashSet<>();
  private boolean goAway;
  private boolean connectionClosed;
  private int nextStreamId = 1;
  private final boolean tunnel;

  private SpdyTestClient(
      Socket socket, int status, Map<String, List<String>> headers, String body, boolean tunnel)
      throws IOException {
    this.tunnel = tunnel;
    this.socket = socket;
    this.out = socket.getOutputStream();
    this.status = status;
    this.responseHeaders = headers;
    this.responseBody = body;
    this.codec = new EmbeddedChannel(new SpdyFrameCodec(SpdyVersion.SPDY_3_1));
    if (status == 101) {
      Thread reader = new Thread(this::readLoop, "spdy-test-client-reader");
      reader.setDaemon(true);
      reader.start();
    }
  }

  /** Sends the upgrade request; check {@link #status} for the answer. */
  static SpdyTestClient connect(int port, String pathAndQuery, String... protocols)
      throws IOException {
    StringBuilder request =
        new StringBuilder("POST " + pathAndQuery + " HTTP/1.1\r\n")
            .append("Host: 127.0.0.1:")
            .append(port)
            .append("\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n");
    for (String protocol : protocols) {
      request.append("X-Stream-Protocol-Version: ").append(protocol).append("\r\n");
    }
    request.append("Content-Length: 0\r\n\r\n");
    return open(port, request.toString(), false);
  }

  /**
   * Port-forward the way kubectl 1.31+ does it: a WebSocket with subprotocol {@code
   * SPDY/3.1+portforward.k8s.io} whose binary messages carry the SPDY byte stream.
   */
  static SpdyTestClient connectTunnel(int port, String pathAndQuery) throws IOException {
    String request =
        "GET "
            + pathAndQuery
            + " HTTP/1.1\r\nHost: 127.0.0.1:"
            + port
            + "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            + "Sec-WebSocket-Protocol: SPDY/3.1+portforward.k8s.io\r\n\r\n";
    return open(port, request, true);
  }

  private static SpdyTestClient open(int port, String request, boolean tunnel) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout((int) TIMEOUT_MILLIS);
    socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    InputStream in = socket.getInputStream();
    String head = readHead(in);
    String[] lines = head.split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers
          .computeIfAbsent(
              lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
              k -> new java.util.ArrayList<>())
          .add(lines[i].substring(colon + 1).strip());
    }
    String body = "";
    if (status != 101) {
      int length = Integer.parseInt(headers.getOrDefault("content-length", List.of("0")).get(0));
      body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
    return new SpdyTestClient(socket, status, headers, body, tunnel);
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed before the response head ended");
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.US_ASCII).strip();
  }

  String header(String name) {
    List<String> values = responseHeaders.get(name.toLowerCase(Locale.ROOT));
    return values == null ? null : values.get(0);
  }

  private void readLoop() {
    byte[] buffer = new byte[65536];
    try {
      InputStream in = socket.getInputStream();
      int n;
      while ((n = tunnel ? readMessage(in, buffer) : readQuietly(in, buffer)) >= 0) {
        synchronized (lock) {
          codec.writeInbound(Unpooled.copiedBuffer(buffer, 0, n));
          Object frame;
          while ((frame = codec.readInbound()) != null) {
            try {
              onFrame(frame);
            } finally {
              ReferenceCountUtil.release(frame);
            }
          }
          lock.notifyAll();
        }
      }
    } catch (IOException e) {
      // the connection is gone
    } finally {
      synchronized (lock) {
        connectionClosed = true;
        lock.notifyAll();
      }
    }
  }

  /** Reads WebSocket frames until a data frame; returns its length or -1 on close. */
  private int readMessage(InputStream in, byte[] buffer) throws IOException {
    while (true) {
      int first = in.read();
      int second = in.read();
      if (first < 0 || second < 0) {
        return -1;
      }
      int opcode = first & 0x0f;
      long length = second & 0x7f;
      if (length == 126) {
        length = ((in.read() & 0xff) << 8) | (in.read() & 0xff);
      } else if (length == 127) {
        length = 0;
        for (int i = 0; i < 8; i++) {
          length = (length << 8) | (in.read() & 0xff);
        }
      }
      if (length > buffer.length) {
        throw new IOException("message too large for the test client: " + length);
      }
      byte[] payload = in.readNBytes((int) length);
      if (opcode == 8) {
        return -1;
      }
      if ((opcode == 2 || opcode == 0) && payload.length > 0) {
        System.arraycopy(payload, 0, buffer, 0, payload.length);
        return payload.length;
      }
    }
  }

  /** A masked binary WebSocket frame, as a client must send. */
  private static byte[] maskedBinaryFrame(byte[] payload) {
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    frame.write(0x82);
    if (payload.length < 126) {
      frame.write(0x80 | payload.length);
    } else if (payload.length < 65536) {
      frame.write(0x80 | 126);
      frame.write(payload.length >> 8);
      frame.write(payload.length & 0xff);
    } else {
      frame.write(0x80 | 127);
      for (int i = 7; i >= 0; i--) {
        frame.write((int) (((long) payload.length >> (8 * i)) & 0xff));
      }
    }
    byte[] mask = {0x11, 0x22, 0x33, 0x44};
    frame.writeBytes(mask);
    for (int i = 0; i < payload.length; i++) {
      frame.write(payload[i] ^ mask[i % 4]);
    }
    return frame.toByteArray();
  }

  private int readQuietly(InputStream in, byte[] buffer) throws IOException {
    while (true) {
      try {
        return in.read(buffer);
      } catch (java.net.SocketTimeoutException e) {
        // keep waiting; tests bound their own waits
      }
    }
  }

  private void onFrame(Object frame) {
    if (frame instanceof SpdySynReplyFrame reply) {
      replied.add(reply.streamId());
    } else if (frame instanceof SpdyDataFrame dataFrame) {
      ByteBuf content = dataFrame.content();
      byte[] bytes = new byte[content.readableBytes()];
      content.readBytes(bytes);
      data.computeIfAbsent(dataFrame.streamId(), k -> new ByteArrayOutputStream())
          .writeBytes(bytes);
      if (dataFrame.isLast()) {
        finished.add(dataFrame.streamId());
      }
    } else if (frame instanceof SpdyRstStreamFrame rst) {
      resets.add(rst.streamId());
    } else if (frame instanceof SpdyPingFrame ping) {
      pingReplies.add(ping.id());
    } else if (frame instanceof SpdyGoAwayFrame) {
      goAway = true;
    }
  }

  private void send(Object frame) throws IOException {
    synchronized (lock) {
      codec.writeOutbound(frame);
      ByteBuf encoded;
      while ((encoded = codec.readOutbound()) != null) {
        try {
          byte[] bytes = new byte[encoded.readableBytes()];
          encoded.readBytes(bytes);
          out.write(tunnel ? maskedBinaryFrame(bytes) : bytes);
        } finally {
          encoded.release();
        }
      }
      out.flush();
    }
  }

  /** Opens a stream with the given headers and waits for its SYN_REPLY; -id when it was reset. */
  int openStream(Map<String, String> headers) throws IOException, InterruptedException {
    int id;
    synchronized (lock) {
      id = nextStreamId;
      nextStreamId += 2;
    }
    DefaultSpdySynStreamFrame syn = new DefaultSpdySynStreamFrame(id, 0, (byte) 0);
    headers.forEach((name, value) -> syn.headers().set(name.toLowerCase(Locale.ROOT), value));
    send(syn);
    long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
    synchronized (lock) {
      while (!replied.contains(id) && !resets.contains(id)) {
        waitUntil(deadline, "reply to stream " + id);
      }
      return replied.contains(id) ? id : -id;
    }
  }

  int openStream(String streamType) throws IOException, InterruptedException {
    return openStream(Map.of("streamType", streamType));
  }

  void write(int streamId, byte[] bytes, boolean fin) throws IOException {
    DefaultSpdyDataFrame frame = new DefaultSpdyDataFrame(streamId, Unpooled.wrappedBuffer(bytes));
    frame.setLast(fin);
    send(frame);
  }

  void goAway() throws IOException {
    send(new io.netty.handler.codec.spdy.DefaultSpdyGoAwayFrame(nextStreamId - 2));
  }

  void reset(int streamId) throws IOException {
    send(
        new io.netty.handler.codec.spdy.DefaultSpdyRstStreamFrame(
            streamId, io.netty.handler.codec.spdy.SpdyStreamStatus.CANCEL));
  }

  void fin(int streamId) throws IOException {
    write(streamId, new byte[0], true);
  }

  /** Sends a PING with an odd id and waits for its echo. */
  boolean ping(int id) throws IOException, InterruptedException {
    send(new DefaultSpdyPingFrame(id));
    long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
    synchronized (lock) {
      while (!pingReplies.contains(id)) {
        waitUntil(deadline, "ping reply " + id);
      }
      return true;
    }
  }

  /** Waits until the server has ended its side of the stream (FIN) and returns all its data. */
  byte[] awaitFin(int streamId) throws InterruptedException {
    long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
    synchronized (lock) {
      while (!finished.contains(streamId) && !resets.contains(streamId)) {
        waitUntil(deadline, "FIN on stream " + streamId);
      }
      return received(streamId);
    }
  }

  /** Waits until the stream has received at least {@code length} bytes. */
  byte[] awaitData(int streamId, int length) throws InterruptedException {
    long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
    synchronized (lock) {
      while (received(streamId).length < length) {
        waitUntil(deadline, length + " bytes on stream " + streamId);
      }
      return received(streamId);
    }
  }

  boolean awaitReset(int streamId) throws InterruptedException {
    long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
    synchronized (lock) {
      while (!resets.contains(streamId)) {
        waitUntil(deadline, "RST_STREAM on " + streamId);
      }
      return true;
    }
  }

  boolean awaitGoAway() throws InterruptedException {
    long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
    synchronized (lock) {
      while (!goAway) {
        waitUntil(deadline, "GOAWAY");
      }
      return true;
    }
  }

  boolean awaitConnectionClosed() throws InterruptedException {
    long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
    synchronized (lock) {
      while (!connectionClosed) {
        waitUntil(deadline, "connection close");
      }
      return true;
    }
  }

  private byte[] received(int streamId) {
    ByteArrayOutputStream bytes = data.get(streamId);
    return bytes == null ? new byte[0] : bytes.toByteArray();
  }

  private void waitUntil(long deadline, String what) throws InterruptedException {
    long left = deadline - System.currentTimeMillis();
    if (left <= 0) {
      throw new AssertionError("timed out waiting for " + what);
    }
    if (connectionClosed && !what.equals("connection close")) {
      lock.wait(Math.min(left, 50));
      if (connectionClosed) {
        throw new AssertionError("connection closed while waiting for " + what);
      }
    }
    lock.wait(left);
  }

  @Override
  public void close() throws IOException {
    socket.close();
    synchronized (lock) {
      codec.finishAndReleaseAll();
    }
  }
}
