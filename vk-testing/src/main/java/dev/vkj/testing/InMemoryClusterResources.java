package dev.vkj.testing;

import static java.util.Objects.requireNonNull;

import dev.vkj.spi.ClusterResources;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link ClusterResources} backed by maps; tests put ConfigMaps and Secrets in and the provider
 * reads them. Thread-safe.
 */
public final class InMemoryClusterResources implements ClusterResources {
  private final Map<String, ConfigMap> configMaps = new ConcurrentHashMap<>();
  private final Map<String, Secret> secrets = new ConcurrentHashMap<>();

  /** Stores (or replaces) a ConfigMap; its namespace and name come from its metadata. */
  public InMemoryClusterResources put(ConfigMap configMap) {
    requireNonNull(configMap, "configMap is null");
    configMaps.put(
        key(configMap.getMetadata().getNamespace(), configMap.getMetadata().getName()), configMap);
    return this;
  }

  /** Stores (or replaces) a Secret; its namespace and name come from its metadata. */
  public InMemoryClusterResources put(Secret secret) {
    requireNonNull(secret, "secret is null");
    secrets.put(key(secret.getMetadata().getNamespace(), secret.getMetadata().getName()), secret);
    return this;
  }

  /** Stores a ConfigMap with the given string data. */
  public InMemoryClusterResources putConfigMap(
      String namespace, String name, Map<String, String> data) {
    return put(
        new ConfigMapBuilder()
            .withNewMetadata()
            .withNamespace(namespace)
            .withName(name)
            .endMetadata()
            .withData(new LinkedHashMap<>(data))
            .build());
  }

  /** Stores a Secret; the values are given in clear text and stored base64-encoded. */
  public InMemoryClusterResources putSecret(
      String namespace, String name, Map<String, String> clearData) {
    Map<String, String> encoded = new LinkedHashMap<>();
    clearData.forEach(
        (k, v) ->
            encoded.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    return put(
        new SecretBuilder()
            .withNewMetadata()
            .withNamespace(namespace)
            .withName(name)
            .endMetadata()
            .withData(encoded)
            .build());
  }

  public void removeConfigMap(String namespace, String name) {
    configMaps.remove(key(namespace, name));
  }

  public void removeSecret(String namespace, String name) {
    secrets.remove(key(namespace, name));
  }

  @Override
  public Optional<ConfigMap> configMap(String namespace, String name) {
    return Optional.ofNullable(configMaps.get(key(namespace, name)));
  }

  @Override
  public Optional<Secret> secret(String namespace, String name) {
    return Optional.ofNullable(secrets.get(key(namespace, name)));
  }

  private static String key(String namespace, String name) {
    return requireNonNull(namespace, "namespace is null")
        + "/"
        + requireNonNull(name, "name is null");
  }
}
