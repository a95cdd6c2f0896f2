package dev.vkj.testing;

import dev.vkj.core.server.KubeletServer;
import dev.vkj.core.server.KubeletServerConfig;
import dev.vkj.core.server.auth.Authenticators;
import dev.vkj.core.server.auth.Authorizers;
import dev.vkj.core.server.auth.SelfSignedCertificate;
import dev.vkj.core.server.stream.ProviderStreamHandler;
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
import java.security.KeyStore;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The core's kubelet API server in this JVM, in front of the provider under test, with a throwaway
 * certificate and every caller allowed. The kit uses it to check what kubectl would get.
 */
final class KubeletApiProbe implements AutoCloseable {
  private final Path dir;
  private final ExecutorService streams;
  private final KubeletServer server;
  private final HttpClient client;
  private final Duration timeout;

  KubeletApiProbe(String nodeName, Provider provider, List<Pod> apiPods, Duration timeout)
      throws IOException {
    this.timeout = timeout;
    this.dir = Files.createTempDirectory("vkj-kubelet-api");
    SelfSignedCertificate certificate =
        SelfSignedCertificate.generate(List.of("localhost"), List.of("127.0.0.1"));
    Path cert = dir.resolve("tls.crt");
    Path key = dir.resolve("tls.key");
    certificate.writeTo(cert, key);
    KubeletServerConfig config =
        KubeletServerConfig.defaults(nodeName)
            .withBindAddress("127.0.0.1")
            .withPort(0)
            .withTls(cert, key);
    streams =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "vkj-conformance-stream");
              t.setDaemon(true);
              return t;
            });
    List<Pod> pods = List.copyOf(apiPods);
    server =
        new KubeletServer(
            config,
            provider,
            () -> pods,
            Authenticators.anonymous(),
            Authorizers.alwaysAllow(),
            new ProviderStreamHandler(provider, streams, timeout, timeout),
            new SimpleMeterRegistry());
    server.start();
    client =
        HttpClient.newBuilder()
            .sslContext(trusting(certificate))
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            .build();
  }

  /** The HTTP status code of a GET of {@code pathAndQuery}. */
  HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
    return client.send(
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + pathAndQuery))
            .timeout(timeout)
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static SSLContext trusting(SelfSignedCertificate certificate) {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("kubelet", certificate.certificate());
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, factory.getTrustManagers(), null);
      return context;
    } catch (Exception e) {
      throw new IllegalStateException("cannot build the test TLS context", e);
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } finally {
      streams.shutdownNow();
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        // a leftover temporary directory is harmless
      }
    }
  }
}
