package dev.vkj.testing;

import dev.vkj.spi.PodStatusNotifier;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/** A {@link PodStatusNotifier.Listener} that keeps every pushed pod for assertions. */
public final class RecordingStatusListener implements PodStatusNotifier.Listener {
  private final List<Pod> pushes = new CopyOnWriteArrayList<>();

  @Override
  public void podStatusChanged(Pod pod) {
    pushes.add(pod);
  }

  /** Every push so far, oldest first. */
  public List<Pod> pushes() {
    return List.copyOf(pushes);
  }

  /** The pushes for one pod, oldest first. */
  public List<Pod> pushesFor(String namespace, String name) {
    return pushes.stream()
        .filter(
            p ->
                p.getMetadata() != null
                    && namespace.equals(p.getMetadata().getNamespace())
                    && name.equals(p.getMetadata().getName()))
        .collect(Collectors.toList());
  }

  /** The most recent push for one pod. */
  public Optional<Pod> latest(String namespace, String name) {
    List<Pod> forPod = pushesFor(namespace, name);
    return forPod.isEmpty() ? Optional.empty() : Optional.of(forPod.get(forPod.size() - 1));
  }

  public int count() {
    return pushes.size();
  }

  public void clear() {
    pushes.clear();
  }
}
