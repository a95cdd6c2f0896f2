package dev.vkj.core.server.stream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.List;

/**
 * Carries a SPDY/3.1 byte stream inside binary WebSocket messages ({@code
 * SPDY/3.1+portforward.k8s.io}, the tunnel kubectl 1.31+ uses for port-forward). Message boundaries
 * carry no meaning: the payloads are concatenated.
 */
final class WebSocketTunnelCodec extends MessageToMessageCodec<WebSocketFrame, ByteBuf> {
  static final String SUBPROTOCOL = "SPDY/3.1+" + Protocols.PORT_FORWARD;

  @Override
  protected void encode(ChannelHandlerContext ctx, ByteBuf msg, List<Object> out) {
    out.add(new BinaryWebSocketFrame(msg.retain()));
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, WebSocketFrame frame, List<Object> out) {
    if (frame instanceof BinaryWebSocketFrame || frame instanceof ContinuationWebSocketFrame) {
      if (frame.content().isReadable()) {
        out.add(frame.content().retain());
      }
    } else if (frame instanceof PingWebSocketFrame) {
      ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
    } else if (frame instanceof CloseWebSocketFrame) {
      ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE))
          .addListener(ChannelFutureListener.CLOSE);
    }
    // text and pong frames carry nothing for the tunnel
  }
}
