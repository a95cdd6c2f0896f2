package dev.vkj.runner;

import io.fabric8.kubernetes.client.Version;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** Versions of vkj, Java and the fabric8 client; also answers {@code --version}. */
final class VersionInfo implements IVersionProvider {
  private static final String RESOURCE = "/dev/vkj/runner/version.properties";

  /** The vkj version, from a resource the build fills in. */
  static String projectVersion() {
    try (InputStream in = VersionInfo.class.getResourceAsStream(RESOURCE)) {
      if (in != null) {
        Properties properties = new Properties();
        properties.load(in);
        String version = properties.getProperty("version", "");
        if (!version.isBlank() && !version.startsWith("${")) {
          return version;
        }
      }
    } catch (IOException e) {
      // fall back to the manifest
    }
    String manifest = VersionInfo.class.getPackage().getImplementationVersion();
    return manifest == null ? "unknown" : manifest;
  }

  static String javaVersion() {
    return System.getProperty("java.version")
        + " ("
        + System.getProperty("java.vendor", "unknown vendor")
        + ", "
        + System.getProperty("java.vm.name", "unknown VM")
        + ")";
  }

  static String fabric8Version() {
    try {
      return Version.clientVersion();
    } catch (RuntimeException | LinkageError e) {
      return "unknown";
    }
  }

  @Override
  public String[] getVersion() {
    return new String[] {
      "vk-runner " + projectVersion(),
      "Java " + javaVersion(),
      "fabric8 kubernetes-client " + fabric8Version()
    };
  }
}
