package dev.vkj.e2e;

import static dev.vkj.e2e.E2eCluster.NODE;
import static dev.vkj.e2e.E2eCluster.await;
import static dev.vkj.e2e.E2eCluster.awaitValue;
import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.policy.v1beta1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The chart's RBAC is least privilege, proven on the real control plane: the chart rendered for the
 * mock provider is applied server-side, and the runner runs with its ServiceAccount's token.
 * Without any one rule of the ClusterRole (or the auth-delegator binding) the runner refuses to
 * start, naming each permission of that rule; with the whole role it runs the hands-on.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChartRbacE2E {
  private static final String RELEASE = "virtual-kubelet";

  /** A runner that lacks a permission exits after its access check: seconds, not minutes. */
  private static final Duration FAILING_START = Duration.ofSeconds(120);

  private final String ns = "vkj-rbac-" + Long.toString(System.currentTimeMillis(), 36);
  private KubernetesClient admin;
  private HelmInstall helm;
  private Path work;
  private List<String> args;
  private Map<String, String> env;
  private String user;
  private E2eCluster cluster;

  @BeforeAll
  void install() throws Exception {
    admin = new KubernetesClientBuilder().withConfig(Config.autoConfigure(null)).build();
    admin
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .create();
    work =
        Files.createDirectories(
            Path.of(System.getProperty("vkj.e2e.logs", "target/e2e-logs"), "chart-rbac"));
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("provider", "mock");
    values.put("nodeName", NODE);
    values.put("rbac.install", true);
    values.put("kubeletPort", System.getenv().getOrDefault("VKJ_E2E_KUBELET_PORT", "10250"));
    values.put("metrics.port", Integer.toString(E2eCluster.freePort()));
    values.put("providerConfig.stateFile", work.resolve("mock-state.json").toAbsolutePath());
    values.put("providerConfig.startupDelay", "1s");
    helm = new HelmInstall(RELEASE, ns, values);
    helm.apply(admin);
    HelmInstall.Pod pod = helm.pod(admin, work, "127.0.0.1");
    args = new ArrayList<>(pod.args());
    String cert = System.getenv("VKJ_KUBELET_CERT");
    String key = System.getenv("VKJ_KUBELET_KEY");
    if (cert != null && key != null) {
      args.addAll(List.of("--tls-cert=" + cert, "--tls-key=" + key));
    }
    env = pod.environment();
    user = "system:serviceaccount:" + ns + ":" + RELEASE + "-vkj";
  }

  @AfterAll
  void uninstall() throws Exception {
    try {
      if (cluster != null) {
        cluster.deleteNamespaceAndClose(ns);
      } else if (admin != null) {
        admin.namespaces().withName(ns).delete();
      }
    } finally {
      if (helm != null) {
        helm.deleteClusterScoped(admin);
      }
      if (admin != null) {
        admin.close();
      }
    }
  }

  @Test
  @Order(1)
  void withoutAnyOneRuleOfTheRoleTheRunnerStopsNamingItsPermissions() throws Exception {
    ClusterRole role = one(ClusterRole.class, RELEASE + "-vkj");
    List<PolicyRule> rules = role.getRules();
    assertThat(rules).isNotEmpty();
    try {
      for (int i = 0; i < rules.size(); i++) {
        PolicyRule removed = rules.get(i);
        List<PolicyRule> rest = new ArrayList<>(rules);
        rest.remove(i);
        admin
            .resource(new ClusterRoleBuilder(role).withRules(rest).build())
            .forceConflicts()
            .serverSideApply();
        List<String> expected = describe(removed);
        // RBAC changes reach the authorizer a moment later
        await(
            Duration.ofSeconds(30),
            "the API server denying " + expected.get(0),
            () -> !allowed(removed, 0));

        String log = failingStart("without-rule-" + i);
        for (String permission : expected) {
          assertThat(log).contains("missing permission: " + permission);
        }
        assertThat(log.lines().filter(l -> l.contains("missing permission: ")))
            .as("only the permissions of the removed rule")
            .hasSize(expected.size());
      }
    } finally {
      admin.resource(role).forceConflicts().serverSideApply();
    }
  }

  @Test
  @Order(2)
  void withoutTheAuthDelegatorBindingTheRunnerStopsNamingTheReviews() throws Exception {
    ClusterRoleBinding binding = one(ClusterRoleBinding.class, RELEASE + "-vkj-auth-delegator");
    try {
      admin.resource(binding).delete();
      PolicyRule tokenReviews =
          new io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder()
              .withApiGroups("authentication.k8s.io")
              .withResources("tokenreviews")
              .withVerbs("create")
              .build();
      await(
          Duration.ofSeconds(30),
          "the API server denying create tokenreviews",
          () -> !allowed(tokenReviews, 0));

      String log = failingStart("without-auth-delegator");
      assertThat(log)
          .contains("missing permission: create tokenreviews.authentication.k8s.io")
          .contains("missing permission: create subjectaccessreviews.authorization.k8s.io");
      assertThat(log.lines().filter(l -> l.contains("missing permission: "))).hasSize(2);
    } finally {
      admin.resource(binding).forceConflicts().serverSideApply();
    }
  }

  @Test
  @Order(3)
  void withTheWholeRoleTheRunnerRunsTheHandsOn() throws Exception {
    ClusterRole role = one(ClusterRole.class, RELEASE + "-vkj");
    await(
        Duration.ofSeconds(30),
        "every rule allowed again",
        () -> role.getRules().stream().allMatch(r -> allowed(r, 0)));
    cluster =
        new E2eCluster("chart-rbac-runner", E2eCluster.Backend.commandLine(args, List.of(), env));
    cluster.startRunner();
    assertThat(cluster.runnerLog()).contains("access check: the runner may make all");

    Pod pod = cluster.applyHandsOn(ns, Duration.ofSeconds(120));
    String name = pod.getMetadata().getName();
    assertThat(pod.getSpec().getNodeName()).isEqualTo(NODE);

    String logs =
        awaitValue(
            Duration.ofSeconds(60),
            "log lines of " + name,
            () -> {
              String out = cluster.kubectl.run("logs", "-n", ns, name);
              return out.isBlank() ? null : out;
            });
    assertThat(logs).isNotBlank();

    String hostname = cluster.kubectl.run("exec", "-n", ns, name, "--", "cat", "/etc/hostname");
    assertThat(hostname.strip()).isEqualTo(name);

    cluster.kubectl.run(
        "delete", "-n", ns, "-f", E2eCluster.handsOnYaml().toString(), "--wait=false");
    await(Duration.ofSeconds(120), "pods gone from the API", () -> cluster.apiPods(ns).isEmpty());
    assertThat(cluster.runnerLog()).doesNotContain("Forbidden").doesNotContain("forbidden");
  }

  /**
   * Two replicas installed by Helm itself on this 1.20 control plane: the cluster's API versions
   * choose policy/v1beta1 for the PodDisruptionBudget (policy/v1 would not install here).
   */
  @Test
  @Order(4)
  void twoReplicasGetThePodDisruptionBudgetVersionTheClusterServes() {
    Path kubeconfig = Path.of(System.getenv("KUBECONFIG").split(java.io.File.pathSeparator)[0]);
    Helm chart = new Helm(Path.of(System.getProperty("vkj.chart.dir", "../charts/vkj")));
    chart
        .install()
        .withName("two-replicas")
        .withNamespace(ns)
        .withKubeConfig(kubeconfig)
        .set("provider", "mock")
        .set("replicas", 2)
        .set("rbac.create", false)
        .call();
    try {
      PodDisruptionBudget budget =
          admin
              .policy()
              .v1beta1()
              .podDisruptionBudget()
              .inNamespace(ns)
              .withName("two-replicas-vkj")
              .get();
      assertThat(budget).as("policy/v1beta1 PodDisruptionBudget").isNotNull();
      assertThat(budget.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
      assertThat(budget.getSpec().getSelector().getMatchLabels())
          .containsEntry("app.kubernetes.io/instance", "two-replicas");
    } finally {
      Helm.uninstall("two-replicas").withNamespace(ns).withKubeConfig(kubeconfig).call();
    }
  }

  /** Starts the runner, waits for its exit, and returns its output; the exit code must be 1. */
  private String failingStart(String name) throws Exception {
    Path logFile = work.resolve(name + ".log");
    Files.deleteIfExists(logFile); // the runner appends; a log of an earlier run would count
    RunnerProcess runner = new RunnerProcess(List.of(), args, env, logFile);
    runner.start();
    try {
      await(FAILING_START, "the runner " + name + " to exit", () -> !runner.isAlive());
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + ":\n" + runner.log(), e);
    }
    int code = runner.stop(Duration.ofSeconds(5));
    String log = runner.log();
    assertThat(code).as(name + ":\n" + log).isEqualTo(1);
    return log;
  }

  /** What the access check calls each permission of a rule, e.g. {@code patch pods/status}. */
  private static List<String> describe(PolicyRule rule) {
    List<String> out = new ArrayList<>();
    for (String group : rule.getApiGroups()) {
      for (String resource : rule.getResources()) {
        for (String verb : rule.getVerbs()) {
          String[] parts = resource.split("/", 2);
          String what = group.isEmpty() ? parts[0] : parts[0] + "." + group;
          out.add(verb + " " + what + (parts.length > 1 ? "/" + parts[1] : ""));
        }
      }
    }
    return out;
  }

  /** Whether the chart's ServiceAccount may make the {@code index}-th call of a rule. */
  private boolean allowed(PolicyRule rule, int index) {
    String resource = rule.getResources().get(0);
    String[] parts = resource.split("/", 2);
    var review =
        new SubjectAccessReviewBuilder()
            .withNewSpec()
            .withUser(user)
            .withGroups("system:serviceaccounts", "system:serviceaccounts:" + ns)
            .withNewResourceAttributes()
            .withVerb(rule.getVerbs().get(index))
            .withGroup(rule.getApiGroups().get(0))
            .withResource(parts[0])
            .withSubresource(parts.length > 1 ? parts[1] : null)
            .endResourceAttributes()
            .endSpec()
            .build();
    return Boolean.TRUE.equals(
        admin.authorization().v1().subjectAccessReview().create(review).getStatus().getAllowed());
  }

  private <T extends HasMetadata> T one(Class<T> type, String name) {
    return helm.objects().stream()
        .filter(type::isInstance)
        .map(type::cast)
        .filter(o -> name.equals(o.getMetadata().getName()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
  }
}
