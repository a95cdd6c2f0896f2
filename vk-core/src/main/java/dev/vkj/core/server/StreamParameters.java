package dev.vkj.core.server;

import static io.netty.handler.codec.http.HttpResponseStatus.BAD_REQUEST;

import dev.vkj.core.server.stream.StreamRequest;
import dev.vkj.core.server.stream.StreamRequest.Kind;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The query of {@code /exec}, {@code /attach} and {@code /portForward}, parsed like the kubelet:
 * {@code input}, {@code output}, {@code error} and {@code tty} are true only for the value {@code
 * 1}; with a TTY stderr is dropped; at least one stream is needed. Errors are JSON {@code Status}
 * bodies, which kubectl prints as they are.
 */
final class StreamParameters {
  private StreamParameters() {}

  /**
   * Exec or attach options. {@code containerTty} is the container's {@code tty} flag: attach uses
   * it instead of the query, because a running process cannot change its terminal.
   */
  static StreamRequest execOrAttach(
      Kind kind,
      String namespace,
      String pod,
      String container,
      RequestPath path,
      boolean containerTty)
      throws HttpError {
    boolean tty = "1".equals(path.param("tty"));
    boolean stdin = "1".equals(path.param("input"));
    boolean stdout = "1".equals(path.param("output"));
    boolean stderr = "1".equals(path.param("error"));
    if (tty) {
      stderr = false;
    }
    if (!stdin && !stdout && !stderr) {
      throw new HttpError(
          BAD_REQUEST, "you must specify at least 1 of stdin, stdout, stderr", true);
    }
    List<String> command = List.of();
    if (kind == Kind.EXEC) {
      command = path.params("command");
      if (command.isEmpty()) {
        throw new HttpError(BAD_REQUEST, "you must specify a command to run", true);
      }
    } else {
      tty = containerTty;
      stderr = stderr && !tty;
    }
    return new StreamRequest(
        kind, namespace, pod, container, command, stdin, stdout, stderr, tty, List.of());
  }

  /** The WebSocket subprotocol that carries SPDY port-forward streams. */
  static final String PORT_FORWARD_TUNNEL = "SPDY/3.1+portforward.k8s.io";

  /** Checks the exec/attach query without a pod (the query is validated before the pod lookup). */
  static void checkStreams(RequestPath path) throws HttpError {
    boolean tty = "1".equals(path.param("tty"));
    boolean any =
        "1".equals(path.param("input"))
            || "1".equals(path.param("output"))
            || ("1".equals(path.param("error")) && !tty);
    if (!any) {
      throw new HttpError(
          BAD_REQUEST, "you must specify at least 1 of stdin, stdout, stderr", true);
    }
  }

  /**
   * Port-forward options. Only a WebSocket request carries ports, in the {@code port} parameter
   * (repeated and/or comma-separated; {@code ports} is accepted too); SPDY sends them per stream.
   */
  static StreamRequest portForward(
      String namespace, String pod, RequestPath path, HttpHeaders headers) throws HttpError {
    List<Integer> ports = new ArrayList<>();
    // kubectl 1.31+ tunnels SPDY through the WebSocket and names ports per stream, as over SPDY
    if (isWebSocket(headers) && !offersTunnel(headers)) {
      List<String> values = new ArrayList<>(path.params("port"));
      values.addAll(path.params("ports"));
      if (values.isEmpty()) {
        throw new HttpError(BAD_REQUEST, "query parameter \"port\" is required", true);
      }
      for (String value : values) {
        if (value.isEmpty()) {
          throw new HttpError(BAD_REQUEST, "query parameter \"port\" cannot be empty", true);
        }
        for (String part : value.split(",", -1)) {
          int port = parsePort(part, value);
          if (port < 1) {
            throw new HttpError(BAD_REQUEST, "port \"" + value + "\" must be > 0", true);
          }
          ports.add(port);
        }
      }
    }
    return new StreamRequest(
        Kind.PORT_FORWARD, namespace, pod, "", List.of(), false, false, false, false, ports);
  }

  private static int parsePort(String part, String value) throws HttpError {
    if (!part.matches("[0-9]{1,5}") || Integer.parseInt(part) > 65535) {
      throw new HttpError(BAD_REQUEST, "unable to parse \"" + value + "\" as a port", true);
    }
    return Integer.parseInt(part);
  }

  /**
   * Like Go's {@code wsstream.IsWebSocketRequest}: Connection has upgrade, Upgrade is websocket.
   */
  static boolean offersTunnel(HttpHeaders headers) {
    for (String value : headers.getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL)) {
      for (String protocol : value.split(",")) {
        if (protocol.strip().equals(PORT_FORWARD_TUNNEL)) {
          return true;
        }
      }
    }
    return false;
  }

  static boolean isWebSocket(HttpHeaders headers) {
    String connection = headers.get(HttpHeaderNames.CONNECTION, "").toLowerCase(Locale.ROOT);
    String upgrade = headers.get(HttpHeaderNames.UPGRADE, "").trim().toLowerCase(Locale.ROOT);
    return connection.contains("upgrade") && upgrade.equals("websocket");
  }
}
