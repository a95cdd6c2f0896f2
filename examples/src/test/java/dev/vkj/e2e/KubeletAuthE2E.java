package dev.vkj.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The kubelet API answered directly, the way metrics-server or an attacker reaches it: refused
 * without credentials (401), refused for a token whose user may not proxy to the node (403), served
 * for the API server's client certificate.
 */
class KubeletAuthE2E {
  private static final String NS = "vkj-auth-" + Long.toString(System.currentTimeMillis(), 36);
  private static E2eCluster cluster;
  private static String base;

  @BeforeAll
  static void start() {
    cluster = new E2eCluster("auth");
    cluster.createNamespace(NS);
    cluster.startRunner();
    base = "https://127.0.0.1:" + System.getenv().getOrDefault("VKJ_E2E_KUBELET_PORT", "10250");
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.deleteNamespaceAndClose(NS);
    }
  }

  @Test
  void anonymousRequestIsUnauthorized() throws Exception {
    HttpResponse<String> response = get(client(false), "/pods", null);
    assertThat(response.statusCode()).isEqualTo(401);
  }

  @Test
  void tokenWithoutNodeProxyRightsIsForbidden() throws Exception {
    cluster
        .client
        .serviceAccounts()
        .inNamespace(NS)
        .resource(
            new ServiceAccountBuilder().withNewMetadata().withName("nobody").endMetadata().build())
        .create();
    TokenRequest request =
        cluster
            .client
            .serviceAccounts()
            .inNamespace(NS)
            .withName("nobody")
            .tokenRequest(
                new TokenRequestBuilder()
                    .withNewSpec()
                    .withExpirationSeconds(600L)
                    .endSpec()
                    .build());
    String token = request.getStatus().getToken();

    HttpResponse<String> response = get(client(false), "/pods", token);
    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.body()).doesNotContain("Exception");

    HttpResponse<String> badToken = get(client(false), "/pods", "not-a-valid-token");
    assertThat(badToken.statusCode()).isEqualTo(401);
  }

  @Test
  void apiServerClientCertificateIsServed() throws Exception {
    HttpClient admin = client(true);
    assertThat(get(admin, "/healthz", null).statusCode()).isEqualTo(200);
    HttpResponse<String> pods = get(admin, "/pods", null);
    assertThat(pods.statusCode()).isEqualTo(200);
    assertThat(pods.body()).contains("PodList");
    assertThat(get(admin, "/containerLogs/" + NS + "/missing/app", null).statusCode())
        .isEqualTo(404);
    assertThat(get(admin, "/containerLogs/" + NS + "/missing/app?tailLines=-1", null).statusCode())
        .isBetween(400, 499);
    assertThat(get(admin, "/no/such/route", null).statusCode()).isEqualTo(404);
  }

  private static HttpResponse<String> get(HttpClient client, String path, String token)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20)).GET();
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Trusts the cluster CA; with {@code admin}, presents the kubeconfig's client certificate. */
  private static HttpClient client(boolean admin) throws Exception {
    CertificateFactory certificates = CertificateFactory.getInstance("X.509");
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    String ca = System.getenv("VKJ_CLUSTER_CA");
    assertThat(ca).as("VKJ_CLUSTER_CA (the kubelet serving certificate's CA)").isNotBlank();
    try (var in = Files.newInputStream(Path.of(ca))) {
      trust.setCertificateEntry("ca", certificates.generateCertificate(in));
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    KeyManagerFactory kmf = null;
    if (admin) {
      Config config = cluster.client.getConfiguration();
      byte[] certPem = pem(config.getClientCertFile(), config.getClientCertData());
      byte[] keyPem = pem(config.getClientKeyFile(), config.getClientKeyData());
      X509Certificate cert =
          (X509Certificate) certificates.generateCertificate(new ByteArrayInputStream(certPem));
      PrivateKey key = rsaKey(new String(keyPem, StandardCharsets.US_ASCII));
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry("admin", key, new char[0], new Certificate[] {cert});
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, new char[0]);
    }
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return HttpClient.newBuilder()
        .sslContext(context)
        .connectTimeout(Duration.ofSeconds(10))
        .build();
  }

  private static byte[] pem(String file, String data) throws Exception {
    if (file != null) {
      return Files.readAllBytes(Path.of(file));
    }
    return Base64.getDecoder().decode(data);
  }

  private static PrivateKey rsaKey(String pem) throws Exception {
    assertThat(pem).as("PKCS#8 client key").contains("BEGIN PRIVATE KEY");
    String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return KeyFactory.getInstance("RSA")
        .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
  }
}
