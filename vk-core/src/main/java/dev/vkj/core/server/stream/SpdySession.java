package dev.vkj.core.server.stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdyGoAwayFrame;
import io.netty.handler.codec.spdy.DefaultSpdyPingFrame;
import io.netty.handler.codec.spdy.DefaultSpdyRstStreamFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynReplyFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyGoAwayFrame;
import io.netty.handler.codec.spdy.SpdyHeaders;
import io.netty.handler.codec.spdy.SpdyPingFrame;
import io.netty.handler.codec.spdy.SpdyRstStreamFrame;
import io.netty.handler.codec.spdy.SpdySessionStatus;
import io.netty.handler.codec.spdy.SpdyStreamStatus;
import io.netty.handler.codec.spdy.SpdySynStreamFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SPDY/3.1 session layer shared by remote command and port-forward: stream bookkeeping,
 * replies, PING echo and shutdown. Flow control is deliberately absent: Go's spdystream neither
 * sends nor honours WINDOW_UPDATE, so enforcing windows would stall every stream after 64 KiB.
 */
abstract class SpdySession extends StreamingConnection {
  private static final Logger LOG = LoggerFactory.getLogger(SpdySession.class);

  /** How long to wait for the client to close after GOAWAY before closing ourselves. */
  static final long CLOSE_GRACE_MILLIS = 2000;

  private int lastClientStreamId;
  private boolean goingAway;

  @Override
  protected void attached(ChannelHandlerContext ctx) {
    started(ctx);
  }

  /** The session handler is in place; the 101 answer has been written. */
  protected abstract void started(ChannelHandlerContext ctx);

  /** A new client stream; it has not been replied to yet. */
  protected abstract void onSynStream(ChannelHandlerContext ctx, SpdySynStreamFrame frame);

  /** Data for a stream; the frame is released by the caller. */
  protected abstract void onData(ChannelHandlerContext ctx, SpdyDataFrame frame);

  /** The client reset a stream. */
  protected abstract void onReset(ChannelHandlerContext ctx, int streamId);

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof SpdySynStreamFrame syn) {
        int id = syn.streamId();
        if (id % 2 == 0 || id <= lastClientStreamId) {
          // client streams are odd and increasing; spdystream answers PROTOCOL_ERROR too
          reset(id, SpdyStreamStatus.PROTOCOL_ERROR);
          return;
        }
        lastClientStreamId = id;
        if (goingAway) {
          reset(id, SpdyStreamStatus.REFUSED_STREAM);
          return;
        }
        onSynStream(ctx, syn);
      } else if (msg instanceof SpdyDataFrame data) {
        onData(ctx, data);
      } else if (msg instanceof SpdyPingFrame ping) {
        // echo pings of the other parity (client pings are odd); ours would be replies
        if ((ping.id() & 1) == 1) {
          ctx.writeAndFlush(new DefaultSpdyPingFrame(ping.id()));
        }
      } else if (msg instanceof SpdyRstStreamFrame rst) {
        onReset(ctx, rst.streamId());
      } else if (msg instanceof SpdyGoAwayFrame) {
        LOG.debug("client sent GOAWAY");
        onDisconnect();
        ctx.close();
      }
      // SETTINGS, WINDOW_UPDATE and HEADERS are ignored, as spdystream does
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  /** SYN_REPLY without FIN. The header block must not be empty: Go's framer rejects that. */
  protected void reply(int streamId, String streamType) {
    DefaultSpdySynReplyFrame reply = new DefaultSpdySynReplyFrame(streamId);
    reply.headers().set("streamtype", streamType.isEmpty() ? "unknown" : streamType);
    channel.writeAndFlush(reply);
  }

  protected void reset(int streamId, SpdyStreamStatus status) {
    channel.writeAndFlush(new DefaultSpdyRstStreamFrame(streamId, status));
  }

  /** Writes data on a stream from any thread (no flow-control window is honoured). */
  protected void write(int streamId, byte[] data, boolean fin) {
    ByteBuf buf = data.length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(data);
    DefaultSpdyDataFrame frame = new DefaultSpdyDataFrame(streamId, buf);
    frame.setLast(fin);
    channel.writeAndFlush(frame);
  }

  /** Half-closes our side of a stream with an empty DATA frame carrying FIN. */
  protected void fin(int streamId) {
    write(streamId, new byte[0], true);
  }

  /** An output stream that sends DATA frames on a stream and FIN on close. */
  protected ChannelOutputStream output(int streamId) {
    return new ChannelOutputStream(channel, gate) {
      @Override
      protected Object frame(ByteBuf chunk) {
        return new DefaultSpdyDataFrame(streamId, chunk);
      }

      @Override
      protected void sendEnd() {
        fin(streamId);
      }
    };
  }

  /**
   * Ends the session: GOAWAY, then close once the client closes or after a short grace period, so
   * that unread client bytes cannot turn our close into a TCP reset that destroys queued data.
   */
  protected void goAway() {
    channel
        .eventLoop()
        .execute(
            () -> {
              if (goingAway) {
                return;
              }
              goingAway = true;
              channel
                  .writeAndFlush(
                      new DefaultSpdyGoAwayFrame(lastClientStreamId, SpdySessionStatus.OK))
                  .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
              channel
                  .eventLoop()
                  .schedule(() -> channel.close(), CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
            });
  }

  protected boolean goingAway() {
    return goingAway;
  }

  static String header(SpdyHeaders headers, String name) {
    String value = headers.getAsString(name);
    if (value == null) {
      value = headers.getAsString(name.toLowerCase(Locale.ROOT));
    }
    return value;
  }
}
