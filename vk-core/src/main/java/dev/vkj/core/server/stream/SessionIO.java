package dev.vkj.core.server.stream;

import static java.util.Objects.requireNonNull;

import dev.vkj.spi.AttachIO;
import dev.vkj.spi.TerminalSize;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link AttachIO} handed to the provider for one exec or attach session. */
final class SessionIO implements AttachIO {
  private static final Logger LOG = LoggerFactory.getLogger(SessionIO.class);

  private final InboundPipe stdin;
  private final ChannelOutputStream stdout;
  private final ChannelOutputStream stderr;
  private final boolean tty;
  private final Executor resizeExecutor;
  private Consumer<TerminalSize> resizeListener;
  private TerminalSize lastSize;
  private volatile boolean closed;

  /**
   * @param stdin null when the client sends no stdin
   * @param stdout null when the client wants no stdout
   * @param stderr null when the client wants no stderr (always with a TTY)
   * @param resizeExecutor runs resize listeners in order, off the event loop
   */
  SessionIO(
      InboundPipe stdin,
      ChannelOutputStream stdout,
      ChannelOutputStream stderr,
      boolean tty,
      Executor resizeExecutor) {
    this.stdin = stdin;
    this.stdout = stdout;
    this.stderr = tty ? null : stderr;
    this.tty = tty;
    this.resizeExecutor = requireNonNull(resizeExecutor, "resizeExecutor is null");
  }

  @Override
  public Optional<InputStream> stdin() {
    return Optional.ofNullable(stdin);
  }

  @Override
  public Optional<OutputStream> stdout() {
    return Optional.ofNullable(stdout);
  }

  @Override
  public Optional<OutputStream> stderr() {
    return Optional.ofNullable(stderr);
  }

  @Override
  public boolean tty() {
    return tty;
  }

  @Override
  public void onResize(Consumer<TerminalSize> listener) {
    requireNonNull(listener, "listener is null");
    TerminalSize known;
    synchronized (this) {
      if (resizeListener != null) {
        throw new IllegalStateException("a resize listener is already registered");
      }
      resizeListener = listener;
      known = lastSize;
    }
    if (known != null) {
      deliver(listener, known);
    }
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  /** A size arrived from the client. */
  void resize(TerminalSize size) {
    Consumer<TerminalSize> listener;
    synchronized (this) {
      lastSize = size;
      listener = resizeListener;
    }
    if (listener != null) {
      deliver(listener, size);
    }
  }

  /** Normal end: flushes stdout and stderr and sends their end-of-stream signal. */
  void finishOutputs() {
    if (stdout != null) {
      stdout.close();
    }
    if (stderr != null) {
      stderr.close();
    }
    if (stdin != null) {
      stdin.close();
    }
  }

  /** The client went away: reads return -1, writes fail. */
  void abort() {
    closed = true;
    if (stdin != null) {
      stdin.close();
    }
    if (stdout != null) {
      stdout.abort();
    }
    if (stderr != null) {
      stderr.abort();
    }
  }

  private void deliver(Consumer<TerminalSize> listener, TerminalSize size) {
    try {
      resizeExecutor.execute(
          () -> {
            try {
              listener.accept(size);
            } catch (RuntimeException e) {
              LOG.warn("resize listener failed", e);
            }
          });
    } catch (RuntimeException e) {
      LOG.debug("resize dropped: {}", e.toString());
    }
  }
}
