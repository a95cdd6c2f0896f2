package dev.vkj.core.server;

import static java.util.Objects.requireNonNull;

import dev.vkj.core.server.auth.Authenticator;
import dev.vkj.core.server.auth.Authenticators;
import dev.vkj.core.server.auth.Authorizer;
import dev.vkj.core.server.auth.Authorizers;
import dev.vkj.core.server.auth.PemFiles;
import dev.vkj.core.server.stream.StreamHandler;
import dev.vkj.spi.Provider;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet HTTPS API of a virtual node: the endpoints the kube-apiserver, metrics-server and
 * monitoring agents call on port 10250 ({@code /containerLogs}, {@code /exec}, {@code /attach},
 * {@code /portForward}, {@code /pods}, {@code /runningpods/}, {@code /stats/summary}, {@code
 * /metrics/resource}, {@code /healthz}), authenticated and authorized like the kubelet's webhook
 * mode.
 *
 * <pre>{@code
 * KubeletServerConfig config = KubeletServerConfig.defaults("vk-node-1")
 *     .withTls(certFile, keyFile).withClientCa(caFile);
 * try (KubeletServer server = new KubeletServer(config, provider, podsOfThisNode,
 *     KubeletServer.webhookAuthenticator(config, client),
 *     KubeletServer.webhookAuthorizer(config, client), streams, meterRegistry)) {
 *   server.start();
 *   ...
 * }
 * }</pre>
 */
public final class KubeletServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KubeletServer.class);

  /** Longest request line (method, target, version). */
  static final int MAX_INITIAL_LINE = 64 * 1024;

  /** Largest header block. */
  static final int MAX_HEADER_SIZE = 64 * 1024;

  /** Largest request body; the kubelet API reads no bodies, so this only bounds memory. */
  static final int MAX_BODY = 1024 * 1024;

  /** How long a connection may wait for its next complete request. */
  static final Duration DEFAULT_REQUEST_IDLE_TIMEOUT = Duration.ofSeconds(60);

  private final KubeletServerConfig config;
  private final StreamHandler streams;
  private final ServerMetrics metrics;
  private final KubeletApi api;
  private final Duration requestIdleTimeout;
  private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

  private final Object lock = new Object();
  private EventLoopGroup bossGroup;
  private EventLoopGroup workerGroup;
  private ExecutorService requestExecutor;
  private ExecutorService logExecutor;
  private Channel serverChannel;

  /**
   * @param config listen address, TLS files and anonymous access
   * @param provider the backend; its optional capabilities decide which routes answer 501
   * @param apiPods the API server's pods bound to this node (from the pod informer), for {@code
   *     /pods} and the pod checks of logs, exec, attach and port-forward
   * @param authenticator who is calling; see {@link #webhookAuthenticator}
   * @param authorizer what they may do; see {@link #webhookAuthorizer}
   * @param streams takes over exec, attach and port-forward connections
   * @param meterRegistry where request metrics go
   */
  public KubeletServer(
      KubeletServerConfig config,
      Provider provider,
      Supplier<List<Pod>> apiPods,
      Authenticator authenticator,
      Authorizer authorizer,
      StreamHandler streams,
      MeterRegistry meterRegistry) {
    this(
        config,
        provider,
        apiPods,
        authenticator,
        authorizer,
        streams,
        meterRegistry,
        Clock.systemUTC(),
        DEFAULT_REQUEST_IDLE_TIMEOUT);
  }

  KubeletServer(
      KubeletServerConfig config,
      Provider provider,
      Supplier<List<Pod>> apiPods,
      Authenticator authenticator,
      Authorizer authorizer,
      StreamHandler streams,
      MeterRegistry meterRegistry,
      Clock clock,
      Duration requestIdleTimeout) {
    this.config = requireNonNull(config, "config is null");
    this.streams = requireNonNull(streams, "streams is null");
    this.metrics = new ServerMetrics(requireNonNull(meterRegistry, "meterRegistry is null"));
    this.requestIdleTimeout = requireNonNull(requestIdleTimeout, "requestIdleTimeout is null");
    this.api =
        new KubeletApi(
            config.nodeName(),
            config.anonymousAuth(),
            provider,
            apiPods,
            authenticator,
            authorizer,
            clock);
  }

  /**
   * The kubelet's webhook authentication: client certificates against {@code config.clientCa()}
   * when set, then bearer tokens through TokenReview (cached 2 minutes).
   *
   * @throws IOException when the client CA file cannot be read
   */
  public static Authenticator webhookAuthenticator(
      KubeletServerConfig config, KubernetesClient client) throws IOException {
    Authenticator tokens = Authenticators.tokenReview(client, Duration.ofMinutes(2));
    if (config.clientCa().isEmpty()) {
      return tokens;
    }
    return Authenticators.chain(
        Authenticators.x509(PemFiles.readCertificates(config.clientCa().get())), tokens);
  }

  /** The kubelet's webhook authorization with the cache TTLs of {@code config}. */
  public static Authorizer webhookAuthorizer(KubeletServerConfig config, KubernetesClient client) {
    return Authorizers.subjectAccessReview(
        client, config.authCacheTtl(), config.authDenyCacheTtl());
  }

  /**
   * Loads the TLS material and binds the port; returns once the server accepts connections.
   *
   * @throws IOException when a TLS file cannot be read or the port cannot be bound
   */
  public void start() throws IOException {
    synchronized (lock) {
      if (serverChannel != null) {
        throw new IllegalStateException("the kubelet API server is already started");
      }
      SslContext ssl = TlsSetup.serverContext(config);
      requestExecutor =
          new ThreadPoolExecutor(
              16,
              16,
              60,
              TimeUnit.SECONDS,
              new LinkedBlockingQueue<>(1024),
              daemonThreads("vkj-kubelet-api"));
      logExecutor =
          new ThreadPoolExecutor(
              0, 256, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), daemonThreads("vkj-logs"));
      bossGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
      workerGroup =
          new MultiThreadIoEventLoopGroup(
              Math.max(2, Runtime.getRuntime().availableProcessors()), NioIoHandler.newFactory());
      long idleNanos = requestIdleTimeout.toNanos();
      ServerBootstrap bootstrap =
          new ServerBootstrap()
              .group(bossGroup, workerGroup)
              .channel(NioServerSocketChannel.class)
              .option(ChannelOption.SO_BACKLOG, 1024)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                      channels.add(channel);
                      ChannelPipeline pipeline = channel.pipeline();
                      pipeline.addLast("ssl", ssl.newHandler(channel.alloc()));
                      pipeline.addLast(
                          "http-codec",
                          new HttpServerCodec(
                              new HttpDecoderConfig()
                                  .setMaxInitialLineLength(MAX_INITIAL_LINE)
                                  .setMaxHeaderSize(MAX_HEADER_SIZE)));
                      pipeline.addLast("http-aggregator", new HttpObjectAggregator(MAX_BODY));
                      pipeline.addLast(
                          "router",
                          new KubeletRouter(
                              api, streams, metrics, requestExecutor, logExecutor, idleNanos));
                    }
                  });
      try {
        serverChannel =
            bootstrap
                .bind(new InetSocketAddress(config.bindAddress(), config.port()))
                .syncUninterruptibly()
                .channel();
      } catch (RuntimeException e) {
        shutdown();
        throw new IOException(
            "cannot listen on "
                + config.bindAddress()
                + ":"
                + config.port()
                + ": "
                + e.getMessage(),
            e);
      }
      LOG.info(
          "kubelet API listening on https://{}:{} (anonymous access {})",
          config.bindAddress(),
          port(),
          config.anonymousAuth() ? "ENABLED" : "disabled");
    }
  }

  /** The bound port; useful with port 0. */
  public int port() {
    synchronized (lock) {
      if (serverChannel == null) {
        throw new IllegalStateException("the kubelet API server is not started");
      }
      return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }
  }

  /** Stops accepting, closes every connection (ending log streams) and releases the threads. */
  @Override
  public void close() {
    synchronized (lock) {
      if (serverChannel != null) {
        serverChannel.close().syncUninterruptibly();
        serverChannel = null;
      }
      channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
      shutdown();
    }
  }

  private void shutdown() {
    if (bossGroup != null) {
      bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
      workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
      bossGroup = null;
      workerGroup = null;
    }
    if (requestExecutor != null) {
      requestExecutor.shutdownNow();
      logExecutor.shutdownNow();
      requestExecutor = null;
      logExecutor = null;
    }
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger counter = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + "-" + counter.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
