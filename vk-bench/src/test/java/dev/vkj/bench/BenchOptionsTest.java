package dev.vkj.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {
  @Test
  void defaultsAreTheIssueTargets() {
    BenchOptions o = BenchOptions.parse();
    assertThat(o.sizes()).containsExactly(1000, 10000);
    assertThat(o.rates()).containsExactly(25.0, 50.0);
    assertThat(o.openLoopDuration()).isEqualTo(Duration.ofMinutes(2));
    assertThat(o.restartPods()).isEqualTo(5000);
    assertThat(o.kubelets()).containsExactly("baseline", "vkj");
    assertThat(o.out()).isEqualTo(Path.of("docs", "benchmarks"));
    assertThat(o.warmupPods()).isEqualTo(3000);
    assertThat(o.repeat()).isEqualTo(3);
  }

  @Test
  void parsesEveryOption() {
    BenchOptions o =
        BenchOptions.parse(
            "--sizes",
            "200, 1000",
            "--rates",
            "25",
            "--duration",
            "20s",
            "--restart-pods",
            "0",
            "--kubelets",
            "vkj",
            "--out",
            "/tmp/x",
            "--heap",
            "512m",
            "--workers",
            "4",
            "--create-concurrency",
            "8",
            "--port",
            "11343",
            "--namespace",
            "b",
            "--note",
            "loaded",
            "--kubelet-log",
            "info",
            "--kubelet-java-opts",
            " -XX:+UseSerialGC  -Xss512k",
            "--histogram",
            "true",
            "--warmup",
            "0",
            "--repeat",
            "5");
    assertThat(o.sizes()).containsExactly(200, 1000);
    assertThat(o.rates()).containsExactly(25.0);
    assertThat(o.openLoopDuration()).isEqualTo(Duration.ofSeconds(20));
    assertThat(o.restartPods()).isZero();
    assertThat(o.kubelets()).isEqualTo(List.of("vkj"));
    assertThat(o)
        .extracting(BenchOptions::heap, BenchOptions::workers, BenchOptions::port)
        .containsExactly("512m", 4, 11343);
    assertThat(o.kubeletLogLevel()).isEqualTo("info");
    assertThat(o.kubeletJavaOptions()).containsExactly("-XX:+UseSerialGC", "-Xss512k");
    assertThat(o.warmupPods()).isZero();
    assertThat(o.repeat()).isEqualTo(5);
    assertThat(o.histogram()).isTrue();
    assertThat(BenchOptions.parse("--rates", "").rates()).isEmpty();
  }

  @Test
  void badInputGetsAClearError() {
    assertThatThrownBy(() -> BenchOptions.parse("--sizes", "0"))
        .hasMessageContaining("--sizes: must be at least 1");
    assertThatThrownBy(() -> BenchOptions.parse("--rates", "-5")).hasMessageContaining("positive");
    assertThatThrownBy(() -> BenchOptions.parse("--duration", "2h")).hasMessageContaining("2m");
    assertThatThrownBy(() -> BenchOptions.parse("--kubelets", "kubelet"))
        .hasMessageContaining("baseline or vkj");
    assertThatThrownBy(() -> BenchOptions.parse("--heap", "lots")).hasMessageContaining("--heap");
    assertThatThrownBy(() -> BenchOptions.parse("--sizes")).hasMessageContaining("needs a value");
    assertThatThrownBy(() -> BenchOptions.parse("--repeat", "0"))
        .hasMessageContaining("--repeat: must be at least 1");
    assertThatThrownBy(() -> BenchOptions.parse("--bogus", "1"))
        .hasMessageContaining("unknown option");
  }
}
