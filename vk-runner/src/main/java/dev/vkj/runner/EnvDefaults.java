package dev.vkj.runner;

import static java.util.Objects.requireNonNull;

import java.lang.reflect.Field;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Supplies option defaults from environment variables named by {@link Env}. The environment is a
 * map so tests do not depend on the real process environment.
 */
final class EnvDefaults implements IDefaultValueProvider {
  private final Map<String, String> env;

  EnvDefaults(Map<String, String> env) {
    this.env = Map.copyOf(requireNonNull(env, "env is null"));
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    if (!(arg instanceof OptionSpec option)) {
      return null;
    }
    for (String name : variables(option)) {
      String value = env.get(name);
      if (value != null && !value.isBlank()) {
        return value.strip();
      }
    }
    return null;
  }

  /** The variables an option reads, or an empty list. */
  static List<String> variables(OptionSpec option) {
    if (option.userObject() instanceof Field field) {
      Env annotation = field.getAnnotation(Env.class);
      if (annotation != null) {
        return List.of(annotation.value());
      }
    }
    return List.of();
  }
}
