package dev.vkj.core.server;

import static io.netty.handler.codec.http.HttpResponseStatus.BAD_REQUEST;
import static io.netty.handler.codec.http.HttpResponseStatus.INTERNAL_SERVER_ERROR;
import static io.netty.handler.codec.http.HttpResponseStatus.OK;
import static io.netty.handler.codec.http.HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
import static io.netty.handler.codec.http.HttpResponseStatus.REQUEST_URI_TOO_LONG;
import static io.netty.handler.codec.http.HttpResponseStatus.SERVICE_UNAVAILABLE;
import static java.util.Objects.requireNonNull;

import dev.vkj.core.server.auth.RequestCredentials;
import dev.vkj.core.server.stream.StreamHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.ssl.SslHandler;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of every connection ({@code router}). On the event loop it decodes the request
 * target and collects credentials; authentication, authorization and provider calls run on the
 * request executor; the reply is written back on the event loop. One request at a time per
 * connection (reads pause meanwhile); an idle connection is closed after the idle timeout.
 */
final class KubeletRouter extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger LOG = LoggerFactory.getLogger(KubeletRouter.class);
  private static final String WEBSOCKET_BEARER_PREFIX = "base64url.bearer.authorization.k8s.io.";
  private static final int MAX_PIPELINED = 16;

  private final KubeletApi api;
  private final StreamHandler streams;
  private final ServerMetrics metrics;
  private final Executor requestExecutor;
  private final Executor logExecutor;
  private final long idleTimeoutNanos;

  // event-loop confined
  private final ArrayDeque<FullHttpRequest> pending = new ArrayDeque<>();
  private boolean busy;
  private ScheduledFuture<?> idle;

  KubeletRouter(
      KubeletApi api,
      StreamHandler streams,
      ServerMetrics metrics,
      Executor requestExecutor,
      Executor logExecutor,
      long idleTimeoutNanos) {
    super(false);
    this.api = requireNonNull(api, "api is null");
    this.streams = requireNonNull(streams, "streams is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.requestExecutor = requireNonNull(requestExecutor, "requestExecutor is null");
    this.logExecutor = requireNonNull(logExecutor, "logExecutor is null");
    this.idleTimeoutNanos = idleTimeoutNanos;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    armIdle(ctx);
    super.channelActive(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    cancelIdle();
    releasePending();
    super.channelInactive(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    cancelIdle();
    releasePending();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug(
        "kubelet API connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (busy) {
      if (pending.size() >= MAX_PIPELINED) {
        request.release();
        ctx.close();
        return;
      }
      pending.add(request);
      return;
    }
    dispatch(ctx, request);
  }

  private void dispatch(ChannelHandlerContext ctx, FullHttpRequest request) {
    busy = true;
    cancelIdle();
    ctx.channel().config().setAutoRead(false);
    long start = System.nanoTime();
    if (request.decoderResult().isFailure()) {
      Throwable cause = request.decoderResult().cause();
      FullHttpResponse response;
      if (cause instanceof TooLongHttpLineException) {
        response = Responses.text(REQUEST_URI_TOO_LONG, "414 Request-URI Too Long");
      } else if (cause instanceof TooLongHttpHeaderException
          || cause instanceof TooLongFrameException) {
        response =
            Responses.text(REQUEST_HEADER_FIELDS_TOO_LARGE, "431 Request Header Fields Too Large");
      } else {
        response = Responses.text(BAD_REQUEST, "400 Bad Request");
      }
      respond(ctx, request, start, "invalid", response, false);
      return;
    }
    RequestPath path;
    try {
      path = RequestPath.parse(request.uri());
    } catch (IllegalArgumentException e) {
      respond(
          ctx,
          request,
          start,
          "invalid",
          Responses.text(BAD_REQUEST, "400 Bad Request: " + e.getMessage()),
          false);
      return;
    }
    RequestCredentials credentials = credentials(ctx, request);
    try {
      requestExecutor.execute(() -> work(ctx, request, path, credentials, start));
    } catch (RejectedExecutionException e) {
      respond(
          ctx,
          request,
          start,
          "rejected",
          Responses.text(SERVICE_UNAVAILABLE, "the kubelet API is busy, try again"),
          HttpUtil.isKeepAlive(request));
    }
  }

  private void work(
      ChannelHandlerContext ctx,
      FullHttpRequest request,
      RequestPath path,
      RequestCredentials credentials,
      long start) {
    Reply reply;
    try {
      reply = api.handle(request.method(), request.headers(), path, credentials);
    } catch (RuntimeException | Error e) {
      LOG.error("kubelet API request {} {} failed", request.method(), path.path(), e);
      reply = new Reply.Full("unknown", Responses.text(INTERNAL_SERVER_ERROR, "Internal Error"));
    }
    Reply result = reply;
    ctx.executor().execute(() -> apply(ctx, request, result, start));
  }

  private void apply(ChannelHandlerContext ctx, FullHttpRequest request, Reply reply, long start) {
    if (!ctx.channel().isActive()) {
      if (reply instanceof Reply.Logs logs) {
        closeLater(logs.body());
      }
      if (reply instanceof Reply.Full full) {
        full.response().release();
      }
      request.release();
      metrics.record(reply.route(), "disconnected", System.nanoTime() - start);
      return;
    }
    if (reply instanceof Reply.Full full) {
      respond(ctx, request, start, full.route(), full.response(), HttpUtil.isKeepAlive(request));
    } else if (reply instanceof Reply.Logs logs) {
      streamLogs(ctx, request, logs, start);
    } else if (reply instanceof Reply.Stream stream) {
      handOver(ctx, request, stream, start);
    }
  }

  private void respond(
      ChannelHandlerContext ctx,
      FullHttpRequest request,
      long start,
      String route,
      FullHttpResponse response,
      boolean keepAlive) {
    setConnection(request, response, keepAlive);
    String status = Integer.toString(response.status().code());
    request.release();
    ctx.writeAndFlush(response)
        .addListener(
            f -> {
              metrics.record(route, status, System.nanoTime() - start);
              if (keepAlive && f.isSuccess()) {
                finish(ctx);
              } else {
                ctx.close();
              }
            });
  }

  private void streamLogs(
      ChannelHandlerContext ctx, FullHttpRequest request, Reply.Logs logs, long start) {
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    LogStreamer streamer =
        new LogStreamer(
            ctx.channel(),
            logs.body(),
            logs.limitBytes(),
            requestExecutor,
            ok -> ctx.executor().execute(() -> endLogs(ctx, ok, keepAlive, logs.route(), start)));
    try {
      logExecutor.execute(streamer);
    } catch (RejectedExecutionException e) {
      closeLater(logs.body());
      respond(
          ctx,
          request,
          start,
          logs.route(),
          Responses.text(SERVICE_UNAVAILABLE, "too many log streams, try again"),
          keepAlive);
      return;
    }
    // we are on the event loop: this head is written before any chunk the streamer queues
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, OK);
    HttpUtil.setTransferEncodingChunked(head, true);
    setConnection(request, head, keepAlive);
    request.release();
    ctx.writeAndFlush(head);
    streamer.watchDisconnect();
  }

  private void endLogs(
      ChannelHandlerContext ctx, boolean ok, boolean keepAlive, String route, long start) {
    if (!ok || !ctx.channel().isActive()) {
      metrics.record(route, ok ? "200" : "aborted", System.nanoTime() - start);
      ctx.close();
      return;
    }
    ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
        .addListener(
            f -> {
              metrics.record(route, "200", System.nanoTime() - start);
              if (keepAlive && f.isSuccess()) {
                finish(ctx);
              } else {
                ctx.close();
              }
            });
  }

  private void handOver(
      ChannelHandlerContext ctx, FullHttpRequest request, Reply.Stream stream, long start) {
    metrics.record(stream.route(), "stream", System.nanoTime() - start);
    // the stream handler owns the connection from here on; no idle timer of ours
    busy = false;
    ctx.channel().config().setAutoRead(true);
    try {
      streams.handle(ctx, request, stream.target());
    } catch (RuntimeException e) {
      LOG.error("the stream handler failed for {}", stream.route(), e);
      ctx.close();
    } finally {
      if (request.refCnt() > 0) {
        request.release();
      }
    }
  }

  private void finish(ChannelHandlerContext ctx) {
    busy = false;
    FullHttpRequest next = pending.poll();
    if (next != null) {
      dispatch(ctx, next);
      return;
    }
    ctx.channel().config().setAutoRead(true);
    ctx.read();
    armIdle(ctx);
  }

  private static void setConnection(
      FullHttpRequest request, HttpResponse response, boolean keepAlive) {
    if (!keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
  }

  private void armIdle(ChannelHandlerContext ctx) {
    cancelIdle();
    idle =
        ctx.executor()
            .schedule(
                () -> {
                  if (!busy) {
                    LOG.debug(
                        "closing idle kubelet API connection {}", ctx.channel().remoteAddress());
                    ctx.close();
                  }
                },
                idleTimeoutNanos,
                TimeUnit.NANOSECONDS);
  }

  private void cancelIdle() {
    if (idle != null) {
      idle.cancel(false);
      idle = null;
    }
  }

  private void releasePending() {
    FullHttpRequest request;
    while ((request = pending.poll()) != null) {
      request.release();
    }
  }

  private static RequestCredentials credentials(
      ChannelHandlerContext ctx, FullHttpRequest request) {
    List<X509Certificate> certificates = new ArrayList<>();
    SslHandler ssl = ctx.pipeline().get(SslHandler.class);
    if (ssl != null) {
      try {
        for (Certificate certificate : ssl.engine().getSession().getPeerCertificates()) {
          if (certificate instanceof X509Certificate x509) {
            certificates.add(x509);
          }
        }
      } catch (SSLPeerUnverifiedException e) {
        // no client certificate
      }
    }
    return new RequestCredentials(certificates, bearerToken(request));
  }

  /**
   * {@code Authorization: Bearer T}, or for WebSockets the subprotocol {@code
   * base64url.bearer.authorization.k8s.io.<token>}, which is removed from the header so that it
   * does not take part in protocol negotiation.
   */
  static Optional<String> bearerToken(FullHttpRequest request) {
    String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
    if (authorization != null) {
      String[] parts = authorization.trim().split(" ", 3);
      if (parts.length >= 2 && parts[0].equalsIgnoreCase("bearer") && !parts[1].isEmpty()) {
        return Optional.of(parts[1]);
      }
      return Optional.empty();
    }
    List<String> protocols = request.headers().getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
    if (protocols.isEmpty()) {
      return Optional.empty();
    }
    Optional<String> token = Optional.empty();
    List<String> kept = new ArrayList<>();
    for (String header : protocols) {
      for (String entry : header.split(",")) {
        String protocol = entry.trim();
        if (protocol.startsWith(WEBSOCKET_BEARER_PREFIX)) {
          try {
            token =
                Optional.of(
                    new String(
                        Base64.getUrlDecoder()
                            .decode(protocol.substring(WEBSOCKET_BEARER_PREFIX.length())),
                        java.nio.charset.StandardCharsets.UTF_8));
          } catch (IllegalArgumentException e) {
            // not a token; ignored
          }
        } else if (!protocol.isEmpty()) {
          kept.add(protocol);
        }
      }
    }
    if (token.isPresent()) {
      request.headers().remove(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
      if (!kept.isEmpty()) {
        request.headers().set(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, String.join(", ", kept));
      }
    }
    return token.filter(t -> !t.isEmpty());
  }

  private void closeLater(java.io.InputStream in) {
    try {
      requestExecutor.execute(() -> closeQuietly(in));
    } catch (RejectedExecutionException e) {
      closeQuietly(in);
    }
  }

  private static void closeQuietly(java.io.InputStream in) {
    try {
      in.close();
    } catch (java.io.IOException | RuntimeException e) {
      LOG.debug("closing the container log failed", e);
    }
  }
}
