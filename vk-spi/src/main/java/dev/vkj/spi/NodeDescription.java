package dev.vkj.spi;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a provider says about its node. The core adds the standard labels ({@code
 * type=virtual-kubelet}, {@code kubernetes.io/role=agent}, OS, arch, hostname), the provider taint,
 * the kubelet conditions and the daemon endpoint.
 *
 * @param capacity resources the backend can run, e.g. {@code cpu=20}, {@code memory=100Gi}, {@code
 *     pods=110}
 * @param allocatable what pods may request; usually equal to capacity
 * @param addresses extra addresses; the core always adds InternalIP (node IP) and Hostname
 * @param operatingSystem {@code linux} or {@code windows}
 * @param architecture e.g. {@code amd64}
 * @param labels extra node labels
 * @param taints extra taints
 * @param conditions extra conditions; the core owns Ready, MemoryPressure, DiskPressure and
 *     PIDPressure unless the provider reports them here
 * @param kernelVersion shown in {@code kubectl get nodes -o wide}
 * @param osImage shown in {@code kubectl get nodes -o wide}
 * @param containerRuntimeVersion e.g. {@code aci://2023-05-01}
 */
public record NodeDescription(
    Map<String, Quantity> capacity,
    Map<String, Quantity> allocatable,
    List<NodeAddress> addresses,
    String operatingSystem,
    String architecture,
    Map<String, String> labels,
    List<Taint> taints,
    List<NodeCondition> conditions,
    String kernelVersion,
    String osImage,
    String containerRuntimeVersion) {

  /**
   * Copies the maps and lists and checks that no text is null.
   *
   * @param capacity resources the backend can run
   * @param allocatable what pods may request
   * @param addresses extra addresses
   * @param operatingSystem {@code linux} or {@code windows}
   * @param architecture e.g. {@code amd64}
   * @param labels extra node labels
   * @param taints extra taints
   * @param conditions extra conditions
   * @param kernelVersion the kernel version shown for the node
   * @param osImage the OS image shown for the node
   * @param containerRuntimeVersion the runtime shown for the node
   */
  public NodeDescription {
    capacity = Map.copyOf(capacity);
    allocatable = Map.copyOf(allocatable);
    addresses = List.copyOf(addresses);
    requireNonNull(operatingSystem, "operatingSystem is null");
    requireNonNull(architecture, "architecture is null");
    labels = Map.copyOf(labels);
    taints = List.copyOf(taints);
    conditions = List.copyOf(conditions);
    requireNonNull(kernelVersion, "kernelVersion is null");
    requireNonNull(osImage, "osImage is null");
    requireNonNull(containerRuntimeVersion, "containerRuntimeVersion is null");
  }

  /**
   * A builder for Linux on amd64, with nothing else set.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link NodeDescription}; unset allocatable defaults to capacity. */
  public static final class Builder {
    private final Map<String, Quantity> capacity = new LinkedHashMap<>();
    private final Map<String, Quantity> allocatable = new LinkedHashMap<>();
    private final List<NodeAddress> addresses = new ArrayList<>();
    private String operatingSystem = "linux";
    private String architecture = "amd64";
    private final Map<String, String> labels = new LinkedHashMap<>();
    private final List<Taint> taints = new ArrayList<>();
    private final List<NodeCondition> conditions = new ArrayList<>();
    private String kernelVersion = "";
    private String osImage = "";
    private String containerRuntimeVersion = "";

    private Builder() {}

    /**
     * Sets the capacity of one resource.
     *
     * @param resource e.g. {@code cpu}, {@code memory}, {@code pods}
     * @param quantity a Kubernetes quantity, e.g. {@code 20} or {@code 100Gi}
     * @return this builder
     */
    public Builder capacity(String resource, String quantity) {
      capacity.put(resource, new Quantity(quantity));
      return this;
    }

    /**
     * Sets what pods may request of one resource; without any, allocatable is the capacity.
     *
     * @param resource e.g. {@code cpu}, {@code memory}, {@code pods}
     * @param quantity a Kubernetes quantity
     * @return this builder
     */
    public Builder allocatable(String resource, String quantity) {
      allocatable.put(resource, new Quantity(quantity));
      return this;
    }

    /**
     * Adds an address.
     *
     * @param type e.g. {@code ExternalIP} or {@code InternalDNS}
     * @param address the address
     * @return this builder
     */
    public Builder address(String type, String address) {
      addresses.add(new NodeAddress(address, type));
      return this;
    }

    /**
     * Sets the operating system, {@code linux} by default.
     *
     * @param operatingSystem {@code linux} or {@code windows}
     * @return this builder
     */
    public Builder operatingSystem(String operatingSystem) {
      this.operatingSystem = requireNonNull(operatingSystem, "operatingSystem is null");
      return this;
    }

    /**
     * Sets the architecture, {@code amd64} by default.
     *
     * @param architecture e.g. {@code arm64}
     * @return this builder
     */
    public Builder architecture(String architecture) {
      this.architecture = requireNonNull(architecture, "architecture is null");
      return this;
    }

    /**
     * Adds a node label.
     *
     * @param key the label's key
     * @param value the label's value
     * @return this builder
     */
    public Builder label(String key, String value) {
      labels.put(key, value);
      return this;
    }

    /**
     * Adds a taint.
     *
     * @param taint the taint
     * @return this builder
     */
    public Builder taint(Taint taint) {
      taints.add(requireNonNull(taint, "taint is null"));
      return this;
    }

    /**
     * Adds a condition.
     *
     * @param condition the condition
     * @return this builder
     */
    public Builder condition(NodeCondition condition) {
      conditions.add(requireNonNull(condition, "condition is null"));
      return this;
    }

    /**
     * Sets the kernel version, empty by default.
     *
     * @param kernelVersion shown in {@code kubectl get nodes -o wide}
     * @return this builder
     */
    public Builder kernelVersion(String kernelVersion) {
      this.kernelVersion = requireNonNull(kernelVersion, "kernelVersion is null");
      return this;
    }

    /**
     * Sets the OS image, empty by default.
     *
     * @param osImage shown in {@code kubectl get nodes -o wide}
     * @return this builder
     */
    public Builder osImage(String osImage) {
      this.osImage = requireNonNull(osImage, "osImage is null");
      return this;
    }

    /**
     * Sets the container runtime version, empty by default.
     *
     * @param containerRuntimeVersion e.g. {@code aci://2023-05-01}
     * @return this builder
     */
    public Builder containerRuntimeVersion(String containerRuntimeVersion) {
      this.containerRuntimeVersion =
          requireNonNull(containerRuntimeVersion, "containerRuntimeVersion is null");
      return this;
    }

    /**
     * Builds the description.
     *
     * @return the description
     */
    public NodeDescription build() {
      Map<String, Quantity> alloc = allocatable.isEmpty() ? capacity : allocatable;
      return new NodeDescription(
          capacity,
          alloc,
          addresses,
          operatingSystem,
          architecture,
          labels,
          taints,
          conditions,
          kernelVersion,
          osImage,
          containerRuntimeVersion);
    }
  }
}
