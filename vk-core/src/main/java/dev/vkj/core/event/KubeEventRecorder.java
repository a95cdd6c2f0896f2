package dev.vkj.core.event;

import static java.util.Objects.requireNonNull;

import dev.vkj.core.KubeClients;
import dev.vkj.spi.EventRecorder;
import dev.vkj.toolkit.TokenBucket;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes core/v1 Events the way the kubelet does: {@code source.component=kubelet}, {@code
 * source.host=<node>}, container events pointing at {@code spec.containers{name}}.
 *
 * <p>Like client-go's event correlator, an event seen again updates the {@code count} and {@code
 * lastTimestamp} of the Event already written (one merge patch, no read), and more than {@value
 * #MAX_SIMILAR} events of one object with the same reason but different messages within {@link
 * #SIMILAR_WINDOW} become one Event whose message starts with {@value #COMBINED_PREFIX}. Writes
 * happen on one background thread with a bounded queue and are limited per node like the kubelet's
 * {@code eventRecordQPS} and {@code eventBurst}; what does not fit is dropped and counted ({@code
 * vkj.events.dropped}), so a crash-looping workload never slows pod work or eats the API server's
 * capacity.
 */
public final class KubeEventRecorder implements EventRecorder, AutoCloseable {
  /** The kubelet's defaults for {@code eventRecordQPS} and {@code eventBurst}. */
  public static final double DEFAULT_QPS = 50;

  /**
   * While the node is busy, events get this fraction of the rate: the kubelet's old 5 per second.
   */
  static final int BUSY_SHARE = 10;

  public static final int DEFAULT_BURST = 100;

  static final int MAX_SIMILAR = 10;
  static final Duration SIMILAR_WINDOW = Duration.ofMinutes(10);
  static final String COMBINED_PREFIX = "(combined from similar events): ";

  private static final Logger log = LoggerFactory.getLogger(KubeEventRecorder.class);
  private static final int MAX_REMEMBERED = 4096;
  private static final int QUEUE = 1000;

  private final KubernetesClient client;
  private final String nodeName;
  private final Clock clock;
  private final ExecutorService writer;
  private final TokenBucket writes;
  private final TokenBucket busyWrites;
  private volatile BooleanSupplier busy = () -> false;
  private final Counter created;
  private final Counter patched;
  private final Counter droppedRate;
  private final Counter droppedBusy;
  private final Counter droppedQueue;
  private final Counter failed;
  // key -> the event already written; only touched by the writer thread
  private final Map<String, Written> recent = lru();
  // object, type and reason -> messages seen in the current window; writer thread only
  private final Map<String, Similar> similar = lru();

  // makes names unique when the clock does not advance between events
  private final AtomicLong sequence = new AtomicLong();

  private record Written(String namespace, String name, int count) {}

  private static final class Similar {
    final Set<String> messages = new HashSet<>();
    Instant since;
  }

  public KubeEventRecorder(KubernetesClient client, String nodeName, Clock clock) {
    this(client, nodeName, clock, DEFAULT_QPS, DEFAULT_BURST, new SimpleMeterRegistry());
  }

  /**
   * @param qps Event writes per second this node may make, on average
   * @param burst Event writes this node may make at once
   */
  public KubeEventRecorder(
      KubernetesClient client,
      String nodeName,
      Clock clock,
      double qps,
      int burst,
      MeterRegistry meters) {
    this.client = requireNonNull(client, "client is null");
    this.nodeName = requireNonNull(nodeName, "nodeName is null");
    this.clock = requireNonNull(clock, "clock is null");
    requireNonNull(meters, "meters is null");
    if (!(qps > 0) || burst < 1) {
      throw new IllegalArgumentException(
          "eventQps must be positive and eventBurst at least 1, got " + qps + " and " + burst);
    }
    this.writes = new TokenBucket(qps, burst, System.nanoTime());
    this.busyWrites =
        new TokenBucket(qps / BUSY_SHARE, Math.max(1, burst / BUSY_SHARE), System.nanoTime());
    this.created = writes(meters, "create");
    this.patched = writes(meters, "patch");
    this.droppedRate = dropped(meters, "rate_limit");
    this.droppedBusy = dropped(meters, "node_busy");
    this.droppedQueue = dropped(meters, "queue_full");
    this.failed = dropped(meters, "api_error");
    this.writer =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(QUEUE),
            runnable -> {
              Thread thread = new Thread(runnable, "vkj-events");
              thread.setDaemon(true);
              return thread;
            },
            (task, pool) -> {
              if (!pool.isShutdown()) {
                droppedQueue.increment();
              }
            });
  }

  private static Counter writes(MeterRegistry meters, String verb) {
    return Counter.builder("vkj.events.written")
        .description("Event objects created or patched")
        .tag("verb", verb)
        .register(meters);
  }

  private static Counter dropped(MeterRegistry meters, String reason) {
    return Counter.builder("vkj.events.dropped")
        .description("Events not written")
        .tag("reason", reason)
        .register(meters);
  }

  private static <V> Map<String, V> lru() {
    return new LinkedHashMap<>(256, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > MAX_REMEMBERED;
      }
    };
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

  /**
   * Events yield to pod work: while {@code busy} says so (the virtual kubelet's pod controller says
   * so while more pods wait for a sync than there are workers, or while it writes pods faster than
   * the Event rate), writes are limited to a tenth of the rate and burst, and the rest are dropped
   * and counted as {@code node_busy}. Each Event is a write the API server also spends on the pods'
   * own status and deletes; during a burst of thousands of pods most would be dropped anyway.
   */
  public void yieldTo(BooleanSupplier busy) {
    this.busy = requireNonNull(busy, "busy is null");
  }

  private void write(ObjectReference ref, String type, String reason, String text) {
    String namespace = ref.getNamespace() == null ? "default" : ref.getNamespace();
    String object = String.join("\u0000", namespace, ref.getUid(), ref.getFieldPath() + "");
    String similarKey = String.join("\u0000", object, type, reason);
    String message = aggregate(similarKey, text);
    // every combined event of one object and reason counts on the same Event, as in client-go
    String key =
        message.startsWith(COMBINED_PREFIX)
            ? similarKey + "\u0000" + COMBINED_PREFIX
            : similarKey + "\u0000" + message;
    long at = System.nanoTime();
    if (busy.getAsBoolean() && !busyWrites.tryAcquire(at)) {
      droppedBusy.increment();
      return;
    }
    if (!writes.tryAcquire(at)) {
      droppedRate.increment();
      return;
    }
    String now = DateTimeFormatter.ISO_INSTANT.format(now());
    try {
      Written previous = recent.get(key);
      if (previous != null) {
        int count = previous.count() + 1;
        if (patchCount(previous, count, now)) {
          patched.increment();
          recent.put(key, new Written(previous.namespace(), previous.name(), count));
          return;
        }
        // the Event expired or was deleted: write a new one
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
      // the answer is not parsed: only its code matters here
      int code =
          send(
              "POST",
              "api/v1/namespaces/" + namespace + "/events",
              "application/json",
              Serialization.asJson(event),
              name);
      if (code < 200 || code >= 300) {
        throw new KubernetesClientException("create of event " + name + " answered " + code);
      }
      created.increment();
      recent.put(key, new Written(namespace, name, 1));
    } catch (KubernetesClientException e) {
      // an event that cannot be written must never fail the work that produced it
      failed.increment();
      log.debug("could not write event {} for {}: {}", reason, ref.getName(), e.getMessage());
      recent.remove(key);
    }
  }

  /**
   * One merge patch of count and lastTimestamp, without the read that the client's patch methods
   * make first; false when the Event is gone.
   */
  private boolean patchCount(Written previous, int count, String now) {
    int code =
        send(
            "PATCH",
            "api/v1/namespaces/" + previous.namespace() + "/events/" + previous.name(),
            "application/merge-patch+json",
            "{\"count\":" + count + ",\"lastTimestamp\":\"" + now + "\"}",
            previous.name());
    if (code == 404) {
      return false;
    }
    if (code < 200 || code >= 300) {
      throw new KubernetesClientException(
          "patch of event " + previous.name() + " answered " + code);
    }
    return true;
  }

  /** One request to the API server; returns the HTTP code. */
  private int send(String method, String path, String contentType, String body, String name) {
    try {
      return KubeClients.send(client, method, path, contentType, body).code();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KubernetesClientException("interrupted while writing event " + name, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new KubernetesClientException(method + " of event " + name + " failed", e);
    }
  }

  /**
   * The message to write: the event's own, or the combined form once an object has had more than
   * {@value #MAX_SIMILAR} different messages for one reason within {@link #SIMILAR_WINDOW}.
   */
  private String aggregate(String similarKey, String message) {
    Instant at = clock.instant();
    Similar seen = similar.computeIfAbsent(similarKey, k -> new Similar());
    if (seen.since == null || Duration.between(seen.since, at).compareTo(SIMILAR_WINDOW) > 0) {
      seen.messages.clear();
      seen.since = at;
    }
    seen.messages.add(message);
    return seen.messages.size() > MAX_SIMILAR ? COMBINED_PREFIX + message : message;
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
