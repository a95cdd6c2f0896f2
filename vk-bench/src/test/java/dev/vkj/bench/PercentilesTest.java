package dev.vkj.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PercentilesTest {
  @Test
  void nearestRankOnOneToHundred() {
    double[] values = new double[100];
    for (int i = 0; i < 100; i++) {
      values[99 - i] = i + 1; // unsorted on purpose
    }
    Percentiles p = new Percentiles(values);
    assertThat(p.at(50)).isEqualTo(50);
    assertThat(p.at(99)).isEqualTo(99);
    assertThat(p.at(100)).isEqualTo(100);
    assertThat(p.at(0.5)).isEqualTo(1);
    assertThat(p.max()).isEqualTo(100);
  }

  @Test
  void smallSamplesRoundUpToARealValue() {
    Percentiles p = new Percentiles(new double[] {30, 10, 20});
    assertThat(p.at(50)).isEqualTo(20);
    assertThat(p.at(99)).isEqualTo(30);
    assertThat(p.at(34)).isEqualTo(20);
    assertThat(p.at(33)).isEqualTo(10);
  }

  @Test
  void emptySampleIsNaNAndBadPercentilesAreRefused() {
    assertThat(new Percentiles(new double[0]).at(50)).isNaN();
    assertThatThrownBy(() -> new Percentiles(new double[] {1}).at(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Percentiles(new double[] {1}).at(101))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theInputIsNotSortedInPlace() {
    double[] values = {3, 1, 2};
    new Percentiles(values).at(50);
    assertThat(values).containsExactly(3, 1, 2);
  }
}
