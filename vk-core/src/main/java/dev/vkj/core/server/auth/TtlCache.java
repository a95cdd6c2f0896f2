package dev.vkj.core.server.auth;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/** A small expiring cache; bounded so that a flood of distinct keys cannot exhaust memory. */
final class TtlCache<K, V> {
  private static final int MAX_ENTRIES = 10_000;

  private record Entry<V>(V value, long expiresAtNanos) {}

  private final ConcurrentHashMap<K, Entry<V>> entries = new ConcurrentHashMap<>();
  private final LongSupplier nanoTime;

  TtlCache(LongSupplier nanoTime) {
    this.nanoTime = requireNonNull(nanoTime, "nanoTime is null");
  }

  V get(K key) {
    Entry<V> entry = entries.get(key);
    if (entry == null) {
      return null;
    }
    if (nanoTime.getAsLong() - entry.expiresAtNanos() >= 0) {
      entries.remove(key, entry);
      return null;
    }
    return entry.value();
  }

  void put(K key, V value, Duration ttl) {
    if (ttl.isZero() || ttl.isNegative()) {
      return;
    }
    if (entries.size() >= MAX_ENTRIES) {
      long now = nanoTime.getAsLong();
      entries.values().removeIf(e -> now - e.expiresAtNanos() >= 0);
      if (entries.size() >= MAX_ENTRIES) {
        entries.clear();
      }
    }
    entries.put(key, new Entry<>(value, nanoTime.getAsLong() + ttl.toNanos()));
  }

  int size() {
    return entries.size();
  }
}
