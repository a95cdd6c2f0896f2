package dev.vkj.spi;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import java.util.Optional;

/**
 * Tells which resolved environment variables came from Kubernetes Secrets.
 *
 * <p>Before {@link Provider#createPod} and {@link Provider#updatePod} the core replaces every
 * reference by its literal {@code value}. A variable whose value was read from a Secret ({@code
 * valueFrom.secretKeyRef}, or one key of an {@code envFrom.secretRef}) keeps a {@code
 * valueFrom.secretKeyRef} naming the Secret and key it came from, next to the resolved {@code
 * value}. Every other variable has a {@code value} and no {@code valueFrom}. Backends keep secret
 * values out of plain-text fields (ACI {@code secureValue}, ECS {@code secrets} by reference) and
 * out of anything that is hashed into a name.
 */
public final class SecretEnv {
  private SecretEnv() {}

  /**
   * Whether the resolved variable's value came from a Secret.
   *
   * @param env a variable of a pod handed to the provider, or {@code null}
   * @return true when its value is secret
   */
  public static boolean fromSecret(EnvVar env) {
    return source(env).isPresent();
  }

  /**
   * Where the resolved variable's value came from.
   *
   * @param env a variable of a pod handed to the provider, or {@code null}
   * @return the Secret and key, or empty when the value is not secret
   */
  public static Optional<SecretKeySelector> source(EnvVar env) {
    if (env == null || env.getValueFrom() == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(env.getValueFrom().getSecretKeyRef());
  }
}
