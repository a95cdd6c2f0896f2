package dev.vkj.provider.fargate;

import static java.util.Objects.requireNonNull;

/**
 * A secret value to store as an SSM {@code SecureString} before a task runs; the task definition
 * only names it. Pods that read the same Secret key in the same namespace share the name.
 */
record SecretParameter(String name, String value) {
  SecretParameter {
    requireNonNull(name, "name is null");
    requireNonNull(value, "value is null");
  }

  /** Never the value: plans end up in logs and exception messages. */
  @Override
  public String toString() {
    return "SecretParameter[name=" + name + ", value=***]";
  }
}
