package dev.vkj.core.resources;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vkj.core.MockApiServer;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ApiClusterResourcesIT {
  @RegisterExtension final MockApiServer api = new MockApiServer();
  KubernetesClient client;

  @BeforeEach
  void connect() {
    client = api.client();
  }

  /** A clock the test moves by hand. */
  static final class ManualClock extends Clock {
    Instant now = Instant.parse("2026-11-26T10:00:00Z");

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void readsObjectsAndCachesForTheTtl() throws Exception {
    ManualClock clock = new ManualClock();
    ApiClusterResources resources = new ApiClusterResources(client, Duration.ofSeconds(2), clock);
    assertThat(resources.configMap("ns", "cfg")).isEmpty();

    client
        .configMaps()
        .inNamespace("ns")
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("cfg")
                .endMetadata()
                .withData(Map.of("k", "v"))
                .build())
        .create();
    assertThat(resources.configMap("ns", "cfg")).as("negative result still cached").isEmpty();
    clock.now = clock.now.plusSeconds(3);
    assertThat(resources.configMap("ns", "cfg"))
        .hasValueSatisfying(cm -> assertThat(cm.getData()).containsEntry("k", "v"));
  }

  @Test
  void readsSecrets() throws Exception {
    client
        .secrets()
        .inNamespace("ns")
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("s")
                .endMetadata()
                .withData(Map.of("k", "dg=="))
                .build())
        .create();
    ApiClusterResources resources = new ApiClusterResources(client);
    assertThat(resources.secret("ns", "s"))
        .hasValueSatisfying(s -> assertThat(s.getData()).containsEntry("k", "dg=="));
    assertThat(resources.secret("ns", "missing")).isEmpty();
    assertThat(resources.secret("other", "s")).isEmpty();
  }
}
