package dev.vkj.examples.minimal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vkj.spi.ErrorCode;
import dev.vkj.spi.Provider;
import dev.vkj.spi.ProviderConfig;
import dev.vkj.spi.ProviderContext;
import dev.vkj.spi.ProviderException;
import dev.vkj.spi.ProviderFactory;
import dev.vkj.testing.ProviderConformanceTest;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** The example provider passes the same conformance kit every provider runs. */
class MinimalProviderConformanceTest extends ProviderConformanceTest {
  // the "backend": shared by a provider and the one created again after a restart
  private final Map<String, Pod> backend = new ConcurrentHashMap<>();

  @Override
  protected ProviderFactory factory() {
    return new MinimalProviderFactory();
  }

  @Override
  protected Map<String, String> providerConfig() {
    return Map.of("maxPods", "20");
  }

  @Override
  protected Provider createProvider(ProviderContext context) {
    return new MinimalProvider(context, 20, backend);
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
