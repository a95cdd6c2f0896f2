package dev.vkj.core.server;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Settings of the kubelet HTTPS API server.
 *
 * @param nodeName the node name; the resource name of every SubjectAccessReview and the host name
 *     of a generated certificate
 * @param bindAddress the address to listen on, e.g. {@code 0.0.0.0}
 * @param port the port ({@code --kubelet-port}, 10250 by default; 0 picks a free port)
 * @param tlsCert serving certificate chain, PEM ({@code --tls-cert}); when absent together with
 *     {@code tlsKey} a self-signed certificate is generated
 * @param tlsKey serving private key, PEM ({@code --tls-key})
 * @param clientCa CA bundle that signs client certificates ({@code --client-ca}), usually the
 *     cluster CA that signed the kube-apiserver's kubelet client certificate
 * @param anonymousAuth whether requests without credentials are served as {@code system:anonymous}
 *     ({@code --anonymous-auth}); off by default, like the kubelet
 * @param authCacheTtl how long an allowed authorization decision is cached (kubelet: 5 minutes)
 * @param authDenyCacheTtl how long a denied authorization decision is cached (kubelet: 30 seconds)
 * @param streamIdleTimeout how long an exec, attach or port-forward session may stay idle
 */
public record KubeletServerConfig(
    String nodeName,
    String bindAddress,
    int port,
    Optional<Path> tlsCert,
    Optional<Path> tlsKey,
    Optional<Path> clientCa,
    boolean anonymousAuth,
    Duration authCacheTtl,
    Duration authDenyCacheTtl,
    Duration streamIdleTimeout) {

  public static final int DEFAULT_PORT = 10250;

  public KubeletServerConfig {
    requireNonNull(nodeName, "nodeName is null");
    requireNonNull(bindAddress, "bindAddress is null");
    requireNonNull(tlsCert, "tlsCert is null");
    requireNonNull(tlsKey, "tlsKey is null");
    requireNonNull(clientCa, "clientCa is null");
    requireNonNull(authCacheTtl, "authCacheTtl is null");
    requireNonNull(authDenyCacheTtl, "authDenyCacheTtl is null");
    requireNonNull(streamIdleTimeout, "streamIdleTimeout is null");
    if (nodeName.isBlank()) {
      throw new IllegalArgumentException("nodeName is blank");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be between 0 and 65535: " + port);
    }
    if (tlsCert.isPresent() != tlsKey.isPresent()) {
      throw new IllegalArgumentException("--tls-cert and --tls-key must be given together");
    }
    if (authCacheTtl.isNegative() || authDenyCacheTtl.isNegative()) {
      throw new IllegalArgumentException("authorization cache TTLs must not be negative");
    }
    if (streamIdleTimeout.isNegative() || streamIdleTimeout.isZero()) {
      throw new IllegalArgumentException("streamIdleTimeout must be positive");
    }
  }

  /**
   * Port 10250 on all addresses, a generated certificate, no client CA, anonymous access off,
   * authorization cached 5 minutes (allowed) and 30 seconds (denied), streams idle 4 hours at most
   * (the kubelet's {@code streamingConnectionIdleTimeout}).
   */
  public static KubeletServerConfig defaults(String nodeName) {
    return new KubeletServerConfig(
        nodeName,
        "0.0.0.0",
        DEFAULT_PORT,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        false,
        Duration.ofMinutes(5),
        Duration.ofSeconds(30),
        Duration.ofHours(4));
  }

  public KubeletServerConfig withBindAddress(String bindAddress) {
    return new KubeletServerConfig(
        nodeName,
        bindAddress,
        port,
        tlsCert,
        tlsKey,
        clientCa,
        anonymousAuth,
        authCacheTtl,
        authDenyCacheTtl,
        streamIdleTimeout);
  }

  public KubeletServerConfig withPort(int port) {
    return new KubeletServerConfig(
        nodeName,
        bindAddress,
        port,
        tlsCert,
        tlsKey,
        clientCa,
        anonymousAuth,
        authCacheTtl,
        authDenyCacheTtl,
        streamIdleTimeout);
  }

  public KubeletServerConfig withTls(Path certificate, Path key) {
    return new KubeletServerConfig(
        nodeName,
        bindAddress,
        port,
        Optional.of(certificate),
        Optional.of(key),
        clientCa,
        anonymousAuth,
        authCacheTtl,
        authDenyCacheTtl,
        streamIdleTimeout);
  }

  public KubeletServerConfig withClientCa(Path clientCa) {
    return new KubeletServerConfig(
        nodeName,
        bindAddress,
        port,
        tlsCert,
        tlsKey,
        Optional.of(clientCa),
        anonymousAuth,
        authCacheTtl,
        authDenyCacheTtl,
        streamIdleTimeout);
  }

  public KubeletServerConfig withAnonymousAuth(boolean anonymousAuth) {
    return new KubeletServerConfig(
        nodeName,
        bindAddress,
        port,
        tlsCert,
        tlsKey,
        clientCa,
        anonymousAuth,
        authCacheTtl,
        authDenyCacheTtl,
        streamIdleTimeout);
  }
}
