package dev.vkj.core.pod;

import dev.vkj.spi.EventRecorder;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every event in memory. */
final class RecordingEvents implements EventRecorder {
  record Event(String pod, String container, boolean warning, String reason, String message) {}

  final List<Event> events = new CopyOnWriteArrayList<>();

  @Override
  public void normal(Pod pod, String reason, String message) {
    events.add(new Event(name(pod), null, false, reason, message));
  }

  @Override
  public void warning(Pod pod, String reason, String message) {
    events.add(new Event(name(pod), null, true, reason, message));
  }

  @Override
  public void container(Pod pod, String container, boolean warning, String reason, String message) {
    events.add(new Event(name(pod), container, warning, reason, message));
  }

  @Override
  public void node(boolean warning, String reason, String message) {
    events.add(new Event(null, null, warning, reason, message));
  }

  List<Event> withReason(String reason) {
    return events.stream().filter(e -> e.reason().equals(reason)).toList();
  }

  private static String name(Pod pod) {
    return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
  }
}
