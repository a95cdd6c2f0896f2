package dev.vkj.examples.minimal;

import dev.vkj.spi.ConfigKey;
import dev.vkj.spi.Provider;
import dev.vkj.spi.ProviderConfig;
import dev.vkj.spi.ProviderContext;
import dev.vkj.spi.ProviderException;
import dev.vkj.spi.ProviderFactory;
import java.util.List;

/**
 * Registers {@link MinimalProvider} as provider {@code minimal}; listed in {@code
 * META-INF/services/dev.vkj.spi.ProviderFactory}.
 */
public final class MinimalProviderFactory implements ProviderFactory {
  @Override
  public String name() {
    return "minimal";
  }

  @Override
  public String description() {
    return "Example provider: pods run in memory (see examples/)";
  }

  @Override
  public List<ConfigKey> configKeys() {
    return List.of(ConfigKey.optional("maxPods", "50", "how many pods the node accepts"));
  }

  @Override
  public Provider create(ProviderConfig config, ProviderContext context) throws ProviderException {
    int maxPods = config.getInt("maxPods", 50);
    if (maxPods < 1) {
      throw ProviderException.invalidConfig("maxPods", "must be at least 1");
    }
    return new MinimalProvider(context, maxPods);
  }
}
