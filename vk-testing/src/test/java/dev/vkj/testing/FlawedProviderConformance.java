package dev.vkj.testing;

import dev.vkj.spi.Provider;
import dev.vkj.spi.ProviderContext;
import java.time.Duration;

/**
 * The kit run against a provider with one defect. Not a test by itself (its name does not end in
 * Test); {@link ConformanceKitTest} launches it once per defect.
 */
class FlawedProviderConformance extends ProviderConformanceTest {
  static volatile InMemoryProvider.Flaw flaw = InMemoryProvider.Flaw.NONE;

  @Override
  protected Provider createProvider(ProviderContext context) {
    return new InMemoryProvider(flaw);
  }

  @Override
  protected Duration timeout() {
    return Duration.ofMillis(500);
  }
}
