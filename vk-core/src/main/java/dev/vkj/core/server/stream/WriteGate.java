package dev.vkj.core.server.stream;

import static java.util.Objects.requireNonNull;

import io.netty.channel.Channel;
import java.io.IOException;
import java.io.InterruptedIOException;

/**
 * Blocks provider threads while the connection's outbound buffer is above its high-water mark, so a
 * fast producer cannot fill the memory when the client reads slowly.
 */
final class WriteGate {
  private final Channel channel;

  WriteGate(Channel channel) {
    this.channel = requireNonNull(channel, "channel is null");
  }

  /** Waits until the channel is writable; fails when the connection is gone. */
  void await() throws IOException {
    while (!channel.isWritable()) {
      if (!channel.isActive()) {
        throw new IOException("the client closed the connection");
      }
      synchronized (this) {
        try {
          // re-checked with a timeout: a missed signal only costs a short delay
          wait(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while writing to the client");
        }
      }
    }
    if (!channel.isActive()) {
      throw new IOException("the client closed the connection");
    }
  }

  /** Called from the event loop when writability changes. */
  synchronized void signal() {
    notifyAll();
  }
}
