package dev.vkj.core.server.stream;

import static java.util.Objects.requireNonNull;

import dev.vkj.spi.PortForward;
import dev.vkj.spi.ProviderException;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Port-forward over WebSocket in the kubelet's v4 form: port {@code i} of the {@code port} query
 * uses channel {@code 2i} for data and {@code 2i+1} for errors; the first message on both is the
 * port number, two bytes little-endian. The socket closes when every port has finished.
 */
final class WebSocketPortForwardSession extends WebSocketSession {
  private static final Logger LOG = LoggerFactory.getLogger(WebSocketPortForwardSession.class);

  private final PortForward portForward;
  private final StreamRequest request;
  private final ExecutorService executor;
  private final int inboundCapacity;
  private final List<Forward> forwards = new ArrayList<>();
  private int remaining;
  private boolean disconnected;

  WebSocketPortForwardSession(
      PortForward portForward,
      StreamRequest request,
      String protocol,
      ExecutorService executor,
      int inboundCapacity) {
    super(Protocols.isBase64(protocol));
    this.portForward = requireNonNull(portForward, "portForward is null");
    this.request = requireNonNull(request, "request is null");
    this.executor = requireNonNull(executor, "executor is null");
    this.inboundCapacity = inboundCapacity;
  }

  @Override
  void start() {
    if (disconnected) {
      return;
    }
    List<Integer> ports = request.ports();
    remaining = ports.size();
    for (int i = 0; i < ports.size(); i++) {
      Forward forward = new Forward(i, ports.get(i));
      forwards.add(forward);
      byte[] portBytes = {(byte) (forward.port & 0xff), (byte) ((forward.port >> 8) & 0xff)};
      send(forward.dataChannel(), portBytes);
      send(forward.dataChannel() + 1, portBytes);
    }
    for (Forward forward : forwards) {
      forward.start();
    }
  }

  @Override
  protected void onMessage(int channelId, ByteBuf payload) {
    if (channelId % 2 != 0 || channelId / 2 >= forwards.size()) {
      return;
    }
    forwards.get(channelId / 2).in.offer(payload);
  }

  @Override
  protected void onDisconnect() {
    if (disconnected) {
      return;
    }
    disconnected = true;
    for (Forward forward : forwards) {
      forward.cancel();
    }
  }

  private void finished() {
    remaining--;
    if (remaining == 0 && !disconnected) {
      closeSession();
    }
  }

  private final class Forward {
    final int index;
    final int port;
    final InboundPipe in;
    final ChannelOutputStream out;
    Future<?> future;
    volatile boolean cancelled;
    volatile boolean returned;

    Forward(int index, int port) {
      this.index = index;
      this.port = port;
      this.in = new InboundPipe(inboundCapacity, throttle);
      this.out = output(dataChannel());
    }

    int dataChannel() {
      return 2 * index;
    }

    void start() {
      try {
        future = executor.submit(this::run);
      } catch (RejectedExecutionException e) {
        error("the server is too busy, try again");
        finished();
      }
    }

    private void run() {
      try {
        portForward.portForward(request.namespace(), request.pod(), port, in, out);
      } catch (ProviderException e) {
        if (!cancelled) {
          error(e.getMessage());
        }
      } catch (RuntimeException e) {
        if (!cancelled) {
          LOG.warn("provider failed during port-forward to port {}", port, e);
          error(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
      } finally {
        returned = true;
        in.close();
        if (!cancelled) {
          channel.eventLoop().execute(WebSocketPortForwardSession.this::finished);
        }
      }
    }

    private void error(String cause) {
      String text =
          "error forwarding port "
              + port
              + " to pod "
              + request.namespace()
              + "/"
              + request.pod()
              + ": "
              + cause;
      send(dataChannel() + 1, text.getBytes(StandardCharsets.UTF_8));
    }

    void cancel() {
      cancelled = true;
      in.close();
      out.abort();
      if (future != null && !returned) {
        future.cancel(true);
      }
    }
  }
}
