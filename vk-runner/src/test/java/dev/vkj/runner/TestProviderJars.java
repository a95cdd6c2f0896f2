package dev.vkj.runner;

import dev.vkj.spi.ProviderFactory;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds provider jars for tests: the factory is compiled from source so that its class is not on
 * the test class path, as with a real jar under {@code --provider-path}.
 */
final class TestProviderJars {
  private static final Map<String, byte[]> BUILT = new ConcurrentHashMap<>();

  private TestProviderJars() {}

  /**
   * Writes {@code jar} with a factory {@code test.<simpleName>} named {@code providerName} that
   * declares one required key {@code endpoint} and one secret key {@code token}.
   */
  static Path build(Path jar, String simpleName, String providerName) throws IOException {
    // compiling is the slow part: each distinct provider is compiled once per test run
    byte[] bytes = BUILT.get(simpleName + "/" + providerName);
    if (bytes == null) {
      bytes = compile(simpleName, providerName);
      BUILT.put(simpleName + "/" + providerName, bytes);
    }
    return Files.write(jar, bytes);
  }

  /**
   * Writes {@code jar} with the factory {@code test.<simpleName>} compiled from {@code source}
   * against {@code libraries} (placed before the test class path) and the SPI.
   */
  static Path build(Path jar, String simpleName, String source, List<Path> libraries)
      throws IOException {
    String key = simpleName + "/" + source.hashCode() + "/" + libraries;
    byte[] bytes = BUILT.get(key);
    if (bytes == null) {
      bytes = compile(simpleName, source, libraries);
      BUILT.put(key, bytes);
    }
    return Files.write(jar, bytes);
  }

  private static byte[] compile(String simpleName, String providerName) throws IOException {
    return compile(simpleName, factorySource(simpleName, providerName), List.of());
  }

  private static byte[] compile(String simpleName, String sourceText, List<Path> libraries)
      throws IOException {
    Path jar = Files.createTempFile("vkj-test-provider", ".jar");
    Path work = Files.createTempDirectory("vkj-test-provider");
    try {
      compileAndPackage(work, jar, simpleName, sourceText, libraries);
      return Files.readAllBytes(jar);
    } finally {
      try (Stream<Path> files = Files.walk(work)) {
        for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(path);
        }
      }
      Files.deleteIfExists(jar);
    }
  }

  private static String factorySource(String simpleName, String providerName) {
    return """
        package test;

        import dev.vkj.spi.ConfigKey;
        import dev.vkj.spi.Provider;
        import dev.vkj.spi.ProviderConfig;
        import dev.vkj.spi.ProviderContext;
        import dev.vkj.spi.ProviderException;
        import dev.vkj.spi.ProviderFactory;
        import java.util.List;

        public final class %1$s implements ProviderFactory {
          public String name() { return "%2$s"; }
          public String description() { return "A provider from a jar"; }
          public List<ConfigKey> configKeys() {
            return List.of(
                ConfigKey.required("endpoint", "URL of the backend"),
                ConfigKey.secret("token", false, "API token"));
          }
          public Provider create(ProviderConfig config, ProviderContext context)
              throws ProviderException {
            throw ProviderException.unsupported("test provider");
          }
        }
        """
        .formatted(simpleName, providerName);
  }

  private static void compileAndPackage(
      Path work, Path jar, String simpleName, String sourceText, List<Path> libraries)
      throws IOException {
    Path source = work.resolve("test").resolve(simpleName + ".java");
    Files.createDirectories(source.getParent());
    Files.writeString(source, sourceText, StandardCharsets.UTF_8);
    Path classes = work.resolve("classes");
    Files.createDirectories(classes);
    List<String> classPath = new ArrayList<>();
    libraries.forEach(library -> classPath.add(library.toString()));
    classPath.add(classPath());
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    int result =
        compiler.run(
            null,
            null,
            null,
            "-proc:none",
            "-d",
            classes.toString(),
            "-classpath",
            String.join(File.pathSeparator, classPath),
            source.toString());
    if (result != 0) {
      throw new IllegalStateException("cannot compile " + source);
    }
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file)) {
      out.putNextEntry(new JarEntry("META-INF/services/" + ProviderFactory.class.getName()));
      out.write(("test." + simpleName + "\n").getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
      try (Stream<Path> files = Files.walk(classes)) {
        for (Path path : files.filter(Files::isRegularFile).toList()) {
          out.putNextEntry(new JarEntry(classes.relativize(path).toString().replace('\\', '/')));
          out.write(Files.readAllBytes(path));
          out.closeEntry();
        }
      }
    }
  }

  private static String classPath() {
    List<String> entries = new ArrayList<>();
    for (Class<?> type :
        List.of(ProviderFactory.class, Pod.class, KubernetesResource.class, MeterRegistry.class)) {
      try {
        entries.add(
            Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
      } catch (URISyntaxException e) {
        throw new IllegalStateException(e);
      }
    }
    entries.add(System.getProperty("java.class.path"));
    return String.join(File.pathSeparator, entries);
  }
}
