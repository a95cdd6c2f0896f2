package dev.vkj.core.server.stream;

import static java.util.Objects.requireNonNull;

import dev.vkj.spi.ContainerExec;
import dev.vkj.spi.PortForward;
import dev.vkj.spi.Provider;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyVersion;
import io.netty.handler.timeout.IdleStateHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code /exec}, {@code /attach} and {@code /portForward} on a connection handed over by the
 * HTTP layer: negotiates SPDY/3.1 or WebSocket, replaces the HTTP handlers with the streaming
 * codecs and bridges the streams to the provider's {@link ContainerExec} and {@link PortForward}
 * calls, which run on the blocking executor.
 *
 * <p>An upgrade that cannot be served is answered with a plain-text 4xx response, so that kubectl
 * can fall back from WebSocket to SPDY.
 */
public final class ProviderStreamHandler implements StreamHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ProviderStreamHandler.class);

  /** Bytes buffered per inbound stream before the connection stops reading. */
  static final int INBOUND_CAPACITY = 256 * 1024;

  /** Largest WebSocket message accepted from a client. */
  static final int MAX_WEBSOCKET_MESSAGE = 1024 * 1024;

  /** Ports of one WebSocket port-forward: channels 2i and 2i+1 must fit in a byte. */
  static final int MAX_WEBSOCKET_PORTS = 127;

  private static final String SSL = "ssl";
  private static final String X_STREAM_PROTOCOL_VERSION = "X-Stream-Protocol-Version";
  private static final String X_ACCEPTED_STREAM_PROTOCOL_VERSIONS =
      "X-Accepted-Stream-Protocol-Versions";

  private final Provider provider;
  private final ExecutorService blockingExecutor;
  private final Duration streamIdleTimeout;
  private final Duration streamCreationTimeout;

  /**
   * @param provider the provider; it must implement {@link ContainerExec} for exec and attach and
   *     {@link PortForward} for port-forward (others are answered with 501)
   * @param blockingExecutor runs the blocking provider calls, one thread per active session or
   *     forwarded connection, and the resize listeners; use an unbounded or generously sized pool
   * @param streamIdleTimeout a connection without any traffic for this long is closed
   * @param streamCreationTimeout how long a client may take to open the streams of a session
   */
  public ProviderStreamHandler(
      Provider provider,
      ExecutorService blockingExecutor,
      Duration streamIdleTimeout,
      Duration streamCreationTimeout) {
    this.provider = requireNonNull(provider, "provider is null");
    this.blockingExecutor = requireNonNull(blockingExecutor, "blockingExecutor is null");
    this.streamIdleTimeout = positive(streamIdleTimeout, "streamIdleTimeout");
    this.streamCreationTimeout = positive(streamCreationTimeout, "streamCreationTimeout");
  }

  private static Duration positive(Duration value, String name) {
    requireNonNull(value, name + " is null");
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
    return value;
  }

  @Override
  public void handle(ChannelHandlerContext ctx, FullHttpRequest request, StreamRequest target) {
    requireNonNull(ctx, "ctx is null");
    requireNonNull(request, "request is null");
    requireNonNull(target, "target is null");
    if (!ctx.executor().inEventLoop()) {
      request.retain();
      ctx.executor()
          .execute(
              () -> {
                try {
                  handle(ctx, request, target);
                } finally {
                  request.release();
                }
              });
      return;
    }
    try {
      dispatch(ctx, request, target);
    } catch (RuntimeException e) {
      LOG.warn(
          "failed to start a streaming session for pod {}/{}", target.namespace(), target.pod(), e);
      respond(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error", Map.of());
    }
  }

  private void dispatch(ChannelHandlerContext ctx, FullHttpRequest request, StreamRequest target) {
    boolean portForward = target.kind() == StreamRequest.Kind.PORT_FORWARD;
    if (portForward ? !(provider instanceof PortForward) : !(provider instanceof ContainerExec)) {
      respond(ctx, HttpResponseStatus.NOT_IMPLEMENTED, "501 not implemented", Map.of());
      return;
    }
    if (!portForward && !target.stdin() && !target.stdout() && !target.stderr()) {
      respond(
          ctx,
          HttpResponseStatus.BAD_REQUEST,
          "you must specify at least 1 of stdin, stdout, stderr",
          Map.of());
      return;
    }
    HttpHeaders headers = request.headers();
    String connection = headers.get(HttpHeaderNames.CONNECTION);
    String upgrade = headers.get(HttpHeaderNames.UPGRADE);
    if (Protocols.containsToken(connection, "upgrade")
        && upgrade != null
        && upgrade.strip().equalsIgnoreCase("websocket")) {
      webSocket(ctx, request, target);
    } else {
      spdy(ctx, request, target, connection, upgrade);
    }
  }

  private void spdy(
      ChannelHandlerContext ctx,
      FullHttpRequest request,
      StreamRequest target,
      String connection,
      String upgrade) {
    boolean portForward = target.kind() == StreamRequest.Kind.PORT_FORWARD;
    List<String> supported =
        portForward ? Protocols.SPDY_PORT_FORWARD : Protocols.SPDY_REMOTE_COMMAND;
    List<String> offered =
        Protocols.splitHeaderValues(request.headers().getAll(X_STREAM_PROTOCOL_VERSION));
    if (offered.isEmpty()) {
      respond(
          ctx,
          HttpResponseStatus.BAD_REQUEST,
          "unable to upgrade: " + X_STREAM_PROTOCOL_VERSION + " is required",
          Map.of());
      return;
    }
    Optional<String> chosen = Protocols.negotiate(offered, supported);
    if (chosen.isEmpty()) {
      respond(
          ctx,
          HttpResponseStatus.FORBIDDEN,
          "unable to upgrade: unable to negotiate protocol: client supports "
              + goList(offered)
              + ", server accepts "
              + goList(supported),
          Map.of(X_ACCEPTED_STREAM_PROTOCOL_VERSIONS, supported));
      return;
    }
    if (!Protocols.containsToken(connection, "upgrade")
        || !Protocols.containsToken(upgrade, "spdy/3.1")) {
      respond(
          ctx,
          HttpResponseStatus.BAD_REQUEST,
          "unable to upgrade: missing upgrade headers in request: Connection="
              + goList(headersOrEmpty(connection))
              + " Upgrade="
              + goList(headersOrEmpty(upgrade)),
          Map.of());
      return;
    }
    String protocol = chosen.get();
    SpdySession session =
        portForward
            ? new SpdyPortForwardSession(
                (PortForward) provider,
                target,
                blockingExecutor,
                streamCreationTimeout,
                INBOUND_CAPACITY)
            : new SpdyExecSession(
                (ContainerExec) provider,
                target,
                protocol,
                blockingExecutor,
                streamCreationTimeout,
                INBOUND_CAPACITY);

    FullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS);
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
    response.headers().set(HttpHeaderNames.UPGRADE, "SPDY/3.1");
    response.headers().set(X_STREAM_PROTOCOL_VERSION, protocol);
    Channel channel = ctx.channel();
    List<String> httpHandlers = handlersAfterSsl(channel.pipeline());
    // encoded synchronously by the HTTP codec, which is removed right after
    channel.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    ChannelPipeline pipeline = channel.pipeline();
    pipeline.addLast("stream-idle", idleHandler());
    pipeline.addLast("spdy-codec", new SpdyFrameCodec(SpdyVersion.SPDY_3_1));
    pipeline.addLast("spdy-session", session);
    removeAll(pipeline, httpHandlers);
    // one line per session: operators (and the e2e suite) see which transport a client used
    LOG.info(
        "{} session over SPDY ({}) for pod {}/{}",
        kindName(target),
        protocol,
        target.namespace(),
        target.pod());
  }

  private void webSocket(ChannelHandlerContext ctx, FullHttpRequest request, StreamRequest target) {
    boolean portForward = target.kind() == StreamRequest.Kind.PORT_FORWARD;
    if (!HttpMethod.GET.equals(request.method())) {
      respond(ctx, HttpResponseStatus.BAD_REQUEST, "a WebSocket upgrade must use GET", Map.of());
      return;
    }
    List<String> supported = portForward ? portForwardSubprotocols() : Protocols.WS_REMOTE_COMMAND;
    List<String> offered =
        Protocols.splitHeaderValues(
            request.headers().getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL));
    String protocol;
    if (offered.isEmpty()) {
      // no subprotocol at all: binary channels with the v1 status rules, as the kubelet does
      protocol = "";
    } else {
      Optional<String> chosen = Protocols.negotiate(offered, supported);
      if (chosen.isEmpty()) {
        respond(
            ctx,
            HttpResponseStatus.FORBIDDEN,
            "unable to upgrade: unsupported WebSocket subprotocol "
                + goList(offered)
                + " for "
                + (portForward ? "port-forward" : "exec/attach")
                + ", server accepts "
                + goList(supported),
            Map.of());
        return;
      }
      protocol = chosen.get();
    }
    // the SPDY tunnel carries ports in stream headers; the channel form needs the query
    boolean tunnel = protocol.equals(WebSocketTunnelCodec.SUBPROTOCOL);
    if (portForward && !tunnel && target.ports().isEmpty()) {
      respond(
          ctx, HttpResponseStatus.BAD_REQUEST, "query parameter \"port\" is required", Map.of());
      return;
    }
    if (portForward && !tunnel) {
      String problem = checkPorts(target.ports());
      if (problem != null) {
        respond(ctx, HttpResponseStatus.BAD_REQUEST, problem, Map.of());
        return;
      }
    }
    WebSocketServerHandshaker handshaker =
        new WebSocketServerHandshakerFactory(
                "ws://" + request.headers().get(HttpHeaderNames.HOST, "localhost") + request.uri(),
                protocol.isEmpty() ? null : protocol,
                false,
                MAX_WEBSOCKET_MESSAGE)
            .newHandshaker(request);
    if (handshaker == null) {
      WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel())
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    WebSocketSession session =
        tunnel
            ? null
            : portForward
                ? new WebSocketPortForwardSession(
                    (PortForward) provider, target, protocol, blockingExecutor, INBOUND_CAPACITY)
                : new WebSocketExecSession(
                    (ContainerExec) provider, target, protocol, blockingExecutor, INBOUND_CAPACITY);
    Channel channel = ctx.channel();
    ChannelPipeline pipeline = channel.pipeline();
    List<String> before = handlersAfterSsl(pipeline);
    ChannelPromise handshakeDone = channel.newPromise();
    HttpHeaders responseHeaders = null;
    if (tunnel) {
      responseHeaders = new DefaultHttpHeaders();
      responseHeaders.set(X_STREAM_PROTOCOL_VERSION, Protocols.PORT_FORWARD);
    }
    try {
      handshaker.handshake(channel, request, responseHeaders, handshakeDone);
    } catch (RuntimeException e) {
      respond(ctx, HttpResponseStatus.BAD_REQUEST, "invalid WebSocket handshake", Map.of());
      return;
    }
    // the handshaker swaps the HTTP codec for the WebSocket codec itself; drop the rest
    List<String> leftovers = new ArrayList<>();
    for (String name : before) {
      ChannelHandler handler = pipeline.get(name);
      if (handler != null
          && !(handler instanceof HttpServerCodec)
          && !(handler instanceof HttpRequestDecoder)
          && !(handler instanceof HttpResponseEncoder)) {
        leftovers.add(name);
      }
    }
    removeAll(pipeline, leftovers);
    pipeline.addLast("stream-idle", idleHandler());
    if (tunnel) {
      pipeline.addLast("ws-tunnel", new WebSocketTunnelCodec());
      pipeline.addLast("spdy-codec", new SpdyFrameCodec(SpdyVersion.SPDY_3_1));
      pipeline.addLast(
          "spdy-session",
          new SpdyPortForwardSession(
              (PortForward) provider,
              target,
              blockingExecutor,
              streamCreationTimeout,
              INBOUND_CAPACITY));
    } else {
      pipeline.addLast("ws-aggregator", new WebSocketFrameAggregator(MAX_WEBSOCKET_MESSAGE));
      pipeline.addLast("ws-session", session);
    }
    handshakeDone.addListener(
        future -> {
          if (future.isSuccess()) {
            if (session != null) {
              session.start();
            }
          } else {
            LOG.debug("WebSocket handshake failed: {}", future.cause().toString());
            channel.close();
          }
        });
    LOG.info(
        "{} session over WebSocket ({}) for pod {}/{}",
        kindName(target),
        protocol.isEmpty() ? "no subprotocol" : protocol,
        target.namespace(),
        target.pod());
  }

  private static String kindName(StreamRequest target) {
    return switch (target.kind()) {
      case EXEC -> "exec";
      case ATTACH -> "attach";
      case PORT_FORWARD -> "port-forward";
    };
  }

  /** Two channels per port must fit in the one-byte channel number. */
  private static String checkPorts(List<Integer> ports) {
    if (ports.size() > MAX_WEBSOCKET_PORTS) {
      return "too many ports: at most " + MAX_WEBSOCKET_PORTS + " per WebSocket";
    }
    for (int port : ports) {
      if (port < 1 || port > 65535) {
        return "invalid port " + port + ": must be between 1 and 65535";
      }
    }
    return null;
  }

  private static List<String> portForwardSubprotocols() {
    List<String> all = new ArrayList<>(Protocols.WS_PORT_FORWARD);
    all.add(WebSocketTunnelCodec.SUBPROTOCOL);
    return all;
  }

  private IdleStateHandler idleHandler() {
    // observeOutput: output still draining to a slow client counts as traffic
    return new IdleStateHandler(true, 0, 0, streamIdleTimeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static List<String> handlersAfterSsl(ChannelPipeline pipeline) {
    List<String> names = new ArrayList<>(pipeline.names());
    // the tail context is listed but cannot be removed
    names.removeIf(name -> pipeline.get(name) == null);
    int ssl = names.indexOf(SSL);
    return new ArrayList<>(names.subList(ssl + 1, names.size()));
  }

  private static void removeAll(ChannelPipeline pipeline, List<String> names) {
    // the codec goes last so that bytes it buffered flow into the new handlers
    List<String> ordered = new ArrayList<>(names);
    Collections.reverse(ordered);
    for (String name : ordered) {
      if (pipeline.get(name) != null) {
        pipeline.remove(name);
      }
    }
  }

  private static List<String> headersOrEmpty(String value) {
    return value == null ? List.of() : List.of(value);
  }

  /** Formats a list the way Go prints a string slice: {@code [a b]}. */
  private static String goList(List<String> values) {
    return "[" + String.join(" ", values) + "]";
  }

  /** A plain-text error answer; the connection closes after it. */
  static void respond(
      ChannelHandlerContext ctx,
      HttpResponseStatus status,
      String message,
      Map<String, List<String>> extraHeaders) {
    ByteBuf body = Unpooled.copiedBuffer(message + "\n", StandardCharsets.UTF_8);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    response.headers().set("X-Content-Type-Options", "nosniff");
    response.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    extraHeaders.forEach((name, values) -> response.headers().add(name, values));
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }
}
