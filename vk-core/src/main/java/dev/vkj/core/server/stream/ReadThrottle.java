package dev.vkj.core.server.stream;

import static java.util.Objects.requireNonNull;

import io.netty.channel.Channel;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stops reading from the socket while any inbound buffer of the connection is full. Go clients
 * ignore SPDY flow control, so TCP backpressure is the only way to slow a fast sender.
 */
final class ReadThrottle {
  private final Channel channel;
  private final AtomicInteger fullBuffers = new AtomicInteger();

  ReadThrottle(Channel channel) {
    this.channel = requireNonNull(channel, "channel is null");
  }

  void pause() {
    if (fullBuffers.getAndIncrement() == 0) {
      channel.config().setAutoRead(false);
    }
  }

  void resume() {
    if (fullBuffers.decrementAndGet() == 0) {
      channel.config().setAutoRead(true);
    }
  }
}
