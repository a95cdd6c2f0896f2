package dev.vkj.provider.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.vkj.spi.ErrorCode;
import dev.vkj.spi.ProviderException;
import dev.vkj.testing.PodFixtures;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FaultsTest {
  @TempDir Path dir;

  @Test
  void withoutFaultKeysNothingFails() throws Exception {
    try (MockHarness mock = MockHarness.withDefaults()) {
      for (int i = 0; i < 50; i++) {
        mock.provider.createPod(PodFixtures.simplePod("p" + i));
      }
      mock.provider.ping();
      assertThat(mock.provider.listPods()).hasSize(50);
    }
  }

  @ParameterizedTest
  @CsvSource({
    "errorRate, 1.5",
    "errorRate, -0.1",
    "errorRate, often",
    "throttleRate, 2",
    "quotaRate, NaN",
    "latency, -1s",
    "retryAfter, soon",
    "outage, maybe",
    "faultSeed, x"
  })
  void badFaultValuesFailNamingTheKey(String key, String value) {
    assertThatThrownBy(() -> MockHarness.with(key, value))
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining(key)
        .satisfies(
            e -> assertThat(((ProviderException) e).code()).isEqualTo(ErrorCode.INVALID_CONFIG));
  }

  @Test
  void theErrorRateFailsAboutThatFractionOfCallsAndTheSeedReplaysThem() throws Exception {
    List<Boolean> first = outcomes("1234");
    List<Boolean> again = outcomes("1234");
    List<Boolean> other = outcomes("99");
    assertThat(again).isEqualTo(first);
    assertThat(other).isNotEqualTo(first);
    long failed = first.stream().filter(ok -> !ok).count();
    // 30% of 400 calls: a generous band, the sequence is fixed by the seed anyway
    assertThat(failed).isBetween(80L, 160L);
  }

  /** Whether each of 400 creates succeeded, under errorRate 0.3 and the seed. */
  private List<Boolean> outcomes(String seed) throws Exception {
    List<Boolean> result = new ArrayList<>();
    try (MockHarness mock =
        MockHarness.with("errorRate", "0.3", "faultSeed", seed, "pods", "1000")) {
      for (int i = 0; i < 400; i++) {
        Pod pod = PodFixtures.simplePod("p" + i);
        try {
          mock.provider.createPod(pod);
          result.add(true);
        } catch (ProviderException e) {
          assertThat(e.code()).isEqualTo(ErrorCode.TRANSIENT);
          assertThat(e.getMessage()).contains("injected");
          result.add(false);
        }
      }
      long failures = result.stream().filter(ok -> !ok).count();
      // a failed create created nothing; the ping is not subject to the error rate
      mock.provider.ping();
      assertThat(
              mock.context
                  .meterRegistry()
                  .counter("vkj.mock.faults", "provider", "mock", "code", "TRANSIENT")
                  .count())
          .isEqualTo(failures);
    }
    return result;
  }

  @Test
  void failedCreatesCreateNothing() throws Exception {
    try (MockHarness mock = MockHarness.with("errorRate", "0.5", "faultSeed", "7")) {
      int created = 0;
      for (int i = 0; i < 40; i++) {
        try {
          mock.provider.createPod(PodFixtures.simplePod("p" + i));
          created++;
        } catch (ProviderException e) {
          // expected for about half
        }
      }
      List<Pod> listed = null;
      while (listed == null) {
        try {
          listed = mock.provider.listPods();
        } catch (ProviderException e) {
          // the read failed too; try again
        }
      }
      assertThat(listed).hasSize(created);
    }
  }

  @Test
  void throttlingAnswersThrottledWithTheRetryAfterAndQuotaOnlyHitsCreates() throws Exception {
    try (MockHarness mock =
        MockHarness.with("throttleRate", "1", "retryAfter", "7s", "faultSeed", "1")) {
      ProviderException e =
          catchThrowableOfType(
              () -> mock.provider.createPod(PodFixtures.simplePod("a")), ProviderException.class);
      assertThat(e.code()).isEqualTo(ErrorCode.THROTTLED);
      assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
      mock.provider.ping();
    }
    try (MockHarness mock =
        MockHarness.with("quotaRate", "1", "retryAfter", "3s", "faultSeed", "1")) {
      ProviderException e =
          catchThrowableOfType(
              () -> mock.provider.createPod(PodFixtures.simplePod("a")), ProviderException.class);
      assertThat(e.code()).isEqualTo(ErrorCode.QUOTA_EXCEEDED);
      assertThat(e.retryAfter()).contains(Duration.ofSeconds(3));
      assertThat(mock.provider.listPods()).isEmpty();
    }
  }

  @Test
  void anOutageFailsEveryCallAndThePing() throws Exception {
    try (MockHarness mock = MockHarness.with("outage", "true")) {
      Pod pod = PodFixtures.simplePod("a");
      List<ThrowingCall> calls =
          List.of(
              () -> mock.provider.createPod(pod),
              () -> mock.provider.updatePod(pod),
              () -> mock.provider.deletePod(pod),
              () -> mock.provider.getPod("default", "a"),
              () -> mock.provider.getPodStatus("default", "a"),
              mock.provider::listPods,
              mock.provider::ping);
      for (ThrowingCall call : calls) {
        assertThatThrownBy(call::run)
            .isInstanceOf(ProviderException.class)
            .hasMessageContaining("outage")
            .satisfies(
                e -> assertThat(((ProviderException) e).code()).isEqualTo(ErrorCode.TRANSIENT));
      }
    }
  }

  @FunctionalInterface
  private interface ThrowingCall {
    void run() throws Exception;
  }

  @Test
  void latencyDelaysCalls() throws Exception {
    try (MockHarness mock = MockHarness.with("latency", "150ms")) {
      long start = System.nanoTime();
      mock.provider.ping();
      mock.provider.listPods();
      // a lower bound only: the machine may be slow, never fast
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }
  }

  @Test
  void theFaultsFileSwitchesFaultsWhileTheProviderRuns() throws Exception {
    Path file = dir.resolve("faults.properties");
    try (MockHarness mock = MockHarness.with("faultsFile", file.toString(), "latency", "0s")) {
      // no file yet: the configured plan, no faults
      mock.provider.ping();
      mock.provider.createPod(PodFixtures.simplePod("a"));

      write(file, "outage: true\n");
      assertThatThrownBy(mock.provider::ping).hasMessageContaining("outage");
      assertThatThrownBy(() -> mock.provider.createPod(PodFixtures.simplePod("b")))
          .hasMessageContaining("outage");

      write(file, "outage=false\nthrottleRate=1\nretryAfter=2s\n");
      mock.provider.ping();
      ProviderException e = catchThrowableOfType(mock.provider::listPods, ProviderException.class);
      assertThat(e.code()).isEqualTo(ErrorCode.THROTTLED);
      assertThat(e.retryAfter()).contains(Duration.ofSeconds(2));

      // a bad file is reported and ignored: the last good plan stays
      write(file, "throttleRate=lots\n");
      assertThat(mock.provider.faults().plan().throttleRate()).isEqualTo(1.0);
      write(file, "someKey=1\n");
      assertThat(mock.provider.faults().plan().throttleRate()).isEqualTo(1.0);

      // the file removed: back to the configuration
      Files.delete(file);
      assertThat(mock.provider.faults().plan()).isEqualTo(Faults.Plan.NONE);
      assertThat(mock.provider.listPods()).hasSize(1);
    }
  }

  @Test
  void aBadFaultsFileAtStartupIsAConfigurationError() throws Exception {
    Path file = dir.resolve("faults.yaml");
    Files.writeString(file, "errorRate: 3\n");
    assertThatThrownBy(() -> MockHarness.with("faultsFile", file.toString()))
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining("errorRate");
    Files.writeString(file, "outages: true\n");
    assertThatThrownBy(() -> MockHarness.with("faultsFile", file.toString()))
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining("outages");
  }

  /** Replaces the file in one step, as a test in another process should. */
  private void write(Path file, String text) throws Exception {
    Path temp = Files.createTempFile(dir, "faults", ".tmp");
    Files.writeString(temp, text);
    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
