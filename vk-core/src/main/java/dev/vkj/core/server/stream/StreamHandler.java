package dev.vkj.core.server.stream;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;

/**
 * Takes over an HTTP connection for a streaming session. The HTTP layer authenticates, authorizes
 * and validates the request, checks that the provider has the capability, and then hands the
 * connection here. The pipeline at that point is {@code ssl, http-codec, http-aggregator, router}
 * (names as given); the handler may remove or replace everything after {@code ssl}.
 */
public interface StreamHandler {
  /**
   * Answers the upgrade (SPDY/3.1 or WebSocket) and runs the session, or answers a 4xx/5xx HTTP
   * response when the upgrade cannot be served. Must not block the event loop.
   */
  void handle(ChannelHandlerContext ctx, FullHttpRequest request, StreamRequest target);
}
