package dev.vkj.core.server.auth;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The authenticators of the kubelet's webhook mode. A typical setup:
 *
 * <pre>{@code
 * Authenticator authn = Authenticators.chain(
 *     Authenticators.x509(PemFiles.readCertificates(clientCaFile)),
 *     Authenticators.tokenReview(client, Duration.ofMinutes(2)));
 * }</pre>
 *
 * Anonymous access is not part of the chain: the server falls back to {@link UserInfo#anonymous()}
 * when the chain proves nobody and {@code anonymousAuth} is enabled.
 */
public final class Authenticators {
  private Authenticators() {}

  /**
   * Client certificates that verify against one of {@code clientCa} and allow client auth: user =
   * subject CN, groups = subject O values.
   */
  public static Authenticator x509(List<X509Certificate> clientCa) {
    return new X509Authenticator(List.copyOf(clientCa));
  }

  /**
   * Bearer tokens checked with {@code POST /apis/authentication.k8s.io/v1/tokenreviews}; outcomes
   * are cached for {@code ttl} (the kubelet uses 2 minutes). The client's identity needs {@code
   * create} on {@code tokenreviews}.
   */
  public static Authenticator tokenReview(KubernetesClient client, Duration ttl) {
    return new TokenReviewAuthenticator(client, ttl, System::nanoTime);
  }

  /** Proves everybody to be {@code system:anonymous}; only for tests and closed networks. */
  public static Authenticator anonymous() {
    return credentials -> Optional.of(UserInfo.anonymous());
  }

  /** Proves nobody. */
  public static Authenticator none() {
    return credentials -> Optional.empty();
  }

  /**
   * Tries each authenticator in order; the first that proves a user wins. When none does, the first
   * error is thrown (so a bad token is a 401 even with anonymous access), else empty.
   */
  public static Authenticator chain(Authenticator... authenticators) {
    List<Authenticator> all = List.of(authenticators);
    all.forEach(a -> requireNonNull(a, "authenticator is null"));
    return credentials -> {
      List<AuthException> errors = new ArrayList<>();
      for (Authenticator authenticator : all) {
        try {
          Optional<UserInfo> user = authenticator.authenticate(credentials);
          if (user.isPresent()) {
            return user;
          }
        } catch (AuthException e) {
          errors.add(e);
        }
      }
      if (!errors.isEmpty()) {
        AuthException first = errors.get(0);
        errors.subList(1, errors.size()).forEach(first::addSuppressed);
        throw first;
      }
      return Optional.empty();
    };
  }
}
