package dev.vkj.testing;

import dev.vkj.spi.Provider;
import dev.vkj.spi.ProviderConfig;
import dev.vkj.spi.ProviderContext;
import dev.vkj.spi.ProviderFactory;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The kit run against a provider with one defect. Not a test by itself (its name does not end in
 * Test); {@link ConformanceKitTest} launches it once per defect.
 */
class FlawedProviderConformance extends ProviderConformanceTest {
  static volatile InMemoryProvider.Flaw flaw = InMemoryProvider.Flaw.NONE;
  static volatile boolean capable;

  private final InMemoryProvider.Backend backend = new InMemoryProvider.Backend();

  @Override
  protected ProviderFactory factory() {
    return flaw == InMemoryProvider.Flaw.UNREGISTERED
        ? new InMemoryProviderFactory.Unregistered(flaw, capable, backend)
        : new InMemoryProviderFactory(flaw, capable, backend);
  }

  @Override
  protected Provider createProvider(ProviderContext context) throws Exception {
    // unchecked config: the factory flaws must not break the provider checks
    return factory().create(ProviderConfig.of(Map.of()), context);
  }

  @Override
  protected Provider createRestartedProvider(ProviderContext context) throws Exception {
    InMemoryProvider.Backend same =
        flaw == InMemoryProvider.Flaw.FORGETS_ON_RESTART ? new InMemoryProvider.Backend() : backend;
    return new InMemoryProviderFactory(flaw, capable, same)
        .create(ProviderConfig.of(Map.of()), context);
  }

  @Override
  protected Set<Capability> expectedCapabilities() {
    Set<Capability> expected = EnumSet.noneOf(Capability.class);
    expected.addAll(Capability.of(provider));
    switch (flaw) {
      case CLAIMS_MISSING_LOGS -> expected.add(Capability.LOGS);
      case HIDES_LOGS -> expected.remove(Capability.LOGS);
      case HIDES_EXEC -> expected.remove(Capability.EXEC);
      case HIDES_PORT_FORWARD -> expected.remove(Capability.PORT_FORWARD);
      case HIDES_STATS -> expected.remove(Capability.STATS);
      default -> {}
    }
    return expected;
  }

  @Override
  protected Duration timeout() {
    return Duration.ofMillis(500);
  }

  // generous: a loaded machine starts a core and answers a kubelet API call slowly, and only the
  // hanging flaw ever waits the call timeout out
  @Override
  protected Duration callTimeout() {
    return Duration.ofSeconds(10);
  }

  @Override
  protected Duration coreTimeout() {
    return Duration.ofSeconds(60);
  }
}
