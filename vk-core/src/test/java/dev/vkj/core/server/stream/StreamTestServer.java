package dev.vkj.core.server.stream;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A plain-TCP kubelet stand-in on loopback: {@code http-codec}, {@code http-aggregator} and a
 * {@code router} that parses the streaming routes and calls {@link ProviderStreamHandler}.
 */
final class StreamTestServer implements AutoCloseable {
  final FakeStreamProvider provider = new FakeStreamProvider();
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel server;
  private final ProviderStreamHandler handler;

  StreamTestServer() throws InterruptedException {
    this(Duration.ofSeconds(30), Duration.ofSeconds(30));
  }

  StreamTestServer(Duration idleTimeout, Duration creationTimeout) throws InterruptedException {
    handler = new ProviderStreamHandler(provider, executor, idleTimeout, creationTimeout);
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast("http-codec", new HttpServerCodec());
                    ch.pipeline().addLast("http-aggregator", new HttpObjectAggregator(1 << 20));
                    ch.pipeline().addLast("router", new Router());
                  }
                })
            .bind("127.0.0.1", 0)
            .sync()
            .channel();
  }

  int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  @Override
  public void close() throws InterruptedException {
    server.close().sync();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    executor.shutdownNow();
  }

  private final class Router extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      QueryStringDecoder query = new QueryStringDecoder(request.uri());
      String[] path = query.path().substring(1).split("/");
      Map<String, List<String>> params = query.parameters();
      StreamRequest.Kind kind =
          switch (path[0]) {
            case "exec" -> StreamRequest.Kind.EXEC;
            case "attach" -> StreamRequest.Kind.ATTACH;
            case "portForward" -> StreamRequest.Kind.PORT_FORWARD;
            default -> null;
          };
      if (kind == null) {
        ProviderStreamHandler.respond(
            ctx, HttpResponseStatus.NOT_FOUND, "404 page not found", Map.of());
        return;
      }
      boolean tty = flag(params, "tty");
      List<Integer> ports = new ArrayList<>();
      for (String value : params.getOrDefault("port", List.of())) {
        for (String part : value.split(",")) {
          ports.add(Integer.parseInt(part));
        }
      }
      StreamRequest target =
          new StreamRequest(
              kind,
              path[1],
              path[2],
              kind == StreamRequest.Kind.PORT_FORWARD ? "" : path[3],
              kind == StreamRequest.Kind.EXEC
                  ? params.getOrDefault("command", List.of())
                  : List.of(),
              flag(params, "input"),
              flag(params, "output"),
              flag(params, "error") && !tty,
              tty,
              ports);
      handler.handle(ctx, request, target);
    }

    private boolean flag(Map<String, List<String>> params, String name) {
      return params.getOrDefault(name, List.of()).contains("1");
    }
  }
}
