package dev.vkj.provider.azure;

import dev.vkj.spi.PodIdentity;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How a pod is found in Azure: the container group's name and the tags that map it back to the pod.
 * The tags are those of the Go provider ({@code Namespace}, {@code PodName}, {@code UID}, {@code
 * NodeName}, {@code CreationTimestamp}), so that vkj adopts groups the Go provider created, plus
 * the spec hash.
 */
final class GroupNames {
  static final String TAG_NAMESPACE = "Namespace";
  static final String TAG_POD_NAME = "PodName";
  static final String TAG_UID = "UID";
  static final String TAG_NODE_NAME = "NodeName";
  static final String TAG_CREATION_TIMESTAMP = "CreationTimestamp";
  static final String TAG_SPEC_HASH = "vkj-spec-hash";

  /** The hash of the group as written, secrets left out: an update that keeps it only retags. */
  static final String TAG_GROUP_HASH = "vkj-group-hash";

  /** ACI allows 63 characters: lower-case letters, digits and inner single hyphens. */
  private static final int MAX_NAME = 63;

  private static final int HASH_CHARS = 8;

  private GroupNames() {}

  /**
   * The group name: {@code <namespace>-<name>} shortened to fit, then a hash of both. The hash
   * keeps apart pods that would share a name ({@code a-b/c} and {@code a/b-c}), which the Go
   * provider's plain {@code <namespace>-<name>} mixes up.
   */
  static String groupName(String namespace, String name) {
    String readable =
        (namespace + "-" + name).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
    readable = readable.replaceAll("-{2,}", "-");
    String suffix = "-" + hash(namespace + "/" + name);
    int room = MAX_NAME - suffix.length();
    if (readable.length() > room) {
      readable = readable.substring(0, room);
    }
    readable = readable.replaceAll("^-+|-+$", "");
    return readable + suffix;
  }

  /** The tags of the group that runs the pod on this node. */
  static Map<String, String> tags(Pod pod, String nodeName) {
    ObjectMeta meta = pod.getMetadata();
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put(TAG_NAMESPACE, meta.getNamespace());
    tags.put(TAG_POD_NAME, meta.getName());
    if (meta.getUid() != null) {
      tags.put(TAG_UID, meta.getUid());
    }
    tags.put(TAG_NODE_NAME, nodeName);
    if (meta.getCreationTimestamp() != null) {
      tags.put(TAG_CREATION_TIMESTAMP, meta.getCreationTimestamp());
    }
    PodIdentity.specHash(pod).ifPresent(h -> tags.put(TAG_SPEC_HASH, h));
    return tags;
  }

  /**
   * The hash of what a group runs: its properties with every secret value blanked (a hash of a
   * secret could be brute-forced from the tags) and without tags.
   */
  static String groupHash(
      com.azure.resourcemanager.containerinstance.fluent.models.ContainerGroupInner g) {
    try (var reader = com.azure.json.JsonProviders.createReader(g.toJsonString())) {
      Object tree = reader.readUntyped();
      if (tree instanceof Map<?, ?> m) {
        Map<Object, Object> copy = new java.util.TreeMap<>();
        m.forEach((k, v) -> copy.put(String.valueOf(k), v));
        copy.remove("tags");
        tree = blank(copy);
      }
      try (var out = new java.io.StringWriter();
          var writer = com.azure.json.JsonProviders.createWriter(out)) {
        writer.writeUntyped(tree).flush();
        return sha256(out.toString());
      }
    } catch (java.io.IOException e) {
      throw new IllegalStateException("a container group always serializes", e);
    }
  }

  private static final java.util.Set<String> SECRET_FIELDS =
      java.util.Set.of("secureValue", "secret", "storageAccountKey", "password", "workspaceKey");

  private static Object blank(Object o) {
    if (o instanceof Map<?, ?> m) {
      Map<String, Object> out = new java.util.TreeMap<>();
      m.forEach(
          (k, v) ->
              out.put(
                  String.valueOf(k), SECRET_FIELDS.contains(String.valueOf(k)) ? "" : blank(v)));
      return out;
    }
    if (o instanceof java.util.List<?> l) {
      java.util.List<Object> out = new java.util.ArrayList<>();
      l.forEach(v -> out.add(blank(v)));
      return out;
    }
    return o;
  }

  private static String hash(String text) {
    return sha256(text).substring(0, HASH_CHARS);
  }

  /** Lower-case hex SHA-256 of the UTF-8 text. */
  static String sha256(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
