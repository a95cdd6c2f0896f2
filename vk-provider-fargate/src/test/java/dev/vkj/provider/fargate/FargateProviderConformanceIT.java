package dev.vkj.provider.fargate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vkj.spi.Provider;
import dev.vkj.spi.ProviderContext;
import dev.vkj.spi.ProviderFactory;
import dev.vkj.spi.SecretEnv;
import dev.vkj.testing.FakeProviderContext;
import dev.vkj.testing.ProviderConformanceTest;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

/**
 * The fargate provider passes the SPI conformance kit through the real SDK against the local ECS
 * fake, which lives as long as one check, so a restarted provider finds the tasks of the first.
 */
class FargateProviderConformanceIT extends ProviderConformanceTest {
  private FakeAws aws;

  @Override
  protected ProviderFactory factory() {
    return new FargateProviderFactory();
  }

  /** Long enough for a loaded machine; each check returns as soon as its condition holds. */
  @Override
  protected Duration timeout() {
    return Duration.ofSeconds(60);
  }

  @Override
  protected FakeProviderContext createContext() {
    FakeProviderContext context = FakeProviderContext.builder().build();
    if (aws == null) {
      aws = FakeAws.start(context.clock());
    }
    return context;
  }

  @Override
  protected Map<String, String> providerConfig() {
    return FargateProviderIT.settings(aws);
  }

  /** The factory's path with static credentials instead of the default chain. */
  @Override
  protected Provider createProvider(ProviderContext context) throws Exception {
    return FargateProviderIT.connect(aws, context, Map.of());
  }

  /** The fake's containers write numbered lines to CloudWatch. */
  @Override
  protected String expectedLogText(Pod pod, String container, String marker) {
    return container + " line 1";
  }

  /** The value is an SSM SecureString; the task definition only names it. */
  @Override
  protected void verifySecretStorage(Pod pod, String container, EnvVar variable) {
    var ref = SecretEnv.source(variable).orElseThrow();
    assertThat(aws.parameters()).containsValue(variable.getValue());
    for (String arn : aws.activeTaskDefinitionArns()) {
      assertThat(aws.taskDefinitionJson(arn))
          .doesNotContain(variable.getValue())
          .contains("/" + ref.getName() + "/" + ref.getKey());
    }
  }

  @AfterEach
  void stopAws() {
    if (aws != null) {
      aws.close();
      aws = null;
    }
  }
}
