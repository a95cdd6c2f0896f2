package dev.vkj.core.server.auth;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Asks the API server with a SubjectAccessReview, like the kubelet's webhook authorization. Allowed
 * decisions are cached for {@code allowTtl}, denied ones for {@code denyTtl}; errors are not
 * cached.
 */
final class SubjectAccessReviewAuthorizer implements Authorizer {
  private record Key(UserInfo user, RequestAttributes attributes) {}

  private final KubernetesClient client;
  private final Duration allowTtl;
  private final Duration denyTtl;
  private final TtlCache<Key, Decision> cache;

  SubjectAccessReviewAuthorizer(
      KubernetesClient client, Duration allowTtl, Duration denyTtl, LongSupplier nanoTime) {
    this.client = requireNonNull(client, "client is null");
    this.allowTtl = requireNonNull(allowTtl, "allowTtl is null");
    this.denyTtl = requireNonNull(denyTtl, "denyTtl is null");
    this.cache = new TtlCache<>(nanoTime);
  }

  @Override
  public Decision authorize(UserInfo user, RequestAttributes attributes) throws AuthException {
    Key key = new Key(user, attributes);
    Decision cached = cache.get(key);
    if (cached != null) {
      return cached;
    }
    Decision decision = review(user, attributes);
    cache.put(key, decision, decision == Decision.ALLOW ? allowTtl : denyTtl);
    return decision;
  }

  private Decision review(UserInfo user, RequestAttributes attributes) throws AuthException {
    SubjectAccessReview request =
        new SubjectAccessReviewBuilder()
            .withNewSpec()
            .withUser(user.name())
            .withUid(user.uid().isEmpty() ? null : user.uid())
            .withGroups(user.groups().isEmpty() ? null : user.groups())
            .withExtra(user.extra().isEmpty() ? null : user.extra())
            .withNewResourceAttributes()
            .withVerb(attributes.verb())
            .withVersion(RequestAttributes.API_VERSION)
            .withResource(RequestAttributes.RESOURCE)
            .withSubresource(attributes.subresource())
            .withName(attributes.nodeName())
            .endResourceAttributes()
            .endSpec()
            .build();
    SubjectAccessReview response;
    try {
      response = client.authorization().v1().subjectAccessReview().create(request);
    } catch (RuntimeException e) {
      throw new AuthException(
          AuthException.Code.ACCESS_REVIEW_FAILED,
          "SubjectAccessReview failed: " + e.getMessage(),
          e);
    }
    boolean allowed =
        response != null
            && response.getStatus() != null
            && Boolean.TRUE.equals(response.getStatus().getAllowed());
    return allowed ? Decision.ALLOW : Decision.DENY;
  }
}
