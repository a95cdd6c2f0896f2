package dev.vkj.core.server;

import dev.vkj.core.server.auth.AuthException;
import dev.vkj.core.server.auth.Authenticator;
import dev.vkj.core.server.auth.Authenticators;
import dev.vkj.core.server.auth.Authorizer;
import dev.vkj.core.server.auth.Decision;
import dev.vkj.core.server.auth.RequestAttributes;
import dev.vkj.core.server.auth.UserInfo;
import dev.vkj.spi.Provider;
import io.fabric8.kubernetes.api.model.Pod;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;

/** A running server on an ephemeral loopback port with a test CA, fakes and clients. */
final class TestServer implements AutoCloseable {
  static final String NODE = "vk-node-1";

  /** Records every authorization and answers with {@link #decide}. */
  static final class RecordingAuthorizer implements Authorizer {
    record Call(UserInfo user, RequestAttributes attributes) {}

    interface Rule {
      Decision decide(UserInfo user, RequestAttributes attributes) throws AuthException;
    }

    final List<Call> calls = new CopyOnWriteArrayList<>();
    volatile Rule decide = (user, attributes) -> Decision.ALLOW;

    @Override
    public Decision authorize(UserInfo user, RequestAttributes attributes) throws AuthException {
      calls.add(new Call(user, attributes));
      return decide.decide(user, attributes);
    }
  }

  final TestPki pki;
  final Provider provider;
  final List<Pod> apiPods = new CopyOnWriteArrayList<>();
  final FakeStreamHandler streams = new FakeStreamHandler();
  final RecordingAuthorizer authorizer = new RecordingAuthorizer();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final KubeletServer server;
  final SSLContext adminTls;
  final SSLContext noCertTls;
  final HttpClient admin;
  final HttpClient anonymous;

  TestServer(Path dir, Provider provider, boolean anonymousAuth, Duration idleTimeout)
      throws IOException {
    this.pki = TestPki.create("cluster-ca");
    this.provider = provider;
    Files.createDirectories(dir);
    TestPki.Issued serving = pki.server("127.0.0.1");
    KubeletServerConfig config =
        KubeletServerConfig.defaults(NODE)
            .withBindAddress("127.0.0.1")
            .withPort(0)
            .withTls(
                TestPki.writeCertificate(dir.resolve("tls.crt"), serving),
                TestPki.writeKey(dir.resolve("tls.key"), serving))
            .withClientCa(pki.writeCa(dir))
            .withAnonymousAuth(anonymousAuth);
    Authenticator authenticator = Authenticators.x509(List.of(pki.caCertificate()));
    server =
        new KubeletServer(
            config,
            provider,
            () -> List.copyOf(apiPods),
            authenticator,
            authorizer,
            streams,
            registry,
            Clock.fixed(Fixtures.NOW, ZoneOffset.UTC),
            idleTimeout);
    server.start();
    adminTls =
        pki.clientContext(pki.client("kube-apiserver-kubelet-client", "kubeadm:cluster-admins"));
    noCertTls = pki.clientContext(null);
    admin = client(adminTls);
    anonymous = client(noCertTls);
  }

  static HttpClient client(SSLContext tls) {
    return HttpClient.newBuilder()
        .sslContext(tls)
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10))
        .build();
  }

  URI uri(String pathAndQuery) {
    return URI.create("https://127.0.0.1:" + server.port() + pathAndQuery);
  }

  HttpResponse<String> get(HttpClient client, String pathAndQuery) throws Exception {
    return send(client, "GET", pathAndQuery);
  }

  HttpResponse<String> send(HttpClient client, String method, String pathAndQuery)
      throws Exception {
    return client.send(
        HttpRequest.newBuilder(uri(pathAndQuery))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .timeout(Duration.ofSeconds(20))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  RawHttp.Response raw(String request) throws IOException {
    return RawHttp.exchange(adminTls, server.port(), request);
  }

  @Override
  public void close() {
    server.close();
  }
}
