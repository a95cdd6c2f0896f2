package dev.vkj.core;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.TokenRefreshInterceptor;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Kubernetes clients for a kubelet. A client that authenticates with a client certificate alone
 * gets no token refresh: the client library's refresh would otherwise read and parse the kubeconfig
 * again on every request once its first minute is over, as it never finds a token to remember (with
 * cert authentication that was a tenth of a busy node's CPU). Token, exec and in-cluster
 * configurations keep it.
 */
public final class KubeClients {
  private KubeClients() {}

  /** A client for the configuration. */
  public static KubernetesClient create(Config config) {
    return create(config, builder -> {});
  }

  /** A client for the configuration; {@code http} may add interceptors or settings. */
  public static KubernetesClient create(Config config, Consumer<HttpClient.Builder> http) {
    requireNonNull(config, "config is null");
    requireNonNull(http, "http is null");
    boolean certificateOnly = certificateOnly(config);
    return new KubernetesClientBuilder()
        .withConfig(config)
        .withHttpClientBuilderConsumer(
            builder -> {
              if (certificateOnly) {
                builder.addOrReplaceInterceptor(TokenRefreshInterceptor.NAME, null);
              }
              http.accept(builder);
            })
        .build();
  }

  /**
   * Sends one request to the API server, {@code path} relative to its URL, and returns the answer
   * with the body as bytes, not parsed: for writes whose answer the caller needs at most the code
   * of (the client's own methods copy the object first and parse the whole object that comes back).
   * Waits at most 30 s.
   */
  public static HttpResponse<byte[]> send(
      KubernetesClient client, String method, String path, String contentType, String body)
      throws InterruptedException, ExecutionException, TimeoutException {
    String base = client.getMasterUrl().toString();
    HttpClient http = client.getHttpClient();
    HttpRequest request =
        http.newHttpRequestBuilder()
            .uri((base.endsWith("/") ? base : base + "/") + path)
            .method(method, contentType, body)
            .build();
    return http.sendAsync(request, byte[].class).get(30, TimeUnit.SECONDS);
  }

  /** Whether the configuration authenticates with a client certificate and nothing that expires. */
  static boolean certificateOnly(Config config) {
    boolean certificate = !blank(config.getClientCertFile()) || !blank(config.getClientCertData());
    return certificate
        && blank(config.getOauthToken())
        && blank(config.getAutoOAuthToken())
        && config.getOauthTokenProvider() == null
        && config.getAuthProvider() == null
        && blank(config.getUsername())
        && blank(config.getPassword());
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
