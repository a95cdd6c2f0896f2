package dev.vkj.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vkj.core.VkjException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class ProviderRegistryTest {
  private static final ClassLoader APP = ProviderRegistryTest.class.getClassLoader();

  @TempDir Path dir;

  @Test
  void classPathProviders() {
    try (ProviderRegistry registry = ProviderRegistry.load(APP, Optional.empty())) {
      ProviderRegistry.Entry mock = registry.get("mock");

      assertThat(mock.origin()).isEqualTo("class path");
      assertThat(mock.factory().getClass().getName())
          .isEqualTo("dev.vkj.provider.mock.MockProviderFactory");
    }
  }

  @Test
  void jarAndSubFolderEachGetTheirOwnLoader() throws IOException {
    TestProviderJars.build(dir.resolve("alpha.jar"), "AlphaFactory", "alpha");
    Path beta = Files.createDirectories(dir.resolve("beta"));
    TestProviderJars.build(beta.resolve("beta-provider.jar"), "BetaFactory", "beta");
    Files.writeString(dir.resolve("README.txt"), "not a jar");
    Files.createDirectories(dir.resolve("empty"));

    try (ProviderRegistry registry = ProviderRegistry.load(APP, Optional.of(dir))) {
      ProviderRegistry.Entry alpha = registry.get("alpha");
      ProviderRegistry.Entry betaEntry = registry.get("beta");

      assertThat(registry.entries())
          .extracting(e -> e.factory().name())
          .containsExactly("alpha", "beta", "mock");
      assertThat(alpha.origin()).isEqualTo(dir.resolve("alpha.jar").toString());
      assertThat(betaEntry.origin()).isEqualTo(beta.toString());
      assertThat(alpha.loader()).isNotSameAs(betaEntry.loader()).isNotSameAs(APP);
      assertThat(alpha.factory().getClass().getClassLoader()).isSameAs(alpha.loader());
      // the SPI is shared with the runner, so the factory is usable as a ProviderFactory here
      assertThat(alpha.loader().getParent()).isSameAs(APP);
      assertThat(registry.get("mock").origin()).isEqualTo("class path");
    }
  }

  @Test
  void unknownNameListsEveryProvider() throws IOException {
    TestProviderJars.build(dir.resolve("alpha.jar"), "AlphaFactory", "alpha");

    try (ProviderRegistry registry = ProviderRegistry.load(APP, Optional.of(dir))) {
      assertThatThrownBy(() -> registry.get("gamma"))
          .isInstanceOf(VkjException.class)
          .hasMessage("unknown provider 'gamma'; available: alpha, mock");
    }
  }

  @Test
  void nameClashWithTheClassPathIsAnError() throws IOException {
    TestProviderJars.build(dir.resolve("fake-mock.jar"), "FakeMockFactory", "mock");

    assertThatThrownBy(() -> ProviderRegistry.load(APP, Optional.of(dir)))
        .isInstanceOf(VkjException.class)
        .hasMessageContaining("duplicate provider name 'mock'")
        .hasMessageContaining("test.FakeMockFactory")
        .satisfies(e -> assertThat(((VkjException) e).code()).isEqualTo(VkjException.Code.CONFIG));
  }

  @Test
  void invalidNameIsAnError() throws IOException {
    TestProviderJars.build(dir.resolve("bad.jar"), "BadFactory", "Bad_Name");

    assertThatThrownBy(() -> ProviderRegistry.load(APP, Optional.of(dir)))
        .isInstanceOf(VkjException.class)
        .hasMessageContaining("invalid name 'Bad_Name'");
  }

  @Test
  void providerPathMustBeAFolder() {
    Path missing = dir.resolve("missing");

    assertThatThrownBy(() -> ProviderRegistry.load(APP, Optional.of(missing)))
        .isInstanceOf(VkjException.class)
        .hasMessage("provider path '" + missing + "' is not a directory");
  }

  @Test
  void brokenServiceFileIsAnError() throws IOException {
    Path jar = dir.resolve("broken.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      out.putNextEntry(new JarEntry("META-INF/services/dev.vkj.spi.ProviderFactory"));
      out.write("test.DoesNotExist\n".getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
    }

    assertThatThrownBy(() -> ProviderRegistry.load(APP, Optional.of(dir)))
        .isInstanceOf(VkjException.class)
        .hasMessageContaining("cannot load providers from " + jar);
  }
}
