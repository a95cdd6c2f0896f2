package dev.vkj.spi;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;

/** Services the core hands to a provider. All methods are cheap and thread-safe. */
public interface ProviderContext {
  /** The name of the Node this virtual kubelet registers. */
  String nodeName();

  /** The node's InternalIP address, as registered in the Node status. */
  String nodeIp();

  /** The port of the kubelet API server (10250 by default). */
  int kubeletPort();

  /** The clock to use for every timestamp the provider reports; tests replace it. */
  Clock clock();

  /**
   * A shared scheduler for timers and background polling. Tasks must be short; blocking backend
   * calls belong on the provider's own threads.
   */
  ScheduledExecutorService scheduler();

  /** Read access to ConfigMaps and Secrets, for volumes the provider has to materialize. */
  ClusterResources resources();

  /** Where provider metrics go; tag them with {@code provider=<name>}. */
  MeterRegistry meterRegistry();

  /** Records Kubernetes Events on pods and on the node. */
  EventRecorder events();
}
