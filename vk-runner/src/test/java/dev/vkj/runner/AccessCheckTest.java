package dev.vkj.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.vkj.core.VkjException;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributes;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The startup access check against an API server that answers each review as told. */
@EnableKubernetesMockClient
class AccessCheckTest {
  private static final String PATH = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";

  KubernetesMockServer server;
  KubernetesClient client;

  private final List<ResourceAttributes> asked = new CopyOnWriteArrayList<>();

  /** Answers every review, allowed unless {@code denied} matches its attributes. */
  private void answer(Predicate<ResourceAttributes> denied) {
    server
        .expect()
        .post()
        .withPath(PATH)
        .andReply(
            201,
            request -> {
              SelfSubjectAccessReview review =
                  Serialization.unmarshal(request.getUtf8Body(), SelfSubjectAccessReview.class);
              ResourceAttributes attributes = review.getSpec().getResourceAttributes();
              asked.add(attributes);
              boolean allowed = !denied.test(attributes);
              review.setStatus(
                  new SubjectAccessReviewStatusBuilder()
                      .withAllowed(allowed)
                      .withReason(allowed ? "RBAC: allowed" : "")
                      .build());
              return review;
            })
        .always();
  }

  @Test
  void everyPermissionAllowedPassesAfterOneReviewEach() {
    answer(a -> false);

    assertThatCode(() -> new AccessCheck(client, AccessCheck.NEEDED).verify())
        .doesNotThrowAnyException();

    assertThat(asked).hasSize(AccessCheck.NEEDED.size());
    // what the reviews ask is what the core does
    assertThat(asked)
        .anySatisfy(
            a -> {
              assertThat(a.getVerb()).isEqualTo("patch");
              assertThat(a.getResource()).isEqualTo("pods");
              assertThat(a.getSubresource()).isEqualTo("status");
              assertThat(a.getGroup()).isEmpty();
              assertThat(a.getNamespace()).isNull(); // every namespace
            })
        .anySatisfy(
            a -> {
              assertThat(a.getVerb()).isEqualTo("update");
              assertThat(a.getGroup()).isEqualTo("coordination.k8s.io");
              assertThat(a.getResource()).isEqualTo("leases");
              assertThat(a.getNamespace()).isEqualTo("kube-node-lease");
            });
  }

  @Test
  void deniedPermissionsAreNamedWithWhatTheyAreNeededForAndExitWithOne() {
    answer(
        a ->
            ("pods".equals(a.getResource()) && "status".equals(a.getSubresource()))
                || ("leases".equals(a.getResource()) && "get".equals(a.getVerb())));

    VkjException failure =
        catchThrowableOfType(
            VkjException.class, () -> new AccessCheck(client, AccessCheck.NEEDED).verify());

    assertThat(failure.code()).isEqualTo(VkjException.Code.STARTUP);
    assertThat(Main.exitCode(failure)).isEqualTo(Main.FAILURE);
    assertThat(failure.getMessage())
        .contains("missing permission: patch pods/status (report pod status)")
        .contains(
            "missing permission: get leases.coordination.k8s.io in namespace kube-node-lease"
                + " (renew the node's Lease)")
        .contains("--skip-access-check");
    assertThat(failure.getMessage().lines().filter(l -> l.contains("missing permission")))
        .hasSize(2);
    // all are asked, so that one run names everything that is missing
    assertThat(asked).hasSize(AccessCheck.NEEDED.size());
  }

  @Test
  void eachPermissionDeniedAloneIsNamed() {
    Set<String> denied = new ConcurrentSkipListSet<>();
    answer(a -> denied.contains(a.getVerb() + " " + a.getResource() + "/" + a.getSubresource()));
    for (AccessCheck.Permission p : AccessCheck.NEEDED) {
      denied.clear();
      denied.add(
          p.verb()
              + " "
              + p.resource()
              + "/"
              + (p.subresource().isEmpty() ? null : p.subresource()));
      VkjException failure =
          catchThrowableOfType(
              VkjException.class, () -> new AccessCheck(client, AccessCheck.NEEDED).verify());
      assertThat(failure).as(p.describe()).isNotNull();
      assertThat(failure.getMessage())
          .contains("missing permission: " + p.describe() + " (" + p.neededFor() + ")");
    }
  }

  @Test
  void anUnreachableApiServerIsNamedAsSuchNotAsAPermissionProblem() {
    try (KubernetesClient unreachable =
        new io.fabric8.kubernetes.client.KubernetesClientBuilder()
            .withConfig(
                new io.fabric8.kubernetes.client.ConfigBuilder()
                    .withMasterUrl("https://127.0.0.1:1")
                    .withRequestRetryBackoffLimit(0)
                    .build())
            .build()) {
      VkjException e =
          catchThrowableOfType(
              VkjException.class, () -> new AccessCheck(unreachable, AccessCheck.NEEDED).verify());

      assertThat(e.getMessage()).startsWith("cannot reach the API server https://127.0.0.1:1");
      assertThat(e.code()).isEqualTo(VkjException.Code.STARTUP);
    }
  }

  @Test
  void aReviewWithoutStatusCannotTellSoTheRunnerGoesOn() {
    server.expect().post().withPath(PATH).andReply(201, request -> request.getUtf8Body()).always();

    assertThatCode(() -> new AccessCheck(client, AccessCheck.NEEDED).verify())
        .doesNotThrowAnyException();
    // one warning, not one per permission
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void aReviewRefusedAsInvalidCannotTellEither() {
    server.expect().post().withPath(PATH).andReturn(422, "").always();

    assertThatCode(() -> new AccessCheck(client, AccessCheck.NEEDED).verify())
        .doesNotThrowAnyException();
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void aClusterWithoutTheAuthorizationApiIsPointedAtTheFlag() {
    server.expect().post().withPath(PATH).andReturn(404, "").always();

    VkjException failure =
        catchThrowableOfType(
            VkjException.class, () -> new AccessCheck(client, AccessCheck.NEEDED).verify());

    assertThat(failure.getMessage()).contains("HTTP 404").contains("--skip-access-check");
    assertThat(Main.exitCode(failure)).isEqualTo(Main.FAILURE);
  }

  @Test
  void skipAccessCheckAsksNothing() {
    AccessCheck.Option option = new AccessCheck.Option();
    option.skip = true;

    option.verify(client);

    assertThat(server.getRequestCount()).isZero();
  }
}
