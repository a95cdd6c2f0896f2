package dev.vkj.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vkj.spi.BackendLimits;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VirtualKubeletBuilderTest {
  private final KubernetesClient client =
      new KubernetesClientBuilder()
          .withConfig(
              new ConfigBuilder(Config.empty()).withMasterUrl("https://127.0.0.1:1").build())
          .build();

  @TempDir Path dir;

  @AfterEach
  void close() {
    client.close();
  }

  private VirtualKubelet.Builder valid() {
    return VirtualKubelet.builder().client(client).nodeName("vk").provider("none", ctx -> null);
  }

  private void assertRejected(UnaryOperator<VirtualKubelet.Builder> change, String option) {
    assertThatThrownBy(() -> change.apply(valid()).build())
        .isInstanceOfSatisfying(
            VkjException.class,
            e -> {
              assertThat(e.code()).isEqualTo(VkjException.Code.CONFIG);
              assertThat(e.option()).contains(option);
              assertThat(e.problem()).isPresent();
              assertThat(e.exitCode()).isEqualTo(2);
            })
        .hasMessageStartingWith("invalid option " + option + ": ");
    // validate() applies the same rules without a client or a provider
    assertThatThrownBy(() -> change.apply(VirtualKubelet.builder()).validate())
        .isInstanceOfSatisfying(VkjException.class, e -> assertThat(e.option()).contains(option));
  }

  @Test
  void everyOptionIsCheckedAndNamedByItsBuilderMethod() {
    assertRejected(b -> b.nodeName("Not_A_Name"), "nodeName");
    assertRejected(b -> b.nodeName(""), "nodeName");
    assertRejected(b -> b.kubeletPort(70000), "kubeletPort");
    assertRejected(b -> b.kubeletPort(-1), "kubeletPort");
    assertRejected(b -> b.podSyncWorkers(0), "podSyncWorkers");
    assertRejected(b -> b.eventRateLimit(0, 10), "eventRateLimit");
    assertRejected(b -> b.eventRateLimit(5, 0), "eventRateLimit");
    assertRejected(
        b -> b.providerCallTimeout("noSuchCall", Duration.ofSeconds(1)), "providerCallTimeout");
    assertRejected(b -> b.statusPollInterval(Duration.ZERO), "statusPollInterval");
    assertRejected(b -> b.providerReadBudget(-1), "providerReadBudget");
    assertRejected(b -> b.providerReadBudget(Double.NaN), "providerReadBudget");
    assertRejected(b -> b.startupCleanupParallelism(0), "startupCleanupParallelism");
    assertRejected(
        b -> b.tlsCertificate(dir.resolve("cert.pem"), dir.resolve("key.pem")), "tlsCertificate");
    assertRejected(b -> b.clientCa(dir.resolve("ca.pem")), "clientCa");
    assertRejected(
        b -> b.taint(new TaintBuilder().withKey("k").withEffect("Never").build()), "taint");
  }

  @Test
  void theClientAndTheProviderAreRequiredToBuild() {
    assertThatThrownBy(() -> VirtualKubelet.builder().provider("none", ctx -> null).build())
        .isInstanceOfSatisfying(VkjException.class, e -> assertThat(e.option()).contains("client"));
    assertThatThrownBy(() -> VirtualKubelet.builder().client(client).build())
        .isInstanceOfSatisfying(
            VkjException.class, e -> assertThat(e.option()).contains("provider"));
  }

  @Test
  void validOptionsPassAndOtherFailuresNameNoOption() {
    assertThat(
            valid()
                .kubeletPort(0)
                .providerReadRate(new BackendLimits.Rate(25, 250))
                .providerCallTimeout("createPod", Duration.ofSeconds(90))
                .validate())
        .isNotNull();
    assertThat(new VkjException(VkjException.Code.STARTUP, "port in use").option()).isEmpty();
  }

  @Test
  void aBuiltKubeletKeepsItsOwnCopyOfTheOptions() {
    VirtualKubelet.Builder builder = valid().kubeletPort(10251);
    try (VirtualKubelet kubelet = builder.build()) {
      builder.nodeName("other").kubeletPort(10252).podSyncWorkers(0);

      assertThat(kubelet.nodeName()).isEqualTo("vk");
      assertThat(kubelet.kubeletPort()).isEqualTo(10251);
    }
  }
}
