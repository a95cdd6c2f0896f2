package dev.vkj.provider.azure;

import static java.util.Objects.requireNonNull;

import dev.vkj.spi.AttachIO;
import dev.vkj.spi.ErrorCode;
import dev.vkj.spi.ProviderException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;

/**
 * One {@code kubectl exec} over ACI's exec WebSocket. ACI sends output as text or binary messages
 * on one stream (no stderr of its own) and ends the session by closing the socket.
 */
final class ExecSession {
  private static final int STDIN_CHUNK = 512;

  private final SSLContext tls;
  private final Duration connectTimeout;

  ExecSession(SSLContext tls, Duration connectTimeout) {
    this.tls = requireNonNull(tls, "tls is null");
    this.connectTimeout = requireNonNull(connectTimeout, "connectTimeout is null");
  }

  /** Runs the session until ACI closes it or the client goes away; returns 0 (ACI has no code). */
  int run(String uri, String password, AttachIO io) throws ProviderException {
    OutputStream out = io.stdout().or(io::stderr).orElse(OutputStream.nullOutputStream());
    CompletableFuture<Void> closed = new CompletableFuture<>();
    HttpClient http =
        HttpClient.newBuilder().sslContext(tls).connectTimeout(connectTimeout).build();
    WebSocket socket;
    try {
      socket =
          http.newWebSocketBuilder()
              .connectTimeout(connectTimeout)
              .buildAsync(URI.create(uri), new Output(out, closed))
              .get(connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
      socket.sendText(password, true).get(connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProviderException(ErrorCode.TRANSIENT, "interrupted while opening the exec", e);
    } catch (ExecutionException | TimeoutException | IllegalArgumentException e) {
      throw new ProviderException(
          ErrorCode.TRANSIENT, "cannot open ACI's exec WebSocket: " + e.getMessage(), e);
    }
    Thread stdin = null;
    if (io.stdin().isPresent()) {
      InputStream in = io.stdin().get();
      WebSocket target = socket;
      stdin = new Thread(() -> pump(in, target, io.tty()), "vkj-aci-exec-stdin");
      stdin.setDaemon(true);
      stdin.start();
    }
    try {
      while (!closed.isDone()) {
        if (io.isClosed()) {
          socket.abort();
          break;
        }
        try {
          closed.get(200, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          // check the client again
        } catch (ExecutionException e) {
          throw new ProviderException(
              ErrorCode.TRANSIENT, "ACI's exec WebSocket failed: " + e.getCause(), e.getCause());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      socket.abort();
    } finally {
      if (stdin != null) {
        stdin.interrupt();
      }
    }
    return 0;
  }

  /**
   * Copies stdin as binary messages. At its end the input is closed the only way ACI understands:
   * Ctrl-D on a terminal, else the socket's close, after which output still arrives until ACI
   * closes its side.
   */
  private static void pump(InputStream in, WebSocket socket, boolean tty) {
    byte[] buffer = new byte[STDIN_CHUNK];
    try {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        if (n > 0) {
          socket.sendBinary(ByteBuffer.wrap(Arrays.copyOf(buffer, n)), true).join();
        }
      }
      if (tty) {
        socket.sendBinary(ByteBuffer.wrap(new byte[] {4}), true).join();
      } else {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "stdin closed").join();
      }
    } catch (IOException | RuntimeException e) {
      // the client or ACI went away; the session loop sees it
    }
  }

  private static final class Output implements WebSocket.Listener {
    private final OutputStream out;
    private final CompletableFuture<Void> closed;

    Output(OutputStream out, CompletableFuture<Void> closed) {
      this.out = out;
      this.closed = closed;
    }

    @Override
    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
      write(socket, data.toString().getBytes(StandardCharsets.UTF_8));
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket socket, ByteBuffer data, boolean last) {
      byte[] bytes = new byte[data.remaining()];
      data.get(bytes);
      write(socket, bytes);
      return null;
    }

    private void write(WebSocket socket, byte[] bytes) {
      try {
        out.write(bytes);
        out.flush();
      } catch (IOException e) {
        socket.abort(); // the client is gone
        closed.complete(null);
        return;
      }
      socket.request(1);
    }

    @Override
    public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
      closed.complete(null);
      return null;
    }

    @Override
    public void onError(WebSocket socket, Throwable error) {
      closed.completeExceptionally(error);
    }
  }
}
