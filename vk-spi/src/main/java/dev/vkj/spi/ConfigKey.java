package dev.vkj.spi;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One key a provider accepts in its configuration file. The runner rejects keys a provider does not
 * declare, reports missing required keys by name, lists keys in {@code vk-runner providers}, and
 * never prints the value of a {@link #secret()} key.
 *
 * @param name the key, e.g. {@code resourceGroup}; letters, digits, {@code .}, {@code -} and {@code
 *     _}
 * @param description one line for users
 * @param required whether startup fails without it
 * @param secret whether the value must never be logged or printed
 * @param defaultValue the value used when the key is absent, or {@code null}
 */
public record ConfigKey(
    String name, String description, boolean required, boolean secret, String defaultValue) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9._-]*");

  public ConfigKey {
    requireNonNull(name, "name is null");
    requireNonNull(description, "description is null");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("invalid config key name: " + name);
    }
    if (required && defaultValue != null) {
      throw new IllegalArgumentException("a required key has no default: " + name);
    }
  }

  public static ConfigKey optional(String name, String defaultValue, String description) {
    return new ConfigKey(name, description, false, false, defaultValue);
  }

  public static ConfigKey required(String name, String description) {
    return new ConfigKey(name, description, true, false, null);
  }

  public static ConfigKey secret(String name, boolean required, String description) {
    return new ConfigKey(name, description, required, true, null);
  }

  public Optional<String> defaultValueIfAny() {
    return Optional.ofNullable(defaultValue);
  }
}
