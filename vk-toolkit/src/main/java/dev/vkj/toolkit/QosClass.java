package dev.vkj.toolkit;

/** The QoS class of a pod, as written to {@code status.qosClass}. */
public enum QosClass {
  GUARANTEED("Guaranteed"),
  BURSTABLE("Burstable"),
  BEST_EFFORT("BestEffort");

  private final String value;

  QosClass(String value) {
    this.value = value;
  }

  /**
   * The value of {@code status.qosClass}: {@code Guaranteed}, {@code Burstable} or {@code
   * BestEffort}.
   */
  public String value() {
    return value;
  }

  @Override
  public String toString() {
    return value;
  }
}
