package dev.vkj.core.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.vkj.core.MockApiServer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The gone path against the informer's order of work: it removes a pod from its store before it
 * delivers the deletion, so a sync can find the pod gone while the delivery is still to come.
 */
class PodSyncerGoneIT {
  private static final String NODE = "vk";
  private static final Map<String, String> NODE_LABEL = Map.of("vkj.dev/test-node", NODE);

  @RegisterExtension final MockApiServer api = new MockApiServer();
  private final CountDownLatch deliver = new CountDownLatch(1);
  private final FakeProvider provider = new FakeProvider();
  private PodCache cache;

  @AfterEach
  void stop() {
    deliver.countDown();
    if (cache != null) {
      cache.close();
    }
    api.client().close();
  }

  @Test
  void aSyncThatFindsThePodGoneBeforeItsDeletionIsDeliveredRunsTheGonePathOnce() throws Exception {
    PodSyncer syncer = start();
    Pod pod = createAndSync(syncer);
    String key = PodSyncer.key(pod);
    assertThat(provider.created).hasSize(1);
    assertThat(syncer.known(key)).isTrue();

    deleteFromTheStore(key);
    syncer.sync(key); // queued for another reason before the store lost the pod
    assertThat(provider.deleted).hasSize(1);
    int gets = provider.getCalls.get();
    syncer.sync(key); // and queued once more
    assertThat(provider.getCalls).as("no second provider read").hasValue(gets);
    assertThat(syncer.known(key)).as("the poller leaves it alone").isFalse();
    assertThat(syncer.trackedPods()).as("a marker until the delivery").isEqualTo(1);

    assertThat(syncer.deletionDelivered(pod)).as("the delivery needs no sync").isFalse();
    assertThat(syncer.trackedPods()).isZero();
    assertThat(provider.deleteAttempts).hasValue(1);
  }

  @Test
  void aDeliveryBeforeTheSyncLeavesNothingBehindTheGonePath() throws Exception {
    PodSyncer syncer = start();
    Pod pod = createAndSync(syncer);
    String key = PodSyncer.key(pod);
    deleteFromTheStore(key);

    assertThat(syncer.deletionDelivered(pod)).as("the delivery queues the gone path").isTrue();
    syncer.sync(key);
    assertThat(provider.deleted).hasSize(1);
    assertThat(syncer.trackedPods()).as("nothing left to wait for").isZero();
  }

  /** The syncer over an informer whose deletion callback waits for {@link #deliver}. */
  private PodSyncer start() throws InterruptedException {
    PodController.Parts parts =
        PodController.Parts.wire(
            api.client(),
            provider,
            new RecordingEvents(),
            PodControllerConfig.defaults(NODE),
            NODE_LABEL);
    cache = parts.cache();
    parts.syncer().adoptionDecided();
    cache.start(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(Pod pod) {}

          @Override
          public void onUpdate(Pod oldPod, Pod newPod) {}

          @Override
          public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {
            try {
              deliver.await(); // the delivery lags behind the store, as under a burst of deletions
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        });
    return parts.syncer();
  }

  private Pod createAndSync(PodSyncer syncer) throws Exception {
    Pod pod =
        api.client()
            .pods()
            .inNamespace("ns")
            .resource(PodControllerIT.pod("web").build()) // the same node, namespace and label
            .create();
    String key = PodSyncer.key(pod);
    await("pod cached", () -> cache.get(key) != null);
    syncer.sync(key);
    return pod;
  }

  private void deleteFromTheStore(String key) throws InterruptedException {
    api.client().pods().inNamespace("ns").withName("web").delete(); // the mock removes it at once
    await("pod gone from the store", () -> cache.get(key) == null);
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out waiting for " + what);
      }
      Thread.sleep(10);
    }
  }
}
