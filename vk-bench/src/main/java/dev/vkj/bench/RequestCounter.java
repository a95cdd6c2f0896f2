package dev.vkj.bench;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A client interceptor that counts every request the client sends, by {@link RequestKey}, and
 * separately the answers that were not successful, by key and HTTP code. Retries are requests too:
 * the API server sees them.
 */
final class RequestCounter implements Interceptor {
  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    count(RequestKey.of(request.method(), request.uri()));
  }

  @Override
  public void after(
      HttpRequest request,
      HttpResponse<?> response,
      AsyncBody.Consumer<List<ByteBuffer>> consumer) {
    if (response.code() >= 400) { // 101 is a watch switching to a WebSocket
      failures
          .computeIfAbsent(
              RequestKey.of(request.method(), request.uri()) + " " + response.code(),
              k -> new LongAdder())
          .increment();
    }
  }

  void count(String key) {
    counts.computeIfAbsent(key, k -> new LongAdder()).increment();
  }

  /** The counts so far, sorted by key. */
  Map<String, Long> snapshot() {
    return sorted(counts);
  }

  /** Unsuccessful answers so far, by key and HTTP code, e.g. {@code DELETE pods 404}. */
  Map<String, Long> failures() {
    return sorted(failures);
  }

  private static Map<String, Long> sorted(Map<String, LongAdder> counts) {
    Map<String, Long> out = new TreeMap<>();
    counts.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}
