package dev.vkj.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vkj.core.VkjException;
import dev.vkj.spi.BackendLimits;
import io.fabric8.kubernetes.api.model.Taint;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

final class RunOptionsTest {
  @TempDir Path dir;

  private static RunOptions parse(Map<String, String> env, String... args) {
    CommandLine commandLine =
        Main.commandLine(
            env,
            new PrintWriter(new StringWriter()),
            new PrintWriter(new StringWriter()),
            RunnerLifecycle.manual());
    String[] withCommand = new String[args.length + 1];
    withCommand[0] = "run";
    System.arraycopy(args, 0, withCommand, 1, args.length);
    commandLine.parseArgs(withCommand);
    return ((RunCommand) commandLine.getSubcommands().get("run").getCommand()).options();
  }

  @Test
  void defaults() {
    RunOptions options = parse(Map.of());

    assertThat(options.provider()).isEqualTo("mock");
    assertThat(options.nodeName()).isEqualTo("virtual-kubelet");
    assertThat(options.kubeconfig()).isEmpty();
    assertThat(options.providerConfig()).isEmpty();
    assertThat(options.providerPath()).isEmpty();
    assertThat(options.nodeIp()).isNotBlank();
    assertThat(options.kubeletPort()).isEqualTo(10250);
    assertThat(options.bindAddress()).isEqualTo("0.0.0.0");
    assertThat(options.taint()).isPresent();
    Taint taint = options.taint().get();
    assertThat(taint.getKey()).isEqualTo("virtual-kubelet.io/provider");
    assertThat(taint.getValue()).isEqualTo("mock");
    assertThat(taint.getEffect()).isEqualTo("NoSchedule");
    assertThat(options.podSyncWorkers()).isEqualTo(10);
    assertThat(options.logLevel()).isEqualTo("info");
    assertThat(options.tlsCertificate()).isEmpty();
    assertThat(options.clientCa()).isEmpty();
    assertThat(options.anonymousAuth()).isFalse();
    assertThat(options.metricsPort()).isEqualTo(10255);
    assertThat(options.nodeLabels()).isEmpty();
    assertThat(options.providerCallTimeouts()).isEmpty();
    assertThat(options.providerReadRate()).isEmpty();
    assertThat(options.providerWriteRate()).isEmpty();
    assertThat(options.statusPollInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(options.providerReadBudget()).isEqualTo(10);
    assertThat(options.startupCleanupParallelism()).isEqualTo(4);
    assertThat(options.leaderElection()).isEmpty();
  }

  @Test
  void leaderElectionHasTheKubeSchedulerDefaultsAndAUniqueIdentityPerProcess() {
    RunOptions.LeaderElectionOptions election =
        parse(Map.of("VKJ_POD_NAME", "vkj-7d9f-abc"), "--leader-elect")
            .leaderElection()
            .orElseThrow();

    assertThat(election.namespace()).isEqualTo("kube-node-lease");
    assertThat(election.leaseDuration()).isEqualTo(Duration.ofSeconds(15));
    assertThat(election.renewDeadline()).isEqualTo(Duration.ofSeconds(10));
    assertThat(election.retryPeriod()).isEqualTo(Duration.ofSeconds(2));
    // two processes of one pod (a restart) must not both think they hold the Lease
    assertThat(election.identity()).startsWith("vkj-7d9f-abc_");
    assertThat(parse(Map.of("VKJ_POD_NAME", "vkj-7d9f-abc"), "--leader-elect").leaderElection())
        .get()
        .extracting(RunOptions.LeaderElectionOptions::identity)
        .isNotEqualTo(election.identity());

    RunOptions.LeaderElectionOptions fromEnv =
        parse(
                Map.of(
                    "VKJ_LEADER_ELECT", "true",
                    "VKJ_LEADER_ELECT_NAMESPACE", "vkj-system",
                    "VKJ_LEADER_ELECT_LEASE_DURATION", "30s"),
                "--leader-elect-renew-deadline=20s",
                "--leader-elect-retry-period=500ms")
            .leaderElection()
            .orElseThrow();
    assertThat(fromEnv.namespace()).isEqualTo("vkj-system");
    assertThat(fromEnv.leaseDuration()).isEqualTo(Duration.ofSeconds(30));
    assertThat(fromEnv.renewDeadline()).isEqualTo(Duration.ofSeconds(20));
    assertThat(fromEnv.retryPeriod()).isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void leaderElectionTimingsAreCheckedLikeClientGoChecksThem() {
    assertUsage(
        "invalid --leader-elect-renew-deadline 15s: must be less than --leader-elect-lease-duration",
        "--leader-elect",
        "--leader-elect-renew-deadline=15s");
    assertUsage(
        "invalid --leader-elect-retry-period 9s: must be less than --leader-elect-renew-deadline",
        "--leader-elect",
        "--leader-elect-retry-period=9s");
    assertUsage(
        "invalid --leader-elect-lease-duration",
        "--leader-elect",
        "--leader-elect-lease-duration=0s");
    assertUsage(
        "--leader-elect-namespace is empty", "--leader-elect", "--leader-elect-namespace= ");
    // without --leader-elect the timings are not used, so they are not checked
    assertThat(parse(Map.of(), "--leader-elect-renew-deadline=1h").leaderElection()).isEmpty();
  }

  @Test
  void theLeaderLeaseIsNamedAfterTheNodeWithinTheNameLimit() {
    assertThat(LeaderElection.leaseName("virtual-kubelet")).isEqualTo("vkj-leader-virtual-kubelet");
    String longName = "a".repeat(240) + ".b-" + "c".repeat(10);
    assertThat(LeaderElection.leaseName(longName))
        .hasSizeLessThanOrEqualTo(253)
        .doesNotEndWith("-");
  }

  @Test
  void providerCallSettingsFromFlags() {
    RunOptions options =
        parse(
            Map.of(),
            "--provider-call-timeout=createPod=2m",
            "--provider-call-timeout",
            "getPodStatus=500ms,ping=3s",
            "--provider-read-rate=25/250",
            "--provider-write-rate=0.5/1",
            "--status-poll-interval=10s",
            "--provider-read-budget=2.5",
            "--startup-cleanup-parallelism=8");

    assertThat(options.providerCallTimeouts())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "createPod",
                Duration.ofMinutes(2),
                "getPodStatus",
                Duration.ofMillis(500),
                "ping",
                Duration.ofSeconds(3)));
    assertThat(options.providerReadRate()).contains(new BackendLimits.Rate(25, 250));
    assertThat(options.providerWriteRate()).contains(new BackendLimits.Rate(0.5, 1));
    assertThat(options.statusPollInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(options.providerReadBudget()).isEqualTo(2.5);
    assertThat(options.startupCleanupParallelism()).isEqualTo(8);
  }

  @Test
  void providerCallSettingsFromEnvironment() {
    RunOptions options =
        parse(
            Map.of(
                "VKJ_PROVIDER_CALL_TIMEOUTS", "deletePod=90s,listPods=1m",
                "VKJ_PROVIDER_READ_RATE", "10/20",
                "VKJ_PROVIDER_WRITE_RATE", "5/10",
                "VKJ_STATUS_POLL_INTERVAL", "1m",
                "VKJ_PROVIDER_READ_BUDGET", "4",
                "VKJ_STARTUP_CLEANUP_PARALLELISM", "2"));

    assertThat(options.providerCallTimeouts())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("deletePod", Duration.ofSeconds(90), "listPods", Duration.ofMinutes(1)));
    assertThat(options.providerReadRate()).contains(new BackendLimits.Rate(10, 20));
    assertThat(options.providerWriteRate()).contains(new BackendLimits.Rate(5, 10));
    assertThat(options.statusPollInterval()).isEqualTo(Duration.ofMinutes(1));
    assertThat(options.providerReadBudget()).isEqualTo(4);
    assertThat(options.startupCleanupParallelism()).isEqualTo(2);
  }

  @Test
  void invalidProviderCallSettingsNameTheOption() {
    assertUsage(
        "invalid --provider-call-timeout: provider operation exec streams and has no timeout",
        "--provider-call-timeout=exec=1s");
    assertUsage("expected one of createPod, updatePod", "--provider-call-timeout=nope=1s");
    assertUsage(
        "invalid --provider-call-timeout createPod 'soon'",
        "--provider-call-timeout=createPod=soon");
    assertUsage("must be positive", "--provider-call-timeout=ping=0s");
    assertUsage("invalid --provider-read-rate '25'", "--provider-read-rate=25");
    assertUsage("invalid --provider-write-rate '0/10'", "--provider-write-rate=0/10");
    assertUsage("invalid --provider-read-rate '5/0'", "--provider-read-rate=5/0");
    assertUsage("invalid --status-poll-interval '5'", "--status-poll-interval=5");
  }

  @Test
  void flags() throws IOException {
    Path cert = Files.writeString(dir.resolve("cert.pem"), "cert");
    Path key = Files.writeString(dir.resolve("key.pem"), "key");
    Path ca = Files.writeString(dir.resolve("ca.pem"), "ca");
    Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), "apiVersion: v1");
    Path config = Files.writeString(dir.resolve("mock.yaml"), "");

    RunOptions options =
        parse(
            Map.of(),
            "--provider=other",
            "--node-name=vk-1",
            "--kubeconfig=" + kubeconfig,
            "--provider-config=" + config,
            "--provider-path=" + dir,
            "--node-ip=10.1.2.3",
            "--kubelet-port=11250",
            "--bind-address=127.0.0.1",
            "--taint-key=example.com/backend",
            "--taint-value=special",
            "--taint-effect=NoExecute",
            "--pod-sync-workers=3",
            "--log-level=DEBUG",
            "--tls-cert=" + cert,
            "--tls-key=" + key,
            "--client-ca=" + ca,
            "--anonymous-auth",
            "--metrics-port=0",
            "--node-label=zone=a",
            "--node-label",
            "tier=burst,team=x");

    assertThat(options.provider()).isEqualTo("other");
    assertThat(options.nodeName()).isEqualTo("vk-1");
    assertThat(options.kubeconfig()).contains(kubeconfig);
    assertThat(options.providerConfig()).contains(config);
    assertThat(options.providerPath()).contains(dir);
    assertThat(options.nodeIp()).isEqualTo("10.1.2.3");
    assertThat(options.kubeletPort()).isEqualTo(11250);
    assertThat(options.bindAddress()).isEqualTo("127.0.0.1");
    Taint taint = options.taint().orElseThrow();
    assertThat(taint.getKey()).isEqualTo("example.com/backend");
    assertThat(taint.getValue()).isEqualTo("special");
    assertThat(taint.getEffect()).isEqualTo("NoExecute");
    assertThat(options.podSyncWorkers()).isEqualTo(3);
    assertThat(options.logLevel()).isEqualTo("debug");
    assertThat(options.tlsCertificate()).contains(new RunOptions.TlsFiles(cert, key));
    assertThat(options.clientCa()).contains(ca);
    assertThat(options.anonymousAuth()).isTrue();
    assertThat(options.metricsPort()).isZero();
    assertThat(options.nodeLabels())
        .containsExactlyInAnyOrderEntriesOf(Map.of("zone", "a", "tier", "burst", "team", "x"));
  }

  @Test
  void environmentVariables() throws IOException {
    Path cert = Files.writeString(dir.resolve("cert.pem"), "cert");
    Path key = Files.writeString(dir.resolve("key.pem"), "key");
    Path ca = Files.writeString(dir.resolve("ca.pem"), "ca");
    Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), "apiVersion: v1");
    Path config = Files.writeString(dir.resolve("p.properties"), "");
    Map<String, String> env = new HashMap<>();
    env.put("VKJ_PROVIDER", "other");
    env.put("VKJ_NODE_NAME", "vk-env");
    env.put("KUBECONFIG", kubeconfig.toString());
    env.put("VKJ_PROVIDER_CONFIG", config.toString());
    env.put("VKJ_PROVIDER_PATH", dir.toString());
    env.put("VKUBELET_POD_IP", "10.9.9.9");
    env.put("KUBELET_PORT", "10000");
    env.put("VKJ_BIND_ADDRESS", "127.0.0.2");
    env.put("VKJ_DISABLE_TAINT", "true");
    env.put("VKJ_POD_SYNC_WORKERS", "4");
    env.put("VKJ_LOG_LEVEL", "warn");
    env.put("APISERVER_CERT_LOCATION", cert.toString());
    env.put("APISERVER_KEY_LOCATION", key.toString());
    env.put("APISERVER_CA_CERT_LOCATION", ca.toString());
    env.put("VKJ_ANONYMOUS_AUTH", "true");
    env.put("VKJ_METRICS_PORT", "9100");
    env.put("VKJ_NODE_LABELS", "a=1,b=2");

    RunOptions options = parse(env);

    assertThat(options.provider()).isEqualTo("other");
    assertThat(options.nodeName()).isEqualTo("vk-env");
    assertThat(options.kubeconfig()).contains(kubeconfig);
    assertThat(options.providerConfig()).contains(config);
    assertThat(options.providerPath()).contains(dir);
    assertThat(options.nodeIp()).isEqualTo("10.9.9.9");
    assertThat(options.kubeletPort()).isEqualTo(10000);
    assertThat(options.bindAddress()).isEqualTo("127.0.0.2");
    assertThat(options.taint()).isEmpty();
    assertThat(options.podSyncWorkers()).isEqualTo(4);
    assertThat(options.logLevel()).isEqualTo("warn");
    assertThat(options.tlsCertificate()).contains(new RunOptions.TlsFiles(cert, key));
    assertThat(options.clientCa()).contains(ca);
    assertThat(options.anonymousAuth()).isTrue();
    assertThat(options.metricsPort()).isEqualTo(9100);
    assertThat(options.nodeLabels()).isEqualTo(Map.of("a", "1", "b", "2"));
  }

  @Test
  void eventLimitsFromFlagsAndEnvironment() {
    assertThat(parse(Map.of()).eventLimits()).isEqualTo(new RunOptions.EventLimits(50, 100));
    assertThat(parse(Map.of(), "--event-qps=5", "--event-burst=10").eventLimits())
        .isEqualTo(new RunOptions.EventLimits(5, 10));
    assertThat(parse(Map.of("VKJ_EVENT_QPS", "1", "VKJ_EVENT_BURST", "2")).eventLimits())
        .isEqualTo(new RunOptions.EventLimits(1, 2));
  }

  @Test
  void taintFromEnvironment() {
    RunOptions options =
        parse(
            Map.of(
                "VKUBELET_TAINT_KEY", "k",
                "VKUBELET_TAINT_VALUE", "v",
                "VKUBELET_TAINT_EFFECT", "PreferNoSchedule"));

    Taint taint = options.taint().orElseThrow();
    assertThat(taint.getKey()).isEqualTo("k");
    assertThat(taint.getValue()).isEqualTo("v");
    assertThat(taint.getEffect()).isEqualTo("PreferNoSchedule");
  }

  @Test
  void taintValueDefaultsToTheProviderName() {
    assertThat(parse(Map.of(), "--provider=acme").taint().orElseThrow().getValue())
        .isEqualTo("acme");
  }

  @Test
  void preferredNodeIpVariableWins() {
    RunOptions options = parse(Map.of("VKJ_NODE_IP", "10.0.0.1", "VKUBELET_POD_IP", "10.0.0.2"));

    assertThat(options.nodeIp()).isEqualTo("10.0.0.1");
  }

  @Test
  void flagsWinOverEnvironment() {
    RunOptions options =
        parse(
            Map.of("VKJ_NODE_NAME", "from-env", "KUBELET_PORT", "1", "VKJ_DISABLE_TAINT", "true"),
            "--node-name=from-flag",
            "--kubelet-port=2",
            "--disable-taint=false");

    assertThat(options.nodeName()).isEqualTo("from-flag");
    assertThat(options.kubeletPort()).isEqualTo(2);
    assertThat(options.taint()).isPresent();
  }

  @Test
  void kubeconfigListUsesTheFirstExistingFile() throws IOException {
    Path existing = Files.writeString(dir.resolve("config"), "apiVersion: v1");
    String list = dir.resolve("missing") + java.io.File.pathSeparator + existing;

    assertThat(parse(Map.of("KUBECONFIG", list)).kubeconfig()).contains(existing);
  }

  @Test
  void invalidValuesNameTheOption() {
    assertUsage(
        "invalid --taint-effect: effect 'Sometimes' is not one of", "--taint-effect=Sometimes");
    assertUsage("invalid --pod-sync-workers: must be at least 1, got 0", "--pod-sync-workers=0");
    assertUsage("invalid --kubelet-port: 70000 is not a port number", "--kubelet-port=70000");
    assertUsage("invalid --node-name: 'Big_Node' is not a valid node name", "--node-name=Big_Node");
    assertUsage("invalid --event-qps/--event-burst", "--event-burst=0");
    assertUsage("invalid --provider-read-budget", "--provider-read-budget=0");
    assertUsage("invalid --startup-cleanup-parallelism", "--startup-cleanup-parallelism=0");
    assertUsage("invalid --node-name: '' is not a valid node name", "--node-name= ");
    assertUsage("invalid --metrics-port -1", "--metrics-port=-1");
    assertUsage("--tls-cert and --tls-key must be given together", "--tls-cert=" + dir);
    assertThatThrownBy(() -> parse(Map.of(), "--kubeconfig=" + dir.resolve("none")))
        .isInstanceOf(VkjException.class)
        .hasMessageContaining("kubeconfig file '" + dir.resolve("none") + "' does not exist");
    assertThatThrownBy(() -> parse(Map.of(), "--client-ca=" + dir.resolve("ca.pem")))
        .isInstanceOf(VkjException.class)
        .hasMessageContaining("invalid --client-ca: CA bundle file");
  }

  private void assertUsage(String message, String... args) {
    assertThatThrownBy(() -> parse(Map.of(), args))
        .isInstanceOf(VkjException.class)
        .hasMessageContaining(message)
        .satisfies(e -> assertThat(((VkjException) e).code()).isEqualTo(VkjException.Code.USAGE));
  }

  @Test
  void helpNamesTheEnvironmentVariableOfEveryOption() {
    CommandLine run =
        Main.commandLine(
                Map.of(),
                new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter()),
                RunnerLifecycle.manual())
            .getSubcommands()
            .get("run");
    String help = run.getUsageMessage();
    int withEnv = 0;
    for (OptionSpec option : run.getCommandSpec().options()) {
      List<String> variables = EnvDefaults.variables(option);
      if (option.usageHelp() || option.versionHelp()) {
        continue;
      }
      assertThat(variables).as("env variables of %s", option.longestName()).isNotEmpty();
      for (String variable : variables) {
        assertThat(String.join(" ", option.description()))
            .as("help of %s", option.longestName())
            .contains(variable);
        assertThat(help).contains(variable);
      }
      withEnv++;
    }
    assertThat(withEnv).isEqualTo(34);
    assertThat(help).contains("Default: 10250").contains("Default: mock");
  }
}
