package dev.vkj.runner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vkj.core.VkjException;
import dev.vkj.spi.ConfigKey;
import dev.vkj.spi.ProviderException;
import dev.vkj.spi.ProviderFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class MainTest {
  @TempDir Path dir;

  @Test
  void unknownProviderListsTheAvailableOnes() {
    Runs runs = Runs.run("run", "--provider=nope", "--metrics-port=0");

    assertThat(runs.exitCode()).as("%s", runs).isEqualTo(2);
    assertThat(runs.err()).contains("unknown provider 'nope'; available: mock");
  }

  @Test
  void unknownProviderFromTheEnvironment() {
    Runs runs = Runs.run(Map.of("VKJ_PROVIDER", "aci-typo"), "run");

    assertThat(runs.exitCode()).as("%s", runs).isEqualTo(2);
    assertThat(runs.err()).contains("unknown provider 'aci-typo'; available: ");
  }

  @Test
  void undeclaredConfigKeyIsNamed() throws IOException {
    Path config = Files.writeString(dir.resolve("mock.yaml"), "noSuchKey: 1\n");

    Runs runs = Runs.run("run", "--provider-config=" + config);

    assertThat(runs.exitCode()).as("%s", runs).isEqualTo(2);
    assertThat(runs.err()).contains("'noSuchKey'").contains("unknown key");
  }

  @Test
  void unparsableYamlIsAConfigurationError() throws IOException {
    Path config = Files.writeString(dir.resolve("mock.yaml"), "a: [1\n b: \"s3cret\n");

    Runs runs = Runs.run("run", "--provider-config=" + config);

    assertThat(runs.exitCode()).as("%s", runs).isEqualTo(2);
    assertThat(runs.err()).contains("cannot parse provider config file '" + config + "'");
    assertThat(runs.err()).doesNotContain("s3cret");
  }

  @Test
  void missingConfigFileIsNamed() {
    Path missing = dir.resolve("missing.yaml");

    Runs runs = Runs.run(Map.of("VKJ_PROVIDER_CONFIG", missing.toString()), "run");

    assertThat(runs.exitCode()).as("%s", runs).isEqualTo(2);
    assertThat(runs.err()).contains("--provider-config file '" + missing + "' does not exist");
  }

  @Test
  void missingKubeconfigIsAConfigurationError() {
    Runs runs = Runs.run(Map.of("HOME", dir.toString()), "run", "--metrics-port=0");

    assertThat(runs.exitCode()).as("%s", runs).isEqualTo(2);
    assertThat(runs.err()).contains("no kubeconfig: pass --kubeconfig or set KUBECONFIG");
  }

  @Test
  void unreadableKubeconfigIsAConfigurationError() throws IOException {
    Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), "users: [{token: s3cret\n");

    Runs runs = Runs.run("run", "--kubeconfig=" + kubeconfig, "--metrics-port=0");

    assertThat(runs.exitCode()).as("%s", runs).isEqualTo(2);
    assertThat(runs.err()).contains("cannot load kubeconfig '" + kubeconfig + "'");
    assertThat(runs.err()).doesNotContain("s3cret");
  }

  @Test
  void badTaintEffectIsAUsageError() {
    Runs runs = Runs.run("run", "--taint-effect=Never");

    assertThat(runs.exitCode()).as("%s", runs).isEqualTo(2);
    assertThat(runs.err())
        .contains("invalid --taint-effect: effect 'Never' is not one of")
        .contains("See 'vk-runner run --help'");
  }

  @Test
  void badTaintEffectFromTheEnvironment() {
    Runs runs = Runs.run(Map.of("VKUBELET_TAINT_EFFECT", "NoScheduel"), "run");

    assertThat(runs.exitCode()).as("%s", runs).isEqualTo(2);
    assertThat(runs.err()).contains("invalid --taint-effect: effect 'NoScheduel' is not one of");
  }

  @Test
  void parameterErrorsAreUsageErrors() {
    Runs unknown = Runs.run("run", "--nodename=x");
    Runs notANumber = Runs.run("run", "--kubelet-port=abc");
    Runs badLabel = Runs.run("run", "--node-label=novalue");
    Runs badLevel = Runs.run("run", "--log-level=loud");
    Runs zeroWorkers = Runs.run(Map.of("VKJ_POD_SYNC_WORKERS", "0"), "run");

    assertThat(unknown.exitCode()).as("%s", unknown).isEqualTo(2);
    assertThat(unknown.err()).contains("Unknown option: '--nodename=x'").contains("--help");
    assertThat(notANumber.exitCode()).as("%s", notANumber).isEqualTo(2);
    assertThat(notANumber.err()).contains("--kubelet-port");
    assertThat(badLabel.exitCode()).as("%s", badLabel).isEqualTo(2);
    assertThat(badLevel.exitCode()).as("%s", badLevel).isEqualTo(2);
    assertThat(badLevel.err()).contains("invalid --log-level 'loud'");
    assertThat(zeroWorkers.exitCode()).as("%s", zeroWorkers).isEqualTo(2);
  }

  @Test
  void noSubcommandPrintsUsage() {
    Runs runs = Runs.run();

    assertThat(runs.exitCode()).isEqualTo(2);
    assertThat(runs.err()).contains("Usage: vk-runner").contains("run").contains("providers");
  }

  @Test
  void providersListsTheMockProviderAndItsKeys() {
    ProviderFactory mock =
        ServiceLoader.load(ProviderFactory.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(f -> f.name().equals("mock"))
            .findFirst()
            .orElseThrow();

    Runs runs = Runs.run("providers");

    assertThat(runs.exitCode()).as("%s", runs).isZero();
    assertThat(runs.out()).contains("mock  (class path)");
    assertThat(runs.out()).contains("KEY").contains("REQUIRED").contains("SECRET");
    for (ConfigKey key : mock.configKeys()) {
      assertThat(runs.out()).contains("  " + key.name() + " ").contains(key.description());
    }
  }

  @Test
  void providersIncludesTheProviderPath() throws IOException {
    TestProviderJars.build(dir.resolve("acme.jar"), "AcmeFactory", "acme");

    Runs runs = Runs.run("providers", "--provider-path=" + dir);

    assertThat(runs.exitCode()).as("%s", runs).isZero();
    assertThat(runs.out()).contains("acme  (" + dir.resolve("acme.jar") + ")");
    assertThat(runs.out()).contains("A provider from a jar");
    List<String> lines = runs.out().lines().map(String::strip).toList();
    assertThat(lines).anyMatch(l -> l.matches("endpoint\\s+yes\\s+no\\s+-\\s+URL of the backend"));
    assertThat(lines).anyMatch(l -> l.matches("token\\s+no\\s+yes\\s+-\\s+API token"));
  }

  @Test
  void runSelectsAProviderFromTheProviderPath() throws IOException {
    TestProviderJars.build(dir.resolve("acme.jar"), "AcmeFactory", "acme");

    Runs runs = Runs.run("run", "--provider=acme", "--provider-path=" + dir);

    // found, then its required key is reported by name
    assertThat(runs.exitCode()).as("%s", runs).isEqualTo(2);
    assertThat(runs.err()).contains("'endpoint'").contains("required key is missing");
  }

  @Test
  void secretValuesAreNeverPrinted() throws IOException {
    Path jars = Files.createDirectories(dir.resolve("providers"));
    TestProviderJars.build(jars.resolve("acme.jar"), "AcmeFactory", "acme");
    Path config = Files.writeString(dir.resolve("acme.yaml"), "token: hunter2\nextra: x\n");

    Runs runs =
        Runs.run(
            "run", "--provider=acme", "--provider-path=" + jars, "--provider-config=" + config);

    assertThat(runs.exitCode()).as("%s", runs).isEqualTo(2);
    assertThat(runs.err()).contains("'extra'");
    assertThat(runs.out() + runs.err()).doesNotContain("hunter2");
  }

  @Test
  void duplicateProviderNamesAreAConfigurationError() throws IOException {
    TestProviderJars.build(dir.resolve("a.jar"), "FirstFactory", "twin");
    TestProviderJars.build(dir.resolve("b.jar"), "SecondFactory", "twin");

    Runs runs = Runs.run("providers", "--provider-path=" + dir);

    assertThat(runs.exitCode()).as("%s", runs).isEqualTo(2);
    assertThat(runs.err()).contains("duplicate provider name 'twin'");
  }

  @Test
  void versionPrintsVkjJavaAndFabric8() {
    Runs runs = Runs.run("version");

    assertThat(runs.exitCode()).isZero();
    assertThat(runs.out())
        .contains("vk-runner " + VersionInfo.projectVersion())
        .contains("Java " + System.getProperty("java.version"))
        .contains("fabric8 kubernetes-client 8.");
    assertThat(VersionInfo.projectVersion()).isNotEqualTo("unknown").doesNotContain("${");
  }

  @Test
  void exitCodesFollowTheErrorCode() {
    assertThat(Main.exitCode(new VkjException(VkjException.Code.STARTUP, "x"))).isEqualTo(1);
    assertThat(Main.exitCode(new RuntimeException(new VkjException(VkjException.Code.CONFIG, "x"))))
        .isEqualTo(2);
    assertThat(
            Main.exitCode(
                new VkjException(
                    VkjException.Code.STARTUP,
                    "provider failed",
                    ProviderException.invalidConfig("region", "unknown region"))))
        .isEqualTo(2);
    assertThat(Main.exitCode(new IllegalStateException("boom"))).isEqualTo(1);
  }
}
