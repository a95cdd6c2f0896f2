package dev.vkj.testing;

import static java.util.Objects.requireNonNull;

import dev.vkj.spi.EventRecorder;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/** An {@link EventRecorder} that keeps every event in memory so tests can assert on them. */
public final class RecordingEventRecorder implements EventRecorder {
  /**
   * One recorded event.
   *
   * @param namespace the pod namespace, or empty for node events
   * @param pod the pod name, or empty for node events
   * @param container the container name, or empty when the event is not about a container
   * @param warning whether it is a Warning (otherwise Normal)
   * @param reason the event reason, e.g. {@code BackOff}
   * @param message the event message
   */
  public record Event(
      String namespace,
      String pod,
      String container,
      boolean warning,
      String reason,
      String message) {
    /** Whether this event is on the node rather than on a pod. */
    public boolean isNodeEvent() {
      return pod.isEmpty();
    }
  }

  private final List<Event> events = new CopyOnWriteArrayList<>();

  @Override
  public void normal(Pod pod, String reason, String message) {
    record(pod, "", false, reason, message);
  }

  @Override
  public void warning(Pod pod, String reason, String message) {
    record(pod, "", true, reason, message);
  }

  @Override
  public void container(Pod pod, String container, boolean warning, String reason, String message) {
    record(pod, requireNonNull(container, "container is null"), warning, reason, message);
  }

  @Override
  public void node(boolean warning, String reason, String message) {
    events.add(new Event("", "", "", warning, nn(reason), nn(message)));
  }

  /** Every event so far, oldest first. */
  public List<Event> events() {
    return List.copyOf(events);
  }

  /** The events with this reason, oldest first. */
  public List<Event> byReason(String reason) {
    return events.stream().filter(e -> e.reason().equals(reason)).collect(Collectors.toList());
  }

  /** The events recorded on one pod (including its containers), oldest first. */
  public List<Event> forPod(String namespace, String name) {
    return events.stream()
        .filter(e -> e.namespace().equals(namespace) && e.pod().equals(name))
        .collect(Collectors.toList());
  }

  /** Whether an event with this reason was recorded. */
  public boolean hasReason(String reason) {
    return events.stream().anyMatch(e -> e.reason().equals(reason));
  }

  public void clear() {
    events.clear();
  }

  private void record(Pod pod, String container, boolean warning, String reason, String message) {
    requireNonNull(pod, "pod is null");
    String namespace = pod.getMetadata() == null ? "" : nn(pod.getMetadata().getNamespace());
    String name = pod.getMetadata() == null ? "" : nn(pod.getMetadata().getName());
    events.add(new Event(namespace, name, container, warning, nn(reason), nn(message)));
  }

  private static String nn(String value) {
    return value == null ? "" : value;
  }
}
