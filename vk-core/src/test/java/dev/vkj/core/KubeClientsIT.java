package dev.vkj.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class KubeClientsIT {
  @RegisterExtension final MockApiServer api = new MockApiServer();

  @Test
  void theClientTalksToTheApiServerThroughTheCallersInterceptors() {
    AtomicInteger seen = new AtomicInteger();
    Interceptor counting =
        new Interceptor() {
          @Override
          public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
            seen.incrementAndGet();
          }
        };
    try (KubernetesClient client =
        KubeClients.create(
            api.client().getConfiguration(), b -> b.addOrReplaceInterceptor("count", counting))) {
      assertThat(client.pods().inNamespace("ns").list().getItems()).isEmpty();
    }
    assertThat(seen.get()).isEqualTo(1);
  }
}
