package dev.vkj.core.server.stream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What SPDY and WebSocket sessions share on their connection: write gating on channel writability,
 * read throttling, and one place where every kind of client loss (close, error, idle timeout)
 * becomes {@link #onDisconnect()}.
 */
abstract class StreamingConnection extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(StreamingConnection.class);

  protected Channel channel;
  protected WriteGate gate;
  protected ReadThrottle throttle;

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
    gate = new WriteGate(channel);
    throttle = new ReadThrottle(channel);
    attached(ctx);
  }

  /** The handler is in the pipeline and the fields are set. */
  protected void attached(ChannelHandlerContext ctx) {}

  /** The client went away (connection closed, error, idle timeout): cancel provider calls. */
  protected abstract void onDisconnect();

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    gate.signal();
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    gate.signal();
    onDisconnect();
    ctx.fireChannelInactive();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      LOG.debug("closing idle streaming connection {}", ctx.channel().remoteAddress());
      onDisconnect();
      ctx.close();
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("streaming connection failed: {}", cause.toString());
    onDisconnect();
    ctx.close();
  }
}
