package dev.vkj.core.pod;

import static java.util.Objects.requireNonNull;

import dev.vkj.spi.NodeDescription;
import dev.vkj.spi.PodIdentity;
import dev.vkj.spi.Provider;
import dev.vkj.spi.ProviderException;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend seen through a cloud API: getPod and listPods return only namespace, name, UID, the
 * spec-hash tag and the status, never the spec (so no env either). Counts every call.
 */
final class CloudView implements Provider {
  private final FakeProvider backend;
  final AtomicInteger creates = new AtomicInteger();
  final AtomicInteger updates = new AtomicInteger();
  final AtomicInteger deletes = new AtomicInteger();
  final AtomicInteger gets = new AtomicInteger();
  final AtomicInteger statusReads = new AtomicInteger();

  CloudView(FakeProvider backend) {
    this.backend = requireNonNull(backend, "backend is null");
  }

  @Override
  public void createPod(Pod pod) throws ProviderException {
    creates.incrementAndGet();
    backend.createPod(pod);
  }

  @Override
  public void updatePod(Pod pod) throws ProviderException {
    updates.incrementAndGet();
    backend.updatePod(pod);
  }

  @Override
  public void deletePod(Pod pod) throws ProviderException {
    deletes.incrementAndGet();
    backend.deletePod(pod);
  }

  @Override
  public Optional<Pod> getPod(String namespace, String name) throws ProviderException {
    gets.incrementAndGet();
    return backend.getPod(namespace, name).map(CloudView::asListed);
  }

  @Override
  public Optional<PodStatus> getPodStatus(String namespace, String name) {
    statusReads.incrementAndGet();
    return backend.getPodStatus(namespace, name);
  }

  @Override
  public List<Pod> listPods() throws ProviderException {
    List<Pod> out = new ArrayList<>();
    for (Pod p : backend.listPods()) {
      out.add(asListed(p));
    }
    return out;
  }

  @Override
  public NodeDescription describeNode() {
    throw new UnsupportedOperationException("not used by the pod controller");
  }

  /** What a cloud list returns: identity, the spec-hash tag and status; no spec. */
  static Pod asListed(Pod full) {
    Pod p = new Pod();
    ObjectMetaBuilder meta =
        new ObjectMetaBuilder()
            .withNamespace(full.getMetadata().getNamespace())
            .withName(full.getMetadata().getName())
            .withUid(full.getMetadata().getUid());
    PodIdentity.specHash(full)
        .ifPresent(h -> meta.withAnnotations(Map.of(PodIdentity.SPEC_HASH, h)));
    p.setMetadata(meta.build());
    p.setStatus(full.getStatus());
    return p;
  }
}
