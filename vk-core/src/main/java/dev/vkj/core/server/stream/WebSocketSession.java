package dev.vkj.core.server.stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The channel framing shared by the WebSocket variants: every message is one channel byte plus the
 * payload; base64 protocols use the channel digit and base64 text in text frames.
 */
abstract class WebSocketSession extends StreamingConnection {
  private static final Logger LOG = LoggerFactory.getLogger(WebSocketSession.class);

  /** How long to wait for the client's close frame after ours. */
  static final long CLOSE_GRACE_MILLIS = 2000;

  private final boolean base64;
  private boolean closing;

  WebSocketSession(boolean base64) {
    this.base64 = base64;
  }

  /** The handshake response has been written; start the session. Runs on the event loop. */
  abstract void start();

  /** A message for a channel; the payload is released by the caller. */
  protected abstract void onMessage(int channelId, ByteBuf payload);

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof PingWebSocketFrame ping) {
        ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
      } else if (msg instanceof CloseWebSocketFrame) {
        if (closing) {
          ctx.close();
        } else {
          LOG.debug("client closed the WebSocket");
          closing = true;
          onDisconnect();
          ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE))
              .addListener(ChannelFutureListener.CLOSE);
        }
      } else if (msg instanceof BinaryWebSocketFrame || msg instanceof TextWebSocketFrame) {
        decode((WebSocketFrame) msg);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void decode(WebSocketFrame frame) {
    ByteBuf content = frame.content();
    if (!content.isReadable()) {
      return;
    }
    if (!base64) {
      int channelId = content.readUnsignedByte();
      onMessage(channelId, content);
      return;
    }
    String text = content.toString(StandardCharsets.US_ASCII);
    char digit = text.charAt(0);
    if (digit < '0' || digit > '9') {
      LOG.debug("dropping base64 message with channel '{}'", digit);
      return;
    }
    byte[] payload;
    try {
      payload = Base64.getDecoder().decode(text.substring(1).strip());
    } catch (IllegalArgumentException e) {
      LOG.debug("dropping message with invalid base64 on channel {}", digit);
      return;
    }
    onMessage(digit - '0', Unpooled.wrappedBuffer(payload));
  }

  /** Builds the frame for one message; takes ownership of {@code data}. */
  protected WebSocketFrame frame(int channelId, ByteBuf data) {
    if (!base64) {
      return new BinaryWebSocketFrame(
          Unpooled.wrappedBuffer(Unpooled.wrappedBuffer(new byte[] {(byte) channelId}), data));
    }
    try {
      byte[] bytes = new byte[data.readableBytes()];
      data.readBytes(bytes);
      String text = (char) ('0' + channelId) + Base64.getEncoder().encodeToString(bytes);
      return new TextWebSocketFrame(text);
    } finally {
      data.release();
    }
  }

  /** Sends one message from any thread. */
  protected void send(int channelId, byte[] data) {
    channel.writeAndFlush(frame(channelId, Unpooled.wrappedBuffer(data)));
  }

  protected ChannelOutputStream output(int channelId) {
    return new ChannelOutputStream(channel, gate) {
      @Override
      protected Object frame(ByteBuf chunk) {
        return WebSocketSession.this.frame(channelId, chunk);
      }
    };
  }

  /** Normal end: our close frame, then close when the client answers or after a grace period. */
  protected void closeSession() {
    channel
        .eventLoop()
        .execute(
            () -> {
              if (closing) {
                return;
              }
              closing = true;
              channel
                  .writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE))
                  .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
              channel
                  .eventLoop()
                  .schedule(() -> channel.close(), CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
            });
  }
}
