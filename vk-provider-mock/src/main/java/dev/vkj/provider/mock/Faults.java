package dev.vkj.provider.mock;

import static java.util.Objects.requireNonNull;

import dev.vkj.spi.ErrorCode;
import dev.vkj.spi.ProviderConfig;
import dev.vkj.spi.ProviderException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Injected backend failures, for testing how the core copes with a bad backend. The plan comes from
 * the provider configuration and, when {@code faultsFile} is set, from that file: it is read again
 * whenever its modification time or size changes, so a test in another process can switch faults
 * while the runner runs. Random draws come from one generator seeded by {@code faultSeed}, so a
 * sequence of calls fails the same way again under the same seed.
 */
final class Faults {
  private static final Logger log = LoggerFactory.getLogger(Faults.class);

  static final String ERROR_RATE = "errorRate";
  static final String LATENCY = "latency";
  static final String THROTTLE_RATE = "throttleRate";
  static final String QUOTA_RATE = "quotaRate";
  static final String RETRY_AFTER = "retryAfter";
  static final String OUTAGE = "outage";
  static final String FAULTS_FILE = "faultsFile";
  static final String FAULT_SEED = "faultSeed";

  /** The provider calls faults apply to. */
  enum Call {
    CREATE,
    UPDATE,
    DELETE,
    READ,
    PING
  }

  /**
   * What fails and how.
   *
   * @param errorRate fraction of calls (not pings) that fail {@code TRANSIENT}
   * @param latency added to every call, pings included
   * @param throttleRate fraction of calls (not pings) that fail {@code THROTTLED}
   * @param quotaRate fraction of creates that fail {@code QUOTA_EXCEEDED}
   * @param retryAfter the retry-after of throttled and quota answers
   * @param outage every call and ping fails {@code TRANSIENT}
   */
  record Plan(
      double errorRate,
      Duration latency,
      double throttleRate,
      double quotaRate,
      Duration retryAfter,
      boolean outage) {
    static final Plan NONE = new Plan(0, Duration.ZERO, 0, 0, Duration.ofSeconds(1), false);

    boolean any() {
      return outage || errorRate > 0 || throttleRate > 0 || quotaRate > 0 || !latency.isZero();
    }

    /** The plan the keys of {@code config} describe, with {@code defaults} for missing keys. */
    static Plan of(ProviderConfig config, Plan defaults) throws ProviderException {
      return new Plan(
          rate(config, ERROR_RATE, defaults.errorRate),
          nonNegative(config, LATENCY, defaults.latency),
          rate(config, THROTTLE_RATE, defaults.throttleRate),
          rate(config, QUOTA_RATE, defaults.quotaRate),
          nonNegative(config, RETRY_AFTER, defaults.retryAfter),
          config.getBoolean(OUTAGE, defaults.outage));
    }

    private static double rate(ProviderConfig config, String key, double defaultValue)
        throws ProviderException {
      Optional<String> text = config.get(key).map(String::strip).filter(s -> !s.isEmpty());
      if (text.isEmpty()) {
        return defaultValue;
      }
      double rate;
      try {
        rate = Double.parseDouble(text.get());
      } catch (NumberFormatException e) {
        rate = Double.NaN;
      }
      if (!(rate >= 0 && rate <= 1)) {
        throw ProviderException.invalidConfig(
            key, "must be a fraction from 0 to 1 (like 0.2), not '" + text.get() + "'");
      }
      return rate;
    }

    private static Duration nonNegative(ProviderConfig config, String key, Duration defaultValue)
        throws ProviderException {
      Duration value = config.getDuration(key, defaultValue);
      if (value.isNegative()) {
        throw ProviderException.invalidConfig(key, "must not be negative");
      }
      return value;
    }
  }

  private final Plan configured;
  private final Path file;
  private final Random random;
  private final Consumer<ErrorCode> counter;
  private volatile Plan current;
  private volatile Object fileVersion;

  /**
   * @param configured the plan of the provider configuration
   * @param file the faults file, or null
   * @param seed the seed of the random draws
   * @param counter told about every injected failure
   */
  Faults(Plan configured, Path file, long seed, Consumer<ErrorCode> counter)
      throws ProviderException {
    this.configured = requireNonNull(configured, "configured is null");
    this.file = file;
    this.random = new Random(seed);
    this.counter = requireNonNull(counter, "counter is null");
    this.current = configured;
    if (file != null) {
      // a bad file at startup is a configuration error; later, the last good plan stays
      Optional<Object> version = version();
      if (version.isPresent()) {
        current = read();
        fileVersion = version.get();
      }
    }
  }

  static final List<String> KEYS =
      List.of(ERROR_RATE, LATENCY, THROTTLE_RATE, QUOTA_RATE, RETRY_AFTER, OUTAGE);

  /** The plan in force now, after looking at the faults file. */
  Plan plan() {
    if (file != null) {
      refresh();
    }
    return current;
  }

  /** Fails or delays the call as the plan says; returns normally when the call may proceed. */
  void before(Call call) throws ProviderException {
    Plan plan = plan();
    if (!plan.any()) {
      return;
    }
    if (plan.outage) {
      throw fail(ErrorCode.TRANSIENT, "the mock backend is unavailable (injected outage)", null);
    }
    if (!plan.latency.isZero()) {
      try {
        Thread.sleep(plan.latency.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw fail(ErrorCode.TRANSIENT, "interrupted during injected latency", null);
      }
    }
    if (call == Call.PING) {
      return;
    }
    double draw;
    synchronized (random) {
      draw = random.nextDouble();
    }
    // one draw per call: the rates are disjoint slices of [0, 1)
    double edge = plan.throttleRate;
    if (draw < edge) {
      throw fail(ErrorCode.THROTTLED, "request rate exceeded (injected)", plan.retryAfter);
    }
    if (call == Call.CREATE) {
      edge += plan.quotaRate;
      if (draw < edge) {
        throw fail(
            ErrorCode.QUOTA_EXCEEDED, "container quota exceeded (injected)", plan.retryAfter);
      }
    }
    edge += plan.errorRate;
    if (draw < edge) {
      throw fail(ErrorCode.TRANSIENT, "the mock backend failed the call (injected)", null);
    }
  }

  private ProviderException fail(ErrorCode code, String message, Duration retryAfter) {
    counter.accept(code);
    return new ProviderException(code, message, retryAfter, null);
  }

  private void refresh() {
    Optional<Object> version;
    try {
      version = version();
    } catch (ProviderException e) {
      return;
    }
    if (Objects.equals(version.orElse(null), fileVersion)) {
      return;
    }
    synchronized (this) {
      if (Objects.equals(version.orElse(null), fileVersion)) {
        return;
      }
      try {
        Plan plan = version.isPresent() ? read() : configured;
        if (!plan.equals(current)) {
          log.info("fault plan changed: {}", plan);
        }
        current = plan;
        fileVersion = version.orElse(null);
      } catch (ProviderException e) {
        log.warn("ignoring the faults file {}: {}", file, e.getMessage());
        fileVersion = version.orElse(null);
      }
    }
  }

  /** Modification time, size and identity of the file, or empty when it does not exist. */
  private Optional<Object> version() throws ProviderException {
    try {
      BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
      return Optional.of(
          List.of(
              attributes.lastModifiedTime(),
              attributes.size(),
              String.valueOf(attributes.fileKey())));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw ProviderException.invalidConfig(
          FAULTS_FILE, "cannot read " + file + ": " + e.getMessage());
    }
  }

  /** The configured plan with the keys of the file on top. */
  private Plan read() throws ProviderException {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      // properties syntax, which also reads flat YAML ("key: value")
      properties.load(reader);
    } catch (NoSuchFileException e) {
      return configured;
    } catch (IOException | IllegalArgumentException e) {
      throw ProviderException.invalidConfig(
          FAULTS_FILE, "cannot read " + file + ": " + e.getMessage());
    }
    java.util.Map<String, String> values = new java.util.HashMap<>();
    for (String name : properties.stringPropertyNames()) {
      if (!KEYS.contains(name)) {
        throw ProviderException.invalidConfig(
            FAULTS_FILE, file + " has the unknown key '" + name + "'; known keys: " + KEYS);
      }
      values.put(name, properties.getProperty(name));
    }
    return Plan.of(ProviderConfig.of(values), configured);
  }
}
