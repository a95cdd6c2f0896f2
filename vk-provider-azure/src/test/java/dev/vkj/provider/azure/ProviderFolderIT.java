package dev.vkj.provider.azure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The provider folder the build lays out ({@code target/providers/azure}) loads in the runner users
 * run, in its own class loader: the runner's shaded jar knows nothing of Azure.
 */
class ProviderFolderIT {
  private static final Path RUNNER = Path.of("..", "vk-runner", "target", "vk-runner.jar");
  private static final Path FOLDER = Path.of("target", "providers");

  @Test
  void theRunnerListsTheAzureProviderFromItsFolder() throws Exception {
    assertThat(RUNNER).exists();
    assertThat(FOLDER.resolve("azure")).isDirectory();
    try (var jars = Files.list(FOLDER.resolve("azure"))) {
      assertThat(jars.map(p -> p.getFileName().toString()))
          .anyMatch(n -> n.startsWith("vk-provider-azure-"))
          .anyMatch(n -> n.startsWith("azure-resourcemanager-containerinstance-"))
          .noneMatch(n -> n.startsWith("vk-spi-") || n.startsWith("kubernetes-model-"));
    }
    String out = run("providers", "--provider-path=" + FOLDER);
    assertThat(out).contains("azure").contains("resourceGroup").contains("subscriptionId");
  }

  @Test
  void aMissingKeyStopsTheRunnerWithExitCode2NamingIt() throws Exception {
    Path config = Files.createTempFile("azure", ".properties");
    Files.writeString(config, "region=japaneast\n");
    Path kubeconfig = Files.createTempFile("kubeconfig", ".yaml");
    Files.writeString(
        kubeconfig,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\n"
            + "contexts:\n- name: c\n  context:\n    cluster: c\n    user: u\ncurrent-context: c\n"
            + "users:\n- name: u\n  user:\n    token: t\n");
    Process p =
        new ProcessBuilder(
                List.of(
                    java(),
                    "-jar",
                    RUNNER.toString(),
                    "run",
                    "--provider=azure",
                    "--provider-path=" + FOLDER,
                    "--provider-config=" + config,
                    "--kubeconfig=" + kubeconfig))
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(out).isEqualTo(2);
    assertThat(out).contains("resourceGroup");
  }

  private static String run(String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of(java(), "-jar", RUNNER.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
