package dev.vkj.runner;

import static java.util.Objects.requireNonNull;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.vkj.core.KubeClients;
import dev.vkj.core.VirtualKubelet;
import dev.vkj.core.VkjException;
import dev.vkj.core.VkjException.Code;
import dev.vkj.spi.ProviderConfig;
import dev.vkj.spi.ProviderException;
import dev.vkj.spi.ProviderFactory;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Assembles {@code vk-runner run}: options, cluster client, provider, metrics, the kubelet. */
final class RunnerModule extends AbstractModule {
  private final RunOptions options;
  private final ProviderFactory factory;
  private final Map<String, String> env;

  RunnerModule(RunOptions options, ProviderFactory factory, Map<String, String> env) {
    this.options = requireNonNull(options, "options is null");
    this.factory = requireNonNull(factory, "factory is null");
    this.env = Map.copyOf(requireNonNull(env, "env is null"));
  }

  @Override
  protected void configure() {
    binder().requireExplicitBindings();
    binder().disableCircularProxies();
    bind(RunOptions.class).toInstance(options);
    bind(ProviderFactory.class).toInstance(factory);
  }

  @Provides
  @Singleton
  ProviderConfig providerConfig(RunOptions options, ProviderFactory factory)
      throws ProviderException {
    Map<String, String> raw =
        options.providerConfig().map(file -> ProviderConfigFile.read(file, env)).orElse(Map.of());
    return ProviderConfig.validated(raw, factory.configKeys());
  }

  @Provides
  @Singleton
  KubernetesClient kubernetesClient(RunOptions options) {
    return KubeClients.create(clientConfig(options));
  }

  private Config clientConfig(RunOptions options) {
    if (options.kubeconfig().isEmpty()) {
      // ~/.kube/config, then the in-cluster service account, as fabric8 searches; without either
      // fabric8 would silently try https://kubernetes.default.svc
      String homeDir = env.getOrDefault("HOME", System.getProperty("user.home"));
      Path home = Path.of(homeDir, ".kube", "config");
      if (!Files.isRegularFile(home) && env.get("KUBERNETES_SERVICE_HOST") == null) {
        throw new VkjException(
            Code.CONFIG,
            "no kubeconfig: pass --kubeconfig or set KUBECONFIG ("
                + home
                + " does not exist and this is not a pod)");
      }
      return Config.autoConfigure(null);
    }
    Path file = options.kubeconfig().get();
    try {
      return Config.fromKubeconfig(file.toFile());
    } catch (KubernetesClientException e) {
      throw new VkjException(
          Code.CONFIG, "cannot load kubeconfig '" + file + "': " + e.getMessage(), e);
    } catch (RuntimeException e) {
      // parser messages quote the file, which holds credentials: neither message nor cause
      throw new VkjException(
          Code.CONFIG, "cannot load kubeconfig '" + file + "': not a valid kubeconfig file");
    }
  }

  @Provides
  @Singleton
  PrometheusMeterRegistry prometheusMeterRegistry(RunOptions options, ProviderFactory factory) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    Gauge.builder("vkj.runner.info", () -> 1)
        .description("Constant 1; the tags describe the runner")
        .tag("version", VersionInfo.projectVersion())
        .tag("provider", factory.name())
        .tag("node", options.nodeName())
        .register(registry);
    return registry;
  }

  @Provides
  @Singleton
  MeterRegistry meterRegistry(PrometheusMeterRegistry registry) {
    return registry;
  }

  @Provides
  @Singleton
  VirtualKubelet virtualKubelet(
      RunOptions options,
      KubernetesClient client,
      ProviderFactory factory,
      ProviderConfig config,
      MeterRegistry meters) {
    return coreOptions(options)
        .client(client)
        .provider(factory, config)
        .meterRegistry(meters)
        .build();
  }

  /** The run options as the core's; the client, provider and meters are set by the caller. */
  static VirtualKubelet.Builder coreOptions(RunOptions options) {
    VirtualKubelet.Builder builder =
        VirtualKubelet.builder()
            .nodeName(options.nodeName())
            .nodeIp(options.nodeIp())
            .kubeletPort(options.kubeletPort())
            .bindAddress(options.bindAddress())
            .podSyncWorkers(options.podSyncWorkers())
            .eventRateLimit(options.eventLimits().qps(), options.eventLimits().burst())
            .anonymousAuth(options.anonymousAuth())
            .nodeLabels(options.nodeLabels())
            .statusPollInterval(options.statusPollInterval())
            .providerReadBudget(options.providerReadBudget())
            .startupCleanupParallelism(options.startupCleanupParallelism());
    options.providerCallTimeouts().forEach(builder::providerCallTimeout);
    options.providerReadRate().ifPresent(builder::providerReadRate);
    options.providerWriteRate().ifPresent(builder::providerWriteRate);
    options.taint().ifPresentOrElse(builder::taint, builder::disableTaint);
    options.tlsCertificate().ifPresent(tls -> builder.tlsCertificate(tls.certificate(), tls.key()));
    options.clientCa().ifPresent(builder::clientCa);
    return builder;
  }
}
