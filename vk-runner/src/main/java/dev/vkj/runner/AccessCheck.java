package dev.vkj.runner;

import static java.util.Objects.requireNonNull;

import dev.vkj.core.VkjException;
import dev.vkj.core.VkjException.Code;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * Checks before the node registers that the runner's identity may make every API call the virtual
 * kubelet makes, with one SelfSubjectAccessReview per permission (which every authenticated user
 * may create). A missing permission would otherwise show much later as a node that never turns
 * Ready, pods stuck in Pending, or {@code kubectl logs} refused; here it stops the runner with exit
 * code 1 and a message that names each missing permission and what it is needed for.
 */
final class AccessCheck {
  private static final Logger log = LoggerFactory.getLogger(AccessCheck.class);
  private static final String NODE_LEASES = "kube-node-lease";

  /** One API call: verb, API group, resource, subresource, namespace (empty: all) and why. */
  record Permission(
      String verb,
      String group,
      String resource,
      String subresource,
      String namespace,
      String neededFor) {
    Permission {
      requireNonNull(verb, "verb is null");
      requireNonNull(group, "group is null");
      requireNonNull(resource, "resource is null");
      requireNonNull(subresource, "subresource is null");
      requireNonNull(namespace, "namespace is null");
      requireNonNull(neededFor, "neededFor is null");
    }

    /**
     * As kubectl auth can-i spells it: {@code patch pods/status}, {@code get
     * leases.coordination.k8s.io}.
     */
    String describe() {
      String what = group.isEmpty() ? resource : resource + "." + group;
      if (!subresource.isEmpty()) {
        what += "/" + subresource;
      }
      return verb + " " + what + (namespace.isEmpty() ? "" : " in namespace " + namespace);
    }
  }

  /**
   * Every call of the core (NodeController, LeaseRenewer, PodCache, PodStatusWriter,
   * ApiClusterResources, ServiceCache, KubeEventRecorder and the kubelet API's webhook
   * authentication and authorization); the chart's ClusterRole grants exactly these.
   */
  static final List<Permission> NEEDED =
      List.of(
          core("get", "nodes", "", "", "register the node and read it before each status write"),
          core("list", "nodes", "", "", "notice when the node is deleted and register it again"),
          core("watch", "nodes", "", "", "notice when the node is deleted and register it again"),
          core("create", "nodes", "", "", "register the node"),
          core("patch", "nodes", "", "", "put the node's labels and taint on an existing node"),
          core("update", "nodes", "status", "", "report node status"),
          lease("get"),
          lease("create"),
          lease("update"),
          core("list", "pods", "", "", "see the pods scheduled to the node"),
          core("watch", "pods", "", "", "see the pods scheduled to the node"),
          core("delete", "pods", "", "", "remove pods once their containers stopped"),
          core("patch", "pods", "status", "", "report pod status"),
          core("get", "configmaps", "", "", "resolve the pods' environment and volumes"),
          core("get", "secrets", "", "", "resolve the pods' environment and volumes"),
          core("list", "services", "", "", "set the pods' service environment variables"),
          core("create", "events", "", "", "record events"),
          core("patch", "events", "", "", "count repeated events"),
          new Permission(
              "create",
              "authentication.k8s.io",
              "tokenreviews",
              "",
              "",
              "authenticate bearer tokens of kubelet API callers"),
          new Permission(
              "create",
              "authorization.k8s.io",
              "subjectaccessreviews",
              "",
              "",
              "authorize kubelet API callers (logs, exec)"));

  private final KubernetesClient client;
  private final List<Permission> needed;

  AccessCheck(KubernetesClient client, List<Permission> needed) {
    this.client = requireNonNull(client, "client is null");
    this.needed = List.copyOf(requireNonNull(needed, "needed is null"));
  }

  /**
   * Asks the API server about each permission; throws a {@link Code#STARTUP} failure naming the
   * missing ones. A review answered without a status, or refused as invalid (an API server that
   * does not evaluate reviews, such as a test double), cannot tell: a warning, and the runner goes
   * on.
   */
  void verify() {
    List<Permission> missing = new ArrayList<>();
    for (Permission p : needed) {
      SubjectAccessReviewStatus status = review(p);
      if (status == null) {
        log.warn(
            "cannot verify the runner's permissions: the API server answered an access review"
                + " without a result; going on without the check");
        return;
      }
      if (!Boolean.TRUE.equals(status.getAllowed())) {
        missing.add(p);
      }
    }
    if (missing.isEmpty()) {
      log.info(
          "access check: the runner may make all {} kinds of API calls it needs", needed.size());
      return;
    }
    StringBuilder message =
        new StringBuilder(
            "the runner's identity lacks permissions the virtual kubelet needs (grant them, e.g."
                + " with the Helm chart's ClusterRole; --skip-access-check skips this check):");
    for (Permission p : missing) {
      message
          .append("\n  missing permission: ")
          .append(p.describe())
          .append(" (")
          .append(p.neededFor())
          .append(')');
    }
    throw new VkjException(Code.STARTUP, message.toString());
  }

  private SubjectAccessReviewStatus review(Permission p) {
    SelfSubjectAccessReview request =
        new SelfSubjectAccessReviewBuilder()
            .withNewSpec()
            .withNewResourceAttributes()
            .withVerb(p.verb())
            .withGroup(p.group())
            .withResource(p.resource())
            .withSubresource(p.subresource().isEmpty() ? null : p.subresource())
            .withNamespace(p.namespace().isEmpty() ? null : p.namespace())
            .endResourceAttributes()
            .endSpec()
            .build();
    try {
      SelfSubjectAccessReview answer =
          client.authorization().v1().selfSubjectAccessReview().create(request);
      return answer == null ? null : answer.getStatus();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 422) {
        // a server that handles reviews as stored objects (a test double) refuses one without a
        // name: it does not evaluate them either
        return null;
      }
      if (e.getCode() <= 0) {
        // no answer at all: the cluster is unreachable, which is no permission problem
        throw new VkjException(
            Code.STARTUP,
            "cannot reach the API server "
                + client.getMasterUrl()
                + ": "
                + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()),
            e);
      }
      throw new VkjException(
          Code.STARTUP,
          "cannot check the runner's permissions (SelfSubjectAccessReview answered HTTP "
              + e.getCode()
              + "); on a cluster without the authorization API pass --skip-access-check",
          e);
    }
  }

  private static Permission core(
      String verb, String resource, String subresource, String namespace, String neededFor) {
    return new Permission(verb, "", resource, subresource, namespace, neededFor);
  }

  private static Permission lease(String verb) {
    return new Permission(
        verb, "coordination.k8s.io", "leases", "", NODE_LEASES, "renew the node's Lease");
  }

  /** {@code --skip-access-check}, and the check itself unless it is given. */
  static final class Option {
    @Env("VKJ_SKIP_ACCESS_CHECK")
    @CommandLine.Option(
        names = "--skip-access-check",
        arity = "0..1",
        fallbackValue = "true",
        defaultValue = "false",
        paramLabel = "BOOL",
        description = {
          "Start without checking the runner's RBAC permissions first (clusters without the"
              + " authorization API).",
          "Env: VKJ_SKIP_ACCESS_CHECK. Default: ${DEFAULT-VALUE}."
        })
    boolean skip;

    void verify(KubernetesClient client) {
      if (skip) {
        log.info("access check skipped (--skip-access-check)");
        return;
      }
      new AccessCheck(client, NEEDED).verify();
    }
  }
}
