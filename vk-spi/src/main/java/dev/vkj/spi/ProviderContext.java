package dev.vkj.spi;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;

/** Services the core hands to a provider. All methods are cheap and thread-safe. */
public interface ProviderContext {
  /** {@return the name of the Node this virtual kubelet registers} */
  String nodeName();

  /** {@return the node's InternalIP address, as registered in the Node status} */
  String nodeIp();

  /** {@return the port of the kubelet API server (10250 by default)} */
  int kubeletPort();

  /** {@return the clock to use for every timestamp the provider reports; tests replace it} */
  Clock clock();

  /**
   * A shared scheduler for timers and background polling. Tasks must be short; blocking backend
   * calls belong on the provider's own threads.
   *
   * @return the scheduler; the core shuts it down when the virtual kubelet stops
   */
  ScheduledExecutorService scheduler();

  /** {@return read access to ConfigMaps and Secrets, for volumes the provider materializes} */
  ClusterResources resources();

  /** {@return where provider metrics go; tag them with {@code provider=<name>}} */
  MeterRegistry meterRegistry();

  /** {@return the recorder of Kubernetes Events on pods and on the node} */
  EventRecorder events();
}
