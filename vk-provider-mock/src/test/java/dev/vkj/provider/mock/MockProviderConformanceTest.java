package dev.vkj.provider.mock;

import dev.vkj.spi.Provider;
import dev.vkj.spi.ProviderConfig;
import dev.vkj.spi.ProviderContext;
import dev.vkj.testing.ProviderConformanceTest;
import java.util.Map;

/** The mock provider passes the SPI conformance kit with its default configuration. */
class MockProviderConformanceTest extends ProviderConformanceTest {
  @Override
  protected Provider createProvider(ProviderContext context) throws Exception {
    MockProviderFactory factory = new MockProviderFactory();
    return factory.create(ProviderConfig.validated(Map.of(), factory.configKeys()), context);
  }
}
