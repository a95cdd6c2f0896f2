package dev.vkj.core.server.auth;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatus;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Bearer tokens checked with a TokenReview against the API server, like the kubelet's webhook
 * authentication. Both outcomes are cached for the TTL; the cache key is a hash of the token.
 */
final class TokenReviewAuthenticator implements Authenticator {
  private final KubernetesClient client;
  private final Duration ttl;
  private final TtlCache<String, Optional<dev.vkj.core.server.auth.UserInfo>> cache;

  TokenReviewAuthenticator(KubernetesClient client, Duration ttl, LongSupplier nanoTime) {
    this.client = requireNonNull(client, "client is null");
    this.ttl = requireNonNull(ttl, "ttl is null");
    this.cache = new TtlCache<>(nanoTime);
  }

  @Override
  public Optional<dev.vkj.core.server.auth.UserInfo> authenticate(RequestCredentials credentials)
      throws AuthException {
    if (credentials.bearerToken().isEmpty()) {
      return Optional.empty();
    }
    String token = credentials.bearerToken().get();
    String key = sha256(token);
    Optional<dev.vkj.core.server.auth.UserInfo> result = cache.get(key);
    if (result == null) {
      result = review(token);
      cache.put(key, result, ttl);
    }
    if (result.isEmpty()) {
      throw new AuthException(AuthException.Code.INVALID_TOKEN, "invalid bearer token");
    }
    return result;
  }

  private Optional<dev.vkj.core.server.auth.UserInfo> review(String token) throws AuthException {
    TokenReview request = new TokenReviewBuilder().withNewSpec().withToken(token).endSpec().build();
    TokenReview response;
    try {
      response = client.authentication().v1().tokenReviews().create(request);
    } catch (RuntimeException e) {
      // the fabric8 message may echo the request; keep it out of the exception text
      throw new AuthException(
          AuthException.Code.TOKEN_REVIEW_FAILED,
          "TokenReview failed: " + e.getClass().getSimpleName());
    }
    TokenReviewStatus status = response == null ? null : response.getStatus();
    if (status == null || !Boolean.TRUE.equals(status.getAuthenticated())) {
      return Optional.empty();
    }
    UserInfo user = status.getUser();
    if (user == null || user.getUsername() == null || user.getUsername().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new dev.vkj.core.server.auth.UserInfo(
            user.getUsername(),
            user.getUid() == null ? "" : user.getUid(),
            user.getGroups() == null ? List.of() : user.getGroups(),
            user.getExtra() == null ? Map.of() : user.getExtra()));
  }

  private static String sha256(String token) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
