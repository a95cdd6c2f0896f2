package dev.vkj.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/** The distribution jar, {@code target/vk-runner.jar}, run with {@code java -jar}. */
class ShadedJarIT {
  private static final Path JAR = Path.of("target", "vk-runner.jar");

  private record Result(int exitCode, String output) {}

  private static Result java(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(JAR.toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().close();
    byte[] output = process.getInputStream().readAllBytes();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
  }

  @Test
  void manifestAndServices() throws IOException {
    assertThat(JAR).exists();
    try (JarFile jar = new JarFile(JAR.toFile())) {
      assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
          .isEqualTo("dev.vkj.runner.Main");
      String services =
          new String(
              jar.getInputStream(jar.getEntry("META-INF/services/dev.vkj.spi.ProviderFactory"))
                  .readAllBytes(),
              StandardCharsets.UTF_8);
      assertThat(services).contains("dev.vkj.provider.mock.MockProviderFactory");
      // the HTTP client of fabric8 is found through a merged service file as well
      assertThat(
              jar.getEntry(
                  "META-INF/services/io.fabric8.kubernetes.client.http.HttpClient$Factory"))
          .isNotNull();
    }
  }

  @Test
  void commands() throws IOException, InterruptedException {
    Result version = java("version");
    Result providers = java("providers");
    Result unknown = java("run", "--provider=nope", "--metrics-port=0");
    Result noCommand = java();

    assertThat(version.exitCode()).as(version.output()).isZero();
    assertThat(version.output()).contains("vk-runner " + VersionInfo.projectVersion());
    assertThat(providers.exitCode()).as(providers.output()).isZero();
    assertThat(providers.output()).contains("mock  (class path)");
    assertThat(unknown.exitCode()).as(unknown.output()).isEqualTo(2);
    assertThat(unknown.output()).contains("unknown provider 'nope'; available: mock");
    assertThat(noCommand.exitCode()).isEqualTo(2);
    assertThat(Files.size(JAR)).isGreaterThan(1_000_000);
  }
}
