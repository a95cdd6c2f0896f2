package dev.vkj.core.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vkj.toolkit.TokenBucket;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ReadBudgetTest {
  @Test
  void handsOutOneSecondOfTokensThenRefillsAtItsRate() {
    AtomicLong now = new AtomicLong();
    TokenBucket budget = PodSyncer.readBudget(10, now.get());
    int granted = 0;
    for (int i = 0; i < 50; i++) {
      if (budget.tryAcquire(now.get())) {
        granted++;
      }
    }
    assertThat(granted).isEqualTo(10);
    now.addAndGet(100_000_000L); // 100 ms: one token
    assertThat(budget.tryAcquire(now.get())).isTrue();
    assertThat(budget.tryAcquire(now.get())).isFalse();
    now.addAndGet(60_000_000_000L); // a minute: never more than the burst
    granted = 0;
    for (int i = 0; i < 50; i++) {
      if (budget.tryAcquire(now.get())) {
        granted++;
      }
    }
    assertThat(granted).isEqualTo(10);
  }

  @Test
  void aFractionalRateStillAllowsOneRead() {
    AtomicLong now = new AtomicLong();
    TokenBucket budget = PodSyncer.readBudget(0.5, now.get());
    assertThat(budget.tryAcquire(now.get())).isTrue();
    assertThat(budget.tryAcquire(now.get())).isFalse();
    now.addAndGet(2_000_000_000L);
    assertThat(budget.tryAcquire(now.get())).isTrue();
  }

  @Test
  void rejectsANonPositiveRate() {
    assertThatThrownBy(() -> PodSyncer.readBudget(0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("read budget");
  }
}
