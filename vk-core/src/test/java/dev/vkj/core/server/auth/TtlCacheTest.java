package dev.vkj.core.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

final class TtlCacheTest {
  private final AtomicLong now = new AtomicLong(1_000);
  private final TtlCache<String, String> cache = new TtlCache<>(now::get);

  @Test
  void entriesExpireAfterTheirTtl() {
    cache.put("a", "1", Duration.ofSeconds(30));

    now.addAndGet(Duration.ofSeconds(29).toNanos());
    assertThat(cache.get("a")).isEqualTo("1");
    now.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(cache.get("a")).isNull();
    assertThat(cache.size()).isZero();
  }

  @Test
  void aZeroTtlCachesNothing() {
    cache.put("a", "1", Duration.ZERO);

    assertThat(cache.get("a")).isNull();
  }

  @Test
  void sizeIsBounded() {
    for (int i = 0; i < 25_000; i++) {
      cache.put("k" + i, "v", Duration.ofMinutes(5));
    }

    assertThat(cache.size()).isLessThanOrEqualTo(10_000);
  }
}
