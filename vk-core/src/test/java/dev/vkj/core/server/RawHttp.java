package dev.vkj.core.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/** HTTP/1.1 over TLS by hand, for requests a real client refuses to send. */
final class RawHttp implements AutoCloseable {
  record Response(int status, String statusLine, Map<String, List<String>> headers, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    String header(String name) {
      List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
      return values == null ? null : values.get(0);
    }
  }

  private final SSLSocket socket;
  private final InputStream in;
  private final OutputStream out;

  RawHttp(SSLContext context, int port) throws IOException {
    socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
    socket.setSoTimeout(20_000);
    socket.setTcpNoDelay(true);
    socket.startHandshake();
    in = new java.io.BufferedInputStream(socket.getInputStream());
    out = socket.getOutputStream();
  }

  /** One request on a fresh connection that is closed afterwards. */
  static Response exchange(SSLContext context, int port, String request) throws IOException {
    try (RawHttp http = new RawHttp(context, port)) {
      http.send(request);
      return http.read(request.startsWith("HEAD "));
    }
  }

  void send(String request) throws IOException {
    send(request.getBytes(StandardCharsets.ISO_8859_1));
  }

  void send(byte[] request) throws IOException {
    out.write(request);
    out.flush();
  }

  InputStream input() {
    return in;
  }

  SSLSocket socket() {
    return socket;
  }

  /** Reads one response; its body by Content-Length, chunked encoding, or until the end. */
  Response read(boolean head) throws IOException {
    String statusLine = line();
    if (statusLine == null) {
      throw new IOException("connection closed before a response");
    }
    if (!statusLine.matches("HTTP/1\\.[01] \\d{3} .*")) {
      throw new IOException("malformed status line: " + statusLine);
    }
    int status = Integer.parseInt(statusLine.substring(9, 12));
    Map<String, List<String>> headers = new LinkedHashMap<>();
    String line;
    while (!(line = line()).isEmpty()) {
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new IOException("malformed header: " + line);
      }
      headers
          .computeIfAbsent(
              line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
          .add(line.substring(colon + 1).trim());
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    List<String> length = headers.get("content-length");
    List<String> encoding = headers.get("transfer-encoding");
    if (head || status == 101 || status == 204 || status == 304) {
      // no body
    } else if (encoding != null && encoding.get(0).equalsIgnoreCase("chunked")) {
      while (true) {
        String size = line();
        int n = Integer.parseInt(size.split(";")[0].trim(), 16);
        if (n == 0) {
          while (!line().isEmpty()) {
            // trailers
          }
          break;
        }
        body.write(in.readNBytes(n));
        if (!line().isEmpty()) {
          throw new IOException("malformed chunk");
        }
      }
    } else if (length != null) {
      int n = Integer.parseInt(length.get(0));
      byte[] bytes = in.readNBytes(n);
      if (bytes.length != n) {
        throw new IOException("short body");
      }
      body.write(bytes);
    } else {
      body.write(in.readAllBytes());
    }
    return new Response(status, statusLine, headers, body.toByteArray());
  }

  /** One CRLF-terminated line, or null at the end of the stream. */
  String line() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        byte[] bytes = line.toByteArray();
        int n =
            bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
      }
      line.write(c);
    }
    if (line.size() == 0) {
      return null;
    }
    throw new IOException("truncated line");
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
