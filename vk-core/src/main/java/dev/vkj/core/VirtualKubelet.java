package dev.vkj.core;

import static java.util.Objects.requireNonNull;

import dev.vkj.core.event.KubeEventRecorder;
import dev.vkj.core.node.NodeController;
import dev.vkj.core.node.NodeControllerConfig;
import dev.vkj.core.pod.PodController;
import dev.vkj.core.pod.PodControllerConfig;
import dev.vkj.core.provider.ProviderBoundary;
import dev.vkj.core.provider.ProviderBoundaryConfig;
import dev.vkj.core.resources.ApiClusterResources;
import dev.vkj.core.server.KubeletServer;
import dev.vkj.core.server.KubeletServerConfig;
import dev.vkj.core.server.stream.ProviderStreamHandler;
import dev.vkj.spi.BackendLimits;
import dev.vkj.spi.ErrorCode;
import dev.vkj.spi.Provider;
import dev.vkj.spi.ProviderConfig;
import dev.vkj.spi.ProviderContext;
import dev.vkj.spi.ProviderException;
import dev.vkj.spi.ProviderFactory;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A virtual kubelet: one Node in a cluster whose pods run on a provider's backend. This is the
 * entry point for embedding vkj in a Java application; it needs no dependency injection.
 *
 * <pre>{@code
 * try (KubernetesClient client = new KubernetesClientBuilder().build();
 *     VirtualKubelet kubelet =
 *         VirtualKubelet.builder()
 *             .client(client)
 *             .nodeName("virtual-kubelet")
 *             .provider(new MockProviderFactory(), ProviderConfig.of(Map.of()))
 *             .build()) {
 *   kubelet.start();
 *   Thread.currentThread().join();
 * }
 * }</pre>
 */
public final class VirtualKubelet implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(VirtualKubelet.class);
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  static final String DEFAULT_TAINT_KEY = "virtual-kubelet.io/provider";

  private final Settings options;
  private final List<AutoCloseable> started = new ArrayList<>();
  private volatile Provider provider;
  private volatile NodeController nodeController;
  private volatile boolean closed;
  private volatile int boundPort;

  private VirtualKubelet(Settings options) {
    this.options = requireNonNull(options, "options is null");
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Creates the provider, starts the kubelet API server and the pod controller (which adopts pods
   * the backend still runs and deletes leftovers), then registers the Node and marks it Ready.
   * Returns once the node is Ready.
   *
   * @throws VkjException with {@link VkjException.Code#CONFIG} for a bad provider configuration,
   *     {@link VkjException.Code#STARTUP} when something cannot start
   */
  public synchronized void start() {
    if (closed) {
      throw new VkjException(VkjException.Code.USAGE, "this virtual kubelet was closed");
    }
    if (provider != null) {
      throw new VkjException(VkjException.Code.USAGE, "this virtual kubelet was already started");
    }
    try {
      ScheduledExecutorService scheduler =
          Executors.newScheduledThreadPool(2, daemonThreads("vkj-provider-scheduler"));
      started.add(scheduler::shutdownNow);
      KubeEventRecorder events =
          new KubeEventRecorder(
              options.client,
              options.nodeName,
              options.clock,
              options.eventQps,
              options.eventBurst,
              options.meterRegistry);
      started.add(events);
      ProviderContext context =
          new CoreProviderContext(
              options.nodeName,
              options.nodeIp,
              options.server.port(),
              options.clock,
              scheduler,
              new ApiClusterResources(options.client),
              options.meterRegistry,
              events);
      Provider created = options.providerFunction.apply(context);
      if (created == null) {
        throw new VkjException(VkjException.Code.STARTUP, "the provider factory returned null");
      }
      // every component calls the provider through the one boundary: timeouts, limits, metrics
      ProviderBoundary boundary =
          ProviderBoundary.wrap(created, options.boundaryConfig, options.meterRegistry);
      started.add(boundary);
      Provider bounded = boundary.provider();
      provider = bounded;

      PodController pods =
          new PodController(
              options.client,
              bounded,
              events,
              PodControllerConfig.defaults(options.nodeName)
                  .withWorkers(options.podSyncWorkers)
                  .withClock(options.clock)
                  .withMeterRegistry(options.meterRegistry)
                  .withHostIp(() -> options.nodeIp)
                  .withNodeAllocatable(() -> bounded.describeNode().allocatable())
                  .withStatusPollInterval(options.statusPollInterval)
                  .withProviderReadBudget(options.providerReadBudget)
                  .withStartupCleanupParallelism(options.startupCleanupParallelism));
      started.add(pods);
      // a node writing pods faster than its Event rate is in a bulk rollout or scale-down
      double eventQps = options.eventQps;
      events.yieldTo(() -> pods.busy(eventQps));

      // the API server must reach logs and exec as soon as the node exists
      ExecutorService streamThreads = Executors.newCachedThreadPool(daemonThreads("vkj-stream"));
      started.add(streamThreads::shutdownNow);
      KubeletServerConfig serverConfig = options.server;
      KubeletServer server =
          new KubeletServer(
              serverConfig,
              bounded,
              pods::pods,
              KubeletServer.webhookAuthenticator(serverConfig, options.client),
              KubeletServer.webhookAuthorizer(serverConfig, options.client),
              new ProviderStreamHandler(
                  bounded, streamThreads, serverConfig.streamIdleTimeout(), Duration.ofSeconds(30)),
              options.meterRegistry);
      started.add(server);
      server.start();
      boundPort = server.port();

      // returns once the informer synced; adoption and leftover cleanup go on in the background
      pods.start();

      NodeControllerConfig nodeConfig =
          NodeControllerConfig.defaults(options.nodeName, options.nodeIp, boundPort, options.taint)
              .withExtraLabels(options.nodeLabels)
              .withKubeletVersion(Versions.kubeletVersion())
              .withClock(options.clock);
      nodeController = new NodeController(options.client, bounded, events, nodeConfig);
      started.add(nodeController);
      // known before the node is written: a restarted runner (or a new leader) must not flip an
      // existing Ready node to NotReady, which taints it not-ready for a moment
      nodeController.setPodControllerRunning(pods.isRunning());
      // syncs that failed while the backend was down must not wait out minutes of backoff
      nodeController.onProviderRecovered(pods::providerRecovered);
      nodeController.start();
      log.info(
          "virtual kubelet {} started (provider {}, kubelet API on port {})",
          options.nodeName,
          options.providerName,
          boundPort);
    } catch (ProviderFailure e) {
      closeQuietly();
      ProviderException cause = e.getCause();
      VkjException.Code code =
          cause.code() == ErrorCode.INVALID_CONFIG
              ? VkjException.Code.CONFIG
              : VkjException.Code.STARTUP;
      throw new VkjException(code, cause.getMessage(), cause);
    } catch (VkjException e) {
      closeQuietly();
      throw e;
    } catch (IOException e) {
      closeQuietly();
      throw new VkjException(
          VkjException.Code.STARTUP, "kubelet API server failed to start: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closeQuietly();
      throw new VkjException(VkjException.Code.STARTUP, "interrupted while starting", e);
    } catch (RuntimeException e) {
      closeQuietly();
      throw new VkjException(
          VkjException.Code.STARTUP, "virtual kubelet failed to start: " + e.getMessage(), e);
    }
  }

  /** Whether the node reports Ready. */
  public boolean isReady() {
    NodeController controller = nodeController;
    return controller != null && controller.isReady();
  }

  public String nodeName() {
    return options.nodeName;
  }

  /** The port of the kubelet API server: the bound one once started (port 0 picks a free one). */
  public int kubeletPort() {
    return boundPort > 0 ? boundPort : options.server.port();
  }

  /**
   * The running provider as the core calls it (through the provider boundary, with the provider's
   * SPI interfaces); empty before {@link #start()}.
   */
  public Optional<Provider> provider() {
    return Optional.ofNullable(provider);
  }

  /**
   * Stops the controllers, the server and the provider. The Node and the pods stay: a virtual
   * kubelet started again with the same node name adopts them.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    closeQuietly();
  }

  private void closeQuietly() {
    List<AutoCloseable> reversed = new ArrayList<>(started);
    Collections.reverse(reversed);
    started.clear();
    for (AutoCloseable closeable : reversed) {
      try {
        closeable.close();
      } catch (Exception e) {
        log.warn("error while stopping {}: {}", closeable.getClass().getSimpleName(), e.toString());
      }
    }
  }

  static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
    AtomicInteger counter = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + "-" + counter.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /** Wraps a checked provider failure through {@link Function}. */
  private static final class ProviderFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ProviderFailure(ProviderException cause) {
      super(cause);
    }

    @Override
    public synchronized ProviderException getCause() {
      return (ProviderException) super.getCause();
    }
  }

  /** The checked options a built virtual kubelet runs with; nothing in it changes. */
  private record Settings(
      KubernetesClient client,
      String nodeName,
      Function<ProviderContext, Provider> providerFunction,
      String providerName,
      String nodeIp,
      KubeletServerConfig server,
      Optional<Taint> taint,
      int podSyncWorkers,
      double eventQps,
      int eventBurst,
      MeterRegistry meterRegistry,
      Clock clock,
      Map<String, String> nodeLabels,
      ProviderBoundaryConfig boundaryConfig,
      Duration statusPollInterval,
      double providerReadBudget,
      int startupCleanupParallelism) {}

  /**
   * Options of a {@link VirtualKubelet}. {@link #validate()} and {@link #build()} check them and
   * name a bad one by its builder method; a built virtual kubelet keeps a copy, so changing the
   * builder afterwards does not affect it.
   */
  public static final class Builder {
    private KubernetesClient client;
    private String nodeName = "virtual-kubelet";
    private Function<ProviderContext, Provider> providerFunction;
    private String providerName;
    private String nodeIp;
    private int kubeletPort = 10250;
    private String bindAddress = "0.0.0.0";
    private Taint taint;
    private boolean taintDisabled;
    private boolean taintSet;
    private int podSyncWorkers = 10;
    private double eventQps = KubeEventRecorder.DEFAULT_QPS;
    private int eventBurst = KubeEventRecorder.DEFAULT_BURST;
    private Path tlsCert;
    private Path tlsKey;
    private Path clientCa;
    private boolean anonymousAuth;
    private MeterRegistry meterRegistry = new SimpleMeterRegistry();
    private Clock clock = Clock.systemUTC();
    private final Map<String, String> nodeLabels = new LinkedHashMap<>();
    private final Map<String, Duration> providerCallTimeouts = new LinkedHashMap<>();
    private BackendLimits.Rate providerReadRate;
    private BackendLimits.Rate providerWriteRate;
    private Duration statusPollInterval = Duration.ofSeconds(5);
    private double providerReadBudget = 10;
    private int startupCleanupParallelism = 4;

    private Builder() {}

    /** The Kubernetes client; the virtual kubelet does not close it. */
    public Builder client(KubernetesClient client) {
      this.client = requireNonNull(client, "client is null");
      return this;
    }

    /** The Node's name (a DNS subdomain); default {@code virtual-kubelet}. */
    public Builder nodeName(String nodeName) {
      this.nodeName = requireNonNull(nodeName, "nodeName is null");
      return this;
    }

    /** The provider, created from its factory with a checked configuration at start. */
    public Builder provider(ProviderFactory factory, ProviderConfig config) {
      requireNonNull(factory, "factory is null");
      requireNonNull(config, "config is null");
      this.providerName = factory.name();
      this.providerFunction =
          context -> {
            try {
              return factory.create(config, context);
            } catch (ProviderException e) {
              throw new ProviderFailure(e);
            }
          };
      return this;
    }

    /** A provider built by the embedding application from the core's context. */
    public Builder provider(String name, Function<ProviderContext, Provider> factory) {
      this.providerName = requireNonNull(name, "name is null");
      this.providerFunction = requireNonNull(factory, "factory is null");
      return this;
    }

    /** The InternalIP of the node; default: the first non-loopback IPv4 address. */
    public Builder nodeIp(String nodeIp) {
      this.nodeIp = requireNonNull(nodeIp, "nodeIp is null");
      return this;
    }

    /** The kubelet API port; default 10250. */
    public Builder kubeletPort(int kubeletPort) {
      this.kubeletPort = kubeletPort;
      return this;
    }

    /** The address the kubelet API server binds; default all interfaces. */
    public Builder bindAddress(String bindAddress) {
      this.bindAddress = requireNonNull(bindAddress, "bindAddress is null");
      return this;
    }

    /** The node taint; default {@code virtual-kubelet.io/provider=<provider>:NoSchedule}. */
    public Builder taint(Taint taint) {
      this.taint = requireNonNull(taint, "taint is null");
      this.taintSet = true;
      return this;
    }

    /** No taint at all: every pod may be scheduled to the virtual node. */
    public Builder disableTaint() {
      this.taintDisabled = true;
      return this;
    }

    /** Workers that sync pods with the provider in parallel; default 10. */
    public Builder podSyncWorkers(int podSyncWorkers) {
      this.podSyncWorkers = podSyncWorkers;
      return this;
    }

    /**
     * Event writes per second and at once, like the kubelet's {@code eventRecordQPS} (default 50)
     * and {@code eventBurst} (default 100); events beyond them are dropped and counted. While the
     * node writes pod status and deletes faster than {@code qps}, or more pods wait for a sync than
     * there are workers, Events get a tenth of both.
     */
    public Builder eventRateLimit(double qps, int burst) {
      this.eventQps = qps;
      this.eventBurst = burst;
      return this;
    }

    /** PEM certificate and key of the kubelet API server; default: self-signed. */
    public Builder tlsCertificate(Path cert, Path key) {
      this.tlsCert = requireNonNull(cert, "cert is null");
      this.tlsKey = requireNonNull(key, "key is null");
      return this;
    }

    /** CA that signs client certificates accepted by the kubelet API server. */
    public Builder clientCa(Path clientCa) {
      this.clientCa = requireNonNull(clientCa, "clientCa is null");
      return this;
    }

    /** Whether unauthenticated requests are allowed; default false. */
    public Builder anonymousAuth(boolean anonymousAuth) {
      this.anonymousAuth = anonymousAuth;
      return this;
    }

    public Builder meterRegistry(MeterRegistry meterRegistry) {
      this.meterRegistry = requireNonNull(meterRegistry, "meterRegistry is null");
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock is null");
      return this;
    }

    /** Extra labels for the Node. */
    public Builder nodeLabels(Map<String, String> labels) {
      nodeLabels.putAll(requireNonNull(labels, "labels is null"));
      return this;
    }

    /**
     * The timeout of one provider operation (an SPI method name such as {@code createPod}, see
     * {@link ProviderBoundaryConfig#operations()}); defaults: create, update and delete 60 s;
     * getPod, getPodStatus, listPods, listPodStatuses, describeNode, statsSummary and containerLogs
     * without follow 15 s; ping 10 s. Streaming calls have none.
     */
    public Builder providerCallTimeout(String operation, Duration timeout) {
      providerCallTimeouts.put(
          requireNonNull(operation, "operation is null"),
          requireNonNull(timeout, "timeout is null"));
      return this;
    }

    /**
     * Paces provider reads with this token bucket instead of the reads rate the provider declares.
     */
    public Builder providerReadRate(BackendLimits.Rate rate) {
      this.providerReadRate = requireNonNull(rate, "rate is null");
      return this;
    }

    /**
     * Paces provider writes with this token bucket instead of the writes rate the provider
     * declares.
     */
    public Builder providerWriteRate(BackendLimits.Rate rate) {
      this.providerWriteRate = requireNonNull(rate, "rate is null");
      return this;
    }

    /**
     * How often the backend's pod statuses are read (one {@code listPodStatuses} or one {@code
     * getPodStatus} per pod); default 5 s.
     */
    public Builder statusPollInterval(Duration statusPollInterval) {
      this.statusPollInterval = requireNonNull(statusPollInterval, "statusPollInterval is null");
      return this;
    }

    /**
     * Reads per second of the extra {@code getPodStatus} calls for pods in transition of a provider
     * with batched status; default 10.
     */
    public Builder providerReadBudget(double providerReadBudget) {
      this.providerReadBudget = providerReadBudget;
      return this;
    }

    /** How many leftover pods are deleted from the backend at once after a restart; default 4. */
    public Builder startupCleanupParallelism(int startupCleanupParallelism) {
      this.startupCleanupParallelism = startupCleanupParallelism;
      return this;
    }

    /**
     * Checks every option but the client and the provider, without building anything: a bad one
     * fails with {@link VkjException.Code#CONFIG} and {@link VkjException#option()} names it by its
     * builder method (a command line maps that name to its flag).
     */
    public Builder validate() {
      check();
      return this;
    }

    /** The checks of {@link #validate()}; returns the provider boundary's config they built. */
    private ProviderBoundaryConfig check() {
      if (nodeName.length() > 253 || !DNS_SUBDOMAIN.matcher(nodeName).matches()) {
        throw config(
            "nodeName", "'" + nodeName + "' is not a valid node name (lower-case DNS subdomain)");
      }
      if (kubeletPort < 0 || kubeletPort > 65535) {
        throw config("kubeletPort", kubeletPort + " is not a port number (0 to 65535)");
      }
      if (podSyncWorkers < 1) {
        throw config("podSyncWorkers", "must be at least 1, got " + podSyncWorkers);
      }
      if (!(eventQps > 0) || Double.isInfinite(eventQps) || eventBurst < 1) {
        throw config(
            "eventRateLimit",
            "needs a positive rate and a burst of at least 1, got " + eventQps + "/" + eventBurst);
      }
      ProviderBoundaryConfig boundary = boundaryConfig();
      if (statusPollInterval.isNegative() || statusPollInterval.isZero()) {
        throw config("statusPollInterval", "must be positive, got " + statusPollInterval);
      }
      if (!(providerReadBudget > 0) || Double.isInfinite(providerReadBudget)) {
        throw config(
            "providerReadBudget",
            "must be a positive number of reads per second, got " + providerReadBudget);
      }
      if (startupCleanupParallelism < 1) {
        throw config(
            "startupCleanupParallelism", "must be at least 1, got " + startupCleanupParallelism);
      }
      if (tlsCert != null) {
        readable("tlsCertificate", "certificate", tlsCert);
        readable("tlsCertificate", "key", tlsKey);
      }
      if (clientCa != null) {
        readable("clientCa", "CA bundle", clientCa);
      }
      if (!taintDisabled && taint != null && taint.getEffect() != null) {
        if (!Set.of("NoSchedule", "PreferNoSchedule", "NoExecute").contains(taint.getEffect())) {
          throw config(
              "taint",
              "effect '"
                  + taint.getEffect()
                  + "' is not one of NoSchedule, PreferNoSchedule, NoExecute");
        }
      }
      return boundary;
    }

    /** Checks the options like {@link #validate()}, and that a client and a provider are set. */
    public VirtualKubelet build() {
      if (client == null) {
        throw config("client", "a Kubernetes client is required");
      }
      if (providerFunction == null) {
        throw config("provider", "a provider is required");
      }
      ProviderBoundaryConfig boundary = check();
      Optional<Taint> effectiveTaint;
      if (taintDisabled) {
        effectiveTaint = Optional.empty();
      } else if (taintSet) {
        effectiveTaint = Optional.of(new TaintBuilder(taint).build());
      } else {
        effectiveTaint =
            Optional.of(
                new TaintBuilder()
                    .withKey(DEFAULT_TAINT_KEY)
                    .withValue(providerName)
                    .withEffect("NoSchedule")
                    .build());
      }
      KubeletServerConfig server =
          KubeletServerConfig.defaults(nodeName)
              .withBindAddress(bindAddress)
              .withPort(kubeletPort)
              .withAnonymousAuth(anonymousAuth);
      if (tlsCert != null) {
        server = server.withTls(tlsCert, tlsKey);
      }
      if (clientCa != null) {
        server = server.withClientCa(clientCa);
      }
      return new VirtualKubelet(
          new Settings(
              client,
              nodeName,
              providerFunction,
              providerName,
              nodeIp == null ? defaultNodeIp() : nodeIp,
              server,
              effectiveTaint,
              podSyncWorkers,
              eventQps,
              eventBurst,
              meterRegistry,
              clock,
              Collections.unmodifiableMap(new LinkedHashMap<>(nodeLabels)),
              boundary,
              statusPollInterval,
              providerReadBudget,
              startupCleanupParallelism));
    }

    private ProviderBoundaryConfig boundaryConfig() {
      ProviderBoundaryConfig boundary = ProviderBoundaryConfig.defaults();
      for (Map.Entry<String, Duration> timeout : providerCallTimeouts.entrySet()) {
        try {
          boundary = boundary.withTimeout(timeout.getKey(), timeout.getValue());
        } catch (IllegalArgumentException e) {
          throw config("providerCallTimeout", e.getMessage());
        }
      }
      if (providerReadRate != null) {
        boundary = boundary.withReadRate(providerReadRate);
      }
      if (providerWriteRate != null) {
        boundary = boundary.withWriteRate(providerWriteRate);
      }
      return boundary;
    }

    private static void readable(String option, String what, Path file) {
      if (!Files.isRegularFile(file)) {
        throw config(option, what + " file '" + file + "' does not exist");
      }
      if (!Files.isReadable(file)) {
        throw config(option, what + " file '" + file + "' is not readable");
      }
    }

    private static VkjException config(String option, String problem) {
      return VkjException.invalidOption(option, problem);
    }

    private static String defaultNodeIp() {
      try {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
          if (!nic.isUp() || nic.isLoopback()) {
            continue;
          }
          for (InetAddress address : Collections.list(nic.getInetAddresses())) {
            if (address instanceof Inet4Address) {
              return address.getHostAddress();
            }
          }
        }
      } catch (SocketException e) {
        log.debug("could not list network interfaces: {}", e.getMessage());
      }
      return "127.0.0.1";
    }
  }
}
