package dev.vkj.runner;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The class loader of one provider under {@code --provider-path}: child-first, so a provider's own
 * Jackson, Netty or Vert.x win over the runner's (whose jar is not relocated). Only the platform
 * and the packages the SPI exposes are taken from the runner first, so that the SPI types a
 * provider receives and returns are the same classes on both sides.
 */
final class ProviderClassLoader extends URLClassLoader {
  static {
    ClassLoader.registerAsParallelCapable();
  }

  /** Prefixes answered by the runner first: the platform (also any boot layer package below). */
  private static final List<String> PLATFORM = List.of("java.", "javax.", "jdk.", "sun.");

  /**
   * Prefixes answered by the runner first, the provider second. The fabric8 model classes are
   * shared because SPI methods take and return them; their builder base types and model annotations
   * come with them, and so do the Jackson annotations they carry: a provider's own Jackson only
   * honours {@code @JsonProperty}, {@code @JsonInclude} and the like on a shared model class if it
   * reads them as the same annotation types.
   */
  private static final List<String> SHARED =
      List.of(
          "dev.vkj.spi.",
          "io.fabric8.kubernetes.api.model.",
          "io.fabric8.kubernetes.api.builder.",
          "io.fabric8.kubernetes.model.",
          "com.fasterxml.jackson.annotation.",
          "io.micrometer.",
          "org.slf4j.");

  /** Service registrations of SPI types: only the provider's own, never the runner's. */
  private static final String SPI_SERVICES = "META-INF/services/dev.vkj.spi.";

  // packages of the JDK's modules that the prefixes miss (org.w3c.dom, com.sun.net.httpserver...)
  private static final Set<String> BOOT_PACKAGES =
      ModuleLayer.boot().modules().stream()
          .flatMap(module -> module.getPackages().stream())
          .collect(Collectors.toUnmodifiableSet());

  ProviderClassLoader(String name, URL[] urls, ClassLoader parent) {
    super(name, urls, requireNonNull(parent, "parent is null"));
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    synchronized (getClassLoadingLock(name)) {
      Class<?> type = findLoadedClass(name);
      if (type == null) {
        type = isPlatform(name) || isShared(name) ? parentFirst(name) : childFirst(name);
      }
      if (resolve) {
        resolveClass(type);
      }
      return type;
    }
  }

  private Class<?> parentFirst(String name) throws ClassNotFoundException {
    try {
      return getParent().loadClass(name);
    } catch (ClassNotFoundException e) {
      return findClass(name);
    }
  }

  private Class<?> childFirst(String name) throws ClassNotFoundException {
    try {
      return findClass(name);
    } catch (ClassNotFoundException e) {
      return getParent().loadClass(name);
    }
  }

  @Override
  public URL getResource(String name) {
    if (name.startsWith(SPI_SERVICES)) {
      return findResource(name);
    }
    if (isSharedResource(name)) {
      URL url = getParent().getResource(name);
      return url != null ? url : findResource(name);
    }
    URL url = findResource(name);
    return url != null ? url : getParent().getResource(name);
  }

  /**
   * A name the provider's jars contain is answered by them alone: libraries that merge every copy
   * (Netty's version files, {@code ServiceLoader} of a bundled library's own interfaces) must not
   * see the runner's copies of the same library next to the provider's.
   */
  @Override
  public Enumeration<URL> getResources(String name) throws IOException {
    if (name.startsWith(SPI_SERVICES)) {
      return findResources(name);
    }
    if (isSharedResource(name)) {
      Enumeration<URL> parent = getParent().getResources(name);
      return parent.hasMoreElements() ? parent : findResources(name);
    }
    Enumeration<URL> own = findResources(name);
    if (own.hasMoreElements()) {
      return own;
    }
    return getParent().getResources(name);
  }

  private static boolean isShared(String className) {
    return SHARED.stream().anyMatch(className::startsWith);
  }

  private static boolean isPlatform(String className) {
    if (PLATFORM.stream().anyMatch(className::startsWith)) {
      return true;
    }
    int dot = className.lastIndexOf('.');
    return dot > 0 && BOOT_PACKAGES.contains(className.substring(0, dot));
  }

  private static boolean isSharedResource(String name) {
    String dotted = name.replace('/', '.');
    return isShared(dotted) || PLATFORM.stream().anyMatch(dotted::startsWith);
  }
}
