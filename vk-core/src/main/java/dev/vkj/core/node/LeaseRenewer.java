package dev.vkj.core.node;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews the node Lease in {@code kube-node-lease} like the kubelet: an update of the last known
 * Lease (no read first), a fresh read after a conflict, creation when it is missing, and an owner
 * reference to the Node so that deleting the Node removes its Lease.
 */
final class LeaseRenewer {
  static final String NAMESPACE = "kube-node-lease";
  private static final Logger log = LoggerFactory.getLogger(LeaseRenewer.class);
  private static final int MAX_TRIES = 5;

  private final KubernetesClient client;
  private final NodeControllerConfig config;
  private Lease last; // only touched by the node controller's thread

  LeaseRenewer(KubernetesClient client, NodeControllerConfig config) {
    this.client = requireNonNull(client, "client is null");
    this.config = requireNonNull(config, "config is null");
  }

  /** Renews the lease for the given node; returns whether it succeeded. */
  boolean renew(Node node) {
    for (int attempt = 0; attempt < MAX_TRIES; attempt++) {
      try {
        if (last == null) {
          last = client.leases().inNamespace(NAMESPACE).withName(config.nodeName()).get();
        }
        if (last == null) {
          last = client.leases().inNamespace(NAMESPACE).resource(newLease(node)).create();
          return true;
        }
        Lease next = new LeaseBuilder(last).build();
        next.getSpec().setHolderIdentity(config.nodeName());
        next.getSpec().setLeaseDurationSeconds((int) config.leaseDuration().toSeconds());
        next.getSpec().setRenewTime(now());
        if (node != null && !ownedBy(next, node)) {
          next.getMetadata().setOwnerReferences(List.of(ownerReference(node)));
        }
        last = client.leases().inNamespace(NAMESPACE).resource(next).update();
        return true;
      } catch (KubernetesClientException e) {
        // conflict: someone else wrote it; missing: it was deleted. Read again either way.
        last = null;
        if (e.getCode() != 409 && e.getCode() != 404) {
          log.warn("could not renew node lease: {}", e.getMessage());
          return false;
        }
      }
    }
    return false;
  }

  private Lease newLease(Node node) {
    LeaseBuilder builder =
        new LeaseBuilder()
            .withNewMetadata()
            .withName(config.nodeName())
            .withNamespace(NAMESPACE)
            .endMetadata()
            .withNewSpec()
            .withHolderIdentity(config.nodeName())
            .withLeaseDurationSeconds((int) config.leaseDuration().toSeconds())
            .withRenewTime(now())
            .endSpec();
    if (node != null) {
      builder.editMetadata().withOwnerReferences(ownerReference(node)).endMetadata();
    }
    return builder.build();
  }

  private static boolean ownedBy(Lease lease, Node node) {
    List<OwnerReference> owners = lease.getMetadata().getOwnerReferences();
    return owners != null
        && owners.stream().anyMatch(o -> node.getMetadata().getUid().equals(o.getUid()));
  }

  private static OwnerReference ownerReference(Node node) {
    return new OwnerReferenceBuilder()
        .withApiVersion("v1")
        .withKind("Node")
        .withName(node.getMetadata().getName())
        .withUid(node.getMetadata().getUid())
        .build();
  }

  private ZonedDateTime now() {
    return ZonedDateTime.ofInstant(config.clock().instant(), ZoneOffset.UTC)
        .truncatedTo(ChronoUnit.MICROS);
  }

  void forget() {
    last = null;
  }
}
