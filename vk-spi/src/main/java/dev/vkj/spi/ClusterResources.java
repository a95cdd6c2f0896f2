package dev.vkj.spi;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import java.util.Optional;

/**
 * Read access to cluster objects a pod refers to. Backed by the API server (with a cache), so a
 * call may block briefly.
 */
public interface ClusterResources {
  /**
   * Reads a ConfigMap.
   *
   * @param namespace the ConfigMap's namespace
   * @param name the ConfigMap's name
   * @return the ConfigMap, or empty when it does not exist
   * @throws ProviderException when the API server cannot be read
   */
  Optional<ConfigMap> configMap(String namespace, String name) throws ProviderException;

  /**
   * Reads a Secret. Never log its data.
   *
   * @param namespace the Secret's namespace
   * @param name the Secret's name
   * @return the Secret, or empty when it does not exist
   * @throws ProviderException when the API server cannot be read
   */
  Optional<Secret> secret(String namespace, String name) throws ProviderException;
}
