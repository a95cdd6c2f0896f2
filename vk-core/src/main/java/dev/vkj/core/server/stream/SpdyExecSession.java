package dev.vkj.core.server.stream;

import static java.util.Objects.requireNonNull;

import dev.vkj.spi.ContainerExec;
import dev.vkj.spi.TerminalSize;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyStreamStatus;
import io.netty.handler.codec.spdy.SpdySynStreamFrame;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exec and attach over SPDY/3.1 ({@code channel.k8s.io} to {@code v4.channel.k8s.io}). The client
 * opens the error, stdin, stdout, stderr and resize streams one at a time; each is answered at once
 * and the provider call starts when all expected streams are there.
 */
final class SpdyExecSession extends SpdySession {
  private static final Logger LOG = LoggerFactory.getLogger(SpdyExecSession.class);

  static final String ERROR = "error";
  static final String STDIN = "stdin";
  static final String STDOUT = "stdout";
  static final String STDERR = "stderr";
  static final String RESIZE = "resize";

  private final ContainerExec exec;
  private final StreamRequest request;
  private final int version;
  private final ExecutorService executor;
  private final Duration creationTimeout;
  private final int stdinCapacity;
  private final Map<String, Integer> streams = new HashMap<>();
  private final Map<Integer, String> types = new HashMap<>();
  private InboundPipe stdin;
  private final ResizeDecoder resizeDecoder = new ResizeDecoder();
  private SessionIO io;
  private ProviderCall call;
  private ScheduledFuture<?> creationTimer;
  private TerminalSize pendingResize;
  private boolean disconnected;

  SpdyExecSession(
      ContainerExec exec,
      StreamRequest request,
      String protocol,
      ExecutorService executor,
      Duration creationTimeout,
      int stdinCapacity) {
    this.exec = requireNonNull(exec, "exec is null");
    this.request = requireNonNull(request, "request is null");
    this.version = Protocols.version(protocol);
    this.executor = requireNonNull(executor, "executor is null");
    this.creationTimeout = requireNonNull(creationTimeout, "creationTimeout is null");
    this.stdinCapacity = stdinCapacity;
  }

  @Override
  protected void started(ChannelHandlerContext ctx) {
    creationTimer =
        ctx.executor()
            .schedule(this::creationTimedOut, creationTimeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private boolean expects(String type) {
    return switch (type) {
      case ERROR -> true;
      case STDIN -> request.stdin();
      case STDOUT -> request.stdout();
      case STDERR -> request.stderr() && !request.tty();
      case RESIZE -> request.tty() && version >= 3;
      default -> false;
    };
  }

  private int expectedCount() {
    int count = 0;
    for (String type : new String[] {ERROR, STDIN, STDOUT, STDERR, RESIZE}) {
      if (expects(type)) {
        count++;
      }
    }
    return count;
  }

  @Override
  protected void onSynStream(ChannelHandlerContext ctx, SpdySynStreamFrame frame) {
    int id = frame.streamId();
    String type = header(frame.headers(), "streamType");
    type = type == null ? "" : type.toLowerCase(Locale.ROOT);
    // reply at once: the client waits for each reply before opening the next stream
    reply(id, type);
    if (call != null || !expects(type)) {
      LOG.debug("ignoring unexpected stream {} of type '{}'", id, type);
      return;
    }
    if (streams.containsKey(type)) {
      LOG.debug("ignoring duplicate {} stream {}", type, id);
      return;
    }
    streams.put(type, id);
    types.put(id, type);
    if (type.equals(STDIN)) {
      stdin = new InboundPipe(stdinCapacity, throttle);
      if (frame.isLast()) {
        stdin.finish();
      }
    }
    if (streams.size() == expectedCount()) {
      startCall();
    }
  }

  private void startCall() {
    creationTimer.cancel(false);
    if (version == 1) {
      // channel.k8s.io: the server closes stdin's reply side and resets the error stream at once
      Integer stdinId = streams.get(STDIN);
      if (stdinId != null) {
        fin(stdinId);
      }
      reset(streams.get(ERROR), SpdyStreamStatus.CANCEL);
    }
    ChannelOutputStream out = streams.containsKey(STDOUT) ? output(streams.get(STDOUT)) : null;
    ChannelOutputStream err = streams.containsKey(STDERR) ? output(streams.get(STDERR)) : null;
    io = new SessionIO(stdin, out, err, request.tty(), new SerialExecutor(executor));
    if (pendingResize != null) {
      io.resize(pendingResize);
    }
    call = new ProviderCall(exec, request, io, executor);
    call.start(this::finish);
  }

  /** Runs on the provider thread after a normal end. */
  private void finish(ExecStatus status) {
    io.finishOutputs();
    int errorId = streams.get(ERROR);
    if (version > 1) {
      byte[] payload = status.payload(version);
      if (payload.length > 0) {
        write(errorId, payload, false);
      }
      fin(errorId);
    }
    for (String type : new String[] {STDIN, RESIZE}) {
      Integer id = streams.get(type);
      if (id != null && !(version == 1 && type.equals(STDIN))) {
        fin(id);
      }
    }
    goAway();
  }

  private void creationTimedOut() {
    if (call != null || disconnected) {
      return;
    }
    LOG.info(
        "timed out waiting for client to create streams for {} in pod {}/{}",
        request.kind(),
        request.namespace(),
        request.pod());
    onDisconnect();
    channel.close();
  }

  @Override
  protected void onData(ChannelHandlerContext ctx, SpdyDataFrame frame) {
    String type = types.get(frame.streamId());
    if (type == null) {
      return;
    }
    if (type.equals(STDIN)) {
      stdin.offer(frame.content());
      if (frame.isLast()) {
        stdin.finish();
      }
    } else if (type.equals(RESIZE)) {
      byte[] bytes = new byte[frame.content().readableBytes()];
      frame.content().getBytes(frame.content().readerIndex(), bytes);
      for (TerminalSize size : resizeDecoder.feed(bytes)) {
        if (io != null) {
          io.resize(size);
        } else {
          pendingResize = size;
        }
      }
    }
  }

  @Override
  protected void onReset(ChannelHandlerContext ctx, int streamId) {
    if (types.containsKey(streamId) && !goingAway()) {
      LOG.debug("client reset stream {} ({}); cancelling", streamId, types.get(streamId));
      onDisconnect();
      ctx.close();
    }
  }

  @Override
  protected void onDisconnect() {
    if (disconnected) {
      return;
    }
    disconnected = true;
    if (creationTimer != null) {
      creationTimer.cancel(false);
    }
    if (call != null) {
      call.cancel();
    } else if (stdin != null) {
      stdin.close();
    }
  }
}
