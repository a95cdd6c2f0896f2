package dev.vkj.toolkit;

import static java.util.Objects.requireNonNull;

import dev.vkj.spi.ProviderException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads many keys through a backend call that takes at most N keys (ECS {@code DescribeTasks} takes
 * 100 tasks, many list APIs take a page of IDs): the keys are de-duplicated, split into calls of at
 * most {@code batchSize} in their order, and the results merged. Calls run one after the other on
 * the caller's thread, so a backend limiter sees them one by one; the first failing call stops the
 * read and its exception is thrown.
 *
 * <p>A typical {@link dev.vkj.spi.BatchedPodStatus}:
 *
 * <pre>{@code
 * public List<Pod> listPodStatuses() throws ProviderException {
 *   List<String> arns = listTaskArns(); // one paged list call
 *   return BatchReader.readAll(arns, 100, batch -> describeTasks(batch).stream()
 *       .map(this::toPodWithStatus).toList());
 * }
 * }</pre>
 */
public final class BatchReader {
  /** One backend call over at most {@code batchSize} keys. */
  @FunctionalInterface
  public interface BatchCall<K, V> {
    /** Reads the keys; a key the backend does not know is simply missing from the result. */
    List<V> read(List<K> keys) throws ProviderException;
  }

  private BatchReader() {}

  /** The keys split into lists of at most {@code batchSize}, duplicates removed, order kept. */
  public static <K> List<List<K>> batches(Collection<K> keys, int batchSize) {
    requireNonNull(keys, "keys is null");
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be at least 1, not " + batchSize);
    }
    List<K> distinct = new ArrayList<>(new LinkedHashSet<>(keys));
    List<List<K>> out = new ArrayList<>();
    for (int i = 0; i < distinct.size(); i += batchSize) {
      out.add(List.copyOf(distinct.subList(i, Math.min(distinct.size(), i + batchSize))));
    }
    return out;
  }

  /** All results of all calls, in call order. No call is made for no keys. */
  public static <K, V> List<V> readAll(Collection<K> keys, int batchSize, BatchCall<K, V> call)
      throws ProviderException {
    requireNonNull(call, "call is null");
    List<V> out = new ArrayList<>();
    for (List<K> batch : batches(keys, batchSize)) {
      List<V> results = call.read(batch);
      if (results != null) {
        out.addAll(results);
      }
    }
    return out;
  }

  /**
   * The results by key ({@code keyOf} tells which key a result answers), in the order of the keys;
   * keys the backend did not return are absent.
   *
   * @throws IllegalStateException when a call returns a result for a key it was not asked for
   */
  public static <K, V> Map<K, V> readByKey(
      Collection<K> keys, int batchSize, BatchCall<K, V> call, Function<V, K> keyOf)
      throws ProviderException {
    requireNonNull(call, "call is null");
    requireNonNull(keyOf, "keyOf is null");
    Map<K, V> found = new LinkedHashMap<>();
    for (List<K> batch : batches(keys, batchSize)) {
      List<V> results = call.read(batch);
      if (results == null) {
        continue;
      }
      for (V v : results) {
        K key = keyOf.apply(v);
        if (!batch.contains(key)) {
          throw new IllegalStateException(
              "the backend answered for " + key + ", which the call did not ask for");
        }
        found.put(key, v);
      }
    }
    Map<K, V> ordered = new LinkedHashMap<>();
    for (K key : new LinkedHashSet<>(keys)) {
      V v = found.get(key);
      if (v != null) {
        ordered.put(key, v);
      }
    }
    return ordered;
  }
}
