package dev.vkj.provider.mock;

import dev.vkj.spi.ProviderConfig;
import dev.vkj.spi.ProviderException;
import dev.vkj.testing.FakeProviderContext;
import dev.vkj.testing.MutableClock;
import dev.vkj.testing.RecordingStatusListener;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A mock provider on a fake context with a hand-driven clock, for focused tests. */
final class MockHarness implements AutoCloseable {
  final FakeProviderContext context;
  final MockProvider provider;
  final RecordingStatusListener listener = new RecordingStatusListener();

  MockHarness(Map<String, String> config) throws ProviderException {
    this(FakeProviderContext.builder().build(), config);
  }

  MockHarness(FakeProviderContext context, Map<String, String> config) throws ProviderException {
    this.context = context;
    MockProviderFactory factory = new MockProviderFactory();
    this.provider =
        (MockProvider)
            factory.create(ProviderConfig.validated(config, factory.configKeys()), context);
    provider.notifyPodStatus(listener);
  }

  static MockHarness withDefaults() throws ProviderException {
    return new MockHarness(Map.of());
  }

  static MockHarness with(String... keyValues) throws ProviderException {
    Map<String, String> config = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      config.put(keyValues[i], keyValues[i + 1]);
    }
    return new MockHarness(config);
  }

  MutableClock clock() {
    return context.clock();
  }

  void advance(long seconds) {
    context.clock().advance(Duration.ofSeconds(seconds));
  }

  void advanceMillis(long millis) {
    context.clock().advance(Duration.ofMillis(millis));
  }

  PodStatus status(Pod pod) throws ProviderException {
    return provider
        .getPodStatus(pod.getMetadata().getNamespace(), pod.getMetadata().getName())
        .orElseThrow(() -> new AssertionError("no status for " + pod.getMetadata().getName()));
  }

  ContainerStatus container(Pod pod, String name) throws ProviderException {
    PodStatus status = status(pod);
    List<ContainerStatus> all = new java.util.ArrayList<>(status.getContainerStatuses());
    if (status.getInitContainerStatuses() != null) {
      all.addAll(status.getInitContainerStatuses());
    }
    return all.stream()
        .filter(c -> c.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no status for container " + name));
  }

  @Override
  public void close() {
    provider.close();
    context.close();
  }
}
