package dev.vkj.runner;

import dev.vkj.core.VkjException;
import dev.vkj.core.VkjException.Code;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Reads a provider configuration file into flat string keys. {@code .properties} files are read as
 * Java properties; anything else as YAML, which includes JSON. Nested mappings become dotted keys
 * ({@code a: {b: 1}} is {@code a.b=1}). Values may refer to environment variables as {@code
 * ${ENV:NAME}}, so secrets need not be written into the file.
 *
 * <p>Error messages name the file and the key or position, never a value: the file may hold
 * secrets.
 */
final class ProviderConfigFile {
  private static final Pattern ENV_REFERENCE =
      Pattern.compile("\\$\\{ENV:([A-Za-z_][A-Za-z0-9_]*)}");

  private ProviderConfigFile() {}

  static Map<String, String> read(Path file, Map<String, String> env) {
    String text = text(file);
    Map<String, String> raw =
        file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".properties")
            ? properties(file, text)
            : yaml(file, text);
    Map<String, String> values = new LinkedHashMap<>();
    raw.forEach((key, value) -> values.put(key, interpolate(file, key, value, env)));
    return values;
  }

  private static String text(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new VkjException(Code.CONFIG, "provider config file '" + file + "' does not exist");
    }
    try {
      byte[] bytes = Files.readAllBytes(file);
      return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new VkjException(
          Code.CONFIG, "cannot parse provider config file '" + file + "': not UTF-8 text", e);
    } catch (IOException e) {
      throw new VkjException(
          Code.CONFIG, "cannot read provider config file '" + file + "': " + e.getMessage(), e);
    }
  }

  private static Map<String, String> properties(Path file, String text) {
    Properties properties = new Properties();
    try {
      properties.load(new StringReader(text));
    } catch (IOException | IllegalArgumentException e) {
      throw new VkjException(
          Code.CONFIG,
          "cannot parse provider config file '"
              + file
              + "': malformed properties ("
              + e.getMessage()
              + ")",
          e);
    }
    Map<String, String> values = new LinkedHashMap<>();
    properties.stringPropertyNames().stream()
        .sorted()
        .forEach(k -> values.put(k, properties.getProperty(k)));
    return values;
  }

  private static Map<String, String> yaml(Path file, String text) {
    Object document;
    try {
      document =
          new Load(LoadSettings.builder().setAllowDuplicateKeys(false).build())
              .loadFromString(text);
    } catch (MarkedYamlEngineException e) {
      // getMessage() quotes the offending line, which may hold a secret: report the position only
      String where =
          e.getProblemMark()
              .map(m -> " at line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1))
              .orElse("");
      throw new VkjException(
          Code.CONFIG,
          "cannot parse provider config file '" + file + "': " + e.getProblem() + where);
    } catch (YamlEngineException e) {
      throw new VkjException(
          Code.CONFIG, "cannot parse provider config file '" + file + "': not valid YAML or JSON");
    }
    Map<String, String> values = new LinkedHashMap<>();
    if (document == null) {
      return values;
    }
    if (!(document instanceof Map<?, ?> map)) {
      throw new VkjException(
          Code.CONFIG,
          "cannot parse provider config file '" + file + "': expected a mapping of keys to values");
    }
    flatten(file, "", map, values);
    return values;
  }

  private static void flatten(Path file, String prefix, Map<?, ?> map, Map<String, String> out) {
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      String key = prefix + entry.getKey();
      Object value = entry.getValue();
      if (value instanceof Map<?, ?> nested) {
        flatten(file, key + ".", nested, out);
      } else if (value instanceof List<?> || value instanceof byte[] || value instanceof Set<?>) {
        throw new VkjException(
            Code.CONFIG,
            "provider config file '"
                + file
                + "': key '"
                + key
                + "' has a list value; use a comma-separated string");
      } else {
        out.put(key, value == null ? "" : value.toString());
      }
    }
  }

  private static String interpolate(Path file, String key, String value, Map<String, String> env) {
    Matcher matcher = ENV_REFERENCE.matcher(value);
    StringBuilder result = new StringBuilder();
    while (matcher.find()) {
      String variable = matcher.group(1);
      String replacement = env.get(variable);
      if (replacement == null) {
        throw new VkjException(
            Code.CONFIG,
            "provider config file '"
                + file
                + "': key '"
                + key
                + "' refers to unset environment variable '"
                + variable
                + "'");
      }
      matcher.appendReplacement(result, Matcher.quoteReplacement(replacement));
    }
    matcher.appendTail(result);
    return result.toString();
  }
}
