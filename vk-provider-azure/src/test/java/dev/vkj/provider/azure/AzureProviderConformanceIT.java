package dev.vkj.provider.azure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vkj.spi.Provider;
import dev.vkj.spi.ProviderConfig;
import dev.vkj.spi.ProviderContext;
import dev.vkj.spi.ProviderFactory;
import dev.vkj.testing.FakeProviderContext;
import dev.vkj.testing.ProviderConformanceTest;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

/**
 * The azure provider passes the SPI conformance kit through the real SDK against the local ARM
 * fake, which lives as long as one check, so a restarted provider finds the groups of the first.
 */
class AzureProviderConformanceIT extends ProviderConformanceTest {
  private FakeArm arm;

  private static final String SUBSCRIPTION = "00000000-1111-2222-3333-444444444444";

  @Override
  protected ProviderFactory factory() {
    return new AzureProviderFactory();
  }

  /**
   * Each check waits for a condition and returns as soon as it holds (a few seconds here); the
   * bound only has to outlast a loaded machine, where the SDK's many threads, the paced reads and
   * the core's retries all take longer than the kit's default.
   */
  @Override
  protected Duration timeout() {
    return Duration.ofSeconds(60);
  }

  @Override
  protected FakeProviderContext createContext() {
    FakeProviderContext context = FakeProviderContext.builder().build();
    if (arm == null) {
      try {
        arm = FakeArm.withArmLimits(context.clock());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    return context;
  }

  @Override
  protected Map<String, String> providerConfig() {
    return Map.of(
        "subscriptionId",
        SUBSCRIPTION,
        "resourceGroup",
        "aci-group",
        "region",
        "japaneast",
        "armEndpoint",
        arm.endpoint());
  }

  /** The SDK with a credential and a client that trust the fake (its token, its certificate). */
  @Override
  protected Provider createProvider(ProviderContext context) throws Exception {
    ProviderFactory factory = factory();
    AzureConfig config =
        AzureConfig.from(
            ProviderConfig.validated(providerConfig(), factory.configKeys()),
            java.util.Optional.empty());
    return AzureProviderIT.connect(arm, config, context);
  }

  /** What ARM stored for the container: the value as a secure value, never as a plain one. */
  @Override
  @SuppressWarnings("unchecked")
  protected void verifySecretStorage(Pod pod, String container, EnvVar variable) {
    String group =
        GroupNames.groupName(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
    var containers =
        (List<Map<String, Object>>)
            ((Map<String, Object>) arm.stored(group).get("properties")).get("containers");
    Map<String, Object> c =
        containers.stream().filter(x -> container.equals(x.get("name"))).findFirst().orElseThrow();
    var env =
        (List<Map<String, Object>>)
            ((Map<String, Object>) c.get("properties")).get("environmentVariables");
    assertThat(env)
        .contains(Map.of("name", variable.getName(), "secureValue", variable.getValue()))
        .noneMatch(e -> variable.getValue().equals(e.get("value")));
  }

  @AfterEach
  void stopArm() {
    if (arm != null) {
      arm.close();
      arm = null;
    }
  }
}
