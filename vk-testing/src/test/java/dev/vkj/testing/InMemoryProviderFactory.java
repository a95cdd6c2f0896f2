package dev.vkj.testing;

import dev.vkj.spi.ConfigKey;
import dev.vkj.spi.Provider;
import dev.vkj.spi.ProviderConfig;
import dev.vkj.spi.ProviderContext;
import dev.vkj.spi.ProviderException;
import dev.vkj.spi.ProviderFactory;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The factory of {@link InMemoryProvider}, registered in the test resources' {@code
 * META-INF/services}. It declares a secret key so that the kit's secret check runs.
 */
public class InMemoryProviderFactory implements ProviderFactory {
  private static final Logger log = LoggerFactory.getLogger(InMemoryProviderFactory.class);

  final InMemoryProvider.Flaw flaw;
  final boolean capable;
  final InMemoryProvider.Backend backend;

  public InMemoryProviderFactory() {
    this(InMemoryProvider.Flaw.NONE, false, new InMemoryProvider.Backend());
  }

  InMemoryProviderFactory(
      InMemoryProvider.Flaw flaw, boolean capable, InMemoryProvider.Backend backend) {
    this.flaw = flaw;
    this.capable = capable;
    this.backend = backend;
  }

  @Override
  public String name() {
    return flaw == InMemoryProvider.Flaw.BAD_NAME ? "In_Memory" : "in-memory";
  }

  @Override
  public List<ConfigKey> configKeys() {
    if (flaw == InMemoryProvider.Flaw.CONFIG_KEYS_NULL) {
      return null;
    }
    List<ConfigKey> keys = new ArrayList<>();
    keys.add(ConfigKey.optional("pods", "10", "how many pods the node accepts"));
    keys.add(ConfigKey.secret("token", false, "credential of the backend"));
    if (flaw == InMemoryProvider.Flaw.DUPLICATE_CONFIG_KEY) {
      keys.add(ConfigKey.optional("pods", "20", "declared twice"));
    }
    return keys;
  }

  @Override
  public Provider create(ProviderConfig config, ProviderContext context) throws ProviderException {
    if (flaw == InMemoryProvider.Flaw.PRINTS_SECRET_CONFIG) {
      log.info("connecting with token {}", config.get("token").orElse(""));
    } else {
      log.info("creating the in-memory provider with {}", config);
    }
    return capable
        ? new CapableInMemoryProvider(flaw, backend, context.clock(), context.nodeName())
        : new InMemoryProvider(flaw, backend, context.clock());
  }

  /** A factory that is not listed in {@code META-INF/services}. */
  static final class Unregistered extends InMemoryProviderFactory {
    Unregistered(InMemoryProvider.Flaw flaw, boolean capable, InMemoryProvider.Backend backend) {
      super(flaw, capable, backend);
    }
  }
}
