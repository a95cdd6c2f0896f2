package dev.vkj.core.pod;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/** The informer over the pods bound to this node, and lookups in its cache. */
final class PodCache implements AutoCloseable {
  private final KubernetesClient client;
  private final String nodeName;
  private final Map<String, String> labelSelector;
  private volatile SharedIndexInformer<Pod> informer;

  /**
   * @param labelSelector when not null, pods are watched by these labels instead of the {@code
   *     spec.nodeName} field selector (for API servers that do not support it, such as test mocks)
   */
  PodCache(KubernetesClient client, String nodeName, Map<String, String> labelSelector) {
    this.client = requireNonNull(client, "client is null");
    this.nodeName = requireNonNull(nodeName, "nodeName is null");
    this.labelSelector = labelSelector == null ? null : Map.copyOf(labelSelector);
  }

  static String key(Pod pod) {
    return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
  }

  /** Starts the informer and waits for its first list; events of our pods go to the handler. */
  void start(ResourceEventHandler<Pod> handler) throws InterruptedException {
    var pods = client.pods().inAnyNamespace();
    SharedIndexInformer<Pod> inf =
        labelSelector == null
            ? pods.withField("spec.nodeName", nodeName).runnableInformer(0)
            : pods.withLabels(labelSelector).runnableInformer(0);
    inf.itemStore(new LeanStore());
    inf.addEventHandler(handler);
    informer = inf;
    try {
      inf.start().toCompletableFuture().get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("pod informer failed to start: " + e.getCause(), e);
    }
  }

  /** The cached pod of the key when it is bound to this node, else null. */
  Pod get(String key) {
    SharedIndexInformer<Pod> inf = informer;
    if (inf == null) {
      return null;
    }
    Pod p = inf.getStore().getByKey(key);
    return p != null && ours(p) ? p : null;
  }

  /** API pods bound to this node. */
  List<Pod> pods() {
    SharedIndexInformer<Pod> inf = informer;
    if (inf == null) {
      return List.of();
    }
    List<Pod> out = new ArrayList<>();
    for (Pod p : inf.getStore().list()) {
      if (ours(p)) {
        out.add(p);
      }
    }
    return out;
  }

  boolean ours(Pod p) {
    return p.getSpec() != null && nodeName.equals(p.getSpec().getNodeName());
  }

  /**
   * The informer's store, keeping pods without {@code metadata.managedFields}: nothing in a kubelet
   * reads them, and they are a third of a small pod's size in memory.
   */
  private static final class LeanStore extends BasicItemStore<Pod> {
    LeanStore() {
      super(PodCache::key);
    }

    @Override
    public Pod put(String key, Pod pod) {
      if (pod.getMetadata() != null) {
        pod.getMetadata().setManagedFields(null);
      }
      return super.put(key, pod);
    }
  }

  @Override
  public void close() {
    SharedIndexInformer<Pod> inf = informer;
    if (inf != null) {
      inf.close();
    }
  }
}
