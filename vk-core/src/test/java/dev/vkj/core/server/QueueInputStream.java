package dev.vkj.core.server;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/** A log stream the test feeds line by line; close() unblocks a pending read like a provider's. */
final class QueueInputStream extends InputStream {
  private static final byte[] END = new byte[0];

  private final LinkedBlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private byte[] current = new byte[0];
  private int position;

  void add(String text) {
    chunks.add(text.getBytes(StandardCharsets.UTF_8));
  }

  void end() {
    chunks.add(END);
  }

  boolean isClosed() {
    return closed.get();
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    while (position >= current.length) {
      if (closed.get()) {
        return -1;
      }
      try {
        current = chunks.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
      position = 0;
      if (current == END) {
        chunks.add(END);
        return -1;
      }
    }
    int n = Math.min(len, current.length - position);
    System.arraycopy(current, position, b, off, n);
    position += n;
    return n;
  }

  @Override
  public void close() {
    closed.set(true);
    chunks.add(END);
  }
}
