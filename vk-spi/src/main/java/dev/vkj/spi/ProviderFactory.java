package dev.vkj.spi;

import java.util.List;

/**
 * Entry point of a provider jar, found with {@link java.util.ServiceLoader}: list the
 * implementation class in {@code META-INF/services/dev.vkj.spi.ProviderFactory}. The class needs a
 * public no-argument constructor and must not do work in it.
 *
 * <pre>{@code
 * public final class MyFactory implements ProviderFactory {
 *   public String name() { return "my-backend"; }
 *   public List<ConfigKey> configKeys() {
 *     return List.of(ConfigKey.required("endpoint", "URL of the backend API"));
 *   }
 *   public Provider create(ProviderConfig config, ProviderContext context)
 *       throws ProviderException {
 *     return new MyProvider(config.require("endpoint"), context);
 *   }
 * }
 * }</pre>
 */
public interface ProviderFactory {
  /**
   * The name users select with {@code --provider}; matches {@code [a-z][a-z0-9-]*}. It is also the
   * default value of the node taint {@code virtual-kubelet.io/provider}.
   *
   * @return the provider's name
   */
  String name();

  /**
   * One line shown by {@code vk-runner providers}.
   *
   * @return the description, empty by default
   */
  default String description() {
    return "";
  }

  /**
   * Every configuration key this provider accepts. Keys not listed here are rejected at startup;
   * required keys must be present; keys marked secret are never printed.
   *
   * @return the keys, in the order users see them
   */
  List<ConfigKey> configKeys();

  /**
   * Creates the provider. Called once per runner, with the configuration already checked against
   * {@link #configKeys()}. May contact the backend to verify credentials; throw {@link
   * ErrorCode#INVALID_CONFIG} for a bad value (the runner exits with code 2 naming the key) or
   * {@link ErrorCode#AUTH} for bad credentials.
   *
   * @param config the provider's configuration, checked against {@link #configKeys()}
   * @param context the services of the core: node name, clock, scheduler, cluster reads, metrics
   *     and events
   * @return the provider, ready for calls
   * @throws ProviderException {@link ErrorCode#INVALID_CONFIG} or {@link ErrorCode#AUTH} when the
   *     provider cannot start
   */
  Provider create(ProviderConfig config, ProviderContext context) throws ProviderException;
}
