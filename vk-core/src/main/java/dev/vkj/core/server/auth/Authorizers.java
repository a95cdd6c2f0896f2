package dev.vkj.core.server.auth;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;

/** The authorizers of the kubelet API. */
public final class Authorizers {
  private Authorizers() {}

  /**
   * Asks the API server with {@code POST /apis/authorization.k8s.io/v1/subjectaccessreviews} for
   * {@code nodes/<subresource>} of this node, like the kubelet's webhook mode. Decisions are
   * cached: allowed for {@code allowTtl} (kubelet: 5 minutes), denied for {@code denyTtl} (kubelet:
   * 30 seconds). The client's identity needs {@code create} on {@code subjectaccessreviews}.
   */
  public static Authorizer subjectAccessReview(
      KubernetesClient client, Duration allowTtl, Duration denyTtl) {
    return new SubjectAccessReviewAuthorizer(client, allowTtl, denyTtl, System::nanoTime);
  }

  /**
   * Allows every authenticated or anonymous request. With anonymous access enabled this gives
   * anyone who can reach the port exec into every pod: use it only on a loopback or otherwise
   * closed network, for development without a cluster.
   */
  public static Authorizer alwaysAllow() {
    return (user, attributes) -> Decision.ALLOW;
  }
}
