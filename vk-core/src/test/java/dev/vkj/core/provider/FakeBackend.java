package dev.vkj.core.provider;

import dev.vkj.spi.ContainerLogs;
import dev.vkj.spi.LogOptions;
import dev.vkj.spi.NodeDescription;
import dev.vkj.spi.Provider;
import dev.vkj.spi.ProviderException;
import dev.vkj.spi.StatsProvider;
import dev.vkj.spi.stats.StatsSummary;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A provider whose answers are set by the test, one behaviour per operation. */
public class FakeBackend implements Provider, ContainerLogs, StatsProvider {
  interface Behaviour {
    Object answer(String pod) throws ProviderException;
  }

  record Sent(String operation, String pod, long nanoTime) {}

  final Map<String, Behaviour> behaviours = new ConcurrentHashMap<>();
  final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  final List<Sent> sent = new CopyOnWriteArrayList<>();

  int calls(String operation) {
    return calls.computeIfAbsent(operation, k -> new AtomicInteger()).get();
  }

  private Object call(String operation, String pod, Object fallback) throws ProviderException {
    sent.add(new Sent(operation, pod, System.nanoTime()));
    calls.computeIfAbsent(operation, k -> new AtomicInteger()).incrementAndGet();
    Behaviour b = behaviours.get(operation);
    return b == null ? fallback : b.answer(pod);
  }

  public static Pod pod(String name) {
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace("default")
        .withName(name)
        .withUid("uid-" + name)
        .endMetadata()
        .build();
  }

  @Override
  public void createPod(Pod pod) throws ProviderException {
    call("createPod", pod.getMetadata().getName(), null);
  }

  @Override
  public void updatePod(Pod pod) throws ProviderException {
    call("updatePod", pod.getMetadata().getName(), null);
  }

  @Override
  public void deletePod(Pod pod) throws ProviderException {
    call("deletePod", pod.getMetadata().getName(), null);
  }

  @Override
  @SuppressWarnings("unchecked")
  public Optional<Pod> getPod(String namespace, String name) throws ProviderException {
    return (Optional<Pod>) call("getPod", name, Optional.of(pod(name)));
  }

  @Override
  @SuppressWarnings("unchecked")
  public Optional<PodStatus> getPodStatus(String namespace, String name) throws ProviderException {
    return (Optional<PodStatus>) call("getPodStatus", name, Optional.of(new PodStatus()));
  }

  @Override
  @SuppressWarnings("unchecked")
  public List<Pod> listPods() throws ProviderException {
    return (List<Pod>) call("listPods", null, List.of());
  }

  @Override
  public NodeDescription describeNode() {
    try {
      return (NodeDescription) call("describeNode", null, null);
    } catch (ProviderException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void ping() throws ProviderException {
    call("ping", null, null);
  }

  @Override
  public InputStream containerLogs(
      String namespace, String pod, String container, LogOptions options) throws ProviderException {
    return (InputStream) call("containerLogs", pod, new ByteArrayInputStream(new byte[0]));
  }

  @Override
  public StatsSummary statsSummary() throws ProviderException {
    return (StatsSummary) call("statsSummary", null, null);
  }
}
