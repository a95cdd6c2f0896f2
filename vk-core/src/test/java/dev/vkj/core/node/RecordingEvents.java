package dev.vkj.core.node;

import dev.vkj.spi.EventRecorder;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps the reasons of node events. */
final class RecordingEvents implements EventRecorder {
  final List<String> nodeReasons = new CopyOnWriteArrayList<>();

  @Override
  public void normal(Pod pod, String reason, String message) {}

  @Override
  public void warning(Pod pod, String reason, String message) {}

  @Override
  public void container(
      Pod pod, String container, boolean warning, String reason, String message) {}

  @Override
  public void node(boolean warning, String reason, String message) {
    nodeReasons.add(reason);
  }
}
