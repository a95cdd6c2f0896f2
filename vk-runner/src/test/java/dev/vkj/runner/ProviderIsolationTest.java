package dev.vkj.runner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vkj.core.VkjException;
import dev.vkj.spi.NodeDescription;
import dev.vkj.spi.Provider;
import dev.vkj.spi.ProviderConfig;
import dev.vkj.spi.ProviderFactory;
import dev.vkj.testing.FakeProviderContext;
import io.fabric8.kubernetes.api.model.Pod;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;

/**
 * A provider folder that bundles Jackson and Netty versions other than the runner's gets its own
 * versions from {@code --provider-path}, while the SPI types stay shared with the runner.
 */
final class ProviderIsolationTest {
  private static final ClassLoader APP = ProviderIsolationTest.class.getClassLoader();
  private static final Path LIBS = Path.of("target", "provider-libs");
  private static final String JACKSON = "2.17.2";
  private static final String NETTY = "4.1.118.Final";
  private static final String SERVICES = "META-INF/services/" + ProviderFactory.class.getName();

  // reports the versions of the libraries it links against, in its node labels
  private static final String SOURCE =
      """
      package test;

      import com.fasterxml.jackson.databind.ObjectMapper;
      import dev.vkj.spi.ConfigKey;
      import dev.vkj.spi.NodeDescription;
      import dev.vkj.spi.Provider;
      import dev.vkj.spi.ProviderConfig;
      import dev.vkj.spi.ProviderContext;
      import dev.vkj.spi.ProviderFactory;
      import io.fabric8.kubernetes.api.model.Pod;
      import io.fabric8.kubernetes.api.model.PodBuilder;
      import io.fabric8.kubernetes.api.model.PodStatus;
      import java.util.List;
      import java.util.Optional;

      public final class VersionsFactory implements ProviderFactory {
        public String name() { return "versions"; }
        public String description() { return "Reports the library versions it sees"; }
        public List<ConfigKey> configKeys() { return List.of(); }
        public Provider create(ProviderConfig config, ProviderContext context) {
          return new VersionsProvider();
        }

        static final class VersionsProvider implements Provider {
          public void createPod(Pod pod) {}
          public void updatePod(Pod pod) {}
          public void deletePod(Pod pod) {}
          public Optional<Pod> getPod(String namespace, String name) { return Optional.empty(); }
          public Optional<PodStatus> getPodStatus(String namespace, String name) {
            return Optional.empty();
          }
          public List<Pod> listPods() { return List.of(); }
          public NodeDescription describeNode() {
            String podJson;
            try {
              // the provider's own databind over a shared model class
              podJson = new ObjectMapper().writeValueAsString(
                  new PodBuilder().withNewMetadata().withName("p").endMetadata().build());
            } catch (Exception e) {
              podJson = e.toString();
            }
            return NodeDescription.builder()
                .label("jackson-databind",
                    com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION.toString())
                .label("jackson-core",
                    com.fasterxml.jackson.core.json.PackageVersion.VERSION.toString())
                .label("netty-common",
                    io.netty.util.Version.identify().get("netty-common").artifactVersion())
                .label("netty-jar", java.nio.file.Path.of(io.netty.util.Version.class
                    .getProtectionDomain().getCodeSource().getLocation().getPath())
                    .getFileName().toString())
                .label("pod-json", podJson)
                .build();
          }
        }
      }
      """;

  @TempDir Path dir;

  private Path folder;
  private List<Path> libraries;

  @BeforeEach
  void buildProviderFolder() throws IOException {
    libraries =
        List.of(
            LIBS.resolve("jackson-databind-" + JACKSON + ".jar"),
            LIBS.resolve("jackson-core-" + JACKSON + ".jar"),
            // bundled like a cloud SDK does, yet the runner's copy must win (see pod-json)
            LIBS.resolve("jackson-annotations-" + JACKSON + ".jar"),
            LIBS.resolve("netty-common-" + NETTY + ".jar"));
    assertThat(libraries).allSatisfy(library -> assertThat(library).isRegularFile());
    // laid out as documented: one folder with the provider jar and its dependencies
    folder = Files.createDirectories(dir.resolve("versions"));
    TestProviderJars.build(
        folder.resolve("versions-provider.jar"), "VersionsFactory", SOURCE, libraries);
    for (Path library : libraries) {
      Files.copy(library, folder.resolve(library.getFileName()));
    }
  }

  @Test
  void providerSeesItsOwnLibrariesAndTheRunnerKeepsItsOwn() throws Exception {
    try (ProviderRegistry registry = ProviderRegistry.load(APP, Optional.of(dir));
        FakeProviderContext context = FakeProviderContext.create()) {
      ProviderRegistry.Entry entry = registry.get("versions");
      Provider provider = entry.factory().create(ProviderConfig.of(Map.of()), context);
      // as the core calls providers: with the provider's loader as context class loader
      NodeDescription node = withContextClassLoader(entry.loader(), provider::describeNode);

      assertThat(node.labels())
          .containsEntry("jackson-databind", JACKSON)
          .containsEntry("jackson-core", JACKSON)
          .containsEntry("netty-common", NETTY)
          .containsEntry("netty-jar", "netty-common-" + NETTY + ".jar")
          // shared Jackson annotations: @JsonInclude(NON_NULL) of the model is honoured
          .containsEntry(
              "pod-json", "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"}}");
      assertThat(com.fasterxml.jackson.core.json.PackageVersion.VERSION.toString())
          .isNotEqualTo(JACKSON);
      assertThat(io.netty.util.Version.identify(APP).get("netty-common").artifactVersion())
          .isNotEqualTo(NETTY);
      assertThat(provider.getClass().getClassLoader())
          .isSameAs(entry.loader())
          .isInstanceOf(ProviderClassLoader.class);
      assertThat(entry.factory().getClass().getClassLoader()).isSameAs(entry.loader());
    }
  }

  @Test
  void spiTypesAreSharedAndBundledLibrariesAreNot() throws Exception {
    try (ProviderRegistry registry = ProviderRegistry.load(APP, Optional.of(dir))) {
      ClassLoader loader = registry.get("versions").loader();

      for (Class<?> shared :
          List.of(
              Provider.class,
              ProviderFactory.class,
              Pod.class,
              io.fabric8.kubernetes.api.builder.VisitableBuilder.class,
              com.fasterxml.jackson.annotation.JsonInclude.class,
              MeterRegistry.class,
              Logger.class,
              String.class)) {
        assertThat(loader.loadClass(shared.getName())).as(shared.getName()).isSameAs(shared);
      }
      for (Class<?> bundled :
          List.of(com.fasterxml.jackson.core.JsonFactory.class, io.netty.util.Version.class)) {
        assertThat(loader.loadClass(bundled.getName()).getClassLoader())
            .as(bundled.getName())
            .isSameAs(loader);
      }
      // what the provider does not bundle still comes from the runner
      assertThat(loader.loadClass(VkjException.class.getName())).isSameAs(VkjException.class);
    }
  }

  @Test
  void factoryServiceFileIsFoundOnceInTheProviderJar() throws Exception {
    try (ProviderRegistry registry = ProviderRegistry.load(APP, Optional.of(dir))) {
      ClassLoader loader = registry.get("versions").loader();

      List<URL> services = Collections.list(loader.getResources(SERVICES));
      assertThat(services).hasSize(1);
      assertThat(services.get(0).toString()).contains("versions-provider.jar");
      assertThat(loader.getResource(SERVICES)).isEqualTo(services.get(0));
      assertThat(ServiceLoader.load(ProviderFactory.class, loader).stream())
          .extracting(p -> p.type().getName())
          .containsExactly("test.VersionsFactory");
      // the runner's own provider is not seen twice
      assertThat(registry.entries())
          .extracting(e -> e.factory().name())
          .containsExactly("mock", "versions");
    }
  }

  @Test
  void jarsWithoutFactoryRegisterNothing() throws Exception {
    Path libs = Files.createDirectories(dir.resolve("libs-only"));
    Files.copy(libraries.get(3), libs.resolve(libraries.get(3).getFileName()));

    try (ProviderRegistry registry = ProviderRegistry.load(APP, Optional.of(dir))) {
      assertThat(registry.entries())
          .extracting(e -> e.factory().name())
          .containsExactly("mock", "versions");
    }
  }

  private static <T> T withContextClassLoader(ClassLoader loader, Callable<T> action)
      throws Exception {
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(loader);
    try {
      return action.call();
    } finally {
      thread.setContextClassLoader(previous);
    }
  }
}
