package dev.vkj.core.server.stream;

import dev.vkj.core.EmptyBackend;
import dev.vkj.spi.AttachIO;
import dev.vkj.spi.ContainerExec;
import dev.vkj.spi.ErrorCode;
import dev.vkj.spi.PortForward;
import dev.vkj.spi.ProviderException;
import dev.vkj.spi.TerminalSize;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A provider whose exec understands a few commands: {@code echo ARGS}, {@code cat}, {@code head N},
 * {@code stderr TEXT}, {@code exit N}, {@code big N}, {@code tick N MILLIS}, {@code tty} (registers
 * a resize listener, then copies stdin), {@code block} (waits until cancelled), {@code notfound},
 * {@code fail}. Port-forward echoes the client's bytes back; port 9999 has nothing listening.
 */
final class FakeStreamProvider extends EmptyBackend implements ContainerExec, PortForward {
  static final int CLOSED_PORT = 9999;

  final BlockingQueue<TerminalSize> resizes = new LinkedBlockingQueue<>();
  final CountDownLatch blockCancelled = new CountDownLatch(1);
  final CountDownLatch blockStarted = new CountDownLatch(1);
  volatile boolean blockInterrupted;
  volatile boolean blockSawClosed;
  final List<Integer> forwardedPorts = new CopyOnWriteArrayList<>();

  /** Ports whose forwarding has ended, in order. */
  final BlockingQueue<Integer> forwardsEnded = new LinkedBlockingQueue<>();

  volatile List<String> lastCommand;
  volatile boolean lastTty;
  volatile boolean lastHadStderr;

  @Override
  public int exec(String namespace, String pod, String container, List<String> command, AttachIO io)
      throws ProviderException {
    lastCommand = command;
    lastTty = io.tty();
    lastHadStderr = io.stderr().isPresent();
    try {
      return run(command, io);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private int run(List<String> command, AttachIO io) throws IOException, ProviderException {
    String name = command.isEmpty() ? "" : command.get(0);
    List<String> args = command.isEmpty() ? List.of() : command.subList(1, command.size());
    switch (name) {
      case "echo" -> {
        write(io.stdout(), String.join(" ", args) + "\n");
        return 0;
      }
      case "stderr" -> {
        write(io.stderr(), String.join(" ", args) + "\n");
        return 0;
      }
      case "cat", "tty" -> {
        if (name.equals("tty")) {
          io.onResize(resizes::add);
          write(io.stdout(), "ready\n");
        }
        copy(io.stdin().orElseThrow(), io.stdout().orElseThrow());
        return 0;
      }
      case "head" -> {
        byte[] bytes = io.stdin().orElseThrow().readNBytes(Integer.parseInt(args.get(0)));
        io.stdout().orElseThrow().write(bytes);
        return 0;
      }
      case "tick" -> {
        for (int i = 0; i < Integer.parseInt(args.get(0)); i++) {
          write(io.stdout(), "tick\n");
          try {
            Thread.sleep(Long.parseLong(args.get(1)));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
          }
        }
        return 0;
      }
      case "exit" -> {
        return Integer.parseInt(args.get(0));
      }
      case "big" -> {
        byte[] chunk = new byte[8192];
        for (int i = 0; i < chunk.length; i++) {
          chunk[i] = (byte) ('a' + i % 26);
        }
        long remaining = Long.parseLong(args.get(0));
        OutputStream out = io.stdout().orElseThrow();
        while (remaining > 0) {
          int n = (int) Math.min(chunk.length, remaining);
          out.write(chunk, 0, n);
          remaining -= n;
        }
        return 0;
      }
      case "block" -> {
        try {
          write(io.stdout(), "started\n");
        } catch (IOException e) {
          // the client may read "started" and go away before the flush: the interrupt follows
        }
        blockStarted.countDown();
        try {
          Thread.sleep(60_000);
        } catch (InterruptedException e) {
          blockInterrupted = true;
        }
        blockSawClosed = io.isClosed();
        blockCancelled.countDown();
        return 0;
      }
      case "notfound" -> throw ProviderException.notFound("container \"app\" not found in pod");
      case "fail" -> throw new ProviderException(ErrorCode.TRANSIENT, "backend unavailable");
      default -> throw ProviderException.invalidInput("unknown command " + name);
    }
  }

  @Override
  public int attach(String namespace, String pod, String container, AttachIO io)
      throws ProviderException {
    try {
      write(io.stdout(), "attached\n");
      if (io.stdin().isPresent()) {
        copy(io.stdin().get(), io.stdout().orElseThrow());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // the process "ended" with a failure; attach still reports success, like the kubelet
    return 7;
  }

  @Override
  public void portForward(
      String namespace, String pod, int port, InputStream fromClient, OutputStream toClient)
      throws ProviderException {
    forwardedPorts.add(port);
    if (port == CLOSED_PORT) {
      throw ProviderException.invalidInput("connection refused");
    }
    try {
      copy(fromClient, toClient);
    } catch (InterruptedIOException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // the client went away while we were writing
    } finally {
      forwardsEnded.add(port);
    }
  }

  private static void write(Optional<OutputStream> out, String text) throws IOException {
    OutputStream stream = out.orElseThrow();
    stream.write(text.getBytes(StandardCharsets.UTF_8));
    stream.flush();
  }

  private static void copy(InputStream in, OutputStream out) throws IOException {
    byte[] buffer = new byte[16384];
    int n;
    while ((n = in.read(buffer)) >= 0) {
      out.write(buffer, 0, n);
    }
  }
}
