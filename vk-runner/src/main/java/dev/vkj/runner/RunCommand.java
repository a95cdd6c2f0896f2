package dev.vkj.runner;

import static java.util.Objects.requireNonNull;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Stage;
import dev.vkj.core.VirtualKubelet;
import dev.vkj.core.VkjException;
import dev.vkj.core.VkjException.Code;
import dev.vkj.spi.BackendLimits;
import dev.vkj.spi.ProviderConfig;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vk-runner run}: registers the node and serves it until SIGTERM or SIGINT. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    versionProvider = VersionInfo.class,
    sortOptions = false,
    usageHelpWidth = 100,
    description = "Registers a virtual node and runs the pods scheduled to it with a provider.",
    footer = {
      "",
      "Exit codes: 0 stopped cleanly, 1 runtime failure, 2 bad usage or configuration."
    })
final class RunCommand implements Callable<Integer> {
  /** The flag of each option the core names in a {@link VkjException#option()}. */
  private static final Map<String, String> FLAGS_OF_CORE_OPTIONS =
      Map.ofEntries(
          Map.entry("nodeName", "--node-name"),
          Map.entry("kubeletPort", "--kubelet-port"),
          Map.entry("podSyncWorkers", "--pod-sync-workers"),
          Map.entry("eventRateLimit", "--event-qps/--event-burst"),
          Map.entry("providerCallTimeout", "--provider-call-timeout"),
          Map.entry("statusPollInterval", "--status-poll-interval"),
          Map.entry("providerReadBudget", "--provider-read-budget"),
          Map.entry("startupCleanupParallelism", "--startup-cleanup-parallelism"),
          Map.entry("tlsCertificate", "--tls-cert/--tls-key"),
          Map.entry("clientCa", "--client-ca"),
          Map.entry("taint", "--taint-effect"));

  private static final Set<String> LOG_LEVELS = Set.of("error", "warn", "info", "debug", "trace");
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");
  private static final Pattern RATE = Pattern.compile("(\\d+(?:\\.\\d+)?)/(\\d+)");

  @Env("VKJ_PROVIDER")
  @Option(
      names = "--provider",
      paramLabel = "NAME",
      defaultValue = "mock",
      description = {
        "Provider to run pods with (see 'vk-runner providers').",
        "Env: VKJ_PROVIDER. Default: ${DEFAULT-VALUE}."
      })
  String provider;

  @Env("VKJ_NODE_NAME")
  @Option(
      names = "--node-name",
      paramLabel = "NAME",
      defaultValue = "virtual-kubelet",
      description = {
        "Name of the Node to register.",
        "Env: VKJ_NODE_NAME. Default: ${DEFAULT-VALUE}."
      })
  String nodeName;

  @Env("KUBECONFIG")
  @Option(
      names = "--kubeconfig",
      paramLabel = "FILE",
      description = {
        "Kubeconfig file. Without it: ~/.kube/config, then the in-cluster service account.",
        "Env: KUBECONFIG."
      })
  String kubeconfig;

  @Env("VKJ_PROVIDER_CONFIG")
  @Option(
      names = "--provider-config",
      paramLabel = "FILE",
      description = {
        "Provider configuration: a YAML, JSON or .properties file of keys and values.",
        "Env: VKJ_PROVIDER_CONFIG."
      })
  Path providerConfig;

  @Mixin ProviderPathOption providerPath;

  @Mixin AccessCheck.Option accessCheck;

  @Env({"VKJ_NODE_IP", "VKUBELET_POD_IP"})
  @Option(
      names = "--node-ip",
      paramLabel = "IP",
      description = {
        "InternalIP of the node; the API server reaches the kubelet API there.",
        "Env: VKJ_NODE_IP, then VKUBELET_POD_IP. Default: the first non-loopback IPv4 address."
      })
  String nodeIp;

  @Env("KUBELET_PORT")
  @Option(
      names = "--kubelet-port",
      paramLabel = "PORT",
      defaultValue = "10250",
      description = {
        "Port of the kubelet API (HTTPS).",
        "Env: KUBELET_PORT. Default: ${DEFAULT-VALUE}."
      })
  int kubeletPort;

  @Env("VKJ_BIND_ADDRESS")
  @Option(
      names = "--bind-address",
      paramLabel = "ADDRESS",
      defaultValue = "0.0.0.0",
      description = {
        "Address the kubelet API and the metrics endpoint listen on.",
        "Env: VKJ_BIND_ADDRESS. Default: ${DEFAULT-VALUE}."
      })
  String bindAddress;

  @Env("VKJ_DISABLE_TAINT")
  @Option(
      names = "--disable-taint",
      arity = "0..1",
      fallbackValue = "true",
      defaultValue = "false",
      paramLabel = "BOOL",
      description = {
        "Register the node without a taint.",
        "Env: VKJ_DISABLE_TAINT. Default: ${DEFAULT-VALUE}."
      })
  boolean disableTaint;

  @Env("VKUBELET_TAINT_KEY")
  @Option(
      names = "--taint-key",
      paramLabel = "KEY",
      defaultValue = "virtual-kubelet.io/provider",
      description = {
        "Key of the node taint.",
        "Env: VKUBELET_TAINT_KEY. Default: ${DEFAULT-VALUE}."
      })
  String taintKey;

  @Env("VKUBELET_TAINT_VALUE")
  @Option(
      names = "--taint-value",
      paramLabel = "VALUE",
      description = {
        "Value of the node taint.",
        "Env: VKUBELET_TAINT_VALUE. Default: the provider name."
      })
  String taintValue;

  @Env("VKUBELET_TAINT_EFFECT")
  @Option(
      names = "--taint-effect",
      paramLabel = "EFFECT",
      defaultValue = "NoSchedule",
      description = {
        "Effect of the node taint: NoSchedule, PreferNoSchedule or NoExecute.",
        "Env: VKUBELET_TAINT_EFFECT. Default: ${DEFAULT-VALUE}."
      })
  String taintEffect;

  @Env("VKJ_POD_SYNC_WORKERS")
  @Option(
      names = "--pod-sync-workers",
      paramLabel = "N",
      defaultValue = "10",
      description = {
        "Pods reconciled in parallel (at least 1).",
        "Env: VKJ_POD_SYNC_WORKERS. Default: ${DEFAULT-VALUE}."
      })
  int podSyncWorkers;

  @Env("VKJ_EVENT_QPS")
  @Option(
      names = "--event-qps",
      paramLabel = "QPS",
      defaultValue = "50",
      description = {
        "Event writes per second for this node, like the kubelet's eventRecordQPS.",
        "Env: VKJ_EVENT_QPS. Default: ${DEFAULT-VALUE}."
      })
  double eventQps;

  @Env("VKJ_EVENT_BURST")
  @Option(
      names = "--event-burst",
      paramLabel = "N",
      defaultValue = "100",
      description = {
        "Event writes at once, like the kubelet's eventBurst.",
        "Env: VKJ_EVENT_BURST. Default: ${DEFAULT-VALUE}."
      })
  int eventBurst;

  @Env("VKJ_LOG_LEVEL")
  @Option(
      names = "--log-level",
      paramLabel = "LEVEL",
      defaultValue = "info",
      description = {
        "error, warn, info, debug or trace.",
        "Env: VKJ_LOG_LEVEL. Default: ${DEFAULT-VALUE}."
      })
  String logLevel;

  @Env("APISERVER_CERT_LOCATION")
  @Option(
      names = "--tls-cert",
      paramLabel = "FILE",
      description = {
        "PEM serving certificate (chain) of the kubelet API; needs --tls-key. Without it a"
            + " self-signed certificate is generated.",
        "Env: APISERVER_CERT_LOCATION."
      })
  Path tlsCert;

  @Env("APISERVER_KEY_LOCATION")
  @Option(
      names = "--tls-key",
      paramLabel = "FILE",
      description = {"PEM private key of --tls-cert.", "Env: APISERVER_KEY_LOCATION."})
  Path tlsKey;

  @Env("APISERVER_CA_CERT_LOCATION")
  @Option(
      names = "--client-ca",
      paramLabel = "FILE",
      description = {
        "PEM CA that signs the client certificates accepted by the kubelet API (the API"
            + " server's kubelet client certificate).",
        "Env: APISERVER_CA_CERT_LOCATION."
      })
  Path clientCa;

  @Env("VKJ_ANONYMOUS_AUTH")
  @Option(
      names = "--anonymous-auth",
      arity = "0..1",
      fallbackValue = "true",
      defaultValue = "false",
      paramLabel = "BOOL",
      description = {
        "Serve unauthenticated requests to the kubelet API as system:anonymous.",
        "Env: VKJ_ANONYMOUS_AUTH. Default: ${DEFAULT-VALUE}."
      })
  boolean anonymousAuth;

  @Env("VKJ_METRICS_PORT")
  @Option(
      names = "--metrics-port",
      paramLabel = "PORT",
      defaultValue = "10255",
      description = {
        "Port of the runner's Prometheus metrics at /metrics (plain HTTP); 0 disables it.",
        "Env: VKJ_METRICS_PORT. Default: ${DEFAULT-VALUE}."
      })
  int metricsPort;

  @Env("VKJ_NODE_LABELS")
  @Option(
      names = "--node-label",
      paramLabel = "KEY=VALUE",
      split = ",",
      description = {
        "Extra node label; repeatable.",
        "Env: VKJ_NODE_LABELS (comma-separated KEY=VALUE pairs)."
      })
  Map<String, String> nodeLabels = new LinkedHashMap<>();

  @Env("VKJ_PROVIDER_CALL_TIMEOUTS")
  @Option(
      names = "--provider-call-timeout",
      paramLabel = "OPERATION=DURATION",
      split = ",",
      description = {
        "Timeout of one provider operation, e.g. createPod=2m or getPodStatus=5s; repeatable.",
        "Operations: createPod, updatePod, deletePod (default 60s), getPod, getPodStatus, listPods,"
            + " listPodStatuses, describeNode, statsSummary, containerLogs (15s), ping (10s).",
        "Env: VKJ_PROVIDER_CALL_TIMEOUTS (comma-separated)."
      })
  Map<String, String> providerCallTimeouts = new LinkedHashMap<>();

  @Env("VKJ_PROVIDER_READ_RATE")
  @Option(
      names = "--provider-read-rate",
      paramLabel = "PER_SECOND/BURST",
      description = {
        "Token bucket for provider reads, e.g. 25/250; replaces the rate the provider declares.",
        "Env: VKJ_PROVIDER_READ_RATE. Default: the provider's own limit (or none)."
      })
  String providerReadRate;

  @Env("VKJ_PROVIDER_WRITE_RATE")
  @Option(
      names = "--provider-write-rate",
      paramLabel = "PER_SECOND/BURST",
      description = {
        "Token bucket for provider creates, updates and deletes, e.g. 10/200.",
        "Env: VKJ_PROVIDER_WRITE_RATE. Default: the provider's own limit (or none)."
      })
  String providerWriteRate;

  @Env("VKJ_STATUS_POLL_INTERVAL")
  @Option(
      names = "--status-poll-interval",
      paramLabel = "DURATION",
      defaultValue = "5s",
      description = {
        "How often pod statuses are read from the provider.",
        "Env: VKJ_STATUS_POLL_INTERVAL. Default: ${DEFAULT-VALUE}."
      })
  String statusPollInterval;

  @Env("VKJ_PROVIDER_READ_BUDGET")
  @Option(
      names = "--provider-read-budget",
      paramLabel = "PER_SECOND",
      defaultValue = "10",
      description = {
        "Extra getPodStatus reads per second for pods in transition (batched-status providers).",
        "Env: VKJ_PROVIDER_READ_BUDGET. Default: ${DEFAULT-VALUE}."
      })
  double providerReadBudget;

  @Env("VKJ_STARTUP_CLEANUP_PARALLELISM")
  @Option(
      names = "--startup-cleanup-parallelism",
      paramLabel = "N",
      defaultValue = "4",
      description = {
        "Leftover pods deleted from the backend at once after a restart (at least 1).",
        "Env: VKJ_STARTUP_CLEANUP_PARALLELISM. Default: ${DEFAULT-VALUE}."
      })
  int startupCleanupParallelism;

  @Env("VKJ_LEADER_ELECT")
  @Option(
      names = "--leader-elect",
      arity = "0..1",
      fallbackValue = "true",
      defaultValue = "false",
      paramLabel = "BOOL",
      description = {
        "Run as one of several replicas of this node: the one holding the Lease"
            + " vkj-leader-<node> runs the node, the others wait as standbys.",
        "Env: VKJ_LEADER_ELECT. Default: ${DEFAULT-VALUE}."
      })
  boolean leaderElect;

  @Env("VKJ_LEADER_ELECT_NAMESPACE")
  @Option(
      names = "--leader-elect-namespace",
      paramLabel = "NAMESPACE",
      defaultValue = "kube-node-lease",
      description = {
        "Namespace of the leader Lease.",
        "Env: VKJ_LEADER_ELECT_NAMESPACE. Default: ${DEFAULT-VALUE}."
      })
  String leaderElectNamespace;

  @Env("VKJ_LEADER_ELECT_LEASE_DURATION")
  @Option(
      names = "--leader-elect-lease-duration",
      paramLabel = "DURATION",
      defaultValue = "15s",
      description = {
        "How long a standby waits after the leader's last renewal before it takes over.",
        "Env: VKJ_LEADER_ELECT_LEASE_DURATION. Default: ${DEFAULT-VALUE}."
      })
  String leaderElectLeaseDuration;

  @Env("VKJ_LEADER_ELECT_RENEW_DEADLINE")
  @Option(
      names = "--leader-elect-renew-deadline",
      paramLabel = "DURATION",
      defaultValue = "10s",
      description = {
        "How long the leader keeps trying to renew before it stops; less than the lease duration.",
        "Env: VKJ_LEADER_ELECT_RENEW_DEADLINE. Default: ${DEFAULT-VALUE}."
      })
  String leaderElectRenewDeadline;

  @Env("VKJ_LEADER_ELECT_RETRY_PERIOD")
  @Option(
      names = "--leader-elect-retry-period",
      paramLabel = "DURATION",
      defaultValue = "2s",
      description = {
        "How often the leader renews and a standby tries to acquire the Lease.",
        "Env: VKJ_LEADER_ELECT_RETRY_PERIOD. Default: ${DEFAULT-VALUE}."
      })
  String leaderElectRetryPeriod;

  private final Map<String, String> env;
  private final RunnerLifecycle lifecycle;

  RunCommand(Map<String, String> env, RunnerLifecycle lifecycle) {
    this.env = Map.copyOf(requireNonNull(env, "env is null"));
    this.lifecycle = requireNonNull(lifecycle, "lifecycle is null");
  }

  @Override
  public Integer call() {
    // before anything creates a logger: slf4j-simple reads its settings once
    Logging.configure(checkLogLevel(logLevel));
    RunOptions options = options();
    Logger log = LoggerFactory.getLogger(RunCommand.class);
    try (ProviderRegistry registry =
        ProviderRegistry.load(RunCommand.class.getClassLoader(), options.providerPath())) {
      ProviderRegistry.Entry entry = registry.get(options.provider());
      // singletons are created on demand, in the order below: the provider config is checked
      // before anything connects to the cluster
      Injector injector =
          Guice.createInjector(Stage.DEVELOPMENT, new RunnerModule(options, entry.factory(), env));
      ProviderConfig config = injector.getInstance(ProviderConfig.class);
      log.info(
          "vk-runner {}: node {}, provider {} ({}), node IP {}, kubelet port {}",
          VersionInfo.projectVersion(),
          options.nodeName(),
          entry.factory().name(),
          entry.origin(),
          options.nodeIp(),
          options.kubeletPort());
      log.info("provider config: {}", config);
      try (Closer closer = new Closer()) {
        lifecycle.handleProcessExit(closer);
        KubernetesClient client = closer.register(injector.getInstance(KubernetesClient.class));
        log.info("API server: {}", client.getMasterUrl());
        PrometheusMeterRegistry meters = injector.getInstance(PrometheusMeterRegistry.class);
        closer.register(meters::close);
        // registered before the kubelet, so closed after it: a leader stops its work, then
        // releases the Lease
        Optional<LeaderElection> election =
            options
                .leaderElection()
                .map(
                    settings ->
                        closer.register(
                            new LeaderElection(
                                client, options.nodeName(), settings, lifecycle::leadershipLost)));
        // the probes start answering before the node exists: not ready until it reports Ready;
        // a standby is ready, so that a rollout of the replicas can go on
        AtomicReference<VirtualKubelet> started = new AtomicReference<>();
        if (options.metricsPort() > 0) {
          MetricsServer metrics =
              closer.register(
                  MetricsServer.start(
                      options.bindAddress(),
                      options.metricsPort(),
                      meters,
                      () ->
                          started.get() != null
                              ? started.get().isReady()
                              : election.isPresent() && !election.get().isLeading()));
          log.info(
              "metrics: http://{}:{}/metrics (probes /healthz, /readyz)",
              options.bindAddress(),
              metrics.port());
        }
        accessCheck.verify(client);
        VirtualKubelet kubelet = closer.register(injector.getInstance(VirtualKubelet.class));
        if (election.isPresent()) {
          election.get().start();
          if (!awaitLeading(election.get())) {
            log.info("stopped while standby");
            return 0;
          }
        }
        if (lifecycle.stopRequested()) {
          return lifecycle.leadershipWasLost() ? 1 : 0;
        }
        withContextClassLoader(entry.loader(), kubelet::start);
        started.set(kubelet);
        log.info(
            "node {} is ready; kubelet API on port {}", kubelet.nodeName(), kubelet.kubeletPort());
        lifecycle.started(kubelet);
        lifecycle.awaitStopRequest();
        log.info("stopping node {}", kubelet.nodeName());
      }
      if (lifecycle.leadershipWasLost()) {
        log.error("stopped: this replica lost the leader Lease; a restart makes it a standby");
        return 1;
      }
      log.info("stopped");
      return 0;
    }
  }

  private boolean awaitLeading(LeaderElection election) {
    try {
      return election.awaitLeading(lifecycle::stopRequested);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Parses the options. The core checks the values ({@link VirtualKubelet.Builder#validate()}, the
   * one place of those rules); a problem it finds is reported here under the flag's name.
   */
  RunOptions options() {
    checkPort("--metrics-port", metricsPort);
    if (provider.isBlank()) {
      throw usage("--provider is empty");
    }
    Optional<Taint> taint = Optional.empty();
    if (!disableTaint) {
      taint =
          Optional.of(
              new TaintBuilder()
                  .withKey(taintKey)
                  .withValue(taintValue == null ? provider : taintValue)
                  .withEffect(taintEffect)
                  .build());
    }
    if ((tlsCert == null) != (tlsKey == null)) {
      throw usage("--tls-cert and --tls-key must be given together");
    }
    Optional<RunOptions.TlsFiles> tls =
        Optional.ofNullable(tlsCert).map(cert -> new RunOptions.TlsFiles(cert, tlsKey));
    Optional<Path> configFile =
        Optional.ofNullable(providerConfig).map(path -> readable("--provider-config", path));
    Map<String, Duration> timeouts = new LinkedHashMap<>();
    providerCallTimeouts.forEach(
        (operation, value) ->
            timeouts.put(
                operation.strip(), duration("--provider-call-timeout " + operation, value)));
    Duration pollInterval = duration("--status-poll-interval", statusPollInterval);
    RunOptions options =
        new RunOptions(
            provider.strip(),
            nodeName.strip(),
            kubeconfigFile(),
            configFile,
            providerPath.get(),
            nodeIp == null || nodeIp.isBlank()
                ? NodeAddresses.firstNonLoopbackIpv4()
                : nodeIp.strip(),
            kubeletPort,
            bindAddress,
            taint,
            podSyncWorkers,
            new RunOptions.EventLimits(eventQps, eventBurst),
            checkLogLevel(logLevel),
            tls,
            Optional.ofNullable(clientCa),
            anonymousAuth,
            metricsPort,
            nodeLabels,
            timeouts,
            rate("--provider-read-rate", providerReadRate),
            rate("--provider-write-rate", providerWriteRate),
            pollInterval,
            providerReadBudget,
            startupCleanupParallelism,
            leaderElection());
    try {
      RunnerModule.coreOptions(options).validate();
    } catch (VkjException e) {
      if (e.option().isEmpty()) {
        throw e;
      }
      String flag = FLAGS_OF_CORE_OPTIONS.getOrDefault(e.option().get(), e.option().get());
      throw new VkjException(Code.USAGE, "invalid " + flag + ": " + e.problem().orElse(""), e);
    }
    return options;
  }

  /** The leader election settings, checked as client-go checks them; empty without the flag. */
  private Optional<RunOptions.LeaderElectionOptions> leaderElection() {
    if (!leaderElect) {
      return Optional.empty();
    }
    if (leaderElectNamespace == null || leaderElectNamespace.isBlank()) {
      throw usage("--leader-elect-namespace is empty");
    }
    Duration lease = duration("--leader-elect-lease-duration", leaderElectLeaseDuration);
    Duration renew = duration("--leader-elect-renew-deadline", leaderElectRenewDeadline);
    Duration retry = duration("--leader-elect-retry-period", leaderElectRetryPeriod);
    if (renew.compareTo(lease) >= 0) {
      throw usage(
          "invalid --leader-elect-renew-deadline "
              + leaderElectRenewDeadline
              + ": must be less than --leader-elect-lease-duration "
              + leaderElectLeaseDuration);
    }
    // a renewal must fit in the deadline even with the retry's jitter (client-go's rule)
    if (retry.multipliedBy(12).compareTo(renew.multipliedBy(10)) >= 0) {
      throw usage(
          "invalid --leader-elect-retry-period "
              + leaderElectRetryPeriod
              + ": must be less than --leader-elect-renew-deadline / 1.2");
    }
    return Optional.of(
        new RunOptions.LeaderElectionOptions(
            leaderElectNamespace.strip(), leaderIdentity(), lease, renew, retry));
  }

  /** The pod's name (VKJ_POD_NAME) or the host name, made unique per process. */
  private String leaderIdentity() {
    String base = env.get("VKJ_POD_NAME");
    if (base == null || base.isBlank()) {
      try {
        base = java.net.InetAddress.getLocalHost().getHostName();
      } catch (java.net.UnknownHostException e) {
        base = "vk-runner";
      }
    }
    return base.strip() + "_" + java.util.UUID.randomUUID();
  }

  /** {@code 500ms}, {@code 30s}, {@code 2m} or {@code 1h}; positive. */
  static Duration duration(String option, String value) {
    Matcher m = DURATION.matcher(value == null ? "" : value.strip());
    if (!m.matches()) {
      throw usage(
          "invalid "
              + option
              + " '"
              + value
              + "': expected a duration such as 500ms, 30s, 2m or 1h");
    }
    long amount = Long.parseLong(m.group(1));
    Duration d =
        switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(amount);
          case "s" -> Duration.ofSeconds(amount);
          case "m" -> Duration.ofMinutes(amount);
          default -> Duration.ofHours(amount);
        };
    if (d.isZero()) {
      throw usage("invalid " + option + " '" + value + "': must be positive");
    }
    return d;
  }

  /** {@code PER_SECOND/BURST}, e.g. {@code 25/250} or {@code 0.5/1}. */
  static Optional<BackendLimits.Rate> rate(String option, String value) {
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    Matcher m = RATE.matcher(value.strip());
    String problem = "expected PER_SECOND/BURST such as 25/250, with PER_SECOND > 0 and BURST >= 1";
    if (!m.matches()) {
      throw usage("invalid " + option + " '" + value + "': " + problem);
    }
    double perSecond = Double.parseDouble(m.group(1));
    int burst;
    try {
      burst = Integer.parseInt(m.group(2));
    } catch (NumberFormatException e) {
      throw usage("invalid " + option + " '" + value + "': " + problem);
    }
    if (!(perSecond > 0) || burst < 1) {
      throw usage("invalid " + option + " '" + value + "': " + problem);
    }
    return Optional.of(new BackendLimits.Rate(perSecond, burst));
  }

  /**
   * KUBECONFIG may list several files; like kubectl, the first one that exists is used. A path that
   * does not exist is an error rather than a silent fallback to another cluster.
   */
  private Optional<Path> kubeconfigFile() {
    if (kubeconfig == null || kubeconfig.isBlank()) {
      return Optional.empty();
    }
    String[] candidates = kubeconfig.split(File.pathSeparator);
    for (String candidate : candidates) {
      if (!candidate.isBlank() && Files.isRegularFile(Path.of(candidate))) {
        return Optional.of(Path.of(candidate));
      }
    }
    throw new VkjException(Code.CONFIG, "kubeconfig file '" + kubeconfig + "' does not exist");
  }

  private static Path readable(String option, Path path) {
    if (!Files.isRegularFile(path)) {
      throw new VkjException(Code.CONFIG, option + " file '" + path + "' does not exist");
    }
    if (!Files.isReadable(path)) {
      throw new VkjException(Code.CONFIG, option + " file '" + path + "' is not readable");
    }
    return path;
  }

  private static void checkPort(String option, int port) {
    if (port < 0 || port > 65535) {
      throw usage("invalid " + option + " " + port + ": must be between 0 and 65535");
    }
  }

  static String checkLogLevel(String level) {
    if (level == null || !LOG_LEVELS.contains(level.strip().toLowerCase(Locale.ROOT))) {
      throw usage(
          "invalid --log-level '" + level + "': expected error, warn, info, debug or trace");
    }
    return level.strip().toLowerCase(Locale.ROOT);
  }

  private static VkjException usage(String message) {
    return new VkjException(Code.USAGE, message);
  }

  private static void withContextClassLoader(ClassLoader loader, Runnable action) {
    // provider code may look up resources through the context class loader (Trino does the same)
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(loader);
    try {
      action.run();
    } finally {
      thread.setContextClassLoader(previous);
    }
  }
}
