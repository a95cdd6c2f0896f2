package dev.vkj.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SvgChartTest {
  @Test
  void plotsPointsScaledToANiceMaximum() {
    String svg =
        SvgChart.render(
            "t",
            List.of(
                new SvgChart.Panel(
                    "p",
                    "pods/s",
                    List.of("1,000", "10,000"),
                    List.of(new SvgChart.Series("vkj", "#d62728", false, new double[] {40, 80})))));
    // the y axis ends at 100: 80 is at 80% of the 170 px plot height above its bottom (y 230)
    assertThat(svg).contains(">100</text>");
    assertThat(svg).contains("points=\"133,162 278,94\"");
  }

  @Test
  void missingValuesLeaveGapsAndTextIsEscaped() {
    String svg =
        SvgChart.render(
            "a < b & \"c\"",
            List.of(
                new SvgChart.Panel(
                    "p",
                    "ms",
                    List.of("x", "y"),
                    List.of(
                        new SvgChart.Series("s", "#000", true, new double[] {Double.NaN, 5})))));
    assertThat(svg).contains("a &lt; b &amp; &quot;c&quot;");
    assertThat(svg).contains("stroke-dasharray=\"5,3\" points=\"278,");
    assertThat(svg.split("<circle", -1)).hasSize(2);
  }

  @Test
  void niceCeilings() {
    assertThat(SvgChart.niceCeiling(0)).isEqualTo(1);
    assertThat(SvgChart.niceCeiling(1)).isEqualTo(1);
    assertThat(SvgChart.niceCeiling(1.2)).isEqualTo(2);
    assertThat(SvgChart.niceCeiling(47)).isEqualTo(50);
    assertThat(SvgChart.niceCeiling(5100)).isEqualTo(10000);
  }
}
