package dev.vkj.runner;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replicas of one node elect the one that runs it through a Lease, with client-go's rules: the
 * holder renews every retry period; a candidate takes the Lease once it has seen no renewal for the
 * Lease's duration on its own clock (so clocks need not agree), or at once when nobody holds it. A
 * leader that cannot renew within the renew deadline stops (the runner exits and its pod restarts
 * as a standby), because two runners writing one node's pods would fight. Closing a leader releases
 * the Lease, so that a standby takes over without waiting for it to expire.
 */
final class LeaderElection implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LeaderElection.class);

  private final KubernetesClient client;
  private final RunOptions.LeaderElectionOptions options;
  private final String leaseName;
  private final Runnable onLost;
  private final ScheduledExecutorService loop;
  private final CountDownLatch leading = new CountDownLatch(1);
  private final AtomicBoolean lost = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();

  // touched by the loop's thread only, then by close() once the loop has stopped
  private String observedHolder;
  private ZonedDateTime observedRenewTime;
  private long observedAtNanos;
  private long lastRenewalNanos;
  private boolean isLeader;

  /**
   * @param onLost called once when this replica stops leading other than by {@link #close()}
   */
  LeaderElection(
      KubernetesClient client,
      String nodeName,
      RunOptions.LeaderElectionOptions options,
      Runnable onLost) {
    this.client = requireNonNull(client, "client is null");
    this.options = requireNonNull(options, "options is null");
    this.leaseName = leaseName(requireNonNull(nodeName, "nodeName is null"));
    this.onLost = requireNonNull(onLost, "onLost is null");
    this.loop =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "vk-runner-leader-election");
              thread.setDaemon(true);
              return thread;
            });
  }

  /** The Lease of a node's leader, beside the node's own heartbeat Lease. */
  static String leaseName(String nodeName) {
    String name = "vkj-leader-" + nodeName;
    return name.length() <= 253 ? name : name.substring(0, 253).replaceAll("[-.]+$", "");
  }

  void start() {
    log.info(
        "leader election: lease {}/{}, identity {}",
        options.namespace(),
        leaseName,
        options.identity());
    loop.scheduleWithFixedDelay(
        this::tick, 0, options.retryPeriod().toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Waits until this replica leads; false when {@code stop} said so first. */
  boolean awaitLeading(BooleanSupplier stop) throws InterruptedException {
    while (!leading.await(200, TimeUnit.MILLISECONDS)) {
      if (stop.getAsBoolean() || lost.get()) {
        return false;
      }
    }
    return true;
  }

  boolean isLeading() {
    return leading.getCount() == 0 && !lost.get() && !closed.get();
  }

  private void tick() {
    try {
      tryAcquireOrRenew();
    } catch (KubernetesClientException e) {
      // a conflict means another replica wrote first; the next round reads its record
      if (e.getCode() != 409) {
        log.warn("leader election: lease {}: {}", leaseName, e.getMessage());
      }
    } catch (RuntimeException e) {
      log.warn("leader election: lease {}: {}", leaseName, e.toString());
    }
    if (isLeader
        && System.nanoTime() - lastRenewalNanos > options.renewDeadline().toNanos()
        && !closed.get()) {
      stopLeading("no renewal within " + options.renewDeadline().toSeconds() + "s");
    }
  }

  private void tryAcquireOrRenew() {
    if (closed.get() || lost.get()) {
      return;
    }
    ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
    Lease current = client.leases().inNamespace(options.namespace()).withName(leaseName).get();
    if (current == null) {
      client.resource(record(null, now, now, 0)).create();
      renewed(true);
      return;
    }
    String holder = current.getSpec() == null ? null : current.getSpec().getHolderIdentity();
    ZonedDateTime renewTime = current.getSpec() == null ? null : current.getSpec().getRenewTime();
    if (!Objects.equals(holder, observedHolder) || !Objects.equals(renewTime, observedRenewTime)) {
      if (!Objects.equals(holder, observedHolder)
          && holder != null
          && !holder.isEmpty()
          && !holder.equals(options.identity())) {
        log.info("leader election: {} leads node lease {}; this replica waits", holder, leaseName);
      }
      observedHolder = holder;
      observedRenewTime = renewTime;
      observedAtNanos = System.nanoTime();
    }
    if (options.identity().equals(holder)) {
      ZonedDateTime acquired = current.getSpec().getAcquireTime();
      Integer transitions = current.getSpec().getLeaseTransitions();
      client
          .resource(record(current, acquired, now, transitions == null ? 0 : transitions))
          .update();
      renewed(false);
      return;
    }
    if (isLeader) {
      stopLeading(holder == null || holder.isEmpty() ? "released" : "taken by " + holder);
      return;
    }
    Integer seconds = current.getSpec().getLeaseDurationSeconds();
    long duration =
        TimeUnit.SECONDS.toNanos(
            seconds == null ? options.leaseDuration().toSeconds() : seconds.longValue());
    boolean free = holder == null || holder.isEmpty();
    if (free || System.nanoTime() - observedAtNanos >= duration) {
      Integer transitions = current.getSpec().getLeaseTransitions();
      client
          .resource(record(current, now, now, (transitions == null ? 0 : transitions) + 1))
          .update();
      renewed(true);
    }
  }

  private Lease record(
      Lease current, ZonedDateTime acquireTime, ZonedDateTime renewTime, int transitions) {
    LeaseBuilder builder = current == null ? new LeaseBuilder() : new LeaseBuilder(current);
    return builder
        .editOrNewMetadata()
        .withNamespace(options.namespace())
        .withName(leaseName)
        .endMetadata()
        .withNewSpec()
        .withHolderIdentity(options.identity())
        .withLeaseDurationSeconds((int) options.leaseDuration().toSeconds())
        .withAcquireTime(acquireTime)
        .withRenewTime(renewTime)
        .withLeaseTransitions(transitions)
        .endSpec()
        .build();
  }

  private void renewed(boolean acquired) {
    lastRenewalNanos = System.nanoTime();
    if (acquired || !isLeader) {
      isLeader = true;
      log.info("leader election: {} now leads node lease {}", options.identity(), leaseName);
      leading.countDown();
    }
  }

  private void stopLeading(String why) {
    isLeader = false;
    if (lost.compareAndSet(false, true)) {
      log.error(
          "leader election: {} lost lease {}/{} ({}); stopping",
          options.identity(),
          options.namespace(),
          leaseName,
          why);
      onLost.run();
    }
  }

  /** Stops the election; a leader gives the Lease up so that a standby takes it at once. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    loop.shutdownNow();
    try {
      loop.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!isLeader || lost.get()) {
      return;
    }
    try {
      Lease current = client.leases().inNamespace(options.namespace()).withName(leaseName).get();
      if (current != null
          && current.getSpec() != null
          && options.identity().equals(current.getSpec().getHolderIdentity())) {
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        // client-go's release: no holder, and a duration of 1s for candidates of other versions
        Lease released =
            new LeaseBuilder(current)
                .editSpec()
                .withHolderIdentity(null)
                .withLeaseDurationSeconds(1)
                .withRenewTime(now)
                .endSpec()
                .build();
        client.resource(released).update();
        log.info("leader election: released lease {}/{}", options.namespace(), leaseName);
      }
    } catch (KubernetesClientException e) {
      log.warn("leader election: could not release lease {}: {}", leaseName, e.getMessage());
    }
  }
}
