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
  /** Data typed by the user; ends (-1) when the client closes stdin. */
  Optional<InputStream> stdin();

  Optional<OutputStream> stdout();

  /** Always empty with a TTY: the terminal merges stderr into stdout. */
  Optional<OutputStream> stderr();

  /** Whether the client asked for a terminal ({@code kubectl exec -t}). */
  boolean tty();

  /**
   * Registers a listener for terminal size changes; the initial size is delivered when known.
   * Called at most once.
   */
  void onResize(Consumer<TerminalSize> listener);

  /** Whether the client has gone away; long-running sessions check it between reads. */
  boolean isClosed();
}
