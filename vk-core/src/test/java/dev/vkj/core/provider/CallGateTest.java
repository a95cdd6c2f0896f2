package dev.vkj.core.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vkj.spi.BackendLimits;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CallGateTest {
  private static final long MS = 1_000_000L;

  @Test
  void theBucketLetsTheBurstThroughThenPacesAtTheRate() {
    CallGate gate =
        new CallGate(
            Optional.of(new BackendLimits.Rate(10, 2)),
            Duration.ofSeconds(1),
            Duration.ofSeconds(60),
            0);

    assertThat(gate.reserve(0, 0, false)).isZero();
    assertThat(gate.reserve(0, 0, false)).isZero();
    assertThat(gate.reserve(0, 0, false)).isEqualTo(100 * MS);
    assertThat(gate.reserve(0, 0, false)).isEqualTo(200 * MS);
    // a caller that must start within 250 ms cannot have the next token (due at 300 ms)
    assertThat(gate.reserve(0, 250 * MS, true)).isEqualTo(-1);
    assertThat(gate.reserve(0, 300 * MS, true)).isEqualTo(300 * MS);
    // a second later the bucket is full again, but never above its burst
    assertThat(gate.reserve(2000 * MS, 0, false)).isZero();
    assertThat(gate.reserve(2000 * MS, 0, false)).isZero();
    assertThat(gate.reserve(2000 * MS, 0, false)).isEqualTo(100 * MS);
  }

  @Test
  void withoutARateNothingWaits() {
    CallGate gate = new CallGate(Optional.empty(), Duration.ofSeconds(1), Duration.ofMinutes(1), 0);

    for (int i = 0; i < 1000; i++) {
      assertThat(gate.reserve(0, 0, true)).isZero();
    }
  }

  @Test
  void throttledPausesUntilTheRetryAfterAndBacksOffWithoutOne() {
    CallGate gate =
        new CallGate(Optional.empty(), Duration.ofSeconds(1), Duration.ofSeconds(60), 0);

    assertThat(gate.pauseRemaining(0)).isZero();
    assertThat(gate.throttled(0, Optional.of(Duration.ofSeconds(3))))
        .isEqualTo(Duration.ofSeconds(3));
    assertThat(gate.pauseRemaining(1000 * MS)).isEqualTo(2000 * MS);
    assertThat(gate.pauseRemaining(3000 * MS)).isZero();

    gate.answered();
    assertThat(gate.throttled(0, Optional.empty())).isEqualTo(Duration.ofSeconds(1));
    assertThat(gate.throttled(0, Optional.empty())).isEqualTo(Duration.ofSeconds(2));
    assertThat(gate.throttled(0, Optional.empty())).isEqualTo(Duration.ofSeconds(4));
    for (int i = 0; i < 40; i++) {
      assertThat(gate.throttled(0, Optional.empty())).isLessThanOrEqualTo(Duration.ofSeconds(60));
    }
    assertThat(gate.throttled(0, Optional.empty())).isEqualTo(Duration.ofSeconds(60));
    gate.answered();
    assertThat(gate.throttled(0, Optional.empty())).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void aShorterRetryAfterDoesNotCutAPauseShort() {
    CallGate gate =
        new CallGate(Optional.empty(), Duration.ofSeconds(1), Duration.ofSeconds(60), 0);

    gate.throttled(0, Optional.of(Duration.ofSeconds(10)));
    gate.throttled(0, Optional.of(Duration.ofSeconds(1)));

    assertThat(gate.pauseRemaining(5000 * MS)).isEqualTo(5000 * MS);
  }
}
