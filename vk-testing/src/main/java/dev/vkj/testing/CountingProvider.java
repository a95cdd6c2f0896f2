package dev.vkj.testing;

import static java.util.Objects.requireNonNull;

import dev.vkj.spi.BackendLimits;
import dev.vkj.spi.NodeDescription;
import dev.vkj.spi.PodStatusNotifier;
import dev.vkj.spi.Provider;
import dev.vkj.spi.ProviderException;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps a provider and counts the lifecycle calls the core makes, so that the kit can assert that a
 * restart adopts pods with no create and no update. Status pushes are passed through.
 */
class CountingProvider implements Provider {
  final Provider delegate;
  private final boolean closesDelegate;
  final List<Pod> created = new CopyOnWriteArrayList<>();
  final List<Pod> updated = new CopyOnWriteArrayList<>();
  final List<Pod> deleted = new CopyOnWriteArrayList<>();
  private final AtomicInteger listings = new AtomicInteger();

  CountingProvider(Provider delegate, boolean closesDelegate) {
    this.delegate = requireNonNull(delegate, "delegate is null");
    this.closesDelegate = closesDelegate;
  }

  /**
   * A counting wrapper that keeps {@link PodStatusNotifier} when the delegate has it; {@code
   * closesDelegate} says whether closing the wrapper (as the core does on close) closes the
   * provider, or whether the kit closes it itself.
   */
  static CountingProvider wrap(Provider delegate, boolean closesDelegate) {
    return delegate instanceof PodStatusNotifier
        ? new Notifying(delegate, closesDelegate)
        : new CountingProvider(delegate, closesDelegate);
  }

  /** How many {@code listPods} calls have returned. */
  int listings() {
    return listings.get();
  }

  @Override
  public void createPod(Pod pod) throws ProviderException {
    created.add(pod);
    delegate.createPod(pod);
  }

  @Override
  public void updatePod(Pod pod) throws ProviderException {
    updated.add(pod);
    delegate.updatePod(pod);
  }

  @Override
  public void deletePod(Pod pod) throws ProviderException {
    deleted.add(pod);
    delegate.deletePod(pod);
  }

  @Override
  public Optional<Pod> getPod(String namespace, String name) throws ProviderException {
    return delegate.getPod(namespace, name);
  }

  @Override
  public Optional<PodStatus> getPodStatus(String namespace, String name) throws ProviderException {
    return delegate.getPodStatus(namespace, name);
  }

  @Override
  public List<Pod> listPods() throws ProviderException {
    List<Pod> pods = delegate.listPods();
    listings.incrementAndGet();
    return pods;
  }

  @Override
  public NodeDescription describeNode() {
    return delegate.describeNode();
  }

  @Override
  public void ping() throws ProviderException {
    delegate.ping();
  }

  @Override
  public BackendLimits limits() {
    return delegate.limits();
  }

  @Override
  public void close() {
    if (closesDelegate) {
      delegate.close();
    }
  }

  private static final class Notifying extends CountingProvider implements PodStatusNotifier {
    Notifying(Provider delegate, boolean closesDelegate) {
      super(delegate, closesDelegate);
    }

    @Override
    public void notifyPodStatus(Listener listener) {
      ((PodStatusNotifier) delegate).notifyPodStatus(listener);
    }
  }
}
