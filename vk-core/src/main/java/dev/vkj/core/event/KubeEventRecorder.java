package dev.vkj.core.event;

import static java.util.Objects.requireNonNull;

import dev.vkj.spi.EventRecorder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes core/v1 Events the way the kubelet does: {@code source.component=kubelet}, {@code
 * source.host=<node>}, container events pointing at {@code spec.containers{name}}, repeats counted
 * on the existing Event instead of creating new ones. Writes happen on one background thread with a
 * bounded queue; when the API server is slow, excess events are dropped rather than blocking pod
 * work.
 */
public final class KubeEventRecorder implements EventRecorder, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KubeEventRecorder.class);
  private static final int MAX_REMEMBERED = 4096;

  private final KubernetesClient client;
  private final String nodeName;
  private final Clock clock;
  private final ExecutorService writer;
  // key -> name and count of the event already written; only touched by the writer thread
  private final Map<String, Written> recent =
      new LinkedHashMap<>(256, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Written> eldest) {
          return size() > MAX_REMEMBERED;
        }
      };

  // makes names unique when the clock does not advance between events
  private final AtomicLong sequence = new AtomicLong();

  private record Written(String namespace, String name, int count) {}

  public KubeEventRecorder(KubernetesClient client, String nodeName, Clock clock) {
    this.client = requireNonNull(client, "client is null");
    this.nodeName = requireNonNull(nodeName, "nodeName is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.writer =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(10_000),
            runnable -> {
              Thread thread = new Thread(runnable, "vkj-events");
              thread.setDaemon(true);
              return thread;
            },
            new ThreadPoolExecutor.DiscardPolicy());
  }

  @Override
  public void normal(Pod pod, String reason, String message) {
    record(podRef(pod, null), "Normal", reason, message);
  }

  @Override
  public void warning(Pod pod, String reason, String message) {
    record(podRef(pod, null), "Warning", reason, message);
  }

  @Override
  public void container(Pod pod, String container, boolean warning, String reason, String message) {
    String kind = isInitContainer(pod, container) ? "spec.initContainers" : "spec.containers";
    record(
        podRef(pod, kind + "{" + container + "}"), warning ? "Warning" : "Normal", reason, message);
  }

  @Override
  public void node(boolean warning, String reason, String message) {
    // the kubelet uses the node name as the UID of its node events
    ObjectReference ref =
        new ObjectReferenceBuilder()
            .withKind("Node")
            .withApiVersion("v1")
            .withName(nodeName)
            .withUid(nodeName)
            .build();
    record(ref, warning ? "Warning" : "Normal", reason, message);
  }

  private static boolean isInitContainer(Pod pod, String container) {
    return pod.getSpec() != null
        && pod.getSpec().getInitContainers() != null
        && pod.getSpec().getInitContainers().stream().anyMatch(c -> container.equals(c.getName()));
  }

  private static ObjectReference podRef(Pod pod, String fieldPath) {
    return new ObjectReferenceBuilder()
        .withKind("Pod")
        .withApiVersion("v1")
        .withNamespace(pod.getMetadata().getNamespace())
        .withName(pod.getMetadata().getName())
        .withUid(pod.getMetadata().getUid())
        .withResourceVersion(pod.getMetadata().getResourceVersion())
        .withFieldPath(fieldPath)
        .build();
  }

  private void record(ObjectReference ref, String type, String reason, String message) {
    log.debug("event {} {} {}/{}: {}", type, reason, ref.getNamespace(), ref.getName(), message);
    try {
      writer.execute(() -> write(ref, type, reason, message));
    } catch (RejectedExecutionException e) {
      log.debug("event dropped after shutdown: {}", reason);
    }
  }

  private void write(ObjectReference ref, String type, String reason, String message) {
    String namespace = ref.getNamespace() == null ? "default" : ref.getNamespace();
    String key =
        String.join("\u0000", namespace, ref.getUid(), ref.getFieldPath() + "", reason, message);
    String now = DateTimeFormatter.ISO_INSTANT.format(now());
    try {
      Written previous = recent.get(key);
      if (previous != null) {
        int count = previous.count() + 1;
        Event updated =
            client
                .v1()
                .events()
                .inNamespace(previous.namespace())
                .withName(previous.name())
                .edit(
                    e -> {
                      e.setCount(count);
                      e.setLastTimestamp(now);
                      return e;
                    });
        if (updated != null) {
          recent.put(key, new Written(previous.namespace(), previous.name(), count));
          return;
        }
      }
      Instant exact = clock.instant();
      long nanos =
          exact.getEpochSecond() * 1_000_000_000L + exact.getNano() + sequence.getAndIncrement();
      String name = ref.getName() + "." + Long.toHexString(nanos);
      Event event =
          new EventBuilder()
              .withNewMetadata()
              .withName(name)
              .withNamespace(namespace)
              .endMetadata()
              .withInvolvedObject(ref)
              .withType(type)
              .withReason(reason)
              .withMessage(message)
              .withCount(1)
              .withFirstTimestamp(now)
              .withLastTimestamp(now)
              .withNewSource()
              .withComponent("kubelet")
              .withHost(nodeName)
              .endSource()
              .withReportingComponent("kubelet")
              .withReportingInstance(nodeName)
              .build();
      client.v1().events().inNamespace(namespace).resource(event).create();
      recent.put(key, new Written(namespace, name, 1));
    } catch (KubernetesClientException e) {
      // an event that cannot be written must never fail the work that produced it
      log.debug("could not write event {} for {}: {}", reason, ref.getName(), e.getMessage());
      recent.remove(key);
    }
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.SECONDS);
  }

  @Override
  public void close() {
    writer.shutdown();
    try {
      writer.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
