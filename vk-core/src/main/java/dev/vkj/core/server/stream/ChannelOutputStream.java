package dev.vkj.core.server.stream;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * An output stream for one logical stream of a session (a SPDY stream or a WebSocket channel). Each
 * write becomes one or more frames; writes block while the connection is not writable.
 */
abstract class ChannelOutputStream extends OutputStream {
  static final int MAX_CHUNK = 32 * 1024;

  private final Channel channel;
  private final WriteGate gate;
  private boolean closed;
  private boolean aborted;

  ChannelOutputStream(Channel channel, WriteGate gate) {
    this.channel = requireNonNull(channel, "channel is null");
    this.gate = requireNonNull(gate, "gate is null");
  }

  /** Wraps a chunk of data into the protocol's frame; takes ownership of the buffer. */
  protected abstract Object frame(ByteBuf chunk);

  /** Sends the protocol's end-of-stream signal, if it has one. */
  protected void sendEnd() {}

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    while (len > 0) {
      checkOpen();
      gate.await();
      int chunk = Math.min(len, MAX_CHUNK);
      ByteBuf buf = channel.alloc().buffer(chunk);
      buf.writeBytes(b, off, chunk);
      channel.writeAndFlush(frame(buf));
      off += chunk;
      len -= chunk;
    }
  }

  @Override
  public void flush() throws IOException {
    checkOpen();
  }

  /** Ends the stream normally: the client sees end-of-file. Idempotent. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed || aborted) {
        return;
      }
      closed = true;
    }
    if (channel.isActive()) {
      sendEnd();
    }
  }

  /** The client went away: later writes fail and no end signal is sent. */
  synchronized void abort() {
    aborted = true;
  }

  private synchronized void checkOpen() throws IOException {
    if (aborted) {
      throw new IOException("the client closed the connection");
    }
    if (closed) {
      throw new IOException("stream closed");
    }
  }
}
