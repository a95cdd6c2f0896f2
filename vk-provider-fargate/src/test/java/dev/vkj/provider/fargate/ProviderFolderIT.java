package dev.vkj.provider.fargate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The provider folder the build lays out ({@code target/providers/fargate}) loads in the runner
 * users run, in its own class loader: the runner's shaded jar knows nothing of AWS.
 */
class ProviderFolderIT {
  private static final Path RUNNER = Path.of("..", "vk-runner", "target", "vk-runner.jar");
  private static final Path FOLDER = Path.of("target", "providers");

  @Test
  void theRunnerListsTheFargateProviderFromItsFolder() throws Exception {
    assertThat(RUNNER).exists();
    assertThat(FOLDER.resolve("fargate")).isDirectory();
    try (var jars = Files.list(FOLDER.resolve("fargate"))) {
      assertThat(jars.map(p -> p.getFileName().toString()))
          .anyMatch(n -> n.startsWith("vk-provider-fargate-"))
          .anyMatch(n -> n.startsWith("ecs-"))
          .anyMatch(n -> n.startsWith("url-connection-client-"))
          .noneMatch(
              n ->
                  n.startsWith("vk-spi-")
                      || n.startsWith("kubernetes-model-")
                      || n.startsWith("netty-")
                      || n.startsWith("apache"));
    }
    String out = run("providers", "--provider-path=" + FOLDER);
    assertThat(out).contains("fargate").contains("subnets").contains("executionRoleArn");
  }

  @Test
  void aMissingKeyStopsTheRunnerWithExitCode2NamingIt() throws Exception {
    Path config = Files.createTempFile("fargate", ".properties");
    Files.writeString(config, "region=us-east-1\n");
    Result result = runner(config, Map.of());
    assertThat(result.code()).as(result.out()).isEqualTo(2);
    assertThat(result.out()).contains("subnets");
  }

  /** No credentials anywhere in the default chain: exit 1 with the SDK's answer. */
  @Test
  void withoutCredentialsTheRunnerStopsWithExitCode1BeforeRegistering() throws Exception {
    Path config = Files.createTempFile("fargate", ".properties");
    Files.writeString(
        config, "region=us-east-1\nsubnets=subnet-0a1b2c3d\nendpoint=http://127.0.0.1:9\n");
    Path none = Files.createTempDirectory("no-aws");
    Result result =
        runner(
            config,
            Map.of(
                "AWS_SHARED_CREDENTIALS_FILE", none.resolve("credentials").toString(),
                "AWS_CONFIG_FILE", none.resolve("config").toString(),
                "AWS_EC2_METADATA_DISABLED", "true"));
    assertThat(result.code()).as(result.out()).isEqualTo(1);
    assertThat(result.out()).contains("Unable to load credentials");
  }

  private record Result(int code, String out) {}

  private static Result runner(Path config, Map<String, String> environment) throws Exception {
    Path kubeconfig = Files.createTempFile("kubeconfig", ".yaml");
    Files.writeString(
        kubeconfig,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\n"
            + "contexts:\n- name: c\n  context:\n    cluster: c\n    user: u\ncurrent-context: c\n"
            + "users:\n- name: u\n  user:\n    token: t\n");
    ProcessBuilder builder =
        new ProcessBuilder(
                List.of(
                    java(),
                    "-jar",
                    RUNNER.toString(),
                    "run",
                    "--provider=fargate",
                    "--provider-path=" + FOLDER,
                    "--provider-config=" + config,
                    "--kubeconfig=" + kubeconfig))
            .redirectErrorStream(true);
    builder.environment().keySet().removeIf(k -> k.startsWith("AWS_"));
    builder.environment().putAll(environment);
    Process p = builder.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    return new Result(p.exitValue(), out);
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
