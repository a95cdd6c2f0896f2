package dev.vkj.spi;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import java.util.Optional;

/**
 * Read access to cluster objects a pod refers to. Backed by the API server (with a cache), so a
 * call may block briefly.
 */
public interface ClusterResources {
  /** The ConfigMap, or empty when it does not exist. */
  Optional<ConfigMap> configMap(String namespace, String name) throws ProviderException;

  /** The Secret, or empty when it does not exist. Never log its data. */
  Optional<Secret> secret(String namespace, String name) throws ProviderException;
}
