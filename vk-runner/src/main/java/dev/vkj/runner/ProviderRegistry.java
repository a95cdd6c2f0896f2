package dev.vkj.runner;

import static java.util.Objects.requireNonNull;

import dev.vkj.core.VkjException;
import dev.vkj.core.VkjException.Code;
import dev.vkj.spi.ProviderFactory;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The provider factories the runner can use: those on the class path, found with {@link
 * ServiceLoader}, plus one class loader per jar or per sub-folder of jars under {@code
 * --provider-path}. Those loaders are child-first ({@link ProviderClassLoader}): a provider's own
 * libraries win over the runner's, and only the SPI and the types it exposes are shared.
 */
final class ProviderRegistry implements AutoCloseable {
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]*");

  /** A factory and where it came from ({@code class path} or a jar or folder). */
  record Entry(ProviderFactory factory, String origin, ClassLoader loader) {
    Entry {
      requireNonNull(factory, "factory is null");
      requireNonNull(origin, "origin is null");
      requireNonNull(loader, "loader is null");
    }
  }

  private final Map<String, Entry> entries;
  private final List<URLClassLoader> loaders;

  private ProviderRegistry(Map<String, Entry> entries, List<URLClassLoader> loaders) {
    this.entries = entries;
    this.loaders = loaders;
  }

  static ProviderRegistry load(ClassLoader applicationLoader, Optional<Path> providerPath) {
    requireNonNull(applicationLoader, "applicationLoader is null");
    Map<String, Entry> entries = new TreeMap<>();
    List<URLClassLoader> loaders = new ArrayList<>();
    ProviderRegistry registry = new ProviderRegistry(entries, loaders);
    try {
      discover(applicationLoader, "class path", entries);
      if (providerPath.isPresent()) {
        for (Path location : locations(providerPath.get())) {
          List<Path> jars = jars(location);
          if (jars.isEmpty()) {
            continue;
          }
          URLClassLoader loader =
              new ProviderClassLoader(
                  "provider:" + location.getFileName(), urls(jars), applicationLoader);
          loaders.add(loader);
          discover(loader, location.toString(), entries);
        }
      }
      return registry;
    } catch (RuntimeException e) {
      registry.close();
      throw e;
    }
  }

  private static void discover(ClassLoader loader, String origin, Map<String, Entry> entries) {
    try {
      // a provider loader lists only its own factories, never the class path's
      ServiceLoader.load(ProviderFactory.class, loader).stream()
          .forEach(p -> add(entries, new Entry(p.get(), origin, loader)));
    } catch (ServiceConfigurationError | LinkageError e) {
      throw new VkjException(
          Code.CONFIG, "cannot load providers from " + origin + ": " + e.getMessage(), e);
    }
  }

  private static void add(Map<String, Entry> entries, Entry entry) {
    String name = entry.factory().name();
    String type = entry.factory().getClass().getName();
    if (name == null || !NAME.matcher(name).matches()) {
      throw new VkjException(
          Code.CONFIG,
          "provider "
              + type
              + " from "
              + entry.origin()
              + " has an invalid name '"
              + name
              + "': expected [a-z][a-z0-9-]*");
    }
    Entry previous = entries.putIfAbsent(name, entry);
    if (previous != null) {
      throw new VkjException(
          Code.CONFIG,
          "duplicate provider name '"
              + name
              + "': "
              + previous.factory().getClass().getName()
              + " ("
              + previous.origin()
              + ") and "
              + type
              + " ("
              + entry.origin()
              + ")");
    }
  }

  /** Jars directly in the folder and sub-folders, each one provider. */
  private static List<Path> locations(Path folder) {
    if (!Files.isDirectory(folder)) {
      throw new VkjException(Code.CONFIG, "provider path '" + folder + "' is not a directory");
    }
    try (Stream<Path> children = Files.list(folder)) {
      return children.filter(p -> Files.isDirectory(p) || isJar(p)).sorted().toList();
    } catch (IOException e) {
      throw new VkjException(
          Code.CONFIG, "cannot read provider path '" + folder + "': " + e.getMessage(), e);
    }
  }

  private static List<Path> jars(Path location) {
    if (!Files.isDirectory(location)) {
      return List.of(location);
    }
    try (Stream<Path> children = Files.list(location)) {
      return children.filter(ProviderRegistry::isJar).sorted().toList();
    } catch (IOException e) {
      throw new VkjException(
          Code.CONFIG, "cannot read provider folder '" + location + "': " + e.getMessage(), e);
    }
  }

  private static boolean isJar(Path path) {
    return Files.isRegularFile(path) && path.getFileName().toString().endsWith(".jar");
  }

  private static URL[] urls(List<Path> jars) {
    URL[] urls = new URL[jars.size()];
    for (int i = 0; i < urls.length; i++) {
      try {
        urls[i] = jars.get(i).toUri().toURL();
      } catch (MalformedURLException e) {
        throw new VkjException(Code.CONFIG, "invalid provider jar path " + jars.get(i), e);
      }
    }
    return urls;
  }

  /** Every provider, sorted by name. */
  Collection<Entry> entries() {
    return entries.values();
  }

  /** The provider called {@code name}; an unknown name is a configuration error listing all. */
  Entry get(String name) {
    Entry entry = entries.get(name);
    if (entry == null) {
      String available = entries.isEmpty() ? "none" : String.join(", ", entries.keySet());
      throw new VkjException(
          Code.CONFIG, "unknown provider '" + name + "'; available: " + available);
    }
    return entry;
  }

  @Override
  public void close() {
    for (URLClassLoader loader : loaders) {
      try {
        loader.close();
      } catch (IOException e) {
        // only releases jar file handles; nothing to recover
      }
    }
  }
}
