package dev.vkj.core.server.stream;

import static java.util.Objects.requireNonNull;

import dev.vkj.spi.PortForward;
import dev.vkj.spi.ProviderException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyStreamStatus;
import io.netty.handler.codec.spdy.SpdySynStreamFrame;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Port-forward over SPDY/3.1 ({@code portforward.k8s.io}). Every forwarded connection is a pair of
 * client streams (error and data) sharing a {@code requestID}; pairs run concurrently, each in its
 * own provider call.
 */
final class SpdyPortForwardSession extends SpdySession {
  private static final Logger LOG = LoggerFactory.getLogger(SpdyPortForwardSession.class);

  private final PortForward portForward;
  private final StreamRequest request;
  private final ExecutorService executor;
  private final Duration creationTimeout;
  private final int inboundCapacity;
  private final Map<String, Pair> pairs = new HashMap<>();
  private final Map<Integer, Pair> byStream = new HashMap<>();
  private boolean disconnected;

  SpdyPortForwardSession(
      PortForward portForward,
      StreamRequest request,
      ExecutorService executor,
      Duration creationTimeout,
      int inboundCapacity) {
    this.portForward = requireNonNull(portForward, "portForward is null");
    this.request = requireNonNull(request, "request is null");
    this.executor = requireNonNull(executor, "executor is null");
    this.creationTimeout = requireNonNull(creationTimeout, "creationTimeout is null");
    this.inboundCapacity = inboundCapacity;
  }

  @Override
  protected void started(ChannelHandlerContext ctx) {
    // pairs arrive one by one; each has its own creation deadline
  }

  @Override
  protected void onSynStream(ChannelHandlerContext ctx, SpdySynStreamFrame frame) {
    int id = frame.streamId();
    String portText = header(frame.headers(), "port");
    String type = header(frame.headers(), "streamType");
    String requestId = header(frame.headers(), "requestID");
    int port = parsePort(portText);
    if (port <= 0) {
      LOG.debug("rejecting stream {}: invalid port header '{}'", id, portText);
      reset(id, SpdyStreamStatus.CANCEL);
      return;
    }
    type = type == null ? "" : type.toLowerCase(Locale.ROOT);
    if (!type.equals("error") && !type.equals("data")) {
      LOG.debug("rejecting stream {}: invalid streamType '{}'", id, type);
      reset(id, SpdyStreamStatus.CANCEL);
      return;
    }
    if (requestId == null) {
      // very old clients: the pair shares the error stream's id
      requestId = Integer.toString(type.equals("error") ? id : id - 2);
    }
    Pair pair = pairs.get(requestId);
    if (pair == null) {
      pair = new Pair(requestId, port);
      pairs.put(requestId, pair);
      Pair created = pair;
      pair.timer =
          ctx.executor()
              .schedule(
                  () -> pairTimedOut(created), creationTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }
    boolean error = type.equals("error");
    if ((error && pair.errorId != null) || (!error && pair.dataId != null)) {
      reset(id, SpdyStreamStatus.CANCEL);
      pair.writeError(
          "error processing stream for request "
              + requestId
              + ": "
              + type
              + " stream already assigned");
      return;
    }
    reply(id, type);
    byStream.put(id, pair);
    if (error) {
      pair.errorId = id;
    } else {
      pair.dataId = id;
      pair.in = new InboundPipe(inboundCapacity, throttle);
      if (frame.isLast()) {
        pair.in.finish();
      }
    }
    if (pair.errorId != null && pair.dataId != null) {
      pair.timer.cancel(false);
      pair.start();
    }
  }

  static int parsePort(String text) {
    if (text == null || text.isEmpty() || text.length() > 5) {
      return -1;
    }
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) < '0' || text.charAt(i) > '9') {
        return -1;
      }
    }
    int port = Integer.parseInt(text);
    return port > 0 && port <= 65535 ? port : -1;
  }

  private void pairTimedOut(Pair pair) {
    if (pair.future != null || pairs.get(pair.requestId) != pair) {
      return;
    }
    pair.writeError("timed out waiting for streams for request " + pair.requestId);
    pair.end();
    if (pair.dataId != null) {
      reset(pair.dataId, SpdyStreamStatus.CANCEL);
    }
  }

  @Override
  protected void onData(ChannelHandlerContext ctx, SpdyDataFrame frame) {
    Pair pair = byStream.get(frame.streamId());
    if (pair == null || pair.dataId == null || pair.dataId != frame.streamId()) {
      // the client only FINs its error stream; nothing to read there
      return;
    }
    pair.in.offer(frame.content());
    if (frame.isLast()) {
      pair.in.finish();
    }
  }

  @Override
  protected void onReset(ChannelHandlerContext ctx, int streamId) {
    Pair pair = byStream.get(streamId);
    if (pair != null) {
      LOG.debug("client reset stream {} of request {}", streamId, pair.requestId);
      pair.cancel();
    }
  }

  @Override
  protected void onDisconnect() {
    if (disconnected) {
      return;
    }
    disconnected = true;
    for (Pair pair : new ArrayList<>(pairs.values())) {
      pair.cancel();
    }
  }

  /** One forwarded connection. Fields are touched on the event loop unless noted. */
  private final class Pair {
    final String requestId;
    final int port;
    Integer errorId;
    Integer dataId;
    InboundPipe in;
    ChannelOutputStream out;
    Future<?> future;
    ScheduledFuture<?> timer;
    volatile boolean cancelled;
    volatile boolean returned;

    Pair(String requestId, int port) {
      this.requestId = requestId;
      this.port = port;
    }

    void start() {
      out = output(dataId);
      InboundPipe fromClient = in;
      ChannelOutputStream toClient = out;
      try {
        future = executor.submit(() -> run(fromClient, toClient));
      } catch (RejectedExecutionException e) {
        writeError(message("the server is too busy, try again"));
        end();
      }
    }

    /** Runs on the blocking executor. */
    private void run(InboundPipe fromClient, ChannelOutputStream toClient) {
      try {
        portForward.portForward(request.namespace(), request.pod(), port, fromClient, toClient);
      } catch (ProviderException e) {
        if (!cancelled) {
          LOG.debug("port-forward {} failed: {}", port, e.getMessage());
          writeError(message(e.getMessage()));
        }
      } catch (RuntimeException e) {
        if (!cancelled) {
          LOG.warn("provider failed during port-forward to port {}", port, e);
          writeError(
              message(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
      } finally {
        returned = true;
        if (!cancelled) {
          channel.eventLoop().execute(this::end);
        }
      }
    }

    private String message(String cause) {
      return "error forwarding port "
          + port
          + " to pod "
          + request.namespace()
          + "/"
          + request.pod()
          + ": "
          + cause;
    }

    /** Writes plain text on the error stream, from any thread. */
    void writeError(String text) {
      Integer id = errorId;
      if (id != null && !cancelled) {
        write(id, text.getBytes(StandardCharsets.UTF_8), false);
      }
    }

    /** Normal end on the event loop: FIN both streams and forget the pair. */
    void end() {
      if (out != null) {
        out.close();
      } else if (dataId != null) {
        fin(dataId);
      }
      if (in != null) {
        in.close();
      }
      if (errorId != null) {
        fin(errorId);
      }
      forget();
    }

    /** The client reset a stream or went away: stop the provider call. */
    void cancel() {
      if (cancelled) {
        return;
      }
      cancelled = true;
      if (timer != null) {
        timer.cancel(false);
      }
      if (in != null) {
        in.close();
      }
      if (out != null) {
        out.abort();
      }
      if (future != null && !returned) {
        future.cancel(true);
      }
      if (!disconnected) {
        if (errorId != null) {
          reset(errorId, SpdyStreamStatus.CANCEL);
        }
        if (dataId != null) {
          reset(dataId, SpdyStreamStatus.CANCEL);
        }
      }
      forget();
    }

    private void forget() {
      pairs.remove(requestId, this);
      if (errorId != null) {
        byStream.remove(errorId, this);
      }
      if (dataId != null) {
        byStream.remove(dataId, this);
      }
    }
  }
}
