package dev.vkj.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.AuthProviderConfig;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import org.junit.jupiter.api.Test;

class KubeClientsTest {
  private static ConfigBuilder certificate() {
    return new ConfigBuilder(Config.empty())
        .withMasterUrl("https://127.0.0.1:6443")
        .withClientCertData("Y2VydA==")
        .withClientKeyData("a2V5");
  }

  @Test
  void aClientCertificateAloneNeedsNoTokenRefresh() {
    assertThat(KubeClients.certificateOnly(certificate().build())).isTrue();
    assertThat(
            KubeClients.certificateOnly(
                new ConfigBuilder(Config.empty())
                    .withMasterUrl("https://127.0.0.1:6443")
                    .withClientCertFile("/etc/kubelet/client.crt")
                    .build()))
        .isTrue();
  }

  @Test
  void anythingThatCarriesOrFetchesATokenKeepsTheRefresh() {
    assertThat(KubeClients.certificateOnly(certificate().withOauthToken("t").build())).isFalse();
    Config auto = certificate().build();
    auto.setAutoOAuthToken("from-exec");
    assertThat(KubeClients.certificateOnly(auto)).isFalse();
    assertThat(KubeClients.certificateOnly(certificate().withOauthTokenProvider(() -> "t").build()))
        .isFalse();
    Config oidc = certificate().build();
    oidc.setAuthProvider(new AuthProviderConfig(null, "oidc"));
    assertThat(KubeClients.certificateOnly(oidc)).isFalse();
    assertThat(KubeClients.certificateOnly(certificate().withUsername("u").build())).isFalse();
    assertThat(
            KubeClients.certificateOnly(
                new ConfigBuilder(Config.empty())
                    .withMasterUrl("https://127.0.0.1:6443")
                    .withOauthToken("t")
                    .build()))
        .isFalse();
  }
}
