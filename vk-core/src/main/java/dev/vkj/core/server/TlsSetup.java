package dev.vkj.core.server;

import dev.vkj.core.server.auth.PemFiles;
import dev.vkj.core.server.auth.SelfSignedCertificate;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's TLS: TLS 1.2 or 1.3 with the JDK provider, ALPN {@code http/1.1} only, client
 * certificates requested but optional. Any client certificate passes the handshake; the x509
 * authenticator verifies it against the client CA, so a bad certificate gets 401 like the kubelet.
 */
final class TlsSetup {
  private static final Logger LOG = LoggerFactory.getLogger(TlsSetup.class);

  private TlsSetup() {}

  static SslContext serverContext(KubeletServerConfig config) throws IOException {
    PrivateKey key;
    List<X509Certificate> chain;
    if (config.tlsCert().isPresent() && config.tlsKey().isPresent()) {
      chain = PemFiles.readCertificates(config.tlsCert().get());
      key = PemFiles.readPrivateKey(config.tlsKey().get());
    } else {
      List<String> ips = addresses(config.bindAddress());
      SelfSignedCertificate generated =
          SelfSignedCertificate.generate(List.of(config.nodeName(), "localhost"), ips);
      LOG.warn(
          "NO --tls-cert/--tls-key GIVEN: serving the kubelet API with a GENERATED SELF-SIGNED"
              + " certificate for {} {}. Clients that verify the kubelet certificate (a"
              + " kube-apiserver with --kubelet-certificate-authority, metrics-server without"
              + " --kubelet-insecure-tls) will refuse it. Configure a certificate signed by a CA"
              + " they trust.",
          config.nodeName(),
          ips);
      chain = List.of(generated.certificate());
      key = generated.privateKey();
    }
    try {
      return SslContextBuilder.forServer(key, chain)
          .sslProvider(SslProvider.JDK)
          .protocols("TLSv1.3", "TLSv1.2")
          .clientAuth(ClientAuth.OPTIONAL)
          .trustManager(InsecureTrustManagerFactory.INSTANCE)
          .applicationProtocolConfig(
              new ApplicationProtocolConfig(
                  ApplicationProtocolConfig.Protocol.ALPN,
                  ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                  ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                  ApplicationProtocolNames.HTTP_1_1))
          .build();
    } catch (IOException | RuntimeException e) {
      throw new IOException("cannot set up TLS for the kubelet API: " + e.getMessage(), e);
    }
  }

  /** IPs for a generated certificate: the bind address, or every local address for a wildcard. */
  private static List<String> addresses(String bindAddress) {
    List<String> ips = new ArrayList<>(List.of("127.0.0.1", "::1"));
    try {
      InetAddress bind = InetAddress.getByName(bindAddress);
      if (!bind.isAnyLocalAddress()) {
        ips.add(bind.getHostAddress());
        return ips;
      }
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nic.isUp()) {
          continue;
        }
        for (InetAddress address : Collections.list(nic.getInetAddresses())) {
          String ip = address.getHostAddress();
          int scope = ip.indexOf('%');
          ips.add(scope < 0 ? ip : ip.substring(0, scope));
        }
      }
    } catch (UnknownHostException | SocketException e) {
      LOG.debug("cannot list local addresses", e);
    }
    return ips.stream().distinct().toList();
  }
}
