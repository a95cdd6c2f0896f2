package dev.vkj.examples.minimal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vkj.spi.ErrorCode;
import dev.vkj.spi.Provider;
import dev.vkj.spi.ProviderConfig;
import dev.vkj.spi.ProviderContext;
import dev.vkj.spi.ProviderException;
import dev.vkj.testing.ProviderConformanceTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The example provider passes the same conformance kit every provider runs. */
class MinimalProviderConformanceTest extends ProviderConformanceTest {
  @Override
  protected Provider createProvider(ProviderContext context) throws Exception {
    return new MinimalProviderFactory().create(ProviderConfig.of(Map.of("maxPods", "20")), context);
  }

  @Test
  void aFullBackendRefusesThePodAsInvalidInput() throws Exception {
    Provider small =
        new MinimalProviderFactory().create(ProviderConfig.of(Map.of("maxPods", "1")), context);
    small.createPod(testPod("first"));
    assertThatThrownBy(() -> small.createPod(testPod("second")))
        .isInstanceOfSatisfying(
            ProviderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT));
  }

  @Test
  void badMaxPodsNamesTheKey() {
    assertThatThrownBy(
            () ->
                new MinimalProviderFactory()
                    .create(ProviderConfig.of(Map.of("maxPods", "zero")), context))
        .isInstanceOfSatisfying(
            ProviderException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG);
              assertThat(e.getMessage()).contains("maxPods");
            });
  }
}
