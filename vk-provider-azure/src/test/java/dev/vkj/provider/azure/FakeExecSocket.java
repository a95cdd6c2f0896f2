package dev.vkj.provider.azure;

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
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * ACI's exec WebSocket, as the Go provider and the REST reference describe it: the first text
 * message must be the password ARM handed out, then the command runs; input arrives as messages,
 * output leaves as text messages, and the server closes the socket when the command ends. Knows
 * {@code echo ...} (prints its arguments) and {@code cat} (copies input until the client closes).
 */
final class FakeExecSocket implements AutoCloseable {
  record Session(String command, String password, int rows, int cols) {}

  final List<Session> started = new CopyOnWriteArrayList<>();
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel server;

  FakeExecSocket(PrivateKey key, X509Certificate certificate) throws Exception {
    SslContext tls = SslContextBuilder.forServer(key, certificate).build();
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(tls.newHandler(ch.alloc()))
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpObjectAggregator(65536))
                        .addLast(
                            new WebSocketServerProtocolHandler(
                                "/exec", null, true, 65536, false, true))
                        .addLast(new Handler());
                  }
                })
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
  }

  /** Registers a session and returns its URI and password, as ARM's exec answer carries them. */
  String[] open(String command, int rows, int cols) {
    String id = UUID.randomUUID().toString();
    String password = "pw-" + UUID.randomUUID();
    sessions.put(id, new Session(command, password, rows, cols));
    int port = ((InetSocketAddress) server.localAddress()).getPort();
    return new String[] {"wss://127.0.0.1:" + port + "/exec/" + id, password};
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class Handler extends SimpleChannelInboundHandler<WebSocketFrame> {
    private Session session;
    private boolean authenticated;

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
      if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete done) {
        String uri = done.requestUri();
        session = sessions.remove(uri.substring(uri.lastIndexOf('/') + 1));
        if (session == null) {
          ctx.writeAndFlush(new CloseWebSocketFrame(4404, "unknown session"));
          ctx.close();
        }
        return;
      }
      super.userEventTriggered(ctx, event);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
      if (!authenticated) {
        if (!(frame instanceof TextWebSocketFrame text)
            || !text.text().equals(session.password())) {
          ctx.writeAndFlush(new CloseWebSocketFrame(4401, "bad password"))
              .addListener(f -> ctx.close());
          return;
        }
        authenticated = true;
        started.add(session);
        String command = session.command();
        if (command.startsWith("echo")) {
          String words = command.length() > 4 ? command.substring(5) : "";
          ctx.writeAndFlush(new TextWebSocketFrame(words + "\r\n"));
          ctx.writeAndFlush(new CloseWebSocketFrame(1000, "exited")).addListener(f -> ctx.close());
        } else if (!command.equals("cat")) {
          ctx.writeAndFlush(new TextWebSocketFrame(command.split(" ")[0] + ": not found\r\n"));
          ctx.writeAndFlush(new CloseWebSocketFrame(1000, "exited")).addListener(f -> ctx.close());
        }
        return;
      }
      if (frame instanceof CloseWebSocketFrame) {
        ctx.writeAndFlush(new CloseWebSocketFrame(1000, "exited")).addListener(f -> ctx.close());
        return;
      }
      byte[] bytes = new byte[frame.content().readableBytes()];
      frame.content().readBytes(bytes);
      if (bytes.length == 1 && bytes[0] == 4) {
        ctx.writeAndFlush(new CloseWebSocketFrame(1000, "exited")).addListener(f -> ctx.close());
        return;
      }
      ctx.writeAndFlush(new TextWebSocketFrame(new String(bytes, StandardCharsets.UTF_8)));
    }
  }
}
