package dev.vkj.core;

import dev.vkj.spi.NodeDescription;
import dev.vkj.spi.Provider;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.util.List;
import java.util.Optional;

/**
 * A provider whose backend runs nothing: every pod operation succeeds without effect. Test fakes
 * extend it and override only what their test looks at.
 */
public abstract class EmptyBackend implements Provider {
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
    return NodeDescription.builder().build();
  }
}
