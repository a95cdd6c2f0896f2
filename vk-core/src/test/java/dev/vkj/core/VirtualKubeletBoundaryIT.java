package dev.vkj.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vkj.spi.BackendLimits;
import dev.vkj.spi.ContainerLogs;
import dev.vkj.spi.LogOptions;
import dev.vkj.spi.NodeDescription;
import dev.vkj.spi.Provider;
import dev.vkj.spi.ProviderException;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A started virtual kubelet hands the provider boundary, not the raw provider, to everything. */
class VirtualKubeletBoundaryIT {
  @RegisterExtension final MockApiServer api = new MockApiServer();

  /** Records the context class loader of every call and hangs its log calls. */
  static final class LogsBackend extends EmptyBackend implements ContainerLogs {
    final List<String> callThreads = new CopyOnWriteArrayList<>();
    final CountDownLatch never = new CountDownLatch(1);

    @Override
    public NodeDescription describeNode() {
      callThreads.add(Thread.currentThread().getName());
      return super.describeNode();
    }

    @Override
    public BackendLimits limits() {
      return BackendLimits.of(new BackendLimits.Rate(1000, 1000), null);
    }

    @Override
    public InputStream containerLogs(
        String namespace, String pod, String container, LogOptions options)
        throws ProviderException {
      try {
        never.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw ProviderException.transientError("released", null);
    }
  }

  @Test
  void everyComponentCallsTheProviderThroughTheBoundary() throws Exception {
    LogsBackend backend = new LogsBackend();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (VirtualKubelet kubelet =
        VirtualKubelet.builder()
            .client(api.client())
            .nodeName("vk-boundary")
            .nodeIp("127.0.0.1")
            .kubeletPort(0)
            .provider("fake", context -> backend)
            .meterRegistry(meters)
            .providerCallTimeout("containerLogs", Duration.ofMillis(300))
            .providerWriteRate(new BackendLimits.Rate(50, 5))
            .statusPollInterval(Duration.ofSeconds(1))
            .build()) {
      kubelet.start();
      Provider provider = kubelet.provider().orElseThrow();

      assertThat(provider).isNotSameAs(backend).isInstanceOf(ContainerLogs.class);
      assertThat(provider.limits())
          .isEqualTo(
              new BackendLimits(
                  java.util.Optional.of(new BackendLimits.Rate(1000, 1000)),
                  java.util.Optional.of(new BackendLimits.Rate(50, 5))));
      // the node controller's describeNode ran on the boundary's threads, and was timed
      assertThat(backend.callThreads).isNotEmpty().allMatch(n -> n.startsWith("vkj-provider-call"));
      assertThat(
              Search.in(meters).name("vkj.provider.calls").tag("operation", "describeNode").timer())
          .isNotNull();
      await(
          () ->
              Search.in(meters).name("vkj.provider.calls").tag("operation", "listPods").timer()
                  != null);
      assertThatThrownBy(
              () ->
                  ((ContainerLogs) provider)
                      .containerLogs("default", "a", "app", LogOptions.defaults()))
          .isInstanceOf(ProviderException.class)
          .hasMessage("provider call containerLogs timed out after 300ms");
      backend.never.countDown();
    }
  }

  @Test
  void badProviderSettingsNameTheOption() {
    assertThatThrownBy(() -> base().providerCallTimeout("exec", Duration.ofSeconds(1)).build())
        .isInstanceOf(VkjException.class)
        .hasMessageContaining("invalid option providerCallTimeout")
        .hasMessageContaining("exec streams and has no timeout");
    assertThatThrownBy(() -> base().statusPollInterval(Duration.ZERO).build())
        .hasMessageContaining("invalid option statusPollInterval");
    assertThatThrownBy(() -> base().providerReadBudget(0).build())
        .hasMessageContaining("invalid option providerReadBudget");
    assertThatThrownBy(() -> base().startupCleanupParallelism(0).build())
        .hasMessageContaining("invalid option startupCleanupParallelism");
  }

  private VirtualKubelet.Builder base() {
    return VirtualKubelet.builder()
        .client(api.client())
        .nodeIp("127.0.0.1")
        .provider("fake", context -> new LogsBackend());
  }

  private static void await(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition within 30 s").isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}
