package dev.vkj.provider.azure;

import dev.vkj.spi.ClusterResources;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Secrets and ConfigMaps held in memory, keyed by namespace/name. */
final class FakeClusterResources implements ClusterResources {
  final Map<String, Secret> secrets = new ConcurrentHashMap<>();
  final Map<String, ConfigMap> configMaps = new ConcurrentHashMap<>();

  FakeClusterResources secret(Secret s) {
    secrets.put(s.getMetadata().getNamespace() + "/" + s.getMetadata().getName(), s);
    return this;
  }

  FakeClusterResources configMap(ConfigMap c) {
    configMaps.put(c.getMetadata().getNamespace() + "/" + c.getMetadata().getName(), c);
    return this;
  }

  @Override
  public Optional<ConfigMap> configMap(String namespace, String name) {
    return Optional.ofNullable(configMaps.get(namespace + "/" + name));
  }

  @Override
  public Optional<Secret> secret(String namespace, String name) {
    return Optional.ofNullable(secrets.get(namespace + "/" + name));
  }
}
