package dev.vkj.core.server.stream;

import static java.util.Objects.requireNonNull;

import dev.vkj.spi.ContainerExec;
import dev.vkj.spi.TerminalSize;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.ExecutorService;

/**
 * Exec and attach over WebSocket: channels 0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize; v5 adds
 * the CLOSE signal on channel 255 to half-close stdin.
 */
final class WebSocketExecSession extends WebSocketSession {
  static final int STDIN = 0;
  static final int STDOUT = 1;
  static final int STDERR = 2;
  static final int ERROR = 3;
  static final int RESIZE = 4;
  static final int CLOSE = 255;

  private final ContainerExec exec;
  private final StreamRequest request;
  private final int version;
  private final ExecutorService executor;
  private final int stdinCapacity;
  private final ResizeDecoder resizeDecoder = new ResizeDecoder();
  private InboundPipe stdin;
  private SessionIO io;
  private ProviderCall call;
  private boolean disconnected;

  WebSocketExecSession(
      ContainerExec exec,
      StreamRequest request,
      String protocol,
      ExecutorService executor,
      int stdinCapacity) {
    super(Protocols.isBase64(protocol));
    this.exec = requireNonNull(exec, "exec is null");
    this.request = requireNonNull(request, "request is null");
    this.version = Protocols.version(protocol);
    this.executor = requireNonNull(executor, "executor is null");
    this.stdinCapacity = stdinCapacity;
  }

  @Override
  void start() {
    if (disconnected) {
      return;
    }
    boolean stderrWanted = request.stderr() && !request.tty();
    if (request.stdin()) {
      stdin = new InboundPipe(stdinCapacity, throttle);
    }
    // the first, empty message on the lowest writable channel tells the client we are connected
    int first = request.stdout() ? STDOUT : stderrWanted ? STDERR : ERROR;
    send(first, new byte[0]);
    io =
        new SessionIO(
            stdin,
            request.stdout() ? output(STDOUT) : null,
            stderrWanted ? output(STDERR) : null,
            request.tty(),
            new SerialExecutor(executor));
    call = new ProviderCall(exec, request, io, executor);
    call.start(this::finish);
  }

  /** Runs on the provider thread after a normal end. */
  private void finish(ExecStatus status) {
    io.finishOutputs();
    byte[] payload = status.payload(version);
    if (payload.length > 0) {
      send(ERROR, payload);
    }
    closeSession();
  }

  @Override
  protected void onMessage(int channelId, ByteBuf payload) {
    if (io == null) {
      return;
    }
    switch (channelId) {
      case STDIN -> {
        if (stdin != null) {
          stdin.offer(payload);
        }
      }
      case RESIZE -> {
        if (request.tty()) {
          byte[] bytes = new byte[payload.readableBytes()];
          payload.readBytes(bytes);
          for (TerminalSize size : resizeDecoder.feed(bytes)) {
            io.resize(size);
          }
        }
      }
      case CLOSE -> {
        if (version >= 5 && payload.isReadable() && payload.readUnsignedByte() == STDIN) {
          if (stdin != null) {
            stdin.finish();
          }
        }
      }
      default -> {
        // writes on output channels and unknown channels are dropped, like the kubelet
      }
    }
  }

  @Override
  protected void onDisconnect() {
    if (disconnected) {
      return;
    }
    disconnected = true;
    if (call != null) {
      call.cancel();
    } else if (stdin != null) {
      stdin.close();
    }
  }
}
