package dev.vkj.provider.fargate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.vkj.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.DefaultRetryStrategy;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.InputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.OutputLogEvent;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.AssignPublicIp;
import software.amazon.awssdk.services.ecs.model.CapacityProviderStrategyItem;
import software.amazon.awssdk.services.ecs.model.ClientException;
import software.amazon.awssdk.services.ecs.model.ClusterNotFoundException;
import software.amazon.awssdk.services.ecs.model.Compatibility;
import software.amazon.awssdk.services.ecs.model.Container;
import software.amazon.awssdk.services.ecs.model.ContainerCondition;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.ContainerDependency;
import software.amazon.awssdk.services.ecs.model.DescribeTasksResponse;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.ecs.model.EcsException;
import software.amazon.awssdk.services.ecs.model.InvalidParameterException;
import software.amazon.awssdk.services.ecs.model.LaunchType;
import software.amazon.awssdk.services.ecs.model.ListTasksResponse;
import software.amazon.awssdk.services.ecs.model.LogConfiguration;
import software.amazon.awssdk.services.ecs.model.LogDriver;
import software.amazon.awssdk.services.ecs.model.NetworkConfiguration;
import software.amazon.awssdk.services.ecs.model.NetworkMode;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.RunTaskRequest;
import software.amazon.awssdk.services.ecs.model.Secret;
import software.amazon.awssdk.services.ecs.model.ServerException;
import software.amazon.awssdk.services.ecs.model.SortOrder;
import software.amazon.awssdk.services.ecs.model.Tag;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionField;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionStatus;
import software.amazon.awssdk.services.ecs.model.TaskField;
import software.amazon.awssdk.services.ecs.model.TaskStopCode;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.GetParametersByPathResponse;
import software.amazon.awssdk.services.ssm.model.Parameter;
import software.amazon.awssdk.services.ssm.model.ParameterAlreadyExistsException;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;
import software.amazon.awssdk.services.ssm.model.ParameterType;
import software.amazon.awssdk.services.ssm.model.SsmException;

class FakeAwsTest {
  private static final String CLUSTER = "vk";
  private static final String EXECUTION_ROLE = "arn:aws:iam::123456789012:role/exec";
  private static final String LOG_GROUP = "/ecs/vk";

  private final MutableClock clock = new MutableClock();
  private FakeAws fake;
  private EcsClient ecs;
  private CloudWatchLogsClient logs;
  private SsmClient ssm;

  @BeforeEach
  void start() {
    fake = FakeAws.start(clock);
    StaticCredentialsProvider credentials =
        StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
    ecs =
        EcsClient.builder()
            .endpointOverride(fake.endpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(credentials)
            .httpClient(UrlConnectionHttpClient.create())
            .overrideConfiguration(o -> o.retryStrategy(DefaultRetryStrategy.doNotRetry()))
            .build();
    logs =
        CloudWatchLogsClient.builder()
            .endpointOverride(fake.endpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(credentials)
            .httpClient(UrlConnectionHttpClient.create())
            .overrideConfiguration(o -> o.retryStrategy(DefaultRetryStrategy.doNotRetry()))
            .build();
    ssm =
        SsmClient.builder()
            .endpointOverride(fake.endpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(credentials)
            .httpClient(UrlConnectionHttpClient.create())
            .overrideConfiguration(o -> o.retryStrategy(DefaultRetryStrategy.doNotRetry()))
            .build();
    ecs.createCluster(r -> r.clusterName(CLUSTER));
  }

  @AfterEach
  void stop() {
    ecs.close();
    logs.close();
    ssm.close();
    fake.close();
  }

  // task definitions

  @Test
  void registeringFillsDefaultsAndCountsRevisionsPerFamily() {
    TaskDefinition first = register("web", container("web", "nginx"));
    TaskDefinition second =
        ecs.registerTaskDefinition(
                fargate("web", container("web", "nginx"))
                    .tags(Tag.builder().key("team").value("a").build())
                    .build())
            .taskDefinition();
    TaskDefinition other = register("db", container("db", "postgres"));

    assertThat(first.revision()).isEqualTo(1);
    assertThat(second.revision()).isEqualTo(2);
    assertThat(other.revision()).isEqualTo(1);
    assertThat(second.taskDefinitionArn())
        .isEqualTo("arn:aws:ecs:us-east-1:123456789012:task-definition/web:2");
    assertThat(second.status()).isEqualTo(TaskDefinitionStatus.ACTIVE);
    assertThat(second.registeredAt()).isEqualTo(clock.instant());
    assertThat(second.compatibilities()).contains(Compatibility.FARGATE);
    ContainerDefinition web = second.containerDefinitions().get(0);
    assertThat(web.essential()).isTrue();
    assertThat(web.hasEnvironment()).isTrue();
    assertThat(web.environment()).isEmpty();
    assertThat(web.hasMountPoints()).isTrue();

    var described =
        ecs.describeTaskDefinition(r -> r.taskDefinition("web").include(TaskDefinitionField.TAGS));
    assertThat(described.taskDefinition().revision()).as("the latest ACTIVE").isEqualTo(2);
    assertThat(described.tags()).containsExactly(Tag.builder().key("team").value("a").build());

    ecs.deregisterTaskDefinition(r -> r.taskDefinition("web:2"));
    assertThat(ecs.describeTaskDefinition(r -> r.taskDefinition("web")).taskDefinition().revision())
        .isEqualTo(1);
    assertThat(
            ecs.describeTaskDefinition(r -> r.taskDefinition(second.taskDefinitionArn()))
                .taskDefinition()
                .status())
        .isEqualTo(TaskDefinitionStatus.INACTIVE);
    assertThat(fake.activeTaskDefinitionArns())
        .containsExactlyInAnyOrder(first.taskDefinitionArn(), other.taskDefinitionArn());
    assertThat(fake.taskDefinitionJson(second.taskDefinitionArn()))
        .contains("\"status\":\"INACTIVE\"", "\"team\"");
    assertThatThrownBy(() -> ecs.describeTaskDefinition(r -> r.taskDefinition("nope:1")))
        .isInstanceOf(ClientException.class);
  }

  @Test
  void familiesWithOtherThanLettersDigitsUnderscoresAndHyphensAreRejected() {
    assertThatThrownBy(() -> register("web.default", container("web", "nginx")))
        .isInstanceOf(ClientException.class)
        .hasMessageStartingWith("Family contains invalid characters.");
    assertThatThrownBy(() -> register("x".repeat(256), container("web", "nginx")))
        .isInstanceOf(ClientException.class);
    assertThat(register("x".repeat(255), container("web", "nginx")).revision()).isEqualTo(1);
  }

  @Test
  void everyFargateSizeRegistersAndNoOtherPairDoes() {
    List<int[]> valid = new ArrayList<>();
    for (int memory : List.of(512, 1024, 2048)) {
      valid.add(new int[] {256, memory});
    }
    addRange(valid, 512, 1024, 4096, 1024);
    addRange(valid, 1024, 2048, 8192, 1024);
    addRange(valid, 2048, 4096, 16384, 1024);
    addRange(valid, 4096, 8192, 30720, 1024);
    addRange(valid, 8192, 16384, 61440, 4096);
    addRange(valid, 16384, 32768, 122880, 8192);
    assertThat(valid).hasSize(74);
    for (int[] size : valid) {
      register("sized", String.valueOf(size[0]), String.valueOf(size[1]));
    }

    for (String[] invalid :
        List.of(
            new String[] {"256", "4096"},
            new String[] {"512", "512"},
            new String[] {"1024", "9216"},
            new String[] {"8192", "18432"},
            new String[] {"16384", "36864"},
            new String[] {"300", "1024"})) {
      assertThatThrownBy(() -> register("sized", invalid[0], invalid[1]))
          .as("%s/%s", invalid[0], invalid[1])
          .isInstanceOf(ClientException.class)
          .hasMessageStartingWith("Invalid 'cpu' setting for task.");
    }
    assertThat(register("sized", "1 vCPU", "2GB").cpu()).isEqualTo("1024");
  }

  @Test
  void fargateDefinitionsNeedAwsvpcStorageInRangeAndAnExecutionRoleForAwslogs() {
    assertThatThrownBy(
            () ->
                ecs.registerTaskDefinition(
                    fargate("web", container("web", "nginx"))
                        .networkMode(NetworkMode.BRIDGE)
                        .build()))
        .isInstanceOf(ClientException.class)
        .hasMessageContaining("awsvpc");
    assertThatThrownBy(
            () ->
                ecs.registerTaskDefinition(
                    fargate("web", container("web", "nginx"))
                        .ephemeralStorage(e -> e.sizeInGiB(20))
                        .build()))
        .isInstanceOf(ClientException.class);
    assertThatThrownBy(
            () ->
                ecs.registerTaskDefinition(
                    fargate("web", container("web", "nginx")).executionRoleArn(null).build()))
        .isInstanceOf(ClientException.class)
        .hasMessageStartingWith(
            "Fargate requires task definition to have execution role ARN to support log driver"
                + " awslogs.");
    assertThat(
            ecs.registerTaskDefinition(
                    fargate("web", container("web", "nginx"))
                        .ephemeralStorage(e -> e.sizeInGiB(21))
                        .build())
                .taskDefinition()
                .ephemeralStorage()
                .sizeInGiB())
        .isEqualTo(21);
  }

  // the task lifecycle

  @Test
  void aTaskWalksItsStatesOnlyAsTheClockAdvances() {
    String definition = register("web", container("web", "nginx")).taskDefinitionArn();
    Instant created = clock.instant();
    Task started = run(definition, "uid-1");

    assertThat(started.lastStatus()).isEqualTo("PROVISIONING");
    assertThat(started.desiredStatus()).isEqualTo("RUNNING");
    assertThat(started.taskArn())
        .matches("arn:aws:ecs:us-east-1:123456789012:task/vk/[0-9a-f]{32}");
    assertThat(started.group()).isEqualTo("family:web");
    assertThat(started.platformVersion()).isEqualTo("1.4.0");
    assertThat(started.capacityProviderName()).isEqualTo("FARGATE");
    assertThat(started.cpu()).isEqualTo("256");
    assertThat(started.memory()).isEqualTo("512");
    assertThat(started.createdAt()).isEqualTo(created);
    assertThat(started.startedBy()).isEqualTo("uid-1");
    assertThat(started.attachments().get(0).type()).isEqualTo("ElasticNetworkInterface");
    String ip = privateIp(started);
    assertThat(ip).matches("10\\.0\\.\\d+\\.\\d+");
    Container web = started.containers().get(0);
    assertThat(web.lastStatus()).isEqualTo("PENDING");
    assertThat(web.taskArn()).isEqualTo(started.taskArn());
    assertThat(web.containerArn())
        .contains(started.taskArn().substring(started.taskArn().lastIndexOf('/')));
    assertThat(web.exitCode()).isNull();
    assertThat(web.networkInterfaces().get(0).privateIpv4Address()).isEqualTo(ip);

    for (int i = 0; i < 5; i++) {
      assertThat(describe(started.taskArn()).lastStatus()).isEqualTo("PROVISIONING");
    }
    clock.advance(fake.provisionDelay);
    Task pending = describe(started.taskArn());
    assertThat(pending.lastStatus()).isEqualTo("PENDING");
    assertThat(pending.pullStartedAt()).isEqualTo(created.plus(fake.provisionDelay));
    assertThat(pending.pullStoppedAt()).isNull();
    clock.advance(fake.pendingDelay);
    assertThat(describe(started.taskArn()).lastStatus()).isEqualTo("ACTIVATING");
    clock.advance(fake.activatingDelay.minusMillis(1));
    assertThat(describe(started.taskArn()).lastStatus()).isEqualTo("ACTIVATING");
    clock.advance(Duration.ofMillis(1));

    Task running = describe(started.taskArn());
    assertThat(running.lastStatus()).isEqualTo("RUNNING");
    assertThat(running.startedAt()).isEqualTo(clock.instant());
    assertThat(running.pullStoppedAt()).isNotNull();
    assertThat(running.connectivityAt()).isNotNull();
    assertThat(running.containers().get(0).lastStatus()).isEqualTo("RUNNING");
    assertThat(privateIp(running)).isEqualTo(ip);
    assertThat(fake.lastStatus(started.taskArn())).contains("RUNNING");

    clock.advance(Duration.ofHours(5));
    assertThat(describe(started.taskArn()).lastStatus()).isEqualTo("RUNNING");
    assertThat(privateIp(run(definition, "uid-2")))
        .as("each task its own address")
        .isNotEqualTo(ip);
  }

  @Test
  void aNewTaskIsMissingUntilTheDescribeLagHasPassed() {
    fake.describeLag = Duration.ofSeconds(2);
    String definition = register("web", container("web", "nginx")).taskDefinitionArn();
    Task started = run(definition, "uid-1");

    DescribeTasksResponse early =
        ecs.describeTasks(r -> r.cluster(CLUSTER).tasks(started.taskArn()));
    assertThat(early.tasks()).isEmpty();
    assertThat(early.failures())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.arn()).isEqualTo(started.taskArn());
              assertThat(f.reason()).isEqualTo("MISSING");
            });
    assertThat(ecs.listTasks(r -> r.cluster(CLUSTER)).taskArns()).isEmpty();

    clock.advance(Duration.ofSeconds(2));
    assertThat(describe(started.taskArn()).lastStatus()).isEqualTo("RUNNING");
    assertThat(ecs.listTasks(r -> r.cluster(CLUSTER)).taskArns())
        .containsExactly(started.taskArn());
  }

  @Test
  void describeTasksTakesAtMostHundredIdsAndReportsUnknownOnesMissing() {
    String definition = register("web", container("web", "nginx")).taskDefinitionArn();
    Task started = run(definition, "uid-1");
    String shortId = started.taskArn().substring(started.taskArn().lastIndexOf('/') + 1);

    List<String> tooMany = IntStream.range(0, 101).mapToObj(i -> "id-" + i).toList();
    assertThatThrownBy(() -> ecs.describeTasks(r -> r.cluster(CLUSTER).tasks(tooMany)))
        .isInstanceOf(InvalidParameterException.class);

    DescribeTasksResponse answer =
        ecs.describeTasks(
            r -> r.cluster(CLUSTER).tasks(shortId, "0123456789abcdef0123456789abcdef"));
    assertThat(answer.tasks()).extracting(Task::taskArn).containsExactly(started.taskArn());
    assertThat(answer.failures())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.reason()).isEqualTo("MISSING");
              assertThat(f.arn())
                  .isEqualTo(
                      "arn:aws:ecs:us-east-1:123456789012:task/vk/0123456789abcdef0123456789abcdef");
            });
    assertThatThrownBy(() -> ecs.describeTasks(r -> r.cluster("absent").tasks(shortId)))
        .isInstanceOf(ClusterNotFoundException.class);
    assertThat(ecs.describeClusters(r -> r.clusters(CLUSTER, "absent")).failures())
        .singleElement()
        .satisfies(f -> assertThat(f.reason()).isEqualTo("MISSING"));
  }

  @Test
  void aRepeatedClientTokenAnswersTheSameTaskAndStartsNoSecond() {
    String definition = register("web", container("web", "nginx")).taskDefinitionArn();
    RunTaskRequest request = runRequest(definition, "uid-1").clientToken("token-1").build();

    Task first = ecs.runTask(request).tasks().get(0);
    Task again = ecs.runTask(request).tasks().get(0);

    assertThat(again.taskArn()).isEqualTo(first.taskArn());
    assertThat(fake.taskArns("RUNNING")).containsExactly(first.taskArn());
    assertThat(fake.count("RunTask")).isEqualTo(2);
    assertThatThrownBy(() -> ecs.runTask(request.toBuilder().startedBy("uid-2").build()))
        .isInstanceOf(EcsException.class)
        .satisfies(
            e ->
                assertThat(((EcsException) e).awsErrorDetails().errorCode())
                    .isEqualTo("ConflictException"));
    assertThatThrownBy(() -> ecs.runTask(request.toBuilder().clientToken("t".repeat(65)).build()))
        .isInstanceOf(InvalidParameterException.class);
  }

  @Test
  void runTaskRejectsWhatEcsRejects() {
    String definition = register("web", container("web", "nginx")).taskDefinitionArn();

    assertThatThrownBy(() -> run(definition, "u".repeat(37)))
        .isInstanceOf(InvalidParameterException.class);
    assertThat(run(definition, "u".repeat(36)).startedBy()).hasSize(36);
    assertThatThrownBy(
            () ->
                ecs.runTask(
                    runRequest(definition, "uid")
                        .networkConfiguration((NetworkConfiguration) null)
                        .build()))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageStartingWith(
            "Network Configuration must be provided when networkMode 'awsvpc' is specified.");
    assertThatThrownBy(
            () ->
                ecs.runTask(
                    runRequest(definition, "uid")
                        .networkConfiguration(n -> n.awsvpcConfiguration(a -> a.subnets("sn-1")))
                        .build()))
        .isInstanceOf(InvalidParameterException.class);
    assertThatThrownBy(() -> ecs.runTask(runRequest(definition, "uid").count(11).build()))
        .isInstanceOf(InvalidParameterException.class);
    assertThatThrownBy(
            () ->
                ecs.runTask(
                    runRequest(definition, "uid")
                        .tags(Tag.builder().key("aws:owner").value("x").build())
                        .build()))
        .isInstanceOf(InvalidParameterException.class);
    assertThatThrownBy(
            () ->
                ecs.runTask(
                    runRequest(definition, "uid")
                        .capacityProviderStrategy(strategy("FARGATE_SPOT"))
                        .build()))
        .as("a launch type and a strategy")
        .isInstanceOf(InvalidParameterException.class);
    assertThat(
            ecs.runTask(
                    runRequest(definition, "uid")
                        .launchType((String) null)
                        .capacityProviderStrategy(strategy("FARGATE_SPOT"))
                        .build())
                .tasks()
                .get(0)
                .capacityProviderName())
        .isEqualTo("FARGATE_SPOT");
    assertThatThrownBy(() -> ecs.runTask(runRequest(definition, "uid").cluster("absent").build()))
        .isInstanceOf(ClusterNotFoundException.class);

    ecs.deregisterTaskDefinition(r -> r.taskDefinition(definition));
    assertThatThrownBy(() -> run(definition, "uid"))
        .isInstanceOf(ClientException.class)
        .hasMessageStartingWith("TaskDefinition is inactive");
    assertThat(fake.requests())
        .filteredOn(r -> r.operation().equals("RunTask"))
        .extracting(FakeAws.Request::status)
        .doesNotContain(500);
  }

  @Test
  void stopTaskWalksTheStoppingStatesDeletesTheTagsAndKeepsTheTaskForAnHour() {
    String definition = register("web", container("web", "nginx")).taskDefinitionArn();
    String arn =
        ecs.runTask(
                runRequest(definition, "uid-1")
                    .tags(Tag.builder().key("pod").value("web").build())
                    .build())
            .tasks()
            .get(0)
            .taskArn();
    advanceToRunning();
    assertThat(describe(arn).tags()).containsExactly(Tag.builder().key("pod").value("web").build());
    Instant stopping = clock.instant();

    Task stopped =
        ecs.stopTask(r -> r.cluster(CLUSTER).task(arn).reason("Initiated by user")).task();
    assertThat(stopped.desiredStatus()).isEqualTo("STOPPED");
    assertThat(stopped.lastStatus()).isEqualTo("DEACTIVATING");
    assertThat(stopped.stopCode()).isEqualTo(TaskStopCode.USER_INITIATED);
    assertThat(stopped.stoppedReason()).isEqualTo("Initiated by user");
    assertThat(stopped.stoppingAt()).isEqualTo(stopping);
    assertThat(stopped.containers().get(0).lastStatus()).isEqualTo("RUNNING");

    clock.advance(fake.stopDelay);
    Task killed = describe(arn);
    assertThat(killed.lastStatus()).isEqualTo("STOPPING");
    assertThat(killed.containers().get(0).lastStatus()).isEqualTo("STOPPED");
    assertThat(killed.containers().get(0).exitCode()).isEqualTo(137);
    assertThat(killed.executionStoppedAt()).isEqualTo(clock.instant());
    clock.advance(fake.stopDelay);
    assertThat(describe(arn).lastStatus()).isEqualTo("DEPROVISIONING");
    clock.advance(fake.stopDelay);
    Task done = describe(arn);
    assertThat(done.lastStatus()).isEqualTo("STOPPED");
    assertThat(done.stoppedAt()).isEqualTo(clock.instant());
    assertThat(done.tags()).as("StopTask deletes the task's tags").isEmpty();
    assertThat(ecs.listTasks(r -> r.cluster(CLUSTER)).taskArns()).isEmpty();
    assertThat(
            ecs.listTasks(r -> r.cluster(CLUSTER).desiredStatus(DesiredStatus.STOPPED)).taskArns())
        .containsExactly(arn);
    assertThat(fake.taskArns("STOPPED")).containsExactly(arn);

    clock.advance(Duration.ofMinutes(59));
    assertThat(describe(arn).lastStatus()).isEqualTo("STOPPED");
    clock.advance(Duration.ofMinutes(1));
    assertThat(ecs.describeTasks(r -> r.cluster(CLUSTER).tasks(arn)).failures())
        .singleElement()
        .satisfies(f -> assertThat(f.reason()).isEqualTo("MISSING"));
    assertThat(fake.lastStatus(arn)).isEmpty();
    assertThatThrownBy(() -> ecs.stopTask(r -> r.cluster(CLUSTER).task(arn)))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageStartingWith("The referenced task was not found.");
  }

  @Test
  void stopOutsideEndsEveryContainerWithTheGivenCodeAndReason() {
    String definition =
        register("web", container("web", "nginx"), container("sidecar", "envoy"))
            .taskDefinitionArn();
    String arn = run(definition, "uid-1").taskArn();
    advanceToRunning();

    fake.stopOutside(arn, "EssentialContainerExited", "Essential container in task exited", 2);

    Task died = describe(arn);
    assertThat(died.desiredStatus()).isEqualTo("STOPPED");
    assertThat(died.stopCode()).isEqualTo(TaskStopCode.ESSENTIAL_CONTAINER_EXITED);
    assertThat(died.stoppedReason()).isEqualTo("Essential container in task exited");
    assertThat(died.containers())
        .allSatisfy(
            c -> {
              assertThat(c.lastStatus()).isEqualTo("STOPPED");
              assertThat(c.exitCode()).isEqualTo(2);
            });
    clock.advance(fake.stopDelay.multipliedBy(3));
    assertThat(describe(arn).lastStatus()).isEqualTo("STOPPED");
  }

  @Test
  void anImageThatDoesNotExistFailsTheTaskDuringPending() {
    String definition =
        register("bad", container("app", "example.com/does-not-exist:1")).taskDefinitionArn();
    String arn = run(definition, "uid-1").taskArn();

    clock.advance(fake.provisionDelay);
    assertThat(describe(arn).lastStatus()).isEqualTo("PENDING");
    clock.advance(fake.pendingDelay);
    Task failed = describe(arn);
    assertThat(failed.desiredStatus()).isEqualTo("STOPPED");
    assertThat(failed.stopCode()).isEqualTo(TaskStopCode.TASK_FAILED_TO_START);
    assertThat(failed.stoppedReason())
        .startsWith("CannotPullContainerError: pull image manifest has been retried 5 time(s):")
        .endsWith("not found");
    assertThat(failed.startedAt()).isNull();
    Container app = failed.containers().get(0);
    assertThat(app.lastStatus()).isEqualTo("STOPPED");
    assertThat(app.reason()).startsWith("CannotPullContainerError");
    assertThat(app.exitCode()).isNull();
    clock.advance(fake.stopDelay);
    assertThat(describe(arn).lastStatus()).isEqualTo("STOPPED");
  }

  @Test
  void anExitInTheCommandEndsTheContainerWithThatCodeAndStopsTheTask() {
    String definition =
        register(
                "job",
                container("app", "busybox", "sh", "-c", "sleep 1; exit 3"),
                container("sidecar", "envoy"))
            .taskDefinitionArn();
    String arn = run(definition, "uid-1").taskArn();
    advanceToRunning();
    clock.advance(fake.runTime.minusMillis(1));
    assertThat(describe(arn).lastStatus()).isEqualTo("RUNNING");

    clock.advance(Duration.ofMillis(1));
    Task exited = describe(arn);
    assertThat(exited.desiredStatus()).isEqualTo("STOPPED");
    assertThat(exited.lastStatus()).isEqualTo("DEACTIVATING");
    assertThat(exited.stopCode()).isEqualTo(TaskStopCode.ESSENTIAL_CONTAINER_EXITED);
    assertThat(exited.stoppedReason()).isEqualTo("Essential container in task exited");
    assertThat(container(exited, "app").exitCode()).isEqualTo(3);
    assertThat(container(exited, "sidecar").lastStatus()).isEqualTo("RUNNING");

    clock.advance(fake.stopDelay.multipliedBy(3));
    Task stopped = describe(arn);
    assertThat(stopped.lastStatus()).isEqualTo("STOPPED");
    assertThat(container(stopped, "app").exitCode()).isEqualTo(3);
    assertThat(container(stopped, "sidecar").exitCode()).isEqualTo(137);
  }

  @Test
  void aNonEssentialContainerEndsAloneAndItsDependentStartsOnSuccess() {
    ContainerDefinition init =
        container("init", "busybox", "sh", "-c", "exit 0").toBuilder().essential(false).build();
    ContainerDefinition app =
        container("app", "nginx").toBuilder()
            .dependsOn(
                ContainerDependency.builder()
                    .containerName("init")
                    .condition(ContainerCondition.SUCCESS)
                    .build())
            .build();
    String arn = run(register("web", init, app).taskDefinitionArn(), "uid-1").taskArn();
    advanceToRunning();

    Task starting = describe(arn);
    assertThat(container(starting, "init").lastStatus()).isEqualTo("RUNNING");
    assertThat(container(starting, "app").lastStatus()).isEqualTo("PENDING");
    clock.advance(fake.runTime);
    Task running = describe(arn);
    assertThat(running.lastStatus()).isEqualTo("RUNNING");
    assertThat(running.desiredStatus()).isEqualTo("RUNNING");
    assertThat(container(running, "init").lastStatus()).isEqualTo("STOPPED");
    assertThat(container(running, "init").exitCode()).isZero();
    assertThat(container(running, "app").lastStatus()).isEqualTo("RUNNING");
  }

  @Test
  void aSecretWhoseParameterIsMissingFailsTheTaskToStart() {
    ContainerDefinition web =
        container("web", "nginx").toBuilder()
            .secrets(
                Secret.builder()
                    .name("DB_PASSWORD")
                    .valueFrom("arn:aws:ssm:us-east-1:123456789012:parameter/app/db")
                    .build())
            .build();
    String definition = register("web", web).taskDefinitionArn();
    assertThat(fake.taskDefinitionJson(definition)).contains("parameter/app/db");

    String failing = run(definition, "uid-1").taskArn();
    ssm.putParameter(r -> r.name("/app/db").value("pw").type(ParameterType.SECURE_STRING));
    String working = run(definition, "uid-2").taskArn();
    advanceToRunning();

    Task failed = describe(failing);
    assertThat(failed.stopCode()).isEqualTo(TaskStopCode.TASK_FAILED_TO_START);
    assertThat(failed.stoppedReason())
        .startsWith("ResourceInitializationError: unable to pull secrets or registry auth");
    assertThat(describe(working).lastStatus()).isEqualTo("RUNNING");
    assertThatThrownBy(
            () ->
                ecs.registerTaskDefinition(
                    fargate(
                            "web",
                            web.toBuilder().logConfiguration((LogConfiguration) null).build())
                        .executionRoleArn(null)
                        .build()))
        .isInstanceOf(ClientException.class)
        .hasMessageStartingWith("When you are specifying container secrets");
  }

  @Test
  void injectedThrottlingAndServerErrorsReachTheSdk() {
    String definition = register("web", container("web", "nginx")).taskDefinitionArn();
    fake.throttle("RunTask", 1);
    assertThatThrownBy(() -> run(definition, "uid-1"))
        .isInstanceOfSatisfying(
            EcsException.class,
            e -> {
              assertThat(e.isThrottlingException()).isTrue();
              assertThat(e.statusCode()).isEqualTo(400);
              assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("Rate exceeded");
            });
    String arn = run(definition, "uid-1").taskArn();

    fake.failNext("DescribeTasks", 1);
    assertThatThrownBy(() -> describe(arn))
        .isInstanceOfSatisfying(
            ServerException.class, e -> assertThat(e.statusCode()).isEqualTo(500));
    assertThat(describe(arn).taskArn()).isEqualTo(arn);

    fake.throttle("PutParameter", 1);
    assertThatThrownBy(
            () -> ssm.putParameter(r -> r.name("/a").value("b").type(ParameterType.STRING)))
        .isInstanceOfSatisfying(
            SsmException.class, e -> assertThat(e.isThrottlingException()).isTrue());

    fake.setLimits("ListTasks", 0.001, 2);
    ecs.listTasks(r -> r.cluster(CLUSTER));
    ecs.listTasks(r -> r.cluster(CLUSTER));
    assertThatThrownBy(() -> ecs.listTasks(r -> r.cluster(CLUSTER)))
        .isInstanceOfSatisfying(
            EcsException.class, e -> assertThat(e.isThrottlingException()).isTrue());
    assertThat(fake.requests())
        .extracting(FakeAws.Request::operation, FakeAws.Request::status)
        .contains(tuple("RunTask", 400), tuple("DescribeTasks", 500), tuple("ListTasks", 400));
  }

  @Test
  void listTasksFiltersByStartedByAndPages() {
    String definition = register("web", container("web", "nginx")).taskDefinitionArn();
    List<String> mine = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      mine.add(run(definition, "uid-a").taskArn());
      run(definition, "uid-b");
    }

    List<String> listed = new ArrayList<>();
    List<Integer> pageSizes = new ArrayList<>();
    String token = null;
    do {
      String next = token;
      ListTasksResponse page =
          ecs.listTasks(r -> r.cluster(CLUSTER).startedBy("uid-a").maxResults(2).nextToken(next));
      listed.addAll(page.taskArns());
      pageSizes.add(page.taskArns().size());
      token = page.nextToken();
    } while (token != null);

    assertThat(pageSizes).containsExactly(2, 2, 1);
    assertThat(listed).containsExactlyElementsOf(mine);
    assertThat(
            ecs.listTasksPaginator(r -> r.cluster(CLUSTER).maxResults(3)).taskArns().stream()
                .toList())
        .hasSize(10);
    assertThat(ecs.listTasks(r -> r.cluster(CLUSTER).family("other")).taskArns()).isEmpty();
    assertThat(ecs.listTasks(r -> r.cluster(CLUSTER).launchType(LaunchType.EC2)).taskArns())
        .isEmpty();
    assertThatThrownBy(() -> ecs.listTasks(r -> r.cluster(CLUSTER).maxResults(101)))
        .isInstanceOf(InvalidParameterException.class);
  }

  @Test
  void tagsOfTasksAndDefinitionsChangeAndDefinitionsAreListedByFamily() {
    String first = register("web", container("web", "nginx")).taskDefinitionArn();
    String second = register("web", container("web", "nginx")).taskDefinitionArn();
    register("db", container("db", "postgres"));
    String arn = run(first, "uid-1").taskArn();

    ecs.tagResource(r -> r.resourceArn(arn).tags(tag("pod", "web"), tag("ns", "default")));
    ecs.untagResource(r -> r.resourceArn(arn).tagKeys("ns"));
    assertThat(ecs.listTagsForResource(r -> r.resourceArn(arn)).tags())
        .containsExactly(tag("pod", "web"));
    assertThat(describe(arn).tags()).containsExactly(tag("pod", "web"));
    assertThat(ecs.describeTasks(r -> r.cluster(CLUSTER).tasks(arn)).tasks().get(0).hasTags())
        .as("tags only with include TAGS")
        .isFalse();
    ecs.tagResource(r -> r.resourceArn(first).tags(tag("team", "a")));
    assertThat(ecs.listTagsForResource(r -> r.resourceArn(first)).tags())
        .containsExactly(tag("team", "a"));
    assertThatThrownBy(
            () ->
                ecs.tagResource(
                    r ->
                        r.resourceArn(arn.substring(0, arn.lastIndexOf('/') + 1) + "f".repeat(32))
                            .tags(tag("a", "b"))))
        .isInstanceOf(software.amazon.awssdk.services.ecs.model.ResourceNotFoundException.class);

    var page = ecs.listTaskDefinitions(r -> r.familyPrefix("web").maxResults(1));
    assertThat(page.taskDefinitionArns()).containsExactly(first);
    assertThat(
            ecs.listTaskDefinitions(
                    r -> r.familyPrefix("web").maxResults(1).nextToken(page.nextToken()))
                .taskDefinitionArns())
        .containsExactly(second);
    assertThat(
            ecs.listTaskDefinitions(r -> r.familyPrefix("web").sort(SortOrder.DESC))
                .taskDefinitionArns())
        .containsExactly(second, first);
    ecs.deregisterTaskDefinition(r -> r.taskDefinition(first));
    assertThat(
            ecs.listTaskDefinitions(r -> r.status(TaskDefinitionStatus.INACTIVE))
                .taskDefinitionArns())
        .containsExactly(first);
    assertThat(ecs.listTaskDefinitionFamilies(r -> r.familyPrefix("w")).families())
        .containsExactly("web");
  }

  // CloudWatch Logs

  @Test
  void containerOutputIsReadWithForwardTokensWithoutDuplicates() {
    String arn =
        run(register("web", container("web", "nginx")).taskDefinitionArn(), "uid-1").taskArn();
    String stream = "vk/web/" + arn.substring(arn.lastIndexOf('/') + 1);
    assertThatThrownBy(
            () -> logs.getLogEvents(r -> r.logGroupName(LOG_GROUP).logStreamName(stream)))
        .as("the stream appears when the container starts")
        .isInstanceOf(
            software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException.class)
        .hasMessageStartingWith("The specified log stream does not exist.");
    advanceToRunning();
    clock.advance(Duration.ofSeconds(3));

    assertThat(
            logs.describeLogStreams(r -> r.logGroupName(LOG_GROUP).logStreamNamePrefix("vk/web/"))
                .logStreams())
        .singleElement()
        .satisfies(s -> assertThat(s.logStreamName()).isEqualTo(stream));
    GetLogEventsResponse head =
        logs.getLogEvents(r -> r.logGroupName(LOG_GROUP).logStreamName(stream).startFromHead(true));
    assertThat(messages(head)).containsExactly("web line 1", "web line 2", "web line 3");
    assertThat(head.nextForwardToken()).startsWith("f/");
    assertThat(head.nextBackwardToken()).startsWith("b/");
    Instant startedAt = describe(arn).startedAt();
    assertThat(head.events().get(0).timestamp()).isEqualTo(startedAt.plusSeconds(1).toEpochMilli());

    GetLogEventsResponse nothingNew =
        logs.getLogEvents(
            r ->
                r.logGroupName(LOG_GROUP).logStreamName(stream).nextToken(head.nextForwardToken()));
    assertThat(nothingNew.events()).isEmpty();
    assertThat(nothingNew.nextForwardToken()).isEqualTo(head.nextForwardToken());

    clock.advance(Duration.ofSeconds(2));
    GetLogEventsResponse more =
        logs.getLogEvents(
            r ->
                r.logGroupName(LOG_GROUP)
                    .logStreamName(stream)
                    .nextToken(nothingNew.nextForwardToken()));
    assertThat(messages(more)).containsExactly("web line 4", "web line 5");
    GetLogEventsResponse tail =
        logs.getLogEvents(r -> r.logGroupName(LOG_GROUP).logStreamName(stream).limit(2));
    assertThat(messages(tail)).containsExactly("web line 4", "web line 5");
    GetLogEventsResponse before =
        logs.getLogEvents(
            r ->
                r.logGroupName(LOG_GROUP)
                    .logStreamName(stream)
                    .nextToken(tail.nextBackwardToken()));
    assertThat(messages(before)).containsExactly("web line 1", "web line 2", "web line 3");

    ecs.stopTask(r -> r.cluster(CLUSTER).task(arn));
    clock.advance(Duration.ofMinutes(10));
    assertThat(
            messages(
                logs.getLogEvents(
                    r -> r.logGroupName(LOG_GROUP).logStreamName(stream).startFromHead(true))))
        .as("output ends with the container")
        .hasSize(5);
  }

  @Test
  void putAndFilteredEventsAndUnknownGroupsBehaveAsCloudWatch() {
    logs.createLogGroup(r -> r.logGroupName("/app"));
    logs.createLogStream(r -> r.logGroupName("/app").logStreamName("a"));
    long now = clock.millis();
    logs.putLogEvents(
        r ->
            r.logGroupName("/app")
                .logStreamName("a")
                .logEvents(
                    InputLogEvent.builder().timestamp(now).message("hello").build(),
                    InputLogEvent.builder().timestamp(now + 1).message("world").build()));
    fake.putLogEvent("/app", "b", clock.instant().plusMillis(2), "hello again");

    var filtered =
        logs.filterLogEvents(
            r -> r.logGroupName("/app").logStreamNamePrefix("").filterPattern("hello"));
    assertThat(filtered.events())
        .extracting(e -> e.logStreamName() + ":" + e.message())
        .containsExactly("a:hello", "b:hello again");
    assertThat(filtered.searchedLogStreams()).hasSize(2);
    var paged = logs.filterLogEvents(r -> r.logGroupName("/app").limit(2));
    assertThat(paged.events()).hasSize(2);
    assertThat(
            logs.filterLogEvents(r -> r.logGroupName("/app").nextToken(paged.nextToken())).events())
        .extracting(e -> e.message())
        .containsExactly("hello again");

    assertThatThrownBy(() -> logs.createLogGroup(r -> r.logGroupName("/app")))
        .isInstanceOf(
            software.amazon.awssdk.services.cloudwatchlogs.model.ResourceAlreadyExistsException
                .class);
    assertThatThrownBy(() -> logs.getLogEvents(r -> r.logGroupName("/nope").logStreamName("a")))
        .isInstanceOf(
            software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException.class)
        .hasMessageStartingWith("The specified log group does not exist.");
    assertThatThrownBy(
            () -> logs.getLogEvents(r -> r.logGroupName("/app").logStreamName("a").limit(10_001)))
        .isInstanceOf(
            software.amazon.awssdk.services.cloudwatchlogs.model.InvalidParameterException.class);
  }

  // SSM

  @Test
  void parametersArePutReadListedByPathAndDeleted() {
    assertThat(
            ssm.putParameter(r -> r.name("/app/a").value("1").type(ParameterType.STRING)).version())
        .isEqualTo(1);
    ssm.putParameter(r -> r.name("/app/b/c").value("2").type(ParameterType.SECURE_STRING));
    ssm.putParameter(r -> r.name("/other").value("3").type(ParameterType.STRING));

    assertThatThrownBy(
            () -> ssm.putParameter(r -> r.name("/app/a").value("x").type(ParameterType.STRING)))
        .isInstanceOf(ParameterAlreadyExistsException.class);
    assertThat(ssm.putParameter(r -> r.name("/app/a").value("x").overwrite(true)).version())
        .isEqualTo(2);
    assertThatThrownBy(
            () ->
                ssm.putParameter(
                    r ->
                        r.name("/app/a")
                            .value("y")
                            .overwrite(true)
                            .tags(
                                software.amazon.awssdk.services.ssm.model.Tag.builder()
                                    .key("k")
                                    .value("v")
                                    .build())))
        .isInstanceOf(software.amazon.awssdk.services.ssm.model.ValidationException.class);
    assertThat(ssm.getParameter(r -> r.name("/app/a")).parameter().value()).isEqualTo("x");

    assertThat(
            ssm.getParametersByPath(r -> r.path("/app")).parameters().stream().map(Parameter::name))
        .containsExactly("/app/a");
    assertThat(
            ssm.getParametersByPath(r -> r.path("/app").recursive(true)).parameters().stream()
                .map(Parameter::name))
        .containsExactly("/app/a", "/app/b/c");
    GetParametersByPathResponse first =
        ssm.getParametersByPath(r -> r.path("/").recursive(true).maxResults(2));
    assertThat(first.parameters()).hasSize(2);
    assertThat(
            ssm
                .getParametersByPath(r -> r.path("/").recursive(true).nextToken(first.nextToken()))
                .parameters()
                .stream()
                .map(Parameter::name))
        .containsExactly("/other");

    var some = ssm.getParameters(r -> r.names("/app/a", "/missing"));
    assertThat(some.parameters()).extracting(Parameter::name).containsExactly("/app/a");
    assertThat(some.invalidParameters()).containsExactly("/missing");

    ssm.deleteParameter(r -> r.name("/app/a"));
    assertThat(fake.parameters()).containsOnlyKeys("/app/b/c", "/other");
    var deleted = ssm.deleteParameters(r -> r.names("/other", "/missing"));
    assertThat(deleted.deletedParameters()).containsExactly("/other");
    assertThat(deleted.invalidParameters()).containsExactly("/missing");
    assertThatThrownBy(() -> ssm.deleteParameter(r -> r.name("/app/a")))
        .isInstanceOf(ParameterNotFoundException.class);
    assertThatThrownBy(() -> ssm.getParameter(r -> r.name("/app/a")))
        .isInstanceOf(ParameterNotFoundException.class);
  }

  @Test
  void secureStringValuesAreReturnedOnlyWithDecryption() {
    ssm.putParameter(r -> r.name("/app/token").value("s3cr3t").type(ParameterType.SECURE_STRING));

    Parameter hidden = ssm.getParameter(r -> r.name("/app/token")).parameter();
    assertThat(hidden.type()).isEqualTo(ParameterType.SECURE_STRING);
    assertThat(hidden.value()).isNotEmpty().doesNotContain("s3cr3t");
    assertThat(ssm.getParametersByPath(r -> r.path("/app")).parameters().get(0).value())
        .doesNotContain("s3cr3t");
    assertThat(ssm.getParameter(r -> r.name("/app/token").withDecryption(true)).parameter().value())
        .isEqualTo("s3cr3t");
    assertThat(fake.parameters()).containsEntry("/app/token", "s3cr3t");
  }

  @Test
  void everyRequestIsRecordedWithItsServiceOperationStatusAndBody() {
    fake.clearRequests();
    ecs.describeClusters(r -> r.clusters(CLUSTER));
    assertThatThrownBy(() -> logs.describeLogStreams(r -> r.logGroupName("/none")))
        .isInstanceOf(AwsServiceException.class);
    ssm.putParameter(r -> r.name("p").value("v").type(ParameterType.STRING));

    assertThat(fake.requests())
        .extracting(FakeAws.Request::service, FakeAws.Request::operation, FakeAws.Request::status)
        .containsExactly(
            tuple("ecs", "DescribeClusters", 200),
            tuple("logs", "DescribeLogStreams", 400),
            tuple("ssm", "PutParameter", 200));
    assertThat(fake.requests().get(0).body()).isEqualTo("{\"clusters\":[\"vk\"]}");
    assertThat(fake.count("PutParameter")).isEqualTo(1);
  }

  // helpers

  private TaskDefinition register(String family, ContainerDefinition... containers) {
    return ecs.registerTaskDefinition(fargate(family, containers).build()).taskDefinition();
  }

  private TaskDefinition register(String family, String cpu, String memory) {
    return ecs.registerTaskDefinition(
            fargate(family, container("web", "nginx")).cpu(cpu).memory(memory).build())
        .taskDefinition();
  }

  private static RegisterTaskDefinitionRequest.Builder fargate(
      String family, ContainerDefinition... containers) {
    return RegisterTaskDefinitionRequest.builder()
        .family(family)
        .requiresCompatibilities(Compatibility.FARGATE)
        .networkMode(NetworkMode.AWSVPC)
        .cpu("256")
        .memory("512")
        .executionRoleArn(EXECUTION_ROLE)
        .containerDefinitions(containers);
  }

  private static ContainerDefinition container(String name, String image, String... command) {
    ContainerDefinition.Builder builder =
        ContainerDefinition.builder()
            .name(name)
            .image(image)
            .logConfiguration(
                l ->
                    l.logDriver(LogDriver.AWSLOGS)
                        .options(
                            Map.of(
                                "awslogs-group", LOG_GROUP,
                                "awslogs-region", "us-east-1",
                                "awslogs-stream-prefix", "vk")));
    if (command.length > 0) {
      builder.command(command);
    }
    return builder.build();
  }

  private static Tag tag(String key, String value) {
    return Tag.builder().key(key).value(value).build();
  }

  private static CapacityProviderStrategyItem strategy(String provider) {
    return CapacityProviderStrategyItem.builder().capacityProvider(provider).weight(1).build();
  }

  private static RunTaskRequest.Builder runRequest(String definition, String startedBy) {
    return RunTaskRequest.builder()
        .cluster(CLUSTER)
        .launchType(LaunchType.FARGATE)
        .taskDefinition(definition)
        .startedBy(startedBy)
        .networkConfiguration(
            n ->
                n.awsvpcConfiguration(
                    a -> a.subnets("subnet-0abc").assignPublicIp(AssignPublicIp.DISABLED)));
  }

  private Task run(String definition, String startedBy) {
    return ecs.runTask(runRequest(definition, startedBy).build()).tasks().get(0);
  }

  private Task describe(String arn) {
    return ecs.describeTasks(r -> r.cluster(CLUSTER).tasks(arn).include(TaskField.TAGS))
        .tasks()
        .get(0);
  }

  private void advanceToRunning() {
    clock.advance(fake.provisionDelay.plus(fake.pendingDelay).plus(fake.activatingDelay));
  }

  private static Container container(Task task, String name) {
    return task.containers().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
  }

  private static String privateIp(Task task) {
    return task.attachments().get(0).details().stream()
        .filter(d -> d.name().equals("privateIPv4Address"))
        .findFirst()
        .orElseThrow()
        .value();
  }

  private static List<String> messages(GetLogEventsResponse response) {
    return response.events().stream().map(OutputLogEvent::message).toList();
  }

  private static void addRange(List<int[]> sizes, int cpu, int from, int to, int step) {
    for (int memory = from; memory <= to; memory += step) {
      sizes.add(new int[] {cpu, memory});
    }
  }
}
