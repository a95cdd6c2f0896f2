package dev.vkj.core.provider;

import static java.util.Objects.requireNonNull;

import dev.vkj.spi.BackendLimits;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Settings of the {@link ProviderBoundary}.
 *
 * @param timeouts timeouts that replace the defaults, by operation name ({@link #operations()})
 * @param readRate a rate that replaces the reads rate of {@code Provider.limits()}, or empty
 * @param writeRate a rate that replaces the writes rate of {@code Provider.limits()}, or empty
 * @param retryBackoff the pause before the first retry of a failed read; doubled for the second
 * @param throttleBackoff the pause after a {@code THROTTLED} answer without retry-after; doubled
 *     for every further one in a row
 * @param maxThrottleBackoff the longest such pause
 */
public record ProviderBoundaryConfig(
    Map<String, Duration> timeouts,
    Optional<BackendLimits.Rate> readRate,
    Optional<BackendLimits.Rate> writeRate,
    Duration retryBackoff,
    Duration throttleBackoff,
    Duration maxThrottleBackoff) {

  public ProviderBoundaryConfig {
    timeouts = Map.copyOf(requireNonNull(timeouts, "timeouts is null"));
    requireNonNull(readRate, "readRate is null");
    requireNonNull(writeRate, "writeRate is null");
    requireNonNull(retryBackoff, "retryBackoff is null");
    requireNonNull(throttleBackoff, "throttleBackoff is null");
    requireNonNull(maxThrottleBackoff, "maxThrottleBackoff is null");
    timeouts.forEach(ProviderBoundaryConfig::checkTimeout);
    if (retryBackoff.isNegative()) {
      throw new IllegalArgumentException("retryBackoff must not be negative");
    }
    if (throttleBackoff.isNegative()
        || throttleBackoff.isZero()
        || maxThrottleBackoff.compareTo(throttleBackoff) < 0) {
      throw new IllegalArgumentException(
          "throttleBackoff must be positive and at most maxThrottleBackoff");
    }
  }

  /**
   * Default timeouts (create, update, delete 60 s; reads, lists, describeNode, statsSummary and
   * containerLogs without follow 15 s; ping 10 s; exec, attach, portForward and followed logs
   * none), the provider's own limits, 100 ms retry backoff, 1 s to 60 s throttle backoff.
   */
  public static ProviderBoundaryConfig defaults() {
    return new ProviderBoundaryConfig(
        Map.of(),
        Optional.empty(),
        Optional.empty(),
        Duration.ofMillis(100),
        Duration.ofSeconds(1),
        Duration.ofSeconds(60));
  }

  /** The names of the operations that have a timeout, in SPI order. */
  public static List<String> operations() {
    return Arrays.stream(Operation.values())
        .filter(o -> o.defaultTimeout().isPresent())
        .map(o -> o.method)
        .toList();
  }

  /** The default timeout of an operation, or empty for an unknown or streaming one. */
  public static Optional<Duration> defaultTimeout(String operation) {
    return Operation.byMethod(operation).flatMap(Operation::defaultTimeout);
  }

  /** The effective timeout of an operation; empty for streaming calls. */
  Optional<Duration> timeout(Operation operation) {
    Duration override = timeouts.get(operation.method);
    return override != null ? Optional.of(override) : operation.defaultTimeout();
  }

  public ProviderBoundaryConfig withTimeout(String operation, Duration timeout) {
    checkTimeout(operation, timeout);
    Map<String, Duration> copy = new LinkedHashMap<>(timeouts);
    copy.put(operation, timeout);
    return new ProviderBoundaryConfig(
        copy, readRate, writeRate, retryBackoff, throttleBackoff, maxThrottleBackoff);
  }

  public ProviderBoundaryConfig withReadRate(BackendLimits.Rate rate) {
    return new ProviderBoundaryConfig(
        timeouts,
        Optional.of(requireNonNull(rate, "rate is null")),
        writeRate,
        retryBackoff,
        throttleBackoff,
        maxThrottleBackoff);
  }

  public ProviderBoundaryConfig withWriteRate(BackendLimits.Rate rate) {
    return new ProviderBoundaryConfig(
        timeouts,
        readRate,
        Optional.of(requireNonNull(rate, "rate is null")),
        retryBackoff,
        throttleBackoff,
        maxThrottleBackoff);
  }

  public ProviderBoundaryConfig withRetryBackoff(Duration retryBackoff) {
    return new ProviderBoundaryConfig(
        timeouts, readRate, writeRate, retryBackoff, throttleBackoff, maxThrottleBackoff);
  }

  public ProviderBoundaryConfig withThrottleBackoff(Duration initial, Duration max) {
    return new ProviderBoundaryConfig(timeouts, readRate, writeRate, retryBackoff, initial, max);
  }

  private static void checkTimeout(String operation, Duration timeout) {
    requireNonNull(operation, "operation is null");
    requireNonNull(timeout, "timeout is null");
    Optional<Operation> op = Operation.byMethod(operation);
    if (op.isEmpty()) {
      throw new IllegalArgumentException(
          "unknown provider operation '"
              + operation
              + "'; expected one of "
              + String.join(", ", operations()));
    }
    if (op.get().defaultTimeout().isEmpty()) {
      throw new IllegalArgumentException(
          "provider operation " + operation + " streams and has no timeout");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException(
          "timeout of provider operation " + operation + " must be positive, got " + timeout);
    }
  }
}
