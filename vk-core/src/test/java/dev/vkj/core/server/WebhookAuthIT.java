package dev.vkj.core.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vkj.core.server.auth.Authenticator;
import dev.vkj.core.server.auth.Authorizer;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.utils.ResponseProvider;
import io.fabric8.mockwebserver.utils.ResponseProviders;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Webhook authentication and authorization against the fabric8 mock API server (expectations mode):
 * the exact TokenReview and SubjectAccessReview bodies, caching, and failures.
 */
final class WebhookAuthIT {
  private static final KubernetesSerialization JSON = new KubernetesSerialization();
  private static final String TOKENS = "/apis/authentication.k8s.io/v1/tokenreviews";
  private static final String ACCESS = "/apis/authorization.k8s.io/v1/subjectaccessreviews";
  private static final String METRICS_SERVER = "system:serviceaccount:kube-system:metrics-server";

  /** Answers with a status and body computed from the request body, and records the body. */
  private static final class Reviewer implements ResponseProvider<Object> {
    private final List<Map<String, Object>> seen;
    private final Function<Map<String, Object>, Integer> status;
    private final Function<Map<String, Object>, Object> body;
    private final ResponseProvider<Object> headers = ResponseProviders.of(200, "");

    Reviewer(
        List<Map<String, Object>> seen,
        Function<Map<String, Object>, Integer> status,
        Function<Map<String, Object>, Object> body) {
      this.seen = seen;
      this.status = status;
      this.body = body;
    }

    // reading a recorded body consumes it; keep what was parsed per request
    private final Map<RecordedRequest, Map<String, Object>> parsed =
        java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());

    @SuppressWarnings("unchecked")
    private Map<String, Object> parse(RecordedRequest request) {
      return parsed.computeIfAbsent(request, r -> JSON.unmarshal(r.getUtf8Body(), Map.class));
    }

    @Override
    public int getStatusCode(RecordedRequest request) {
      return status.apply(parse(request));
    }

    @Override
    public Object getBody(RecordedRequest request) {
      Map<String, Object> review = parse(request);
      seen.add(review);
      return body.apply(review);
    }

    @Override
    public Headers getHeaders() {
      return headers.getHeaders();
    }

    @Override
    public void setHeaders(Headers value) {
      headers.setHeaders(value);
    }
  }

  @TempDir Path dir;

  private final List<Map<String, Object>> tokenReviews = new CopyOnWriteArrayList<>();
  private final List<Map<String, Object>> accessReviews = new CopyOnWriteArrayList<>();
  private KubernetesMockServer api;
  private KubernetesClient client;
  private final TestPki pki = TestPki.create("cluster-ca");

  @SuppressWarnings("unchecked")
  private static String token(Map<String, Object> review) {
    return (String) ((Map<String, Object>) review.get("spec")).get("token");
  }

  @SuppressWarnings("unchecked")
  private static String subresource(Map<String, Object> review) {
    return (String)
        ((Map<String, Object>) ((Map<String, Object>) review.get("spec")).get("resourceAttributes"))
            .get("subresource");
  }

  @BeforeEach
  void start() throws Exception {
    api = new KubernetesMockServer(false);
    api.init();
    client = api.createClient();
    api.expect()
        .post()
        .withPath(TOKENS)
        .andReply(
            new Reviewer(
                tokenReviews,
                review -> token(review).equals("broken") ? 403 : 201,
                review ->
                    token(review).equals("broken")
                        ? "tokenreviews is forbidden"
                        : new TokenReviewBuilder()
                            .withNewStatus()
                            .withAuthenticated(token(review).equals("good-token"))
                            .withNewUser()
                            .withUsername(METRICS_SERVER)
                            .withUid("uid-1")
                            .withGroups("system:serviceaccounts")
                            .withExtra(
                                Map.of("authentication.kubernetes.io/pod-name", List.of("ms-0")))
                            .endUser()
                            .endStatus()
                            .build()))
        .always();
    api.expect()
        .post()
        .withPath(ACCESS)
        .andReply(
            new Reviewer(
                accessReviews,
                review -> subresource(review).equals("log") ? 403 : 201,
                review ->
                    subresource(review).equals("log")
                        ? "subjectaccessreviews is forbidden"
                        : new SubjectAccessReviewBuilder()
                            .withNewStatus()
                            .withAllowed(subresource(review).equals("metrics"))
                            .endStatus()
                            .build()))
        .always();
  }

  @AfterEach
  void stop() {
    client.close();
    api.destroy();
  }

  private KubeletServer webhookServer() throws Exception {
    KubeletServerConfig config =
        KubeletServerConfig.defaults(TestServer.NODE)
            .withBindAddress("127.0.0.1")
            .withPort(0)
            .withClientCa(pki.writeCa(dir));
    Authenticator authenticator = KubeletServer.webhookAuthenticator(config, client);
    Authorizer authorizer = KubeletServer.webhookAuthorizer(config, client);
    KubeletServer server =
        new KubeletServer(
            config,
            new FakeProvider(),
            List::of,
            authenticator,
            authorizer,
            new FakeStreamHandler(),
            new SimpleMeterRegistry());
    server.start();
    return server;
  }

  private static HttpResponse<String> get(
      HttpClient http, KubeletServer server, String path, String token) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(java.net.URI.create("https://127.0.0.1:" + server.port() + path))
            .timeout(Duration.ofSeconds(20));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpClient trustAll(TestPki.Issued client) {
    return TestServer.client(TestPki.trustAllContext(client));
  }

  @Test
  @SuppressWarnings("unchecked")
  void aTokenIsReviewedAndTheRequestAuthorizedWithTheKubeletAttributes() throws Exception {
    try (KubeletServer server = webhookServer()) {
      HttpResponse<String> response =
          get(trustAll(null), server, "/metrics/resource", "good-token");

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(tokenReviews)
          .containsExactly(
              Map.of(
                  "apiVersion", "authentication.k8s.io/v1",
                  "kind", "TokenReview",
                  "spec", Map.of("token", "good-token")));
      assertThat(accessReviews).hasSize(1);
      Map<String, Object> review = accessReviews.get(0);
      assertThat(review)
          .containsEntry("apiVersion", "authorization.k8s.io/v1")
          .containsEntry("kind", "SubjectAccessReview");
      assertThat((Map<String, Object>) review.get("spec"))
          .isEqualTo(
              Map.of(
                  "user", METRICS_SERVER,
                  "uid", "uid-1",
                  "groups", List.of("system:serviceaccounts", "system:authenticated"),
                  "extra", Map.of("authentication.kubernetes.io/pod-name", List.of("ms-0")),
                  "resourceAttributes",
                      Map.of(
                          "verb", "get",
                          "version", "v1",
                          "resource", "nodes",
                          "subresource", "metrics",
                          "name", "vk-node-1")));
    }
  }

  @Test
  void outcomesAreCached() throws Exception {
    try (KubeletServer server = webhookServer()) {
      HttpClient http = trustAll(null);
      for (int i = 0; i < 3; i++) {
        assertThat(get(http, server, "/metrics/resource", "good-token").statusCode())
            .isEqualTo(200);
        assertThat(get(http, server, "/pods", "good-token").statusCode()).isEqualTo(403);
        assertThat(get(http, server, "/pods", "bad-token").statusCode()).isEqualTo(401);
      }

      assertThat(tokenReviews)
          .extracting(WebhookAuthIT::token)
          .containsExactly("good-token", "bad-token");
      assertThat(accessReviews)
          .extracting(WebhookAuthIT::subresource)
          .containsExactly("metrics", "proxy");
    }
  }

  @Test
  void deniedRejectedAndFailedReviews() throws Exception {
    try (KubeletServer server = webhookServer()) {
      HttpClient http = trustAll(null);

      HttpResponse<String> denied = get(http, server, "/pods", "good-token");
      HttpResponse<String> badToken = get(http, server, "/pods", "bad-token");
      HttpResponse<String> tokenReviewFails = get(http, server, "/pods", "broken");
      HttpResponse<String> accessReviewFails = get(http, server, "/logs/", "good-token");
      HttpResponse<String> none = get(http, server, "/pods", null);

      assertThat(denied.statusCode()).isEqualTo(403);
      assertThat(denied.body())
          .isEqualTo(
              "Forbidden (user="
                  + METRICS_SERVER
                  + ", verb=get, resource=nodes, subresource=proxy)");
      assertThat(badToken.statusCode()).isEqualTo(401);
      assertThat(badToken.body()).isEqualTo("Unauthorized");
      assertThat(tokenReviewFails.statusCode()).isEqualTo(401);
      assertThat(accessReviewFails.statusCode()).isEqualTo(500);
      assertThat(accessReviewFails.body())
          .isEqualTo(
              "Authorization error (user="
                  + METRICS_SERVER
                  + ", verb=get, resource=nodes, subresource=log)");
      assertThat(none.statusCode()).isEqualTo(401);
    }
  }

  @Test
  void aClientCertificateNeedsNoTokenReview() throws Exception {
    try (KubeletServer server = webhookServer()) {
      HttpClient http =
          trustAll(pki.client("kube-apiserver-kubelet-client", "kubeadm:cluster-admins"));

      HttpResponse<String> response = get(http, server, "/metrics/resource", null);

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(tokenReviews).isEmpty();
      assertThat(accessReviews).hasSize(1);
      assertThat(accessReviews.get(0).get("spec").toString())
          .contains("user=kube-apiserver-kubelet-client")
          .contains("groups=[kubeadm:cluster-admins, system:authenticated]");
    }
  }
}
