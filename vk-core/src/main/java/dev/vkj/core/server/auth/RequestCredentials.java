package dev.vkj.core.server.auth;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * What a request presented to prove who sent it.
 *
 * @param peerCertificates the TLS client certificate chain, leaf first; empty when none was sent
 * @param bearerToken the token of an {@code Authorization: Bearer} header, when present
 */
public record RequestCredentials(
    List<X509Certificate> peerCertificates, Optional<String> bearerToken) {
  public RequestCredentials {
    peerCertificates = List.copyOf(peerCertificates);
    bearerToken = bearerToken.filter(token -> !token.isEmpty());
  }

  public static RequestCredentials none() {
    return new RequestCredentials(List.of(), Optional.empty());
  }

  /** Never shows the token. */
  @Override
  public String toString() {
    return "RequestCredentials[certificates="
        + peerCertificates.size()
        + ", bearerToken="
        + (bearerToken.isPresent() ? "****" : "none")
        + "]";
  }
}
