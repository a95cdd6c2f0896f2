package dev.vkj.testing;

import dev.vkj.spi.Provider;
import dev.vkj.spi.ProviderContext;

/** A provider without optional capabilities passes the kit; the capability tests are skipped. */
class InMemoryProviderConformanceTest extends ProviderConformanceTest {
  @Override
  protected Provider createProvider(ProviderContext context) {
    return new InMemoryProvider(InMemoryProvider.Flaw.NONE);
  }
}
