package dev.vkj.provider.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vkj.spi.ConfigKey;
import dev.vkj.spi.ErrorCode;
import dev.vkj.spi.ProviderConfig;
import dev.vkj.spi.ProviderException;
import dev.vkj.spi.ProviderFactory;
import dev.vkj.testing.FakeProviderContext;
import java.time.Duration;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MockConfigTest {
  private final MockProviderFactory factory = new MockProviderFactory();

  @Test
  void factoryIsFoundByServiceLoader() {
    assertThat(ServiceLoader.load(ProviderFactory.class))
        .extracting(ProviderFactory::name)
        .contains("mock");
  }

  @Test
  void everyKeyHasADescriptionAndDefaultsAreSensible() throws Exception {
    assertThat(factory.configKeys())
        .extracting(ConfigKey::name)
        .containsExactly(
            "cpu",
            "memory",
            "pods",
            "startupDelay",
            "podCidr",
            "stateFile",
            "logInterval",
            "operatingSystem",
            "errorRate",
            "latency",
            "throttleRate",
            "quotaRate",
            "retryAfter",
            "outage",
            "faultsFile",
            "faultSeed");
    assertThat(factory.configKeys()).allMatch(k -> !k.description().isBlank() && !k.required());
    MockConfig config = MockConfig.from(ProviderConfig.validated(Map.of(), factory.configKeys()));
    assertThat(config.cpu().toString()).isEqualTo("20");
    assertThat(config.memory().toString()).isEqualTo("100Gi");
    assertThat(config.pods()).isEqualTo(110);
    assertThat(config.startupDelay()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.podCidr()).isEqualTo("10.244.0.0/16");
    assertThat(config.stateFile()).isEmpty();
    assertThat(config.logInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(config.operatingSystem()).isEqualTo("linux");
    assertThat(config.faults()).isEqualTo(Faults.Plan.NONE);
    assertThat(config.faultsFile()).isEmpty();
    assertThat(config.faultSeed()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({
    "cpu, lots",
    "cpu, -2",
    "memory, 12 apples",
    "pods, many",
    "pods, 0",
    "startupDelay, later",
    "podCidr, 10.244.0.0",
    "podCidr, 10.244.0.0/31",
    "podCidr, 300.1.0.0/16",
    "logInterval, often",
    "logInterval, 0s",
    "operatingSystem, plan9",
  })
  void badValuesFailNamingTheKey(String key, String value) {
    try (FakeProviderContext context = FakeProviderContext.create()) {
      assertThatThrownBy(
              () ->
                  factory.create(
                      ProviderConfig.validated(Map.of(key, value), factory.configKeys()), context))
          .isInstanceOf(ProviderException.class)
          .hasMessageContaining("'" + key + "'")
          .satisfies(
              e -> assertThat(((ProviderException) e).code()).isEqualTo(ErrorCode.INVALID_CONFIG));
    }
  }

  @Test
  void goDurationsMatchTheKubeletMessages() {
    assertThat(Times.goDuration(Duration.ofSeconds(10))).isEqualTo("10s");
    assertThat(Times.goDuration(Duration.ofSeconds(80))).isEqualTo("1m20s");
    assertThat(Times.goDuration(Duration.ofSeconds(300))).isEqualTo("5m0s");
    assertThat(Times.goDuration(Duration.ofSeconds(3600))).isEqualTo("1h0m0s");
    assertThat(Times.goDuration(Duration.ofMillis(1500))).isEqualTo("1.5s");
  }
}
