package dev.vkj.testing;

import static java.util.Objects.requireNonNull;

import dev.vkj.core.VirtualKubelet;
import dev.vkj.spi.Provider;
import dev.vkj.spi.ProviderContext;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * An in-JVM API server (the fabric8 mock in CRUD mode) and the virtual kubelets started against it.
 * The mock cannot filter by the {@code spec.nodeName} field selector (it matches nothing), so the
 * selector is dropped from requests: the kit creates pods for one node only. The mock deletes pods
 * at once, so an API delete is final. Benchmarks and tests of providers use it to run a whole
 * virtual kubelet in one JVM.
 */
public final class InJvmCluster implements AutoCloseable {
  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private final List<VirtualKubelet> kubelets = new ArrayList<>();

  public InJvmCluster() {
    server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new WithoutNodeSelector(new KubernetesCrudDispatcher()),
            false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    client = server.createClient();
  }

  /** A client of the API server; closed with the cluster. */
  public KubernetesClient client() {
    return client;
  }

  /** Builds and starts a virtual kubelet for {@code nodeName}; returns once it is started. */
  VirtualKubelet start(
      String nodeName,
      Clock clock,
      MeterRegistry meters,
      Function<ProviderContext, Provider> provider) {
    VirtualKubelet kubelet =
        VirtualKubelet.builder()
            .client(client)
            .nodeName(nodeName)
            .nodeIp("127.0.0.1")
            .bindAddress("127.0.0.1")
            .kubeletPort(0)
            .podSyncWorkers(2)
            .clock(clock)
            .meterRegistry(meters)
            .provider("conformance", requireNonNull(provider, "provider is null"))
            .build();
    synchronized (kubelets) {
      kubelets.add(kubelet);
    }
    kubelet.start();
    return kubelet;
  }

  Pod create(Pod pod) {
    return client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).create();
  }

  Pod get(String namespace, String name) {
    return client.pods().inNamespace(namespace).withName(name).get();
  }

  void delete(String namespace, String name) {
    client.pods().inNamespace(namespace).withName(name).delete();
  }

  @Override
  public void close() {
    List<VirtualKubelet> started;
    synchronized (kubelets) {
      started = new ArrayList<>(kubelets);
      kubelets.clear();
    }
    Collections.reverse(started);
    try {
      started.forEach(VirtualKubelet::close);
    } finally {
      // close our connections before the server, which waits for them
      client.close();
      try {
        server.destroy();
      } catch (RuntimeException e) {
        // a watch of a stopped informer may still be draining; the server is gone either way
      }
    }
  }

  /** Passes requests on without a {@code spec.nodeName} field selector. */
  private static final class WithoutNodeSelector extends Dispatcher {
    private static final Pattern NODE_SELECTOR =
        Pattern.compile("fieldSelector=spec\\.nodeName(%3D|=)[^&]*&?");

    private final Dispatcher delegate;

    WithoutNodeSelector(Dispatcher delegate) {
      this.delegate = delegate;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      String path = request.getPath();
      if (path == null || !NODE_SELECTOR.matcher(path).find()) {
        return delegate.dispatch(request);
      }
      String stripped = NODE_SELECTOR.matcher(path).replaceAll("");
      if (stripped.endsWith("?") || stripped.endsWith("&")) {
        stripped = stripped.substring(0, stripped.length() - 1);
      }
      return delegate.dispatch(
          new RecordedRequest(
              request.getHttpVersion(),
              request.method(),
              stripped,
              request.getHeaders(),
              request.getBody()));
    }

    @Override
    public void shutdown() {
      delegate.shutdown();
    }
  }
}
