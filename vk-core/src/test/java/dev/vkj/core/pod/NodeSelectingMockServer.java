package dev.vkj.core.pod;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.CustomResourceDefinitionProcessor;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.crud.CrudDispatcher;
import java.lang.reflect.Field;
import java.util.HashMap;

/**
 * A CRUD mock server that honours the {@code spec.nodeName} field selector on pods, which the stock
 * fabric8 mock ignores. It swaps the attribute extractor of the CRUD dispatcher (fabric8 8.0.0
 * field names; re-check on upgrades).
 */
final class NodeSelectingMockServer implements AutoCloseable {
  private final KubernetesMockServer server;
  private final NamespacedKubernetesClient client;

  NodeSelectingMockServer() throws ReflectiveOperationException {
    var responses =
        new HashMap<
            io.fabric8.mockwebserver.ServerRequest,
            java.util.Queue<io.fabric8.mockwebserver.ServerResponse>>();
    KubernetesMixedDispatcher dispatcher = new KubernetesMixedDispatcher(responses);
    KubernetesCrudDispatcher crud =
        (KubernetesCrudDispatcher)
            read(KubernetesMixedDispatcher.class, dispatcher, "kubernetesCrudDispatcher");
    NodeNameExtractor extractor = new NodeNameExtractor();
    extractor.setCustomResourceDefinitionProcessor(
        (CustomResourceDefinitionProcessor)
            read(KubernetesCrudDispatcher.class, crud, "crdProcessor"));
    write(CrudDispatcher.class, crud, "attributeExtractor", extractor);
    write(KubernetesCrudDispatcher.class, crud, "kubernetesAttributesExtractor", extractor);
    server =
        new KubernetesMockServer(
            new Context(Serialization.jsonMapper()),
            new MockWebServer(),
            responses,
            dispatcher,
            false);
    server.init();
    client = server.createClient();
  }

  NamespacedKubernetesClient client() {
    return client;
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }

  private static Object read(Class<?> type, Object target, String name)
      throws ReflectiveOperationException {
    Field f = type.getDeclaredField(name);
    f.setAccessible(true);
    return f.get(target);
  }

  private static void write(Class<?> type, Object target, String name, Object value)
      throws ReflectiveOperationException {
    Field f = type.getDeclaredField(name);
    f.setAccessible(true);
    f.set(target, value);
  }

  /** Adds {@code spec.nodeName} to the attributes of stored pods so field selectors match. */
  private static final class NodeNameExtractor extends KubernetesAttributesExtractor {
    @Override
    public AttributeSet extract(HasMetadata resource) {
      AttributeSet set = super.extract(resource);
      Object node = null;
      if (resource instanceof io.fabric8.kubernetes.api.model.Pod pod && pod.getSpec() != null) {
        node = pod.getSpec().getNodeName();
      } else if (resource instanceof GenericKubernetesResource g && "Pod".equals(g.getKind())) {
        node = g.get("spec", "nodeName");
      }
      return node == null ? set : set.add(new Attribute("spec.nodeName", node.toString()));
    }
  }
}
