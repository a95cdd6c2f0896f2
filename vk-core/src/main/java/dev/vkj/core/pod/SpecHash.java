package dev.vkj.core.pod;

import dev.vkj.spi.PodIdentity;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The spec hash of {@link PodIdentity#SPEC_HASH}: SHA-256 (lowercase hex) of a canonical JSON view
 * of the API pod, before env resolution.
 *
 * <p>The view holds {@code spec}, {@code metadata.labels} and {@code metadata.annotations} (the
 * things {@code updatePod} applies), with object keys sorted and nulls, empty lists and empty
 * objects dropped, so that the hash does not move with the client library's serializer. Left out:
 *
 * <ul>
 *   <li>{@code spec.nodeName}: set by the binding, not by the pod's author; it names this node.
 *   <li>{@code spec.tolerations}: the API server lets tolerations be added to a running pod, and
 *       they only matter to scheduling and taint eviction, never to the backend.
 *   <li>{@code spec.ephemeralContainers}: written through their own subresource ({@code kubectl
 *       debug}); a change there must not replace the pod in a backend.
 *   <li>the {@link PodIdentity#SPEC_HASH} annotation itself.
 * </ul>
 *
 * Env order is kept: later entries may reference earlier ones, so order is part of the spec.
 * Defaults the API server adds at create time are already in the pod the core first sees, so they
 * are stable; a field defaulted only by a newer API server after an upgrade changes the hash once.
 */
final class SpecHash {
  static final Set<String> EXCLUDED_SPEC_FIELDS =
      Set.of("nodeName", "tolerations", "ephemeralContainers");

  private SpecHash() {}

  /** The hash of the pod's spec, labels and annotations. */
  static String of(Pod pod) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(canonicalJson(pod).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  /** The canonical JSON that {@link #of} hashes. */
  static String canonicalJson(Pod pod) {
    Map<String, Object> view = new TreeMap<>();
    Map<String, Object> spec = asMap(pod.getSpec());
    EXCLUDED_SPEC_FIELDS.forEach(spec::remove);
    view.put("spec", spec);
    ObjectMeta meta = pod.getMetadata() == null ? new ObjectMeta() : pod.getMetadata();
    view.put("labels", meta.getLabels());
    Map<String, String> annotations =
        meta.getAnnotations() == null ? new TreeMap<>() : new TreeMap<>(meta.getAnnotations());
    annotations.remove(PodIdentity.SPEC_HASH);
    view.put("annotations", annotations);
    Object canonical = canonical(view);
    return Serialization.asJson(canonical == null ? Map.of() : canonical);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(Object model) {
    if (model == null) {
      return new TreeMap<>();
    }
    // one pass through the serializers, without writing and parsing a JSON string
    Map<String, Object> m = Serialization.jsonMapper().convertValue(model, Map.class);
    return m == null ? new TreeMap<>() : new TreeMap<>(m);
  }

  /** Keys sorted, nulls and empty containers dropped; null when nothing is left. */
  private static Object canonical(Object node) {
    if (node instanceof Map<?, ?> map) {
      TreeMap<String, Object> out = new TreeMap<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        Object v = canonical(e.getValue());
        if (v != null) {
          out.put(String.valueOf(e.getKey()), v);
        }
      }
      return out.isEmpty() ? null : out;
    }
    if (node instanceof List<?> list) {
      List<Object> out = new ArrayList<>();
      for (Object o : list) {
        Object v = canonical(o);
        // an element is kept even when empty: positions matter in lists
        out.add(v == null ? Map.of() : v);
      }
      return out.isEmpty() ? null : out;
    }
    return node;
  }
}
