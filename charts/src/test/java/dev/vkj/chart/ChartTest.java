package dev.vkj.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code charts/vkj} linted and rendered by Helm itself, as {@code helm install} would. */
class ChartTest {
  private static final Path CHART = Path.of("vkj");
  private static final String RELEASE = "virtual-kubelet";
  private static final String CLIENT_KEY = "sp-password-7Q~not-for-logs";

  /** The values of the ACI hands-on's {@code helm install}. */
  private static final Map<String, Object> HANDS_ON =
      ordered(
          "provider", "azure",
          "nodeName", "virtual-kubelet",
          "rbac.install", true,
          "providers.azure.targetAKS", false,
          "providers.azure.aciResourceGroup", "aci-group",
          "providers.azure.aciRegion", "japaneast",
          "providers.azure.tenantId", "11111111-2222-3333-4444-555555555555",
          "providers.azure.subscriptionId", "66666666-7777-8888-9999-000000000000",
          "providers.azure.clientId", "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
          "providers.azure.clientKey", CLIENT_KEY,
          "providers.azure.masterUri", "https://34.84.1.2");

  /** Helm lints a missing required value as a note, not an error; rendering fails (below). */
  @Test
  void withDefaultValuesLintIsClean() {
    LintResult result = new Helm(CHART).lint().strict().call();
    assertThat(result.isFailed()).as(String.valueOf(result.getMessages())).isFalse();
  }

  @Test
  void lintIsCleanForEveryProvidersValues(@TempDir Path dir) throws IOException {
    for (String provider : List.of("mock", "azure", "fargate")) {
      Path copy = copyChart(dir.resolve(provider));
      String values = Files.readString(copy.resolve("values.yaml"));
      values = values.replace("provider: \"\"", "provider: " + provider);
      if (provider.equals("azure")) {
        values =
            values
                .replace("aciResourceGroup: \"\"", "aciResourceGroup: aci-group")
                .replace("aciRegion: \"\"", "aciRegion: japaneast");
      }
      if (provider.equals("fargate")) {
        values = values.replace("subnets: []", "subnets: [subnet-0a1b2c3d]");
      }
      Files.writeString(copy.resolve("values.yaml"), values);
      LintResult result = new Helm(copy).lint().strict().call();
      assertThat(result.isFailed()).as(provider + ": " + result.getMessages()).isFalse();
    }
  }

  @Test
  void withoutAProviderInstallFailsWithAClearMessage() {
    assertThatThrownBy(() -> render(Map.of()))
        .hasMessageContaining("provider is required: azure, fargate, mock");
  }

  @Test
  void theHandsOnValuesRunTheAzureProviderWithTheServicePrincipalFromASecret() {
    List<HasMetadata> objects = render(HANDS_ON);

    Deployment deployment = one(objects, Deployment.class);
    var container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getArgs())
        .contains(
            "--provider=azure",
            "--node-name=virtual-kubelet",
            "--taint-value=azure",
            "--provider-config=/etc/vkj/provider.yaml");
    Map<String, EnvVar> env = env(container.getEnv());
    for (String name : List.of("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET")) {
      assertThat(env.get(name).getValue()).as(name).isNull();
      assertThat(env.get(name).getValueFrom().getSecretKeyRef().getName())
          .isEqualTo("virtual-kubelet-vkj-azure");
      assertThat(env.get(name).getValueFrom().getSecretKeyRef().getKey()).isEqualTo(name);
    }
    assertThat(env.get("KUBERNETES_MASTER").getValue()).isEqualTo("https://34.84.1.2");

    Secret credentials = named(objects, Secret.class, "virtual-kubelet-vkj-azure");
    assertThat(credentials.getStringData())
        .containsEntry("AZURE_TENANT_ID", "11111111-2222-3333-4444-555555555555")
        .containsEntry("AZURE_CLIENT_ID", "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee")
        .containsEntry("AZURE_CLIENT_SECRET", CLIENT_KEY);

    String providerYaml =
        named(objects, Secret.class, "virtual-kubelet-vkj").getStringData().get("provider.yaml");
    Map<String, Object> config = Serialization.unmarshal(providerYaml, Map.class);
    assertThat(config)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "resourceGroup", "aci-group",
                "region", "japaneast",
                "subscriptionId", "66666666-7777-8888-9999-000000000000"));

    // the secret is in the credentials Secret only: not in the config, the Deployment or a
    // ConfigMap
    assertThat(objects.stream().filter(o -> !o.equals(credentials)))
        .allSatisfy(o -> assertThat(Serialization.asYaml(o)).doesNotContain(CLIENT_KEY));
    assertThat(objects).noneMatch(ConfigMap.class::isInstance);
    assertThat(objects).anyMatch(ClusterRole.class::isInstance);
  }

  @Test
  void anExistingSecretReplacesTheServicePrincipalValues() {
    Map<String, Object> values = new LinkedHashMap<>(HANDS_ON);
    values.remove("providers.azure.clientKey");
    values.put("providers.azure.existingSecret", "aci-sp");
    List<HasMetadata> objects = render(values);
    var container = one(objects, Deployment.class).getSpec().getTemplate().getSpec();
    Map<String, EnvVar> env = env(container.getContainers().get(0).getEnv());
    assertThat(env.get("AZURE_CLIENT_SECRET").getValueFrom().getSecretKeyRef().getName())
        .isEqualTo("aci-sp");
    assertThat(find(objects, Secret.class, "virtual-kubelet-vkj-azure")).isEmpty();
  }

  @Test
  void aManagedOrWorkloadIdentityNeedsNoCredentialVariables() {
    Map<String, Object> values = new LinkedHashMap<>(HANDS_ON);
    values.remove("providers.azure.clientKey");
    values.put("podLabels.azure\\.workload\\.identity/use", "true");
    values.put("serviceAccount.annotations.azure\\.workload\\.identity/client-id", "abc");
    List<HasMetadata> objects = render(values);
    var pod = one(objects, Deployment.class).getSpec().getTemplate();
    assertThat(env(pod.getSpec().getContainers().get(0).getEnv()).keySet())
        .noneMatch(k -> k.startsWith("AZURE_"));
    assertThat(pod.getMetadata().getLabels()).containsEntry("azure.workload.identity/use", "true");
    assertThat(one(objects, ServiceAccount.class).getMetadata().getAnnotations())
        .containsEntry("azure.workload.identity/client-id", "abc");
    assertThat(find(objects, Secret.class, "virtual-kubelet-vkj-azure")).isEmpty();
  }

  @Test
  void theProvidersOwnKeysWinOverTheHandsOnNames() {
    Map<String, Object> values = new LinkedHashMap<>(HANDS_ON);
    values.put("providerConfig.region", "westeurope");
    values.put("providerConfig.subnetId", "/subscriptions/s/resourceGroups/g/subnet");
    String providerYaml =
        named(render(values), Secret.class, "virtual-kubelet-vkj")
            .getStringData()
            .get("provider.yaml");
    Map<String, Object> config = Serialization.unmarshal(providerYaml, Map.class);
    assertThat(config)
        .containsEntry("region", "westeurope")
        .containsEntry("resourceGroup", "aci-group")
        .containsEntry("subnetId", "/subscriptions/s/resourceGroups/g/subnet");
  }

  @Test
  void azureWithoutAResourceGroupFailsNamingTheValue() {
    Map<String, Object> values = new LinkedHashMap<>(HANDS_ON);
    values.remove("providers.azure.aciResourceGroup");
    assertThatThrownBy(() -> render(values))
        .hasMessageContaining("providers.azure.aciResourceGroup is required");
  }

  @Test
  void aServicePrincipalWithoutItsTenantFailsNamingTheValue() {
    Map<String, Object> values = new LinkedHashMap<>(HANDS_ON);
    values.remove("providers.azure.tenantId");
    assertThatThrownBy(() -> render(values))
        .hasMessageContaining("providers.azure.tenantId is required");
  }

  @Test
  void targetAksIsRefusedWithTheWayOut() {
    Map<String, Object> values = new LinkedHashMap<>(HANDS_ON);
    values.put("providers.azure.targetAKS", true);
    assertThatThrownBy(() -> render(values))
        .hasMessageContaining("providers.azure.targetAKS=true is not supported");
  }

  @Test
  void mockRendersItsOwnKeysAndNoAzureObjects() {
    List<HasMetadata> objects =
        render(ordered("provider", "mock", "providerConfig.startupDelay", "2s"));
    var container = one(objects, Deployment.class).getSpec().getTemplate().getSpec();
    assertThat(container.getContainers().get(0).getArgs())
        .contains("--provider=mock", "--taint-value=mock");
    assertThat(env(container.getContainers().get(0).getEnv()).keySet())
        .containsExactly("VKJ_NODE_IP");
    String providerYaml =
        named(objects, Secret.class, "virtual-kubelet-vkj").getStringData().get("provider.yaml");
    assertThat(Serialization.unmarshal(providerYaml, Map.class))
        .isEqualTo(Map.of("startupDelay", "2s"));
    assertThat(find(objects, Secret.class, "virtual-kubelet-vkj-azure")).isEmpty();
  }

  /** Fargate with IRSA: the provider's keys, and the role on the ServiceAccount, no AWS keys. */
  @Test
  void fargateWithIrsaRendersItsKeysAndTheRoleAnnotation() {
    List<HasMetadata> objects =
        render(
            ordered(
                "provider", "fargate",
                "providerConfig.region", "us-east-1",
                "providerConfig.cluster", "vkj",
                "providerConfig.subnets", "subnet-0a1b2c3d,subnet-4e5f6a7b",
                "providerConfig.logGroup", "/vkj/tasks",
                "serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn",
                    "arn:aws:iam::123456789012:role/vkj-runner"));
    var container = one(objects, Deployment.class).getSpec().getTemplate().getSpec();
    assertThat(container.getContainers().get(0).getArgs())
        .contains("--provider=fargate", "--taint-value=fargate");
    assertThat(env(container.getContainers().get(0).getEnv()).keySet())
        .noneMatch(k -> k.startsWith("AWS_") || k.startsWith("AZURE_"));
    String providerYaml =
        named(objects, Secret.class, "virtual-kubelet-vkj").getStringData().get("provider.yaml");
    assertThat(Serialization.unmarshal(providerYaml, Map.class))
        .containsEntry("subnets", "subnet-0a1b2c3d,subnet-4e5f6a7b")
        .containsEntry("logGroup", "/vkj/tasks");
    assertThat(one(objects, ServiceAccount.class).getMetadata().getAnnotations())
        .containsEntry("eks.amazonaws.com/role-arn", "arn:aws:iam::123456789012:role/vkj-runner");
    assertThat(find(objects, Secret.class, "virtual-kubelet-vkj-azure")).isEmpty();
  }

  @Test
  void theRunnerPodIsUnprivilegedAndProbedOnTheMetricsPort() {
    var pod = one(render(HANDS_ON), Deployment.class).getSpec().getTemplate().getSpec();
    var container = pod.getContainers().get(0);
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(container.getVolumeMounts()).anyMatch(m -> m.getMountPath().equals("/tmp"));
    assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(container.getReadinessProbe().getHttpGet().getPort().getStrVal())
        .isEqualTo("metrics");
    assertThat(container.getArgs()).contains("--metrics-port=10255");

    Map<String, Object> noMetrics = new LinkedHashMap<>(HANDS_ON);
    noMetrics.put("metrics.port", 0);
    var plain = one(render(noMetrics), Deployment.class).getSpec().getTemplate().getSpec();
    assertThat(plain.getContainers().get(0).getReadinessProbe()).isNull();
    assertThat(plain.getContainers().get(0).getArgs()).contains("--metrics-port=0");
  }

  /** The calls the runner makes (its AccessCheck), nothing more; the e2e proves each is needed. */
  @Test
  void theClusterRoleGrantsExactlyTheRunnersCalls() {
    ClusterRole role = one(render(ordered("provider", "mock")), ClusterRole.class);
    List<String> grants = new ArrayList<>();
    for (var rule : role.getRules()) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            grants.add(verb + " " + (group.isEmpty() ? "" : group + "/") + resource);
          }
        }
      }
    }
    assertThat(grants)
        .containsExactlyInAnyOrder(
            "get nodes",
            "list nodes",
            "watch nodes",
            "create nodes",
            "patch nodes",
            "update nodes/status",
            "get coordination.k8s.io/leases",
            "create coordination.k8s.io/leases",
            "update coordination.k8s.io/leases",
            "list pods",
            "watch pods",
            "delete pods",
            "patch pods/status",
            "get configmaps",
            "get secrets",
            "list services",
            "create events",
            "patch events");
  }

  @Test
  void rbacInstallFalseRendersNoRole() {
    assertThat(render(ordered("provider", "mock", "rbac.install", false)))
        .noneMatch(ClusterRole.class::isInstance);
    assertThat(render(ordered("provider", "mock"))).anyMatch(ClusterRole.class::isInstance);
  }

  @Test
  void aValueOfTheWrongTypeFailsNamingTheValue() {
    assertThatThrownBy(() -> render(ordered("provider", "mock", "replicas", "two")))
        .hasMessageContaining("replicas")
        .hasMessageContaining("Invalid type");
    assertThatThrownBy(() -> render(ordered("provider", "mock", "replicas", 0)))
        .hasMessageContaining("replicas")
        .hasMessageContaining("greater than or equal to 1");
    assertThatThrownBy(() -> render(ordered("provider", "mock", "kubeletPort", 70000)))
        .hasMessageContaining("kubeletPort");
    assertThatThrownBy(() -> render(ordered("provider", "mock", "image.pullPolicy", "Sometimes")))
        .hasMessageContaining("image.pullPolicy");
    assertThatThrownBy(() -> render(ordered("provider", "mock", "taint.effect", "NoRun")))
        .hasMessageContaining("taint.effect");
    assertThatThrownBy(() -> render(ordered("provider", "mock", "logLevel", "verbose")))
        .hasMessageContaining("logLevel");
    assertThatThrownBy(() -> render(ordered("provider", "mock", "rbac.create", "yes please")))
        .hasMessageContaining("rbac.create");
    // a misspelt value is refused rather than ignored
    assertThatThrownBy(() -> render(ordered("provider", "mock", "replica", 2)))
        .hasMessageContaining("replica");
    assertThatThrownBy(
            () -> render(ordered("provider", "fargate", "providers.fargate.subnets[0]", "s-1")))
        .hasMessageContaining("providers.fargate.subnets.0");
  }

  /** Every provider's values of this file pass the schema: it refuses nothing the chart means. */
  @Test
  void theSchemaAcceptsTheDocumentedValues() {
    assertThat(render(HANDS_ON)).isNotEmpty();
    assertThat(render(FARGATE_KEYS)).isNotEmpty();
    assertThat(render(ordered("provider", "mock", "metrics.port", 0, "tls.cert", "c")))
        .isNotEmpty();
  }

  private static final String AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

  /** The provider's own keys under providers.fargate, lists as YAML lists. */
  private static final Map<String, Object> FARGATE_KEYS =
      ordered(
          "provider", "fargate",
          "providers.fargate.region", "eu-west-1",
          "providers.fargate.cluster", "vkj",
          "providers.fargate.subnets[0]", "subnet-0a1b2c3d",
          "providers.fargate.subnets[1]", "subnet-4e5f6a7b",
          "providers.fargate.securityGroups[0]", "sg-0123abcd",
          "providers.fargate.assignPublicIp", true,
          "providers.fargate.createCluster", false,
          "providers.fargate.executionRoleArn", "arn:aws:iam::123456789012:role/exec",
          "providers.fargate.taskRoleArn", "arn:aws:iam::123456789012:role/task",
          "providers.fargate.logGroup", "/vkj/tasks",
          "providers.fargate.capacityProvider", "FARGATE_SPOT",
          "providers.fargate.cpuArchitecture", "ARM64",
          "providers.fargate.pods", 50);

  @Test
  void fargateValuesBecomeTheProvidersKeys() {
    List<HasMetadata> objects = render(FARGATE_KEYS);
    String providerYaml =
        named(objects, Secret.class, "virtual-kubelet-vkj").getStringData().get("provider.yaml");
    assertThat(Serialization.unmarshal(providerYaml, Map.class))
        .containsExactlyInAnyOrderEntriesOf(
            ordered(
                "region", "eu-west-1",
                "cluster", "vkj",
                "subnets", "subnet-0a1b2c3d,subnet-4e5f6a7b",
                "securityGroups", "sg-0123abcd",
                "assignPublicIp", "true",
                "createCluster", "false",
                "executionRoleArn", "arn:aws:iam::123456789012:role/exec",
                "taskRoleArn", "arn:aws:iam::123456789012:role/task",
                "logGroup", "/vkj/tasks",
                "capacityProvider", "FARGATE_SPOT",
                "cpuArchitecture", "ARM64",
                "pods", "50"));
    // no identity named: the default chain, nothing AWS in the pod or the ServiceAccount
    var container =
        one(objects, Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(env(container.getEnv()).keySet()).noneMatch(k -> k.startsWith("AWS_"));
    assertThat(one(objects, ServiceAccount.class).getMetadata().getAnnotations()).isNullOrEmpty();
    assertThat(find(objects, Secret.class, "virtual-kubelet-vkj-aws")).isEmpty();
  }

  @Test
  void fargateProviderConfigWinsOverTheFargateValues() {
    Map<String, Object> values = new LinkedHashMap<>(FARGATE_KEYS);
    values.put("providerConfig.region", "us-east-1");
    values.put("providerConfig.subnets", "subnet-99");
    String providerYaml =
        named(render(values), Secret.class, "virtual-kubelet-vkj")
            .getStringData()
            .get("provider.yaml");
    assertThat(Serialization.unmarshal(providerYaml, Map.class))
        .containsEntry("region", "us-east-1")
        .containsEntry("subnets", "subnet-99")
        .containsEntry("cluster", "vkj");
  }

  @Test
  void fargateWithoutSubnetsFailsNamingTheValue() {
    assertThatThrownBy(() -> render(ordered("provider", "fargate")))
        .hasMessageContaining("providers.fargate.subnets is required");
  }

  @Test
  void fargateAccessKeysGoToASecretAndFromThereToTheEnvironment() {
    Map<String, Object> values = new LinkedHashMap<>(FARGATE_KEYS);
    values.put("providers.fargate.accessKeyId", "AKIAIOSFODNN7EXAMPLE");
    values.put("providers.fargate.secretAccessKey", AWS_SECRET);
    List<HasMetadata> objects = render(values);

    Secret credentials = named(objects, Secret.class, "virtual-kubelet-vkj-aws");
    assertThat(credentials.getStringData())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY", AWS_SECRET));
    var container =
        one(objects, Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
    Map<String, EnvVar> env = env(container.getEnv());
    for (String name : List.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")) {
      assertThat(env.get(name).getValue()).as(name).isNull();
      assertThat(env.get(name).getValueFrom().getSecretKeyRef().getName())
          .isEqualTo("virtual-kubelet-vkj-aws");
      assertThat(env.get(name).getValueFrom().getSecretKeyRef().getKey()).isEqualTo(name);
    }
    assertThat(env.get("AWS_SESSION_TOKEN").getValueFrom().getSecretKeyRef().getOptional())
        .isTrue();
    // the secret key is in the credentials Secret only: not in the args, the provider config or a
    // ConfigMap
    assertThat(objects.stream().filter(o -> !o.equals(credentials)))
        .allSatisfy(o -> assertThat(Serialization.asYaml(o)).doesNotContain(AWS_SECRET));
    assertThat(objects).noneMatch(ConfigMap.class::isInstance);

    values.remove("providers.fargate.accessKeyId");
    assertThatThrownBy(() -> render(values))
        .hasMessageContaining("providers.fargate.accessKeyId is required");
  }

  @Test
  void fargateExistingSecretIsReferencedAndNoKeysAreWritten() {
    Map<String, Object> values = new LinkedHashMap<>(FARGATE_KEYS);
    values.put("providers.fargate.existingSecret", "aws-keys");
    List<HasMetadata> objects = render(values);
    var container =
        one(objects, Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
    Map<String, EnvVar> env = env(container.getEnv());
    assertThat(env.get("AWS_SECRET_ACCESS_KEY").getValueFrom().getSecretKeyRef().getName())
        .isEqualTo("aws-keys");
    assertThat(env.get("AWS_ACCESS_KEY_ID").getValueFrom().getSecretKeyRef().getName())
        .isEqualTo("aws-keys");
    assertThat(find(objects, Secret.class, "virtual-kubelet-vkj-aws")).isEmpty();
  }

  @Test
  void fargateRoleArnAnnotatesTheServiceAccountForIrsa() {
    Map<String, Object> values = new LinkedHashMap<>(FARGATE_KEYS);
    values.put("providers.fargate.roleArn", "arn:aws:iam::123456789012:role/vkj-runner");
    values.put("serviceAccount.annotations.team", "platform");
    List<HasMetadata> objects = render(values);
    assertThat(one(objects, ServiceAccount.class).getMetadata().getAnnotations())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "eks.amazonaws.com/role-arn", "arn:aws:iam::123456789012:role/vkj-runner",
                "team", "platform"));
    var container =
        one(objects, Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(env(container.getEnv()).keySet()).noneMatch(k -> k.startsWith("AWS_"));
    assertThat(find(objects, Secret.class, "virtual-kubelet-vkj-aws")).isEmpty();
  }

  @Test
  void oneReplicaRunsWithoutLeaderElection() {
    List<HasMetadata> objects = render(ordered("provider", "mock"));
    Deployment deployment = one(objects, Deployment.class);
    var pod = deployment.getSpec().getTemplate().getSpec();
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
    assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("Recreate");
    assertThat(pod.getContainers().get(0).getArgs()).noneMatch(a -> a.startsWith("--leader-elect"));
    assertThat(env(pod.getContainers().get(0).getEnv())).doesNotContainKey("VKJ_POD_NAME");
    assertThat(pod.getAffinity()).isNull();
    assertThat(objects).noneMatch(o -> o.getKind().equals("PodDisruptionBudget"));
  }

  @Test
  void twoReplicasElectALeaderRollOneAtATimeAndSpreadOverHosts() {
    List<HasMetadata> objects = render(ordered("provider", "mock", "replicas", 2));
    Deployment deployment = one(objects, Deployment.class);
    var pod = deployment.getSpec().getTemplate().getSpec();
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
    assertThat(
            deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal())
        .isEqualTo(1);
    assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxSurge().getIntVal())
        .isZero();
    List<String> args = pod.getContainers().get(0).getArgs();
    assertThat(args.stream().filter(a -> a.startsWith("--leader-elect")))
        .containsExactly("--leader-elect");
    EnvVar podName = env(pod.getContainers().get(0).getEnv()).get("VKJ_POD_NAME");
    assertThat(podName.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");

    var preferred =
        pod.getAffinity().getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution();
    assertThat(preferred).hasSize(1);
    assertThat(preferred.get(0).getPodAffinityTerm().getTopologyKey())
        .isEqualTo("kubernetes.io/hostname");
    assertThat(preferred.get(0).getPodAffinityTerm().getLabelSelector().getMatchLabels())
        .isEqualTo(deployment.getSpec().getSelector().getMatchLabels());

    // Helm's own API versions (no cluster) include policy/v1; the e2e renders against a 1.20
    // cluster, which serves policy/v1beta1 only
    HasMetadata budget =
        objects.stream()
            .filter(o -> o.getKind().equals("PodDisruptionBudget"))
            .findFirst()
            .orElseThrow();
    assertThat(budget.getApiVersion()).isEqualTo("policy/v1");
    Map<String, Object> spec = Serialization.unmarshal(Serialization.asJson(budget), Map.class);
    assertThat(Serialization.asJson(spec.get("spec")))
        .contains("\"maxUnavailable\":1")
        .contains("\"app.kubernetes.io/instance\":\"virtual-kubelet\"");
  }

  @Test
  void leaseSettingsBecomeTheRunnersFlags() {
    List<HasMetadata> objects =
        render(
            ordered(
                "provider", "mock",
                "replicas", 3,
                "leaderElection.namespace", "vkj-system",
                "leaderElection.leaseDuration", "20s",
                "leaderElection.renewDeadline", "15s",
                "leaderElection.retryPeriod", "3s"));
    var args =
        one(objects, Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(args.getArgs().stream().filter(a -> a.startsWith("--leader-elect")))
        .containsExactly(
            "--leader-elect",
            "--leader-elect-namespace=vkj-system",
            "--leader-elect-lease-duration=20s",
            "--leader-elect-renew-deadline=15s",
            "--leader-elect-retry-period=3s");
    assertThatThrownBy(
            () ->
                render(
                    ordered(
                        "provider", "mock", "replicas", 2, "leaderElection.leaseDuration", "soon")))
        .hasMessageContaining("leaderElection.leaseDuration");
  }

  // ---------------------------------------------------------------------------------------------

  private static List<HasMetadata> render(Map<String, Object> values) {
    TemplateCommand template = new Helm(CHART).template().withName(RELEASE);
    values.forEach(template::set);
    String manifest = template.call();
    List<HasMetadata> objects = new ArrayList<>();
    for (String doc : manifest.split("(?m)^---$")) {
      if (!doc.isBlank() && doc.contains("kind:")) {
        objects.add(Serialization.unmarshal(doc, HasMetadata.class));
      }
    }
    assertThat(objects).as("rendered objects").isNotEmpty();
    return objects;
  }

  private static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type) {
    List<T> found = objects.stream().filter(type::isInstance).map(type::cast).toList();
    assertThat(found).as(type.getSimpleName()).hasSize(1);
    return found.get(0);
  }

  private static <T extends HasMetadata> Optional<T> find(
      List<HasMetadata> objects, Class<T> type, String name) {
    return objects.stream()
        .filter(type::isInstance)
        .map(type::cast)
        .filter(o -> name.equals(o.getMetadata().getName()))
        .findFirst();
  }

  private static <T extends HasMetadata> T named(
      List<HasMetadata> objects, Class<T> type, String name) {
    return find(objects, type, name)
        .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
  }

  private static Map<String, EnvVar> env(List<EnvVar> vars) {
    Map<String, EnvVar> out = new LinkedHashMap<>();
    vars.forEach(v -> out.put(v.getName(), v));
    return out;
  }

  private static Map<String, Object> ordered(Object... keyValues) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      out.put((String) keyValues[i], keyValues[i + 1]);
    }
    return out;
  }

  private static Path copyChart(Path target) throws IOException {
    try (Stream<Path> files = Files.walk(CHART)) {
      for (Path source : files.toList()) {
        Path dest = target.resolve(CHART.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(dest);
        } else {
          Files.copy(source, dest);
        }
      }
    }
    return target;
  }
}
