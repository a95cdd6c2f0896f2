package dev.vkj.e2e;

import static dev.vkj.e2e.E2eCluster.NODE;
import static dev.vkj.e2e.E2eCluster.await;
import static dev.vkj.e2e.E2eCluster.awaitValue;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vkj.provider.fargate.FakeAws;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The runner with {@code --provider fargate}, loaded from the provider folder as users install it,
 * joins the real control plane and runs a Deployment whose pods read a Secret as ECS Fargate tasks
 * in a local ECS, CloudWatch Logs and SSM that speak AWS's wire format. The runner takes its AWS
 * credentials from the environment, through the SDK's default chain.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FargateE2E {
  private static final String SECRET_KEY = "e2e-" + UUID.randomUUID();
  private final String ns = "vkj-fargate-" + Long.toString(System.currentTimeMillis(), 36);
  private final String password = "pw-" + UUID.randomUUID();
  private FakeAws aws;
  private E2eCluster cluster;

  @BeforeAll
  void start() throws Exception {
    aws = FakeAws.withAwsLimits(Clock.systemUTC());
    Path providers =
        Path.of(System.getProperty("vkj.fargate.providers.dir", "../vk-dist/target/vkj/providers"));
    assertThat(providers.resolve("fargate"))
        .as("fargate provider folder (./mvnw package)")
        .isDirectory();
    Files.createDirectories(Path.of(System.getProperty("vkj.e2e.logs", "target/e2e-logs")));
    String config =
        String.join(
            "\n",
            "region: us-east-1",
            "cluster: vkj-e2e",
            "subnets: subnet-0e2e0001,subnet-0e2e0002",
            "securityGroups: sg-0e2e0001",
            "executionRoleArn: arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
            "logGroup: /vkj/e2e",
            "cpu: \"20\"",
            "memory: 40Gi",
            "pods: \"50\"",
            "endpoint: " + aws.endpoint(),
            "");
    cluster =
        new E2eCluster(
            "fargate",
            new E2eCluster.Backend(
                "fargate",
                config,
                List.of("--provider-path", providers.toAbsolutePath().toString()),
                List.of(),
                Map.of(
                    "AWS_ACCESS_KEY_ID", "AKIAE2EEXAMPLE", "AWS_SECRET_ACCESS_KEY", SECRET_KEY)));
    cluster.createNamespace(ns);
    cluster.startRunner();
  }

  @AfterAll
  void stop() throws Exception {
    try {
      if (cluster != null) {
        cluster.deleteNamespaceAndClose(ns);
      }
    } finally {
      if (aws != null) {
        aws.close();
      }
    }
  }

  @Test
  @Order(1)
  void nodeIsReadyWithTheCapacityOfItsConfigAndTheFargateTaint() {
    var node = cluster.client.nodes().withName(NODE).get();
    assertThat(node.getStatus().getCapacity().get("cpu").toString()).isEqualTo("20");
    assertThat(node.getStatus().getCapacity().get("pods").toString()).isEqualTo("50");
    assertThat(node.getStatus().getNodeInfo().getOsImage()).isEqualTo("AWS Fargate");
    assertThat(node.getSpec().getTaints())
        .anySatisfy(
            t -> {
              assertThat(t.getKey()).isEqualTo("virtual-kubelet.io/provider");
              assertThat(t.getValue()).isEqualTo("fargate");
            });
    assertThat(aws.count("CreateCluster")).as("the missing cluster was created").isEqualTo(1);
  }

  @Test
  @Order(2)
  void threeReplicasRunAsThreeTasksOfOneRevisionWithoutTheSecretInIt() {
    cluster.kubectl.run(
        "create", "secret", "generic", "db", "-n", ns, "--from-literal=password=" + password);
    cluster.kubectl.exec(deployment(), Duration.ofSeconds(60), "apply", "-n", ns, "-f", "-");
    await(
        Duration.ofSeconds(180),
        "3 pods Running",
        () -> cluster.apiPods(ns).stream().filter(E2eCluster::running).count() == 3);

    assertThat(aws.taskArns("RUNNING")).hasSize(3);
    assertThat(aws.activeTaskDefinitionArns()).hasSize(1);
    assertThat(aws.count("RegisterTaskDefinition")).isEqualTo(1);
    String definition = aws.taskDefinitionJson(aws.activeTaskDefinitionArns().get(0));
    assertThat(definition)
        .doesNotContain(password)
        .contains("\"valueFrom\"")
        .contains("/" + ns + "/db/password");
    assertThat(aws.parameters()).containsValue(password);

    List<Pod> pods = cluster.apiPods(ns);
    String wide = cluster.kubectl.run("get", "pods", "-n", ns, "-o", "wide", "--no-headers");
    for (Pod pod : pods) {
      assertThat(pod.getStatus().getPodIP()).startsWith("10.0.");
      assertThat(wide).contains(pod.getStatus().getPodIP());
    }
    assertThat(wide).contains("1/1").contains("Running").contains(NODE);
  }

  @Test
  @Order(3)
  void logsShowTheCloudWatchLines() {
    String name = cluster.apiPods(ns).get(0).getMetadata().getName();
    String logs =
        awaitValue(
            Duration.ofSeconds(60),
            "CloudWatch lines in kubectl logs",
            () -> {
              String out = cluster.kubectl.run("logs", "-n", ns, name, "--tail=2");
              return out.contains("web line") ? out : null;
            });
    assertThat(logs.lines().toList()).hasSizeBetween(1, 2).allMatch(l -> l.startsWith("web line "));
  }

  @Test
  @Order(4)
  void execIsNotOfferedAndSaysSo() {
    String name = cluster.apiPods(ns).get(0).getMetadata().getName();
    var result =
        cluster.kubectl.exec(null, Duration.ofSeconds(60), "exec", "-n", ns, name, "--", "true");
    assertThat(result.exitCode()).isNotZero();
    assertThat(result.stderr()).contains("NotImplemented").contains("does not support exec");
  }

  @Test
  @Order(5)
  void deletingTheDeploymentStopsTheTasksAndRemovesRevisionAndSecret() {
    cluster.kubectl.run("delete", "deployment", "web", "-n", ns, "--wait=false");
    await(Duration.ofSeconds(180), "pods gone from the API", () -> cluster.apiPods(ns).isEmpty());
    assertThat(aws.taskArns("RUNNING")).isEmpty();
    assertThat(aws.taskArns("STOPPED")).hasSize(3);
    assertThat(aws.activeTaskDefinitionArns()).isEmpty();
    assertThat(aws.parameters()).doesNotContainValue(password).isEmpty();
    assertThat(aws.count("DeregisterTaskDefinition")).isEqualTo(1);
  }

  @Test
  @Order(6)
  void noCredentialOrSecretReachesTheRunnersLog() {
    String log = cluster.runnerLog();
    assertThat(log).isNotBlank();
    assertThat(log).doesNotContain(SECRET_KEY).doesNotContain(password);
  }

  private String deployment() {
    return String.join(
        "\n",
        "apiVersion: apps/v1",
        "kind: Deployment",
        "metadata:",
        "  name: web",
        "spec:",
        "  replicas: 3",
        "  selector:",
        "    matchLabels: {app: web}",
        "  template:",
        "    metadata:",
        "      labels: {app: web}",
        "    spec:",
        "      nodeSelector: {type: virtual-kubelet}",
        "      tolerations:",
        "      - key: virtual-kubelet.io/provider",
        "        operator: Exists",
        "      containers:",
        "      - name: web",
        "        image: public.ecr.aws/nginx/nginx:1.27",
        "        ports:",
        "        - containerPort: 80",
        "        resources:",
        "          requests: {cpu: 250m, memory: 512Mi}",
        "        env:",
        "        - name: DB_PASSWORD",
        "          valueFrom:",
        "            secretKeyRef: {name: db, key: password}",
        "");
  }
}
