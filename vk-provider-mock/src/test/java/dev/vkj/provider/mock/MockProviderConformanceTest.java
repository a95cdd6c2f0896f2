package dev.vkj.provider.mock;

import dev.vkj.spi.ProviderFactory;
import dev.vkj.testing.ProviderConformanceTest;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mock provider passes the SPI conformance kit. Its backend is the state file, so a restarted
 * provider with the same file adopts the pods.
 */
class MockProviderConformanceTest extends ProviderConformanceTest {
  @TempDir Path dir;

  @Override
  protected ProviderFactory factory() {
    return new MockProviderFactory();
  }

  @Override
  protected Map<String, String> providerConfig() {
    return Map.of(MockConfig.STATE_FILE, dir.resolve("mock-state.json").toString());
  }

  /** The mock runs no command: every container writes numbered lines. */
  @Override
  protected String expectedLogText(Pod pod, String container, String marker) {
    return "line 1 from " + NAMESPACE + "/" + pod.getMetadata().getName() + "/" + container;
  }
}
