package dev.vkj.core.server.stream;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.Objects;

/**
 * Bytes received from the client for one stream, read by the provider on a blocking thread. The
 * buffer is bounded: above {@code capacity} bytes the connection stops reading until the reader has
 * drained half of it.
 */
final class InboundPipe extends InputStream {
  private final int capacity;
  private final ReadThrottle throttle;
  private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
  private byte[] current;
  private int position;
  private long buffered;
  private boolean finished;
  private boolean closed;
  private boolean paused;

  InboundPipe(int capacity, ReadThrottle throttle) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity must be positive: " + capacity);
    }
    this.capacity = capacity;
    this.throttle = requireNonNull(throttle, "throttle is null");
  }

  /** Appends data from the event loop; the buffer is not retained. */
  void offer(ByteBuf data) {
    int length = data.readableBytes();
    if (length == 0) {
      return;
    }
    byte[] bytes = new byte[length];
    data.getBytes(data.readerIndex(), bytes);
    boolean pause = false;
    synchronized (this) {
      if (closed || finished) {
        return;
      }
      chunks.addLast(bytes);
      buffered += length;
      if (!paused && buffered >= capacity) {
        paused = true;
        pause = true;
      }
      notifyAll();
    }
    if (pause) {
      throttle.pause();
    }
  }

  /** The client closed its side: reads return -1 after the buffered data. */
  synchronized void finish() {
    finished = true;
    notifyAll();
  }

  /** Whether the client has closed its side or the pipe was closed. */
  synchronized boolean isFinished() {
    return finished || closed;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    boolean resume = false;
    int n;
    synchronized (this) {
      while (current == null && chunks.isEmpty() && !finished && !closed) {
        try {
          wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while reading from the client");
        }
      }
      if (closed) {
        return -1;
      }
      if (current == null) {
        current = chunks.pollFirst();
        position = 0;
        if (current == null) {
          return -1;
        }
      }
      n = Math.min(len, current.length - position);
      System.arraycopy(current, position, b, off, n);
      position += n;
      if (position == current.length) {
        current = null;
      }
      buffered -= n;
      if (paused && buffered <= capacity / 2) {
        paused = false;
        resume = true;
      }
    }
    if (resume) {
      throttle.resume();
    }
    return n;
  }

  @Override
  public synchronized int available() {
    return (int) Math.min(Integer.MAX_VALUE, buffered);
  }

  /** Discards buffered data; pending and later reads return -1. */
  @Override
  public void close() {
    boolean resume;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      chunks.clear();
      current = null;
      buffered = 0;
      resume = paused;
      paused = false;
      notifyAll();
    }
    if (resume) {
      throttle.resume();
    }
  }
}
