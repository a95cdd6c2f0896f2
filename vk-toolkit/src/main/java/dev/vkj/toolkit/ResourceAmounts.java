package dev.vkj.toolkit;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BinaryOperator;

/**
 * An immutable set of resource amounts by resource name ({@code cpu}, {@code memory}, {@code
 * ephemeral-storage}, {@code nvidia.com/gpu}, ...), each in the resource's base unit: cores for
 * cpu, bytes for memory and storage, a count for extended resources. A resource that is absent is
 * not the same as one set to zero: {@link #contains} tells them apart.
 */
public final class ResourceAmounts {
  public static final String CPU = "cpu";
  public static final String MEMORY = "memory";
  public static final String EPHEMERAL_STORAGE = "ephemeral-storage";

  private static final ResourceAmounts EMPTY = new ResourceAmounts(new TreeMap<>());
  private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);

  private final Map<String, BigDecimal> amounts;

  private ResourceAmounts(TreeMap<String, BigDecimal> amounts) {
    this.amounts = Collections.unmodifiableMap(amounts);
  }

  public static ResourceAmounts empty() {
    return EMPTY;
  }

  /**
   * Parses a Kubernetes resource list ({@code 500m}, {@code 1Gi}, {@code 2}).
   *
   * @param what names the list in the error, like {@code container "app" requests}
   * @throws IllegalArgumentException for a quantity that does not parse or is negative
   */
  public static ResourceAmounts of(Map<String, Quantity> quantities, String what) {
    requireNonNull(what, "what is null");
    if (quantities == null || quantities.isEmpty()) {
      return EMPTY;
    }
    TreeMap<String, BigDecimal> out = new TreeMap<>();
    quantities.forEach(
        (name, quantity) -> {
          if (quantity != null) {
            out.put(name, parse(name, quantity, what));
          }
        });
    return new ResourceAmounts(out);
  }

  /** Amounts in base units, like {@code cpu=0.5, memory=134217728}. */
  public static ResourceAmounts ofAmounts(Map<String, BigDecimal> amounts) {
    TreeMap<String, BigDecimal> out = new TreeMap<>();
    amounts.forEach(
        (name, amount) -> {
          requireNonNull(name, "resource name is null");
          requireNonNull(amount, "amount of " + name + " is null");
          if (amount.signum() < 0) {
            throw new IllegalArgumentException(
                "the amount of " + name + " must not be negative: " + amount);
          }
          out.put(name, amount);
        });
    return new ResourceAmounts(out);
  }

  private static BigDecimal parse(String name, Quantity quantity, String what) {
    BigDecimal amount;
    try {
      amount = quantity.getNumericalAmount();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          what + ": " + name + " is not a valid quantity: '" + quantity + "'", e);
    }
    if (amount.signum() < 0) {
      throw new IllegalArgumentException(
          what + ": " + name + " must not be negative: '" + quantity + "'");
    }
    return amount;
  }

  /** Whether the resource is set (possibly to zero). */
  public boolean contains(String resource) {
    return amounts.containsKey(resource);
  }

  /** The amount in base units; zero when absent. */
  public BigDecimal get(String resource) {
    return amounts.getOrDefault(resource, BigDecimal.ZERO);
  }

  /** The resources and amounts, sorted by name. */
  public Map<String, BigDecimal> asMap() {
    return amounts;
  }

  public boolean isEmpty() {
    return amounts.isEmpty();
  }

  /** CPU in millicores, rounded up like the API's {@code MilliValue()}: 0.0001 cores is 1m. */
  public long milliCpu() {
    return get(CPU).multiply(THOUSAND).setScale(0, RoundingMode.CEILING).longValueExact();
  }

  /** Memory in bytes, rounded up. */
  public long memoryBytes() {
    return value(MEMORY);
  }

  /** Ephemeral storage in bytes, rounded up. */
  public long ephemeralStorageBytes() {
    return value(EPHEMERAL_STORAGE);
  }

  /** The amount as a whole number, rounded up like the API's {@code Value()}; 0 when absent. */
  public long value(String resource) {
    return get(resource).setScale(0, RoundingMode.CEILING).longValueExact();
  }

  /** The sum per resource; a resource present in either is present in the result. */
  public ResourceAmounts plus(ResourceAmounts other) {
    return merge(other, BigDecimal::add);
  }

  /** The larger amount per resource; a resource present in either is present in the result. */
  public ResourceAmounts max(ResourceAmounts other) {
    return merge(other, BigDecimal::max);
  }

  /** These amounts, with {@code other}'s amount for each resource {@code other} has. */
  public ResourceAmounts with(ResourceAmounts other) {
    return merge(other, (mine, theirs) -> theirs);
  }

  /** Only the resources for which {@code keep} is true. */
  public ResourceAmounts filter(java.util.function.Predicate<String> keep) {
    TreeMap<String, BigDecimal> out = new TreeMap<>();
    amounts.forEach(
        (name, amount) -> {
          if (keep.test(name)) {
            out.put(name, amount);
          }
        });
    return new ResourceAmounts(out);
  }

  private ResourceAmounts merge(ResourceAmounts other, BinaryOperator<BigDecimal> op) {
    requireNonNull(other, "other is null");
    if (other.isEmpty()) {
      return this;
    }
    TreeMap<String, BigDecimal> out = new TreeMap<>(amounts);
    other.amounts.forEach((name, amount) -> out.merge(name, amount, op));
    return new ResourceAmounts(out);
  }

  /**
   * As a Kubernetes resource list: cpu in millicores when fractional ({@code 250m}), everything
   * else as a whole number ({@code 134217728}).
   */
  public Map<String, Quantity> toQuantities() {
    Map<String, Quantity> out = new LinkedHashMap<>();
    amounts.forEach(
        (name, amount) -> {
          if (CPU.equals(name) && amount.stripTrailingZeros().scale() > 0) {
            out.put(name, new Quantity(milliCpu() + "m"));
          } else {
            out.put(name, new Quantity(amount.setScale(0, RoundingMode.CEILING).toPlainString()));
          }
        });
    return out;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ResourceAmounts other) || other.amounts.size() != amounts.size()) {
      return false;
    }
    for (Map.Entry<String, BigDecimal> e : amounts.entrySet()) {
      BigDecimal theirs = other.amounts.get(e.getKey());
      if (theirs == null || theirs.compareTo(e.getValue()) != 0) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int h = 0;
    for (Map.Entry<String, BigDecimal> e : amounts.entrySet()) {
      h += e.getKey().hashCode() ^ e.getValue().stripTrailingZeros().hashCode();
    }
    return h;
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder("{");
    amounts.forEach(
        (name, amount) -> {
          if (out.length() > 1) {
            out.append(", ");
          }
          out.append(name).append('=').append(amount.stripTrailingZeros().toPlainString());
        });
    return out.append('}').toString();
  }
}
