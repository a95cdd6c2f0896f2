package dev.vkj.provider.fargate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vkj.spi.ErrorCode;
import dev.vkj.spi.LogOptions;
import dev.vkj.spi.PodIdentity;
import dev.vkj.spi.ProviderConfig;
import dev.vkj.spi.ProviderException;
import dev.vkj.testing.FakeProviderContext;
import dev.vkj.testing.MutableClock;
import dev.vkj.testing.PodFixtures;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/** The provider through the real AWS SDK against the local ECS, CloudWatch Logs and SSM fake. */
class FargateProviderIT {
  static final String EXECUTION_ROLE = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole";
  static final String LOG_GROUP = "/vkj/tasks";

  private final MutableClock clock = new MutableClock();
  private FakeAws aws;
  private FakeProviderContext context;
  private FargateProvider provider;

  @BeforeEach
  void start() throws Exception {
    aws = FakeAws.start(clock);
    context = FakeProviderContext.builder().nodeName("virtual-kubelet").clock(clock).build();
    provider = connect(aws, context, Map.of());
  }

  @AfterEach
  void stop() {
    if (provider != null) {
      provider.close();
    }
    context.close();
    aws.close();
  }

  /** The settings of the README's example, pointed at the fake. */
  static Map<String, String> settings(FakeAws aws) {
    Map<String, String> raw = new HashMap<>();
    raw.put("region", FakeAws.REGION);
    raw.put("cluster", "vkj");
    raw.put("subnets", "subnet-0a1b2c3d, subnet-4e5f6a7b");
    raw.put("securityGroups", "sg-0123abcd");
    raw.put("executionRoleArn", EXECUTION_ROLE);
    raw.put("logGroup", LOG_GROUP);
    raw.put("endpoint", aws.endpoint().toString());
    return raw;
  }

  static FargateProvider connect(
      FakeAws aws, dev.vkj.spi.ProviderContext context, Map<String, String> extra)
      throws Exception {
    Map<String, String> raw = settings(aws);
    raw.putAll(extra);
    FargateConfig config =
        FargateConfig.from(ProviderConfig.validated(raw, FargateConfig.KEYS), Optional.empty());
    return FargateProviderFactory.connect(
        config,
        context,
        StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "test-secret")));
  }

  /** A replica of ReplicaSet {@code web-5d8f}, with a password from a Secret. */
  static Pod replica(String name, String uid, String password) {
    Pod pod =
        PodFixtures.pod(name)
            .uid(uid)
            .nodeName("virtual-kubelet")
            .annotation(PodIdentity.SPEC_HASH, "0123456789abcdef")
            .container("web", "nginx:1.27", c -> c.port(80).requests("250m", "512Mi"))
            .build();
    return new PodBuilder(pod)
        .editMetadata()
        .withGenerateName("web-5d8f-")
        .addToOwnerReferences(
            new OwnerReferenceBuilder()
                .withApiVersion("apps/v1")
                .withKind("ReplicaSet")
                .withName("web-5d8f")
                .withUid("rs-uid")
                .withController(true)
                .build())
        .endMetadata()
        .editSpec()
        .editFirstContainer()
        .addToEnv(
            new EnvVarBuilder()
                .withName("DB_PASSWORD")
                .withValue(password)
                .withNewValueFrom()
                .withNewSecretKeyRef("password", "db", false)
                .endValueFrom()
                .build())
        .endContainer()
        .endSpec()
        .build();
  }

  private void runThroughStart() {
    clock.advance(aws.provisionDelay.plus(aws.pendingDelay).plus(aws.activatingDelay));
    clock.advance(Duration.ofMillis(1));
  }

  @Test
  void replicasShareOneRevisionAndTheSecretStaysOutOfIt() throws Exception {
    for (int i = 0; i < 3; i++) {
      provider.createPod(replica("web-5d8f-" + i, "uid-" + i, "s3cr3t-value"));
    }
    assertThat(aws.count("RegisterTaskDefinition")).isEqualTo(1);
    assertThat(aws.count("RunTask")).isEqualTo(3);
    assertThat(aws.activeTaskDefinitionArns()).hasSize(1);
    String definition = aws.activeTaskDefinitionArns().get(0);
    assertThat(aws.taskDefinitionJson(definition))
        .doesNotContain("s3cr3t-value")
        .contains("/vkj/vkj/virtual-kubelet/default/db/password");
    assertThat(aws.parameters())
        .containsEntry("/vkj/vkj/virtual-kubelet/default/db/password", "s3cr3t-value");
    assertThat(aws.count("PutParameter")).as("one parameter for all replicas").isEqualTo(1);
    assertThat(aws.requests())
        .filteredOn(r -> !r.operation().equals("PutParameter"))
        .noneMatch(r -> r.body().contains("s3cr3t-value"));

    runThroughStart();
    List<Pod> pods = provider.listPodStatuses();
    assertThat(pods).hasSize(3);
    for (Pod p : pods) {
      PodStatus status = p.getStatus();
      assertThat(status.getContainerStatuses().get(0).getState().getRunning()).isNotNull();
      assertThat(status.getPodIP()).startsWith("10.0.");
      assertThat(p.getMetadata().getAnnotations())
          .containsEntry(PodIdentity.SPEC_HASH, "0123456789abcdef");
    }
  }

  @Test
  void deletingTheLastReplicaDeregistersTheRevisionAndDeletesTheSecret() throws Exception {
    Pod a = replica("web-5d8f-a", "uid-a", "pw");
    Pod b = replica("web-5d8f-b", "uid-b", "pw");
    provider.createPod(a);
    provider.createPod(b);
    runThroughStart();
    provider.listPodStatuses();
    String definition = aws.activeTaskDefinitionArns().get(0);

    provider.deletePod(a);
    assertThat(aws.activeTaskDefinitionArns()).containsExactly(definition);
    assertThat(aws.parameters()).hasSize(1);

    provider.deletePod(b);
    assertThat(aws.activeTaskDefinitionArns()).isEmpty();
    assertThat(aws.parameters()).isEmpty();
    assertThat(aws.count("DeregisterTaskDefinition")).isEqualTo(1);

    // the core sees terminated containers, then the pod's absence
    PodStatus stopping = provider.getPodStatus("default", "web-5d8f-b").orElseThrow();
    assertThat(stopping.getContainerStatuses().get(0).getState().getTerminated()).isNotNull();
    clock.advance(aws.stopDelay.multipliedBy(4).plusMillis(1));
    assertThat(provider.listPodStatuses()).isEmpty();
    assertThat(aws.taskArns("RUNNING")).isEmpty();
  }

  @Test
  void statusOfManyPodsTakesOneDescribeTasksPerHundred() throws Exception {
    for (int i = 0; i < 250; i++) {
      provider.createPod(replica("web-5d8f-" + i, "uid-" + i, "pw"));
    }
    runThroughStart();
    aws.clearRequests();
    List<Pod> pods = provider.listPodStatuses();
    assertThat(pods).hasSize(250);
    assertThat(aws.count("DescribeTasks")).isEqualTo(3);
    assertThat(aws.requests()).allMatch(r -> r.operation().equals("DescribeTasks"));
  }

  @Test
  void aNewTaskDescribeTasksDoesNotShowYetIsReportedPending() throws Exception {
    aws.describeLag = Duration.ofSeconds(5);
    provider.createPod(replica("web-5d8f-0", "uid-0", "pw"));
    List<Pod> pods = provider.listPodStatuses();
    assertThat(pods).hasSize(1);
    assertThat(pods.get(0).getStatus().getContainerStatuses().get(0).getState().getWaiting())
        .isNotNull();
  }

  @Test
  void aRestartedProviderAdoptsItsTasksWithoutAStartOrARegistration() throws Exception {
    provider.createPod(replica("web-5d8f-0", "uid-0", "pw"));
    provider.createPod(replica("web-5d8f-1", "uid-1", "pw"));
    runThroughStart();
    provider.close();
    aws.clearRequests();

    provider = connect(aws, context, Map.of());
    List<Pod> adopted = provider.listPods();
    assertThat(adopted)
        .extracting(p -> p.getMetadata().getName() + "/" + p.getMetadata().getUid())
        .containsExactlyInAnyOrder("web-5d8f-0/uid-0", "web-5d8f-1/uid-1");
    assertThat(adopted)
        .allMatch(
            p ->
                "0123456789abcdef"
                    .equals(p.getMetadata().getAnnotations().get(PodIdentity.SPEC_HASH)));
    assertThat(aws.count("RunTask")).isZero();
    assertThat(aws.count("RegisterTaskDefinition")).isZero();
    assertThat(aws.count("DeregisterTaskDefinition")).as("the revision is in use").isZero();
    assertThat(aws.parameters()).as("the secret is in use").hasSize(1);

    // a third replica after the restart reuses the revision
    provider.createPod(replica("web-5d8f-2", "uid-2", "pw"));
    assertThat(aws.count("RegisterTaskDefinition")).isZero();
    assertThat(aws.activeTaskDefinitionArns()).hasSize(1);

    // and the adopted pods release what they use when deleted
    for (Pod p : adopted) {
      provider.deletePod(p);
    }
    provider.deletePod(replica("web-5d8f-2", "uid-2", "pw"));
    assertThat(aws.activeTaskDefinitionArns()).isEmpty();
    assertThat(aws.parameters()).isEmpty();
  }

  @Test
  void leftoversOfThisNodeAreRemovedAtStartupAndOthersAreKept() throws Exception {
    provider.createPod(replica("web-5d8f-0", "uid-0", "pw"));
    // a runner that died between storing and starting: a definition and a parameter, no task
    Pod other =
        PodFixtures.pod("lonely")
            .uid("uid-x")
            .nodeName("virtual-kubelet")
            .container("app", "busybox", c -> c.requests("250m", "512Mi"))
            .build();
    other =
        new PodBuilder(other)
            .editSpec()
            .editFirstContainer()
            .addToEnv(
                new EnvVarBuilder()
                    .withName("TOKEN")
                    .withValue("t")
                    .withNewValueFrom()
                    .withNewSecretKeyRef("token", "api", false)
                    .endValueFrom()
                    .build())
            .endContainer()
            .endSpec()
            .build();
    TaskPlan plan = new TaskTranslator(settingsOf(provider)).translate(other);
    try (EcsClient ecs = ecs(aws);
        SsmClient ssm = ssm(aws)) {
      ecs.registerTaskDefinition(plan.definition());
      ssm.putParameter(
          r ->
              r.name(plan.parameters().get(0).name()).value("t").type(ParameterType.SECURE_STRING));
      // another node's definition
      ecs.registerTaskDefinition(
          plan.definition().toBuilder().family("vkj-00000000-default-someone-else").build());
    }
    assertThat(aws.activeTaskDefinitionArns()).hasSize(3);
    provider.close();

    provider = connect(aws, context, Map.of());
    provider.listPods();
    assertThat(aws.activeTaskDefinitionArns())
        .hasSize(2)
        .anyMatch(arn -> arn.contains("someone-else"))
        .noneMatch(arn -> arn.contains(plan.family()));
    assertThat(aws.parameters()).containsOnlyKeys("/vkj/vkj/virtual-kubelet/default/db/password");
  }

  static EcsClient ecs(FakeAws aws) {
    return EcsClient.builder()
        .endpointOverride(aws.endpoint())
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "test")))
        .httpClient(UrlConnectionHttpClient.create())
        .build();
  }

  static SsmClient ssm(FakeAws aws) {
    return SsmClient.builder()
        .endpointOverride(aws.endpoint())
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "test")))
        .httpClient(UrlConnectionHttpClient.create())
        .build();
  }

  private static TaskSettings settingsOf(FargateProvider provider) throws Exception {
    var field = FargateProvider.class.getDeclaredField("settings");
    field.setAccessible(true);
    return (TaskSettings) field.get(provider);
  }

  @Test
  void aThrottledReadIsThrottledAfterOneAttempt() throws Exception {
    provider.createPod(replica("web-5d8f-0", "uid-0", "pw"));
    aws.throttle("DescribeTasks", 1);
    assertThatThrownBy(() -> provider.listPodStatuses())
        .isInstanceOf(ProviderException.class)
        .extracting(e -> ((ProviderException) e).code())
        .isEqualTo(ErrorCode.THROTTLED);
    assertThat(aws.count("DescribeTasks"))
        .as("the SDK does not retry behind the core")
        .isEqualTo(1);
    assertThat(provider.listPodStatuses()).hasSize(1);
  }

  /** A launch the account's rate refuses waits with a reason the pod shows. */
  @Test
  void aThrottledLaunchWaitsWithTheReasonAndStartsOnce() throws Exception {
    aws.throttle("RunTask", 1);
    assertThatThrownBy(() -> provider.createPod(replica("web-5d8f-0", "uid-0", "pw")))
        .isInstanceOfSatisfying(
            ProviderException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.QUOTA_EXCEEDED);
              assertThat(e.retryAfter()).isPresent();
            })
        .hasMessageContaining("launch rate");
    assertThat(aws.count("RunTask")).as("the SDK does not retry behind the core").isEqualTo(1);

    provider.createPod(replica("web-5d8f-0", "uid-0", "pw"));
    assertThat(aws.taskArns("RUNNING")).hasSize(1);
    assertThat(aws.count("RegisterTaskDefinition")).as("the retry reuses it").isEqualTo(1);
  }

  @Test
  void aPodDeletedWhileItsLaunchWaitsLeavesNothingBehind() throws Exception {
    Pod pod = replica("web-5d8f-0", "uid-0", "pw");
    aws.throttle("RunTask", 1);
    assertThatThrownBy(() -> provider.createPod(pod)).isInstanceOf(ProviderException.class);
    assertThat(aws.activeTaskDefinitionArns()).hasSize(1);
    assertThat(aws.parameters()).hasSize(1);

    provider.deletePod(pod);
    assertThat(aws.activeTaskDefinitionArns()).isEmpty();
    assertThat(aws.parameters()).isEmpty();
  }

  @Test
  void aServerErrorIsTransient() throws Exception {
    aws.failNext("DescribeTasks", 1);
    provider.createPod(replica("web-5d8f-0", "uid-0", "pw"));
    assertThatThrownBy(() -> provider.listPodStatuses())
        .isInstanceOf(ProviderException.class)
        .extracting(e -> ((ProviderException) e).code())
        .isEqualTo(ErrorCode.TRANSIENT);
    assertThat(provider.listPodStatuses()).hasSize(1);
  }

  @Test
  void aRetriedCreateStartsNoSecondTask() throws Exception {
    Pod pod = replica("web-5d8f-0", "uid-0", "pw");
    provider.createPod(pod);
    provider.createPod(pod);
    provider.close();
    // a restarted runner that did not see the first create's answer retries with the same token
    provider = connect(aws, context, Map.of());
    provider.createPod(pod);
    assertThat(aws.taskArns("RUNNING")).hasSize(1);
  }

  @Test
  void aPodNoFargateSizeFitsFailsWithoutAnyCall() throws Exception {
    Pod pod =
        PodFixtures.pod("huge")
            .uid("uid-h")
            .container("app", "busybox", c -> c.requests("32", "256Gi"))
            .build();
    aws.clearRequests();
    assertThatThrownBy(() -> provider.createPod(pod))
        .isInstanceOf(ProviderException.class)
        .extracting(e -> ((ProviderException) e).code())
        .isEqualTo(ErrorCode.INVALID_INPUT);
    assertThat(aws.requests()).isEmpty();
  }

  @Test
  void aTaskStoppedOutsideKubernetesFailsThePodWithTheReasonAndOneEvent() throws Exception {
    provider.createPod(replica("web-5d8f-0", "uid-0", "pw"));
    runThroughStart();
    provider.listPodStatuses();
    String task = aws.taskArns("RUNNING").get(0);
    aws.stopOutside(task, "EssentialContainerExited", "Essential container in task exited", 2);
    clock.advance(aws.stopDelay.multipliedBy(4).plusMillis(1));

    PodStatus status = provider.listPodStatuses().get(0).getStatus();
    assertThat(status.getPhase()).isEqualTo("Failed");
    assertThat(status.getContainerStatuses().get(0).getState().getTerminated().getExitCode())
        .isEqualTo(2);
    provider.listPodStatuses();
    assertThat(context.events().events())
        .filteredOn(e -> "EssentialContainerExited".equals(e.reason()))
        .hasSize(1);
  }

  @Test
  void anImageThatCannotBePulledFailsThePod() throws Exception {
    Pod pod =
        PodFixtures.pod("bad")
            .uid("uid-b")
            .container("app", "example.com/does-not-exist:1", c -> c.requests("250m", "512Mi"))
            .build();
    provider.createPod(pod);
    clock.advance(aws.provisionDelay.plus(aws.pendingDelay).plusMillis(1));
    clock.advance(aws.stopDelay.multipliedBy(4).plusMillis(1));
    PodStatus status = provider.getPodStatus("default", "bad").orElseThrow();
    assertThat(status.getPhase()).isEqualTo("Failed");
    assertThat(String.valueOf(status.getMessage()) + status.getContainerStatuses())
        .contains("CannotPullContainerError");
  }

  @Test
  void labelChangesRetagAndContainerChangesAreUnsupported() throws Exception {
    Pod pod = replica("web-5d8f-0", "uid-0", "pw");
    provider.createPod(pod);
    runThroughStart();
    provider.listPodStatuses();

    Pod relabelled =
        new PodBuilder(pod)
            .editMetadata()
            .addToLabels("tier", "front")
            .addToAnnotations(PodIdentity.SPEC_HASH, "fedcba9876543210")
            .endMetadata()
            .build();
    provider.updatePod(relabelled);
    assertThat(aws.count("TagResource")).isEqualTo(1);
    assertThat(
            provider.getPod("default", "web-5d8f-0").orElseThrow().getMetadata().getAnnotations())
        .containsEntry(PodIdentity.SPEC_HASH, "fedcba9876543210");

    Pod newImage =
        new PodBuilder(pod)
            .editSpec()
            .editFirstContainer()
            .withImage("nginx:1.28")
            .endContainer()
            .endSpec()
            .build();
    assertThatThrownBy(() -> provider.updatePod(newImage))
        .isInstanceOf(ProviderException.class)
        .extracting(e -> ((ProviderException) e).code())
        .isEqualTo(ErrorCode.UNSUPPORTED);
  }

  @Test
  void logsTailFollowAndSinceReadCloudWatchWithoutDuplicates() throws Exception {
    provider.createPod(replica("web-5d8f-0", "uid-0", "pw"));
    runThroughStart();
    clock.advance(Duration.ofSeconds(5));
    provider.listPodStatuses();

    String tail =
        read(provider.containerLogs("default", "web-5d8f-0", "web", options(2, false, null)));
    assertThat(tail.lines().toList()).containsExactly("web line 4", "web line 5");

    // lines are a second apart, the last one a moment ago
    String since =
        read(
            provider.containerLogs(
                "default",
                "web-5d8f-0",
                "web",
                options(-1, false, clock.instant().minusMillis(2500))));
    assertThat(since.lines().toList()).containsExactly("web line 3", "web line 4", "web line 5");

    assertThatThrownBy(
            () -> provider.containerLogs("default", "web-5d8f-0", "nope", options(-1, false, null)))
        .isInstanceOf(ProviderException.class)
        .extracting(e -> ((ProviderException) e).code())
        .isEqualTo(ErrorCode.NOT_FOUND);
  }

  @Test
  void followingSendsEveryNewLineOnceAndEndsWithTheContainer() throws Exception {
    provider.createPod(replica("web-5d8f-0", "uid-0", "pw"));
    runThroughStart();
    clock.advance(Duration.ofSeconds(2));
    provider.listPodStatuses();
    try (InputStream in =
        provider.containerLogs("default", "web-5d8f-0", "web", options(-1, true, null))) {
      assertThat(readLine(in)).isEqualTo("web line 1");
      assertThat(readLine(in)).isEqualTo("web line 2");
      clock.advance(Duration.ofSeconds(2));
      assertThat(readLine(in)).isEqualTo("web line 3");
      assertThat(readLine(in)).isEqualTo("web line 4");
      provider.deletePod(replica("web-5d8f-0", "uid-0", "pw"));
      clock.advance(aws.stopDelay.multipliedBy(4).plusMillis(1));
      provider.listPodStatuses();
      String rest = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertThat(rest.lines()).doesNotContain("web line 3", "web line 4").doesNotHaveDuplicates();
    }
  }

  private static LogOptions options(int tail, boolean follow, Instant since) {
    return new LogOptions(
        tail < 0 ? OptionalInt.empty() : OptionalInt.of(tail),
        OptionalLong.empty(),
        false,
        follow,
        false,
        Optional.ofNullable(since));
  }

  private static String read(InputStream in) throws Exception {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String readLine(InputStream in) throws Exception {
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') {
      line.append((char) c);
    }
    return line.toString();
  }

  @Test
  void withoutCredentialsTheProviderDoesNotStart() {
    Map<String, String> raw = settings(aws);
    assertThatThrownBy(
            () ->
                FargateProviderFactory.connect(
                    FargateConfig.from(
                        ProviderConfig.validated(raw, FargateConfig.KEYS), Optional.empty()),
                    context,
                    () -> {
                      throw software.amazon.awssdk.core.exception.SdkClientException.create(
                          "Unable to load credentials from any of the providers in the chain");
                    }))
        .isInstanceOf(ProviderException.class)
        .extracting(e -> ((ProviderException) e).code())
        .isEqualTo(ErrorCode.AUTH);
  }

  @Test
  void aMissingClusterIsCreatedOnceAndNotWhenForbidden() throws Exception {
    assertThat(aws.count("CreateCluster")).isEqualTo(1);
    provider.close();
    provider = connect(aws, context, Map.of());
    assertThat(aws.count("CreateCluster")).isEqualTo(1);

    assertThatThrownBy(
            () -> connect(aws, context, Map.of("cluster", "absent", "createCluster", "false")))
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining("cluster")
        .extracting(e -> ((ProviderException) e).code())
        .isEqualTo(ErrorCode.INVALID_CONFIG);
  }
}
