package dev.vkj.spi;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A provider's configuration: flat string keys and values, already checked against the keys the
 * factory declared. Typed getters fail with {@link ErrorCode#INVALID_CONFIG} naming the key, so a
 * malformed value stops the runner at startup with a message the user can act on.
 */
public final class ProviderConfig {
  private final Map<String, String> values;
  private final Set<String> secretKeys;

  private ProviderConfig(Map<String, String> values, Set<String> secretKeys) {
    this.values = Map.copyOf(values);
    this.secretKeys = Set.copyOf(secretKeys);
  }

  /**
   * A configuration that is not checked against declared keys; for tests and embedders.
   *
   * @param values the keys and their values
   * @return the configuration, without secret keys
   */
  public static ProviderConfig of(Map<String, String> values) {
    return new ProviderConfig(requireNonNull(values, "values is null"), Set.of());
  }

  /**
   * Checks raw values against the declared keys: an undeclared key, or a required key that is
   * missing or blank, is an error naming the key. Defaults are filled in.
   *
   * @param raw the keys and values as the user wrote them
   * @param keys the keys the factory declared
   * @return the configuration, with values stripped and defaults filled in
   * @throws ProviderException {@link ErrorCode#INVALID_CONFIG} naming the first bad key
   */
  public static ProviderConfig validated(Map<String, String> raw, Collection<ConfigKey> keys)
      throws ProviderException {
    requireNonNull(raw, "raw is null");
    requireNonNull(keys, "keys is null");
    Map<String, ConfigKey> declared = new LinkedHashMap<>();
    keys.forEach(key -> declared.put(key.name(), key));
    Set<String> unknown = new TreeSet<>(raw.keySet());
    unknown.removeAll(declared.keySet());
    if (!unknown.isEmpty()) {
      String first = unknown.iterator().next();
      throw ProviderException.invalidConfig(
          first, "unknown key; accepted keys are " + new TreeSet<>(declared.keySet()));
    }
    Map<String, String> values = new TreeMap<>();
    Set<String> secrets = new TreeSet<>();
    for (ConfigKey key : declared.values()) {
      String value = raw.get(key.name());
      if (value == null || value.isBlank()) {
        if (key.required()) {
          throw ProviderException.invalidConfig(key.name(), "required key is missing");
        }
        value = key.defaultValue();
      }
      if (value != null) {
        values.put(key.name(), value.strip());
      }
      if (key.secret()) {
        secrets.add(key.name());
      }
    }
    return new ProviderConfig(values, secrets);
  }

  /**
   * A value.
   *
   * @param key the key
   * @return its value, or empty when it is not set and has no default
   */
  public Optional<String> get(String key) {
    return Optional.ofNullable(values.get(key));
  }

  /**
   * A value, or a default.
   *
   * @param key the key
   * @param defaultValue returned when the key is not set
   * @return its value or {@code defaultValue}
   */
  public String getOrDefault(String key, String defaultValue) {
    return values.getOrDefault(key, defaultValue);
  }

  /**
   * A value that must be set.
   *
   * @param key the key
   * @return its value, not blank
   * @throws ProviderException {@link ErrorCode#INVALID_CONFIG} when it is missing or blank
   */
  public String require(String key) throws ProviderException {
    String value = values.get(key);
    if (value == null || value.isBlank()) {
      throw ProviderException.invalidConfig(key, "required key is missing");
    }
    return value;
  }

  /**
   * An integer value.
   *
   * @param key the key
   * @param defaultValue returned when the key is not set
   * @return its value or {@code defaultValue}
   * @throws ProviderException {@link ErrorCode#INVALID_CONFIG} when it is not an integer
   */
  public int getInt(String key, int defaultValue) throws ProviderException {
    String value = values.get(key);
    if (value == null) {
      return defaultValue;
    }
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw ProviderException.invalidConfig(key, "not an integer: '" + display(key) + "'");
    }
  }

  /**
   * A long integer value.
   *
   * @param key the key
   * @param defaultValue returned when the key is not set
   * @return its value or {@code defaultValue}
   * @throws ProviderException {@link ErrorCode#INVALID_CONFIG} when it is not an integer
   */
  public long getLong(String key, long defaultValue) throws ProviderException {
    String value = values.get(key);
    if (value == null) {
      return defaultValue;
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw ProviderException.invalidConfig(key, "not an integer: '" + display(key) + "'");
    }
  }

  /**
   * A boolean value: {@code true}, {@code yes} or {@code 1}; {@code false}, {@code no} or {@code
   * 0}, in any case.
   *
   * @param key the key
   * @param defaultValue returned when the key is not set
   * @return its value or {@code defaultValue}
   * @throws ProviderException {@link ErrorCode#INVALID_CONFIG} when it is not a boolean
   */
  public boolean getBoolean(String key, boolean defaultValue) throws ProviderException {
    String value = values.get(key);
    if (value == null) {
      return defaultValue;
    }
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "true", "yes", "1" -> true;
      case "false", "no", "0" -> false;
      default ->
          throw ProviderException.invalidConfig(
              key, "not a boolean (true/false): '" + display(key) + "'");
    };
  }

  /**
   * A duration written as {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h} or ISO-8601 ({@code
   * PT10S}).
   *
   * @param key the key
   * @param defaultValue returned when the key is not set
   * @return its value or {@code defaultValue}
   * @throws ProviderException {@link ErrorCode#INVALID_CONFIG} when it is not a duration
   */
  public Duration getDuration(String key, Duration defaultValue) throws ProviderException {
    String value = values.get(key);
    if (value == null) {
      return defaultValue;
    }
    Duration parsed = parseDuration(value);
    if (parsed == null) {
      throw ProviderException.invalidConfig(
          key, "not a duration (like 500ms, 10s, 5m, 1h): '" + display(key) + "'");
    }
    return parsed;
  }

  /**
   * Parses {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}, {@code 2d} or ISO-8601.
   *
   * @param text the duration as written
   * @return the duration, or {@code null} when the text is not one
   */
  public static Duration parseDuration(String text) {
    String value = text.strip().toLowerCase(Locale.ROOT);
    try {
      if (value.startsWith("pt") || value.startsWith("p")) {
        return Duration.parse(value.toUpperCase(Locale.ROOT));
      }
      if (value.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
      }
      long amount = Long.parseLong(value.substring(0, value.length() - 1));
      return switch (value.charAt(value.length() - 1)) {
        case 's' -> Duration.ofSeconds(amount);
        case 'm' -> Duration.ofMinutes(amount);
        case 'h' -> Duration.ofHours(amount);
        case 'd' -> Duration.ofDays(amount);
        default -> null;
      };
    } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
      return null;
    }
  }

  /**
   * The keys that have a value.
   *
   * @return the keys, set or defaulted
   */
  public Set<String> keys() {
    return values.keySet();
  }

  /**
   * Whether the factory declared this key as a secret.
   *
   * @param key the key
   * @return true for a secret key, whose value is never shown
   */
  public boolean isSecret(String key) {
    return secretKeys.contains(key);
  }

  private String display(String key) {
    return secretKeys.contains(key) ? "****" : values.get(key);
  }

  /** Values with secrets masked; safe to log. */
  @Override
  public String toString() {
    Map<String, String> shown = new TreeMap<>();
    values.forEach((k, v) -> shown.put(k, secretKeys.contains(k) ? "****" : v));
    return "ProviderConfig" + shown;
  }
}
