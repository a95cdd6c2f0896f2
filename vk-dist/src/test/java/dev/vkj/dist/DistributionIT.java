package dev.vkj.dist;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vkj.dist.Launcher.Result;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The unpacked distribution ({@code target/vkj}) run through its launcher, as users run it: the
 * runner in {@code lib/} knows no provider, and each folder of {@code providers/} loads in its own
 * class loader.
 */
class DistributionIT {
  private static final List<String> PROVIDERS = List.of("mock", "azure", "fargate");

  /** Class files and service files that only a provider or a provider's SDK brings. */
  private static final List<String> PROVIDER_ONLY =
      List.of(
          "dev/vkj/provider/",
          "com/azure/",
          "com/microsoft/aad/",
          "software/amazon/awssdk/",
          "META-INF/services/dev.vkj.spi.ProviderFactory");

  @TempDir Path dir;

  @Test
  void providersListsMockAzureAndFargateEachFromItsOwnFolder() {
    Path providers = Launcher.home().resolve("providers");

    Result result = Launcher.distribution().run("providers");

    assertThat(result.exitCode()).as(result.output()).isZero();
    // the origin is the folder whose class loader found the provider, never the class path
    for (String name : PROVIDERS) {
      assertThat(result.output()).contains(name + "  (" + providers.resolve(name) + ")");
    }
    assertThat(result.output()).doesNotContain("(class path)");
    assertThat(result.output())
        .contains("resourceGroup", "subscriptionId")
        .contains("subnets", "executionRoleArn")
        .contains("stateFile");
  }

  @Test
  void libHoldsTheRunnerWithoutAnyProviderOrProviderLibrary() throws IOException {
    Path lib = Launcher.home().resolve("lib");

    List<String> jars = jarNames(lib);

    assertThat(jars)
        .anyMatch(n -> n.startsWith("vk-runner-"))
        .anyMatch(n -> n.startsWith("vk-core-"))
        .anyMatch(n -> n.startsWith("vk-spi-"))
        .noneMatch(n -> n.startsWith("vk-provider-"))
        .noneMatch(n -> n.startsWith("azure-") || n.startsWith("msal4j"));
    for (String jar : jars) {
      assertThat(providerOnlyEntries(lib.resolve(jar)))
          .as("provider classes in lib/" + jar)
          .isEmpty();
    }
  }

  @Test
  void eachProviderFolderHoldsItsJarAndOnlyTheLibrariesTheRunnerLacks() throws IOException {
    Path providers = Launcher.home().resolve("providers");

    assertThat(jarNames(providers.resolve("mock")))
        .anyMatch(n -> n.startsWith("vk-provider-mock-"))
        .noneMatch(n -> n.startsWith("vk-spi-") || n.startsWith("slf4j-"));
    assertThat(jarNames(providers.resolve("azure")))
        .anyMatch(n -> n.startsWith("vk-provider-azure-"))
        .anyMatch(n -> n.startsWith("azure-resourcemanager-containerinstance-"))
        .noneMatch(n -> n.startsWith("vk-spi-") || n.startsWith("kubernetes-model-"))
        .noneMatch(n -> n.startsWith("slf4j-"));
    assertThat(jarNames(providers.resolve("fargate")))
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

  @Test
  void versionNamesTheBuiltVersion() {
    Result result = Launcher.distribution().run("version");

    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output()).contains("vk-runner " + System.getProperty("vkj.version"));
  }

  @Test
  void theLauncherIsExecutableAndFindsItsHomeThroughSymbolicLinks() throws IOException {
    Path launcher = Launcher.home().resolve("bin").resolve("vk-runner");
    assertThat(Files.getPosixFilePermissions(launcher))
        .contains(
            PosixFilePermission.OWNER_EXECUTE,
            PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_EXECUTE);
    // /usr/local/bin/vk-runner -> ../vkj/bin/vk-runner style, relative and then absolute
    Path binDir = Files.createDirectories(dir.resolve("usr/bin"));
    Path relative =
        Files.createSymbolicLink(binDir.resolve("vk-runner"), binDir.relativize(launcher));
    Path absolute = Files.createSymbolicLink(dir.resolve("vkr"), relative.toAbsolutePath());

    Result result = Launcher.of(absolute).run("providers");

    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output())
        .contains("mock  (" + Launcher.home().resolve("providers").resolve("mock") + ")");
  }

  @Test
  void aProviderPathOfTheCallerWinsOverTheDistributions() throws IOException {
    Path empty = Files.createDirectories(dir.resolve("no-providers"));

    Result result =
        Launcher.distribution()
            .with(Map.of("VKJ_PROVIDER_PATH", empty.toString()))
            .run("providers");

    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output()).contains("no providers found");
  }

  @Test
  void javaOptsReachTheJvm() {
    Result result =
        Launcher.distribution()
            .with(Map.of("JAVA_OPTS", "-Dvkj.dist.marker=present -XshowSettings:properties"))
            .run("version");

    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output()).contains("vkj.dist.marker = present");
  }

  @Test
  void aJavaOlderThan17IsAClearError() throws IOException {
    Path java8 = Files.createDirectories(dir.resolve("jdk8/bin")).resolve("java");
    Files.writeString(java8, "#!/bin/sh\necho 'java version \"1.8.0_402\"' >&2\n");
    Files.setPosixFilePermissions(java8, PosixFilePermissions.fromString("rwxr-xr-x"));

    Result result =
        Launcher.distribution()
            .with(Map.of("JAVA_HOME", dir.resolve("jdk8").toString()))
            .run("version");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.output()).contains("is Java 1.8.0_402; vk-runner needs Java 17 or later");
  }

  @Test
  void noJavaAtAllIsAClearError() throws IOException {
    // a PATH with the tools the launcher uses, and no java
    Path bin = Files.createDirectories(dir.resolve("tools"));
    for (String tool : List.of("sed", "ls", "dirname", "head", "cut")) {
      Files.createSymbolicLink(bin.resolve(tool), which(tool));
    }

    Result result =
        Launcher.distribution().withoutJavaHome().with(Map.of("PATH", bin.toString())).run();
    Result wrongHome =
        Launcher.distribution()
            .with(Map.of("JAVA_HOME", dir.resolve("nowhere").toString()))
            .run("version");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.output())
        .contains("no Java found: set JAVA_HOME or put java (17 or later) on the PATH");
    assertThat(wrongHome.exitCode()).isEqualTo(1);
    assertThat(wrongHome.output()).contains("is not an executable");
  }

  @Test
  void aMissingAzureKeyStopsTheRunWithExitCode2NamingIt() throws IOException {
    Path config = Files.writeString(dir.resolve("azure.properties"), "region=japaneast\n");

    Result result = runOnUnreachableCluster("azure", config, Map.of());

    assertThat(result.exitCode()).as(result.output()).isEqualTo(2);
    assertThat(result.output()).contains("resourceGroup");
  }

  @Test
  void aMissingFargateKeyStopsTheRunWithExitCode2NamingIt() throws IOException {
    Path config = Files.writeString(dir.resolve("fargate.properties"), "region=us-east-1\n");

    Result result = runOnUnreachableCluster("fargate", config, Map.of());

    assertThat(result.exitCode()).as(result.output()).isEqualTo(2);
    assertThat(result.output()).contains("subnets");
  }

  /** No credentials anywhere in the default chain: exit 1 with the SDK's answer. */
  @Test
  void fargateWithoutCredentialsStopsWithExitCode1BeforeRegistering() throws IOException {
    Path config =
        Files.writeString(
            dir.resolve("fargate.properties"),
            "region=us-east-1\nsubnets=subnet-0a1b2c3d\nendpoint=http://127.0.0.1:9\n");
    Path none = Files.createDirectories(dir.resolve("no-aws"));

    Result result =
        runOnUnreachableCluster(
            "fargate",
            config,
            Map.of(
                "AWS_SHARED_CREDENTIALS_FILE", none.resolve("credentials").toString(),
                "AWS_CONFIG_FILE", none.resolve("config").toString(),
                "AWS_EC2_METADATA_DISABLED", "true"));

    assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
    assertThat(result.output()).contains("Unable to load credentials");
  }

  private Result runOnUnreachableCluster(
      String provider, Path config, Map<String, String> environment) throws IOException {
    return Launcher.distribution()
        .with(environment)
        .run(
            "run",
            "--provider=" + provider,
            "--provider-config=" + config,
            "--kubeconfig=" + kubeconfig("https://127.0.0.1:1"),
            "--metrics-port=0",
            // what is under test is the provider's own check, which comes after this one
            "--skip-access-check");
  }

  private Path kubeconfig(String server) throws IOException {
    return Files.writeString(
        Files.createTempFile(dir, "kubeconfig", ".yaml"),
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: c
          cluster: {server: "%s", insecure-skip-tls-verify: true}
        users:
        - name: u
          user: {token: "not-a-real-token"}
        contexts:
        - name: c
          context: {cluster: c, user: u, namespace: default}
        current-context: c
        """
            .formatted(server));
  }

  private static List<String> jarNames(Path folder) throws IOException {
    assertThat(folder).isDirectory();
    try (Stream<Path> files = Files.list(folder)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jar")).toList();
    }
  }

  private static List<String> providerOnlyEntries(Path jar) {
    try (JarFile file = new JarFile(jar.toFile())) {
      List<String> found = new ArrayList<>();
      file.stream()
          .map(e -> e.getName())
          .filter(name -> PROVIDER_ONLY.stream().anyMatch(name::startsWith))
          .limit(5)
          .forEach(found::add);
      return found;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path which(String tool) {
    for (String entry : System.getenv("PATH").split(":")) {
      Path candidate = Path.of(entry, tool);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new AssertionError(tool + " not on the PATH");
  }
}
