package dev.vkj.core;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fabric8 CRUD mock API server per test, registered with {@code @RegisterExtension}.
 *
 * <p>Unlike {@code @EnableKubernetesMockClient}, it closes every client it handed out before it
 * stops the server, and it gives a slow shutdown more than one ten-second window: on a loaded
 * machine the server's event loop may need longer to drop connections, and that says nothing about
 * the code under test.
 */
public final class MockApiServer implements BeforeEachCallback, AfterEachCallback {
  private static final int SHUTDOWN_ATTEMPTS = 4;

  private final Consumer<KubernetesClientBuilder> customizer;
  private final List<KubernetesClient> clients = new CopyOnWriteArrayList<>();
  private KubernetesMockServer server;

  public MockApiServer() {
    this(builder -> {});
  }

  public MockApiServer(Consumer<KubernetesClientBuilder> customizer) {
    this.customizer = java.util.Objects.requireNonNull(customizer, "customizer is null");
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    server = startCrudServer();
  }

  /** A started CRUD mock server with expectations, as {@code @EnableKubernetesMockClient}. */
  public static KubernetesMockServer startCrudServer() {
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            responses,
            new KubernetesMixedDispatcher(responses),
            false);
    server.init();
    return server;
  }

  /** The server of the running test. */
  public KubernetesMockServer server() {
    return server;
  }

  /** A new client of the running test's server; closed after the test. */
  public KubernetesClient client() {
    // the mock's own client settings, with more patience: a loaded machine lists slowly
    Config config =
        new ConfigBuilder(Config.empty())
            .withMasterUrl("http://" + server.getHostName() + ":" + server.getPort())
            .withTrustCerts(true)
            .withNamespace("test")
            .withRequestTimeout(60_000)
            .withConnectionTimeout(30_000)
            .build();
    KubernetesClientBuilder builder = new KubernetesClientBuilder().withConfig(config);
    customizer.accept(builder);
    KubernetesClient client = builder.build();
    clients.add(client);
    return client;
  }

  @Override
  public void afterEach(ExtensionContext context) throws InterruptedException {
    clients.forEach(KubernetesClient::close);
    clients.clear();
    for (int attempt = 1; ; attempt++) {
      try {
        server.destroy();
        return;
      } catch (IllegalStateException slow) {
        if (attempt == SHUTDOWN_ATTEMPTS) {
          throw slow;
        }
      }
    }
  }
}
