package dev.vkj.core.node;

import dev.vkj.spi.NodeDescription;
import dev.vkj.spi.Provider;
import dev.vkj.spi.ProviderException;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.util.List;
import java.util.Optional;

/** A provider with no pods whose health can be switched by the test. */
final class StubNodeProvider implements Provider {
  volatile String pingError;

  @Override
  public void createPod(Pod pod) {}

  @Override
  public void updatePod(Pod pod) {}

  @Override
  public void deletePod(Pod pod) {}

  @Override
  public Optional<Pod> getPod(String namespace, String name) {
    return Optional.empty();
  }

  @Override
  public Optional<PodStatus> getPodStatus(String namespace, String name) {
    return Optional.empty();
  }

  @Override
  public List<Pod> listPods() {
    return List.of();
  }

  @Override
  public NodeDescription describeNode() {
    return NodeDescription.builder()
        .capacity("cpu", "20")
        .capacity("memory", "100Gi")
        .capacity("pods", "110")
        .label("example.com/backend", "stub")
        .osImage("stub backend")
        .containerRuntimeVersion("stub://1.0")
        .build();
  }

  @Override
  public void ping() throws ProviderException {
    String error = pingError;
    if (error != null) {
      throw ProviderException.transientError(error, null);
    }
  }
}
