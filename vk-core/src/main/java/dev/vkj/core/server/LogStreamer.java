package dev.vkj.core.server;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpContent;
import java.io.IOException;
import java.io.InputStream;
import java.util.OptionalLong;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies a provider's log stream to the client on a worker thread: one chunk per read, flushed at
 * once, waiting while the channel is not writable. Stops at the end of the stream, at {@code
 * limitBytes}, or when the client goes away; then closes the provider stream.
 */
final class LogStreamer implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(LogStreamer.class);
  private static final int CHUNK = 8192;

  private final Channel channel;
  private final InputStream body;
  private final OptionalLong limitBytes;
  private final Executor closer;
  private final Consumer<Boolean> done;
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * @param done called once with {@code true} when the body ended normally (the caller writes the
   *     last chunk), {@code false} when the connection must be closed
   */
  LogStreamer(
      Channel channel,
      InputStream body,
      OptionalLong limitBytes,
      Executor closer,
      Consumer<Boolean> done) {
    this.channel = requireNonNull(channel, "channel is null");
    this.body = requireNonNull(body, "body is null");
    this.limitBytes = requireNonNull(limitBytes, "limitBytes is null");
    this.closer = requireNonNull(closer, "closer is null");
    this.done = requireNonNull(done, "done is null");
  }

  /** Closes the provider stream when the client disconnects, to unblock a pending read. */
  void watchDisconnect() {
    ChannelFutureListener listener =
        f -> {
          try {
            closer.execute(this::closeBody);
          } catch (java.util.concurrent.RejectedExecutionException e) {
            closeBody();
          }
        };
    channel.closeFuture().addListener(listener);
  }

  @Override
  public void run() {
    boolean ok = false;
    try {
      long remaining = limitBytes.orElse(Long.MAX_VALUE);
      byte[] buffer = new byte[CHUNK];
      while (remaining > 0 && channel.isActive()) {
        int n = body.read(buffer, 0, (int) Math.min(buffer.length, remaining));
        if (n < 0) {
          break;
        }
        if (n == 0) {
          continue;
        }
        remaining -= n;
        ChannelFuture write =
            channel.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(buffer, 0, n)));
        awaitWritable(write);
      }
      ok = channel.isActive();
    } catch (IOException e) {
      if (channel.isActive() && !closed.get()) {
        LOG.warn("reading the container log failed: {}", e.getMessage());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.warn("streaming the container log failed", e);
    } finally {
      closeBody();
      done.accept(ok);
    }
  }

  // backpressure: a slow client makes the channel unwritable; wait for the queued write to drain
  private void awaitWritable(ChannelFuture write) throws InterruptedException {
    while (!channel.isWritable() && channel.isActive() && !write.isDone()) {
      write.await(1, TimeUnit.SECONDS);
    }
  }

  private void closeBody() {
    if (closed.compareAndSet(false, true)) {
      try {
        body.close();
      } catch (IOException | RuntimeException e) {
        LOG.debug("closing the container log failed", e);
      }
    }
  }
}
