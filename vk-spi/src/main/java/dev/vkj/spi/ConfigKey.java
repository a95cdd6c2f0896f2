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

  /**
   * Checks the key.
   *
   * @param name the key, e.g. {@code resourceGroup}; letters, digits, {@code .}, {@code -} and
   *     {@code _}
   * @param description one line for users
   * @param required whether startup fails without it
   * @param secret whether the value must never be logged or printed
   * @param defaultValue the value used when the key is absent, or {@code null}
   * @throws IllegalArgumentException for an invalid name, or a required key with a default
   */
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

  /**
   * A key that may be left out.
   *
   * @param name the key
   * @param defaultValue the value used when the key is absent, or {@code null} for none
   * @param description one line for users
   * @return the key
   */
  public static ConfigKey optional(String name, String defaultValue, String description) {
    return new ConfigKey(name, description, false, false, defaultValue);
  }

  /**
   * A key without which the provider does not start.
   *
   * @param name the key
   * @param description one line for users
   * @return the key
   */
  public static ConfigKey required(String name, String description) {
    return new ConfigKey(name, description, true, false, null);
  }

  /**
   * A key whose value is never logged or printed, such as a password or an access key.
   *
   * @param name the key
   * @param required whether startup fails without it
   * @param description one line for users
   * @return the key
   */
  public static ConfigKey secret(String name, boolean required, String description) {
    return new ConfigKey(name, description, required, true, null);
  }

  /**
   * The default value, if the key has one.
   *
   * @return the default value, or empty
   */
  public Optional<String> defaultValueIfAny() {
    return Optional.ofNullable(defaultValue);
  }
}
