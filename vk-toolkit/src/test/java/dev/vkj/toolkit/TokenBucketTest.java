package dev.vkj.toolkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
  @Test
  void reservationsLetTheBurstThroughThenQueueAtTheRate() {
    AtomicLong now = new AtomicLong();
    TokenBucket bucket = new TokenBucket(10, 2, now.get());
    assertThat(bucket.reserve(now.get())).isZero();
    assertThat(bucket.reserve(now.get())).isZero();
    assertThat(Duration.ofNanos(bucket.reserve(now.get()))).isEqualTo(Duration.ofMillis(100));
    assertThat(Duration.ofNanos(bucket.reserve(now.get()))).isEqualTo(Duration.ofMillis(200));
    now.addAndGet(Duration.ofSeconds(10).toNanos());
    assertThat(bucket.reserve(now.get())).as("refilled up to the burst").isZero();
  }

  @Test
  void tryAcquireNeverWaitsAndNeverTakesAReservedToken() {
    AtomicLong now = new AtomicLong();
    TokenBucket bucket = new TokenBucket(10, 1, now.get());
    assertThat(bucket.tryAcquire(now.get())).isTrue();
    assertThat(bucket.tryAcquire(now.get())).isFalse();
    now.addAndGet(Duration.ofMillis(100).toNanos());
    assertThat(bucket.reserve(now.get())).isZero();
    assertThat(bucket.tryAcquire(now.get())).as("the refilled token was reserved").isFalse();
  }

  @Test
  void rejectsARateOrBurstThatCouldNeverServe() {
    assertThatThrownBy(() -> new TokenBucket(0, 1, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TokenBucket(1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
