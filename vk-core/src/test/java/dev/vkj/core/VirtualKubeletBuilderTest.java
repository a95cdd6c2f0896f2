package dev.vkj.core;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class VirtualKubeletBuilderTest {
  private final KubernetesClient client =
      new KubernetesClientBuilder()
          .withConfig(
              new ConfigBuilder(Config.empty()).withMasterUrl("https://127.0.0.1:1").build())
          .build();

  @AfterEach
  void close() {
    client.close();
  }

  private void assertRejected(UnaryOperator<VirtualKubelet.Builder> change, String option) {
    VirtualKubelet.Builder builder =
        VirtualKubelet.builder().client(client).nodeName("vk").provider("none", ctx -> null);
    assertThatThrownBy(() -> change.apply(builder).build())
        .isInstanceOfSatisfying(
            VkjException.class,
            e ->
                org.assertj.core.api.Assertions.assertThat(e.code())
                    .isEqualTo(VkjException.Code.CONFIG))
        .hasMessageContaining("invalid option " + option);
  }

  @Test
  void tuningValuesAreCheckedAndNamed() {
    assertRejected(b -> b.eventRateLimit(0, 10), "eventRateLimit");
    assertRejected(b -> b.eventRateLimit(5, 0), "eventRateLimit");
    assertRejected(b -> b.statusPollInterval(Duration.ZERO), "statusPollInterval");
    assertRejected(b -> b.providerReadBudget(-1), "providerReadBudget");
    assertRejected(b -> b.startupCleanupParallelism(0), "startupCleanupParallelism");
    assertRejected(b -> b.podSyncWorkers(0), "pod-sync-workers");
  }
}
