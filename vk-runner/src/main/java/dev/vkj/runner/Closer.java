package dev.vkj.runner;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.LoggerFactory;

/** Closes registered resources once, in reverse order, logging failures instead of throwing. */
final class Closer implements AutoCloseable {
  private final Deque<AutoCloseable> resources = new ArrayDeque<>();
  private boolean closed;

  synchronized <T extends AutoCloseable> T register(T resource) {
    if (closed) {
      throw new IllegalStateException("already closed");
    }
    resources.push(resource);
    return resource;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    while (!resources.isEmpty()) {
      AutoCloseable resource = resources.pop();
      try {
        resource.close();
      } catch (Exception | LinkageError e) {
        LoggerFactory.getLogger(Closer.class).warn("failed to close {}", resource, e);
      }
    }
  }
}
