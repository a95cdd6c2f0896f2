package dev.vkj.provider.mock;

import dev.vkj.spi.ConfigKey;
import dev.vkj.spi.ProviderConfig;
import dev.vkj.spi.ProviderException;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The validated configuration of the mock provider.
 *
 * @param cpu node cpu capacity
 * @param memory node memory capacity
 * @param pods node pod capacity
 * @param startupDelay how long containers stay in ContainerCreating
 * @param podCidr where pod IPs come from
 * @param stateFile where pods are persisted, if anywhere
 * @param logInterval time between two simulated log lines
 * @param operatingSystem {@code linux} or {@code windows}
 * @param faults the injected failures of the configuration
 * @param faultsFile a file with more fault keys, read again when it changes
 * @param faultSeed the seed of the fault draws, if given
 */
record MockConfig(
    Quantity cpu,
    Quantity memory,
    int pods,
    Duration startupDelay,
    String podCidr,
    Optional<Path> stateFile,
    Duration logInterval,
    String operatingSystem,
    Faults.Plan faults,
    Optional<Path> faultsFile,
    OptionalLong faultSeed) {

  static final String CPU = "cpu";
  static final String MEMORY = "memory";
  static final String PODS = "pods";
  static final String STARTUP_DELAY = "startupDelay";
  static final String POD_CIDR = "podCidr";
  static final String STATE_FILE = "stateFile";
  static final String LOG_INTERVAL = "logInterval";
  static final String OPERATING_SYSTEM = "operatingSystem";

  static final List<ConfigKey> KEYS =
      List.of(
          ConfigKey.optional(CPU, "20", "CPU capacity of the node, as a Kubernetes quantity"),
          ConfigKey.optional(
              MEMORY, "100Gi", "memory capacity of the node, as a Kubernetes quantity"),
          ConfigKey.optional(PODS, "110", "how many pods the node accepts"),
          ConfigKey.optional(
              STARTUP_DELAY,
              "2s",
              "how long containers stay Waiting/ContainerCreating before they run (like 500ms, 2s)"),
          ConfigKey.optional(
              POD_CIDR, "10.244.0.0/16", "IPv4 range pod IPs are allocated from (prefix 8 to 30)"),
          ConfigKey.optional(
              STATE_FILE,
              null,
              "file where pods are persisted so a restarted runner finds them; none by default"),
          ConfigKey.optional(LOG_INTERVAL, "1s", "time between two simulated log lines"),
          ConfigKey.optional(OPERATING_SYSTEM, "linux", "node operating system: linux or windows"),
          ConfigKey.optional(
              Faults.ERROR_RATE,
              "0",
              "fault injection: fraction of calls (not pings) that fail TRANSIENT, from 0 to 1"),
          ConfigKey.optional(
              Faults.LATENCY, "0s", "fault injection: delay added to every call and ping"),
          ConfigKey.optional(
              Faults.THROTTLE_RATE,
              "0",
              "fault injection: fraction of calls (not pings) that fail THROTTLED"),
          ConfigKey.optional(
              Faults.QUOTA_RATE,
              "0",
              "fault injection: fraction of creates that fail QUOTA_EXCEEDED"),
          ConfigKey.optional(
              Faults.RETRY_AFTER,
              "1s",
              "fault injection: the retry-after of THROTTLED and QUOTA_EXCEEDED answers"),
          ConfigKey.optional(
              Faults.OUTAGE,
              "false",
              "fault injection: every call and ping fails TRANSIENT, so the node turns NotReady"),
          ConfigKey.optional(
              Faults.FAULTS_FILE,
              null,
              "fault injection: a properties file with the keys above, read again whenever it"
                  + " changes, so faults can be switched while the runner runs; its keys win"),
          ConfigKey.optional(
              Faults.FAULT_SEED,
              null,
              "fault injection: seed of the random draws (a random one, logged, by default)"));

  static MockConfig from(ProviderConfig config) throws ProviderException {
    Quantity cpu = quantity(config, CPU, "20");
    Quantity memory = quantity(config, MEMORY, "100Gi");
    int pods = config.getInt(PODS, 110);
    if (pods < 1) {
      throw ProviderException.invalidConfig(PODS, "must be at least 1, not " + pods);
    }
    Duration startupDelay = config.getDuration(STARTUP_DELAY, Duration.ofSeconds(2));
    if (startupDelay.isNegative()) {
      throw ProviderException.invalidConfig(STARTUP_DELAY, "must not be negative");
    }
    String cidr = config.getOrDefault(POD_CIDR, "10.244.0.0/16");
    if (cidr == null || IpPool.parse(cidr) == null) {
      throw ProviderException.invalidConfig(
          POD_CIDR,
          "not an IPv4 CIDR with a prefix from 8 to 30 (like 10.244.0.0/16): '" + cidr + "'");
    }
    Optional<Path> stateFile = Optional.empty();
    String stateText = config.get(STATE_FILE).orElse(null);
    if (stateText != null && !stateText.isBlank()) {
      try {
        stateFile = Optional.of(Path.of(stateText.strip()));
      } catch (InvalidPathException e) {
        throw ProviderException.invalidConfig(STATE_FILE, "not a valid path: " + e.getMessage());
      }
    }
    Duration logInterval = config.getDuration(LOG_INTERVAL, Duration.ofSeconds(1));
    if (logInterval.toMillis() < 1) {
      throw ProviderException.invalidConfig(LOG_INTERVAL, "must be at least 1ms");
    }
    String os = config.getOrDefault(OPERATING_SYSTEM, "linux");
    os = os == null ? "linux" : os.strip().toLowerCase(Locale.ROOT);
    if (!os.equals("linux") && !os.equals("windows")) {
      throw ProviderException.invalidConfig(
          OPERATING_SYSTEM, "must be linux or windows, not '" + os + "'");
    }
    Faults.Plan faults = Faults.Plan.of(config, Faults.Plan.NONE);
    Optional<Path> faultsFile = Optional.empty();
    String faultsText = config.get(Faults.FAULTS_FILE).orElse(null);
    if (faultsText != null && !faultsText.isBlank()) {
      try {
        faultsFile = Optional.of(Path.of(faultsText.strip()));
      } catch (InvalidPathException e) {
        throw ProviderException.invalidConfig(
            Faults.FAULTS_FILE, "not a valid path: " + e.getMessage());
      }
    }
    String seedText = config.get(Faults.FAULT_SEED).orElse(null);
    OptionalLong seed =
        seedText == null || seedText.isBlank()
            ? OptionalLong.empty()
            : OptionalLong.of(config.getLong(Faults.FAULT_SEED, 0));
    return new MockConfig(
        cpu,
        memory,
        pods,
        startupDelay,
        cidr.strip(),
        stateFile,
        logInterval,
        os,
        faults,
        faultsFile,
        seed);
  }

  private static Quantity quantity(ProviderConfig config, String key, String defaultValue)
      throws ProviderException {
    String text = config.getOrDefault(key, defaultValue);
    if (text == null || text.isBlank()) {
      text = defaultValue;
    }
    try {
      Quantity quantity = new Quantity(text.strip());
      BigDecimal amount = quantity.getNumericalAmount();
      if (amount.signum() <= 0) {
        throw ProviderException.invalidConfig(key, "must be positive, not '" + text + "'");
      }
      return quantity;
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw ProviderException.invalidConfig(
          key, "not a Kubernetes quantity (like 20, 500m, 100Gi): '" + text + "'");
    }
  }
}
