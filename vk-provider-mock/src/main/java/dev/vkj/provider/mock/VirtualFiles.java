package dev.vkj.provider.mock;

import dev.vkj.spi.ClusterResources;
import dev.vkj.spi.ProviderException;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The file system a simulated container sees: a few files under {@code /etc} and the files of its
 * ConfigMap, Secret and projected volumes, read through {@link ClusterResources} when an exec
 * starts.
 */
final class VirtualFiles {
  private static final List<String> ROOT_DIRS =
      List.of("bin", "dev", "etc", "home", "proc", "root", "sys", "tmp", "usr", "var");

  private final Map<String, byte[]> files = new TreeMap<>();
  private final TreeSet<String> dirs = new TreeSet<>();

  private VirtualFiles() {
    dirs.add("/");
    ROOT_DIRS.forEach(d -> dirs.add("/" + d));
  }

  static VirtualFiles of(Pod pod, Container container, ClusterResources resources, String podIp) {
    VirtualFiles fs = new VirtualFiles();
    String namespace = pod.getMetadata().getNamespace();
    String hostname = pod.getMetadata().getName();
    fs.put("/etc/hostname", hostname + "\n");
    fs.put(
        "/etc/hosts",
        "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost\n"
            + podIp
            + "\t"
            + hostname
            + "\n");
    fs.put(
        "/etc/resolv.conf",
        "search "
            + namespace
            + ".svc.cluster.local svc.cluster.local cluster.local\n"
            + "nameserver 10.96.0.10\noptions ndots:5\n");
    Map<String, Volume> volumes = new LinkedHashMap<>();
    if (pod.getSpec().getVolumes() != null) {
      pod.getSpec().getVolumes().forEach(v -> volumes.put(v.getName(), v));
    }
    if (container.getVolumeMounts() != null) {
      for (VolumeMount mount : container.getVolumeMounts()) {
        Volume volume = volumes.get(mount.getName());
        if (volume == null || mount.getMountPath() == null) {
          continue;
        }
        Map<String, byte[]> content = volumeContent(namespace, volume, resources);
        fs.mount(normalize(mount.getMountPath()), mount.getSubPath(), content);
      }
    }
    return fs;
  }

  private void mount(String mountPath, String subPath, Map<String, byte[]> content) {
    if (subPath != null && !subPath.isBlank()) {
      String sub = subPath.replaceAll("^/+|/+$", "");
      if (content.containsKey(sub)) {
        put(mountPath, content.get(sub));
        return;
      }
      Map<String, byte[]> nested = new LinkedHashMap<>();
      content.forEach(
          (path, bytes) -> {
            if (path.startsWith(sub + "/")) {
              nested.put(path.substring(sub.length() + 1), bytes);
            }
          });
      content = nested;
    }
    addDir(mountPath);
    content.forEach((path, bytes) -> put(mountPath + "/" + path, bytes));
  }

  private static Map<String, byte[]> volumeContent(
      String namespace, Volume volume, ClusterResources resources) {
    Map<String, byte[]> content = new LinkedHashMap<>();
    if (volume.getConfigMap() != null) {
      configMap(
          namespace,
          volume.getConfigMap().getName(),
          volume.getConfigMap().getItems(),
          resources,
          content);
    } else if (volume.getSecret() != null) {
      secret(
          namespace,
          volume.getSecret().getSecretName(),
          volume.getSecret().getItems(),
          resources,
          content);
    } else if (volume.getProjected() != null && volume.getProjected().getSources() != null) {
      for (VolumeProjection source : volume.getProjected().getSources()) {
        if (source.getConfigMap() != null) {
          configMap(
              namespace,
              source.getConfigMap().getName(),
              source.getConfigMap().getItems(),
              resources,
              content);
        } else if (source.getSecret() != null) {
          secret(
              namespace,
              source.getSecret().getName(),
              source.getSecret().getItems(),
              resources,
              content);
        }
      }
    }
    return content;
  }

  private static void configMap(
      String namespace,
      String name,
      List<KeyToPath> items,
      ClusterResources resources,
      Map<String, byte[]> into) {
    Map<String, byte[]> data = new LinkedHashMap<>();
    Optional<ConfigMap> configMap = lookup(() -> resources.configMap(namespace, name));
    configMap.ifPresent(
        cm -> {
          if (cm.getData() != null) {
            cm.getData().forEach((k, v) -> data.put(k, v.getBytes(StandardCharsets.UTF_8)));
          }
          if (cm.getBinaryData() != null) {
            cm.getBinaryData().forEach((k, v) -> data.put(k, decode(v)));
          }
        });
    select(data, items, into);
  }

  private static void secret(
      String namespace,
      String name,
      List<KeyToPath> items,
      ClusterResources resources,
      Map<String, byte[]> into) {
    Map<String, byte[]> data = new LinkedHashMap<>();
    Optional<Secret> secret = lookup(() -> resources.secret(namespace, name));
    secret.ifPresent(
        s -> {
          if (s.getData() != null) {
            s.getData().forEach((k, v) -> data.put(k, decode(v)));
          }
          if (s.getStringData() != null) {
            s.getStringData().forEach((k, v) -> data.put(k, v.getBytes(StandardCharsets.UTF_8)));
          }
        });
    select(data, items, into);
  }

  /** Without items every key becomes a file; with items only the listed keys, at their paths. */
  private static void select(
      Map<String, byte[]> data, List<KeyToPath> items, Map<String, byte[]> into) {
    if (items == null || items.isEmpty()) {
      into.putAll(data);
      return;
    }
    for (KeyToPath item : items) {
      byte[] bytes = data.get(item.getKey());
      if (bytes != null && item.getPath() != null) {
        into.put(item.getPath().replaceAll("^/+", ""), bytes);
      }
    }
  }

  private interface Lookup<T> {
    Optional<T> get() throws ProviderException;
  }

  private static <T> Optional<T> lookup(Lookup<T> lookup) {
    try {
      return lookup.get();
    } catch (ProviderException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static byte[] decode(String base64) {
    try {
      return Base64.getMimeDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      return new byte[0];
    }
  }

  private void put(String path, String text) {
    put(path, text.getBytes(StandardCharsets.UTF_8));
  }

  private void put(String path, byte[] bytes) {
    String normalized = normalize(path);
    files.put(normalized, bytes);
    addDir(parent(normalized));
  }

  private void addDir(String dir) {
    String current = normalize(dir);
    while (!current.equals("/") && dirs.add(current)) {
      current = parent(current);
    }
  }

  Optional<byte[]> read(String path) {
    return Optional.ofNullable(files.get(normalize(path)));
  }

  boolean isDirectory(String path) {
    return dirs.contains(normalize(path));
  }

  boolean exists(String path) {
    return isDirectory(path) || files.containsKey(normalize(path));
  }

  /** The names directly inside a directory, sorted. */
  List<String> list(String dir) {
    String base = normalize(dir);
    String prefix = base.equals("/") ? "/" : base + "/";
    TreeSet<String> names = new TreeSet<>();
    for (String path : files.keySet()) {
      if (path.startsWith(prefix)) {
        names.add(path.substring(prefix.length()).split("/", 2)[0]);
      }
    }
    for (String path : dirs) {
      if (path.startsWith(prefix) && path.length() > prefix.length()) {
        names.add(path.substring(prefix.length()).split("/", 2)[0]);
      }
    }
    return new ArrayList<>(names);
  }

  static String normalize(String path) {
    String absolute = path.startsWith("/") ? path : "/" + path;
    List<String> parts = new ArrayList<>();
    for (String part : absolute.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (!parts.isEmpty()) {
          parts.remove(parts.size() - 1);
        }
        continue;
      }
      parts.add(part);
    }
    return "/" + String.join("/", parts);
  }

  private static String parent(String path) {
    int slash = path.lastIndexOf('/');
    return slash <= 0 ? "/" : path.substring(0, slash);
  }
}
