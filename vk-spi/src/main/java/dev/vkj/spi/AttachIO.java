package dev.vkj.spi;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The streams of one exec or attach session. Streams the client did not ask for are empty. The core
 * closes the streams and interrupts the calling thread when the client disconnects, so a provider
 * blocked in a read or write returns promptly.
 */
public interface AttachIO {
  /**
   * Data typed by the user; ends (-1) when the client closes stdin.
   *
   * @return the client's stdin, or empty when the client did not ask for it ({@code -i})
   */
  Optional<InputStream> stdin();

  /**
   * Where the process's output goes.
   *
   * @return the client's stdout, or empty when the client did not ask for it
   */
  Optional<OutputStream> stdout();

  /**
   * Where the process's error output goes. Always empty with a TTY: the terminal merges stderr into
   * stdout.
   *
   * @return the client's stderr, or empty with a TTY or when the client did not ask for it
   */
  Optional<OutputStream> stderr();

  /**
   * Whether the client asked for a terminal ({@code kubectl exec -t}).
   *
   * @return true for a terminal session
   */
  boolean tty();

  /**
   * Registers a listener for terminal size changes; the initial size is delivered when known.
   * Called at most once.
   *
   * @param listener called with each new size, on a thread of the core
   */
  void onResize(Consumer<TerminalSize> listener);

  /**
   * Whether the client has gone away; long-running sessions check it between reads.
   *
   * @return true once the client disconnected or the session ended
   */
  boolean isClosed();
}
