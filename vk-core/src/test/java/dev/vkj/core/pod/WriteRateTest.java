package dev.vkj.core.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class WriteRateTest {
  private static final long MS = 1_000_000L;
  private static final long START = 123_456_789L;

  @Test
  void countsTheWritesOfTheCurrentSecond() {
    WriteRate rate = new WriteRate(START);
    assertThat(rate.perSecond(START)).isZero();
    for (int i = 0; i < 60; i++) {
      rate.mark(START + i * 10 * MS);
    }
    assertThat(rate.perSecond(START + 900 * MS)).isEqualTo(60);
  }

  @Test
  void thePreviousSecondFadesOutAsTheWindowSlides() {
    WriteRate rate = new WriteRate(START);
    for (int i = 0; i < 100; i++) {
      rate.mark(START + i * 10 * MS);
    }
    // a quarter into the next second, three quarters of the previous one still count
    assertThat(rate.perSecond(START + 1250 * MS)).isCloseTo(75, within(0.01));
    rate.mark(START + 1500 * MS);
    assertThat(rate.perSecond(START + 1500 * MS)).isCloseTo(51, within(0.01));
    assertThat(rate.perSecond(START + 1999 * MS)).isCloseTo(1.1, within(0.01));
  }

  @Test
  void aQuietGapForgetsEverything() {
    WriteRate rate = new WriteRate(START);
    for (int i = 0; i < 500; i++) {
      rate.mark(START + i * MS);
    }
    assertThat(rate.perSecond(START + 999 * MS)).isEqualTo(500);
    assertThat(rate.perSecond(START + 2100 * MS)).isZero();
    rate.mark(START + 5 * 1000 * MS);
    assertThat(rate.perSecond(START + 5 * 1000 * MS)).isEqualTo(1);
  }

  @Test
  void aBulkAboveTheThresholdIsSeenWithinASecond() {
    WriteRate rate = new WriteRate(START);
    long at = START;
    // a steady 100 writes per second: the estimate stays near 100 whatever the phase
    for (int i = 0; i < 500; i++) {
      at = START + i * 10 * MS;
      rate.mark(at);
      if (i >= 100) {
        assertThat(rate.perSecond(at)).isBetween(99.0, 101.0);
      }
    }
  }
}
