package dev.vkj.core;

/** Version strings the node reports. */
final class Versions {
  /** The Kubernetes minor version whose kubelet behaviour vkj follows. */
  static final String KUBERNETES = "v1.31.0";

  private Versions() {}

  /** The vkj version from the jar manifest, or {@code dev} when running from classes. */
  static String vkj() {
    String version = VirtualKubelet.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }

  /** What {@code kubectl get nodes} shows in its VERSION column. */
  static String kubeletVersion() {
    return KUBERNETES + "-vkj-" + vkj();
  }
}
