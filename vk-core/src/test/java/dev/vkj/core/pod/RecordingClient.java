package dev.vkj.core.pod;

import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Records every request the test client sends, with its body (the mock server does not keep
 * bodies).
 */
public final class RecordingClient implements Consumer<KubernetesClientBuilder> {
  record Request(String method, String path, String body, String thread) {
    /** Sent by the controller's workers, not by the test itself. */
    boolean fromController() {
      return thread.startsWith("vkj-pod-");
    }
  }

  static final List<Request> REQUESTS = new CopyOnWriteArrayList<>();

  @Override
  public void accept(KubernetesClientBuilder builder) {
    builder.withHttpClientBuilderConsumer(
        b ->
            b.addOrReplaceInterceptor(
                "vkj-test-recorder",
                new Interceptor() {
                  @Override
                  public void before(BasicBuilder basic, HttpRequest request, RequestTags tags) {
                    String body = request.bodyString();
                    REQUESTS.add(
                        new Request(
                            request.method(),
                            request.uri().getRawPath(),
                            body == null ? "" : body,
                            Thread.currentThread().getName()));
                  }
                }));
  }

  /** Requests of the controller with this method. */
  static List<Request> requests(String method) {
    return REQUESTS.stream().filter(r -> r.method().equals(method) && r.fromController()).toList();
  }
}
