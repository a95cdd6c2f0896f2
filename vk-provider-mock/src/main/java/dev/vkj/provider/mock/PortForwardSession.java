package dev.vkj.provider.mock;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The simulated server behind every declared container port: an HTTP request gets a small HTML page
 * and the connection closes; anything else is echoed back until the client closes.
 */
final class PortForwardSession {
  private static final List<String> METHODS =
      List.of(
          "GET ", "HEAD ", "POST ", "PUT ", "DELETE ", "OPTIONS ", "PATCH ", "CONNECT ", "TRACE ");
  private static final int MAX_HEADER_BYTES = 64 * 1024;

  private PortForwardSession() {}

  static void serve(
      InputStream in, OutputStream out, String pod, String container, int port, String node)
      throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    // Read until the first bytes tell whether this is HTTP.
    while (true) {
      int n = in.read(buffer);
      if (n < 0) {
        if (head.size() > 0) {
          out.write(head.toByteArray());
          out.flush();
        }
        return;
      }
      head.write(buffer, 0, n);
      String start = head.toString(StandardCharsets.ISO_8859_1);
      Boolean http = classify(start);
      if (http == null) {
        continue;
      }
      if (http) {
        answerHttp(in, out, head, pod, container, port, node);
        return;
      }
      out.write(head.toByteArray());
      out.flush();
      break;
    }
    echo(in, out, buffer);
  }

  /** True for an HTTP request line, false for anything else, null while undecided. */
  static Boolean classify(String start) {
    boolean prefix = false;
    for (String method : METHODS) {
      if (start.startsWith(method)) {
        return true;
      }
      if (method.startsWith(start)) {
        prefix = true;
      }
    }
    return prefix ? null : false;
  }

  private static void answerHttp(
      InputStream in,
      OutputStream out,
      ByteArrayOutputStream head,
      String pod,
      String container,
      int port,
      String node)
      throws IOException {
    byte[] buffer = new byte[4096];
    while (!head.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n")
        && !head.toString(StandardCharsets.ISO_8859_1).contains("\n\n")
        && head.size() < MAX_HEADER_BYTES) {
      int n = in.read(buffer);
      if (n < 0) {
        break;
      }
      head.write(buffer, 0, n);
    }
    String request = head.toString(StandardCharsets.ISO_8859_1);
    boolean isHead = request.startsWith("HEAD ");
    String body =
        "<!DOCTYPE html>\n<html>\n<head><title>Welcome to vkj</title></head>\n<body>\n"
            + "<h1>Welcome to vkj</h1>\n<p>Served by pod "
            + escape(pod)
            + ", container "
            + escape(container)
            + ", port "
            + port
            + ", on virtual node "
            + escape(node)
            + " (mock provider).</p>\n</body>\n</html>\n";
    byte[] bodyBytes = body.getBytes(StandardCharsets.UTF_8);
    String headers =
        "HTTP/1.1 200 OK\r\n"
            + "Content-Type: text/html; charset=utf-8\r\n"
            + "Content-Length: "
            + bodyBytes.length
            + "\r\n"
            + "Server: vkj-mock\r\n"
            + "Connection: close\r\n\r\n";
    out.write(headers.getBytes(StandardCharsets.ISO_8859_1));
    if (!isHead) {
      out.write(bodyBytes);
    }
    out.flush();
  }

  private static void echo(InputStream in, OutputStream out, byte[] buffer) throws IOException {
    while (true) {
      int n = in.read(buffer);
      if (n < 0) {
        return;
      }
      out.write(buffer, 0, n);
      out.flush();
    }
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
