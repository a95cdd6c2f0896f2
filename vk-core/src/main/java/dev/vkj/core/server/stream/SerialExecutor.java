package dev.vkj.core.server.stream;

import static java.util.Objects.requireNonNull;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/** Runs tasks one at a time, in submission order, on a shared executor. */
final class SerialExecutor implements Executor {
  private final Executor delegate;
  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
  private boolean running;

  SerialExecutor(Executor delegate) {
    this.delegate = requireNonNull(delegate, "delegate is null");
  }

  @Override
  public void execute(Runnable task) {
    requireNonNull(task, "task is null");
    synchronized (this) {
      tasks.addLast(task);
      if (running) {
        return;
      }
      running = true;
    }
    try {
      delegate.execute(this::drain);
    } catch (RuntimeException e) {
      synchronized (this) {
        running = false;
        tasks.clear();
      }
      throw e;
    }
  }

  private void drain() {
    while (true) {
      Runnable next;
      synchronized (this) {
        next = tasks.pollFirst();
        if (next == null) {
          running = false;
          return;
        }
      }
      next.run();
    }
  }
}
