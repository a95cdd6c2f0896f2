package dev.vkj.provider.mock;

import dev.vkj.spi.ConfigKey;
import dev.vkj.spi.Provider;
import dev.vkj.spi.ProviderConfig;
import dev.vkj.spi.ProviderContext;
import dev.vkj.spi.ProviderException;
import dev.vkj.spi.ProviderFactory;
import java.util.List;

/**
 * The {@code mock} provider: an in-memory backend that simulates containers faithfully (startup,
 * init containers, restarts with the kubelet back-off, logs, exec, attach, port-forward, stats) for
 * demos, tests and benchmarks. See {@code docs/mock-provider.md} for its configuration keys and the
 * {@code mock.vkj.dev/*} annotations that steer it.
 */
public final class MockProviderFactory implements ProviderFactory {
  /** The name users select with {@code --provider mock}. */
  public static final String NAME = "mock";

  public MockProviderFactory() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "in-memory simulation of containers, for demos, tests and benchmarks";
  }

  @Override
  public List<ConfigKey> configKeys() {
    return MockConfig.KEYS;
  }

  @Override
  public Provider create(ProviderConfig config, ProviderContext context) throws ProviderException {
    return new MockProvider(MockConfig.from(config), context);
  }
}
