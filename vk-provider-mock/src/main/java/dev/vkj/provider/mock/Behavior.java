package dev.vkj.provider.mock;

import dev.vkj.spi.ProviderConfig;
import dev.vkj.spi.ProviderException;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the {@code mock.vkj.dev/*} annotations of a pod ask the simulation to do. Parsed at create
 * and update; a malformed value is an {@code INVALID_INPUT} naming the annotation.
 */
record Behavior(
    Map<String, String> annotations,
    Optional<Duration> startupDelay,
    Optional<String> unrunnable,
    SigtermMode sigterm) {

  static final String PREFIX = "mock.vkj.dev/";
  static final String EXIT_AFTER = PREFIX + "exit-after";
  static final String EXIT_CODE = PREFIX + "exit-code";
  static final String FAIL_START = PREFIX + "fail-start";
  static final String STARTUP_DELAY = PREFIX + "startup-delay";
  static final String UNRUNNABLE = PREFIX + "unrunnable";
  static final String ON_SIGTERM = PREFIX + "on-sigterm";

  /** How long an init container runs when no annotation says otherwise. */
  static final Duration DEFAULT_INIT_RUN = Duration.ofSeconds(1);

  private static final Set<String> PER_CONTAINER = Set.of(EXIT_AFTER, EXIT_CODE, FAIL_START);
  private static final Set<String> POD_ONLY = Set.of(STARTUP_DELAY, UNRUNNABLE, ON_SIGTERM);

  /** What a container does when the pod is deleted and it receives SIGTERM. */
  enum SigtermMode {
    /** Shuts down cleanly: exit 0, reason Completed. */
    EXIT,
    /** Dies from the signal: exit 143, reason Error. */
    TERMINATE,
    /** Ignores it and is killed at the end of the grace period: exit 137, reason Error. */
    IGNORE
  }

  Behavior {
    annotations = Map.copyOf(annotations);
  }

  static Behavior of(Pod pod) throws ProviderException {
    Map<String, String> all =
        pod.getMetadata().getAnnotations() == null ? Map.of() : pod.getMetadata().getAnnotations();
    Set<String> names = new HashSet<>();
    pod.getSpec().getContainers().forEach(c -> names.add(c.getName()));
    if (pod.getSpec().getInitContainers() != null) {
      pod.getSpec().getInitContainers().forEach(c -> names.add(c.getName()));
    }
    Map<String, String> mine = new TreeMap<>();
    for (Map.Entry<String, String> entry : all.entrySet()) {
      String key = entry.getKey();
      if (!key.startsWith(PREFIX)) {
        continue;
      }
      mine.put(key, entry.getValue() == null ? "" : entry.getValue());
      if (POD_ONLY.contains(key) || PER_CONTAINER.contains(key)) {
        continue;
      }
      int dot = key.indexOf('.', PREFIX.length());
      String base = dot < 0 ? key : key.substring(0, dot);
      if (dot < 0 || !PER_CONTAINER.contains(base)) {
        Set<String> known = new TreeSet<>(POD_ONLY);
        known.addAll(PER_CONTAINER);
        throw ProviderException.invalidInput(
            "unknown annotation " + key + "; the mock provider understands " + known);
      }
      String container = key.substring(dot + 1);
      if (!names.contains(container)) {
        throw ProviderException.invalidInput(
            "annotation " + key + " names container \"" + container + "\" which is not in the pod");
      }
    }
    for (Map.Entry<String, String> entry : mine.entrySet()) {
      String base = baseKey(entry.getKey());
      if (base.equals(EXIT_AFTER)) {
        duration(entry.getKey(), entry.getValue());
      } else if (base.equals(EXIT_CODE)) {
        exitCode(entry.getKey(), entry.getValue());
      }
    }
    Optional<Duration> startupDelay =
        mine.containsKey(STARTUP_DELAY)
            ? Optional.of(duration(STARTUP_DELAY, mine.get(STARTUP_DELAY)))
            : Optional.empty();
    SigtermMode sigterm = SigtermMode.EXIT;
    if (mine.containsKey(ON_SIGTERM)) {
      switch (mine.get(ON_SIGTERM).strip().toLowerCase(Locale.ROOT)) {
        case "exit" -> sigterm = SigtermMode.EXIT;
        case "terminate" -> sigterm = SigtermMode.TERMINATE;
        case "ignore" -> sigterm = SigtermMode.IGNORE;
        default ->
            throw ProviderException.invalidInput(
                "annotation "
                    + ON_SIGTERM
                    + " must be exit, terminate or ignore, not '"
                    + mine.get(ON_SIGTERM)
                    + "'");
      }
    }
    return new Behavior(mine, startupDelay, Optional.ofNullable(mine.get(UNRUNNABLE)), sigterm);
  }

  private static String baseKey(String key) {
    int dot = key.indexOf('.', PREFIX.length());
    return dot < 0 ? key : key.substring(0, dot);
  }

  /**
   * How long one instance of the container runs before it exits, or empty when it runs until
   * stopped. Init containers default to {@link #DEFAULT_INIT_RUN}; pod-wide annotations apply only
   * to regular containers.
   */
  Optional<Duration> exitAfter(String container, boolean init) {
    String specific = annotations.get(EXIT_AFTER + "." + container);
    if (specific != null) {
      return Optional.of(parseDurationUnchecked(specific));
    }
    if (init) {
      return Optional.of(DEFAULT_INIT_RUN);
    }
    String global = annotations.get(EXIT_AFTER);
    if (global != null) {
      return Optional.of(parseDurationUnchecked(global));
    }
    // An exit code without a run time means: exit right after starting.
    if (annotations.containsKey(EXIT_CODE + "." + container)
        || annotations.containsKey(EXIT_CODE)) {
      return Optional.of(Duration.ZERO);
    }
    return Optional.empty();
  }

  int exitCode(String container, boolean init) {
    String specific = annotations.get(EXIT_CODE + "." + container);
    if (specific != null) {
      return Integer.parseInt(specific.strip());
    }
    String global = init ? null : annotations.get(EXIT_CODE);
    return global == null ? 0 : Integer.parseInt(global.strip());
  }

  /** The start failure message for the container, if it must never start. */
  Optional<String> failStart(String container, boolean init) {
    String specific = annotations.get(FAIL_START + "." + container);
    if (specific != null) {
      return Optional.of(message(specific));
    }
    String global = init ? null : annotations.get(FAIL_START);
    return Optional.ofNullable(global).map(Behavior::message);
  }

  private static String message(String text) {
    return text.isBlank() ? "failed to start container (simulated)" : text;
  }

  private static Duration duration(String key, String value) throws ProviderException {
    Duration parsed = ProviderConfig.parseDuration(value);
    if (parsed == null || parsed.isNegative()) {
      throw ProviderException.invalidInput(
          "annotation " + key + " is not a duration (like 500ms, 10s, 5m): '" + value + "'");
    }
    return parsed;
  }

  private static Duration parseDurationUnchecked(String value) {
    return ProviderConfig.parseDuration(value);
  }

  private static void exitCode(String key, String value) throws ProviderException {
    try {
      int code = Integer.parseInt(value.strip());
      if (code < 0 || code > 255) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      throw ProviderException.invalidInput(
          "annotation " + key + " must be an exit code from 0 to 255, not '" + value + "'");
    }
  }
}
