package dev.vkj.bench;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The least any kubelet must do, written with the same client as vkj: register a Ready Node, renew
 * its Lease, watch the pods bound to it, write each pod's status once as Running, and delete a pod
 * with grace 0 once it has a deletion timestamp. It keeps no per-pod state beyond two UID sets. It
 * is the benchmark's reference point, not a kubelet anyone should run.
 */
final class BaselineKubelet implements AutoCloseable {
  private static final String LEASES = "kube-node-lease";

  private final KubernetesClient client;
  private final String nodeName;
  private final ExecutorService workers;
  private final ScheduledExecutorService leaseTimer =
      Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "baseline-lease"));
  private final Set<String> statusWritten = ConcurrentHashMap.newKeySet();
  private final Set<String> deleteIssued = ConcurrentHashMap.newKeySet();
  private final AtomicInteger nextIp = new AtomicInteger(1);
  private volatile Lease lease;
  private volatile SharedIndexInformer<Pod> informer;

  BaselineKubelet(KubernetesClient client, String nodeName, int workers) {
    this.client = requireNonNull(client, "client is null");
    this.nodeName = requireNonNull(nodeName, "nodeName is null");
    AtomicInteger n = new AtomicInteger();
    this.workers =
        Executors.newFixedThreadPool(workers, r -> daemon(r, "baseline-" + n.incrementAndGet()));
  }

  void start() {
    register();
    renewLease();
    leaseTimer.scheduleWithFixedDelay(this::renewLease, 10, 10, TimeUnit.SECONDS);
    informer =
        client
            .pods()
            .inAnyNamespace()
            .withField("spec.nodeName", nodeName)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Pod pod) {
                    workers.execute(() -> handle(pod));
                  }

                  @Override
                  public void onUpdate(Pod old, Pod pod) {
                    workers.execute(() -> handle(pod));
                  }

                  @Override
                  public void onDelete(Pod pod, boolean unknownFinalState) {
                    statusWritten.remove(pod.getMetadata().getUid());
                    deleteIssued.remove(pod.getMetadata().getUid());
                  }
                },
                0);
  }

  private void handle(Pod pod) {
    String uid = pod.getMetadata().getUid();
    Pod current =
        informer
            .getStore()
            .getByKey(pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName());
    if (current == null || !uid.equals(current.getMetadata().getUid())) {
      return; // gone meanwhile: an event queued before the deletion must not act on it
    }
    try {
      if (pod.getMetadata().getDeletionTimestamp() != null) {
        if (deleteIssued.add(uid)) {
          delete(pod);
        }
      } else if (statusWritten.add(uid)) {
        writeRunning(pod);
      }
    } catch (RuntimeException e) {
      System.err.println("baseline: pod " + pod.getMetadata().getName() + ": " + e);
    }
  }

  /** One JSON patch of the status subresource, guarded by the UID, as a kubelet writes it. */
  private void writeRunning(Pod pod) {
    String ops =
        "[{\"op\":\"test\",\"path\":\"/metadata/uid\",\"value\":"
            + Serialization.asJson(pod.getMetadata().getUid())
            + "},{\"op\":\"add\",\"path\":\"/status\",\"value\":"
            + Serialization.asJson(running(pod))
            + "}]";
    try {
      client
          .pods()
          .inNamespace(pod.getMetadata().getNamespace())
          .resource(pod)
          .subresource("status")
          .patch(PatchContext.of(PatchType.JSON), ops);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404 && e.getCode() != 409 && e.getCode() != 422) {
        throw e;
      }
    }
  }

  private PodStatus running(Pod pod) {
    String now =
        DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    int ip = nextIp.getAndIncrement();
    List<PodCondition> conditions = new ArrayList<>();
    for (String type : List.of("Initialized", "Ready", "ContainersReady", "PodScheduled")) {
      conditions.add(
          new PodConditionBuilder()
              .withType(type)
              .withStatus("True")
              .withLastTransitionTime(now)
              .build());
    }
    List<ContainerStatus> containers = new ArrayList<>();
    pod.getSpec()
        .getContainers()
        .forEach(
            c ->
                containers.add(
                    new ContainerStatusBuilder()
                        .withName(c.getName())
                        .withImage(c.getImage())
                        .withImageID("docker.io/library/" + c.getImage())
                        .withContainerID("baseline://" + pod.getMetadata().getUid())
                        .withReady(true)
                        .withStarted(true)
                        .withRestartCount(0)
                        .withNewState()
                        .withNewRunning(now)
                        .endState()
                        .build()));
    return new PodStatusBuilder()
        .withPhase("Running")
        .withHostIP("127.0.0.1")
        .withPodIP("10.200." + (ip >> 8 & 0xff) + "." + (ip & 0xff))
        .withStartTime(now)
        .withQosClass("BestEffort")
        .withConditions(conditions)
        .withContainerStatuses(containers)
        .build();
  }

  /** DELETE with grace 0 and a UID precondition: the same single request vkj sends. */
  private void delete(Pod pod) {
    String body =
        "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"gracePeriodSeconds\":0,"
            + "\"preconditions\":{\"uid\":\""
            + pod.getMetadata().getUid()
            + "\"}}";
    String base = client.getMasterUrl().toString().replaceAll("/$", "");
    String url =
        base
            + "/api/v1/namespaces/"
            + pod.getMetadata().getNamespace()
            + "/pods/"
            + pod.getMetadata().getName();
    HttpRequest request =
        client
            .getHttpClient()
            .newHttpRequestBuilder()
            .uri(url)
            .delete("application/json", body)
            .build();
    try {
      client.getHttpClient().sendAsync(request, String.class).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      deleteIssued.remove(pod.getMetadata().getUid()); // the next event retries
    }
  }

  private void register() {
    String now =
        ZonedDateTime.now().truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_INSTANT);
    Map<String, Quantity> capacity =
        Map.of(
            "cpu",
            new Quantity("1000"),
            "memory",
            new Quantity("4Ti"),
            "pods",
            new Quantity("100000"));
    Node node =
        new NodeBuilder()
            .withNewMetadata()
            .withName(nodeName)
            .addToLabels("type", "virtual-kubelet")
            .addToLabels("kubernetes.io/hostname", nodeName)
            .endMetadata()
            .withNewStatus()
            .withCapacity(capacity)
            .withAllocatable(capacity)
            .addNewCondition()
            .withType("Ready")
            .withStatus("True")
            .withReason("KubeletReady")
            .withLastHeartbeatTime(now)
            .withLastTransitionTime(now)
            .endCondition()
            .addNewAddress()
            .withType("InternalIP")
            .withAddress("127.0.0.1")
            .endAddress()
            .endStatus()
            .build();
    client.nodes().resource(node).delete();
    client.nodes().withName(nodeName).waitUntilCondition(n -> n == null, 60, TimeUnit.SECONDS);
    client.nodes().resource(node).create(); // a Node takes its status on create
  }

  private void renewLease() {
    try {
      String now = ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
      Lease last = lease;
      if (last == null) {
        last = client.leases().inNamespace(LEASES).withName(nodeName).get();
      }
      if (last == null) {
        lease =
            client
                .leases()
                .inNamespace(LEASES)
                .resource(
                    new LeaseBuilder()
                        .withNewMetadata()
                        .withName(nodeName)
                        .endMetadata()
                        .withNewSpec()
                        .withHolderIdentity(nodeName)
                        .withLeaseDurationSeconds(40)
                        .withRenewTime(ZonedDateTime.parse(now))
                        .endSpec()
                        .build())
                .create();
        return;
      }
      Lease next =
          new LeaseBuilder(last)
              .editSpec()
              .withRenewTime(ZonedDateTime.parse(now))
              .endSpec()
              .build();
      lease = client.leases().inNamespace(LEASES).resource(next).update();
    } catch (KubernetesClientException e) {
      lease = null; // read it again next time
      System.err.println("baseline: lease renewal failed: " + e.getMessage());
    }
  }

  @Override
  public void close() {
    if (informer != null) {
      informer.close();
    }
    leaseTimer.shutdownNow();
    workers.shutdownNow();
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
