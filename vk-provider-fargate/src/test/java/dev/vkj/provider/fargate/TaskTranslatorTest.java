package dev.vkj.provider.fargate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vkj.spi.ErrorCode;
import dev.vkj.spi.ProviderException;
import dev.vkj.testing.PodFixtures;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.model.ContainerCondition;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.ContainerDependency;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;

final class TaskTranslatorTest {
  private static final String EXECUTION_ROLE = "arn:aws:iam::123456789012:role/vkj-execution";
  private static final String PREFIX = "/vkj/jcluster/vk-fargate";

  static TaskSettings settings() {
    return new TaskSettings(
        "jcluster",
        "vk-fargate",
        "us-east-1",
        Optional.of(EXECUTION_ROLE),
        Optional.empty(),
        Optional.empty(),
        "X86_64",
        PREFIX);
  }

  private static TaskPlan translate(Pod pod) throws ProviderException {
    return translate(pod, settings());
  }

  private static TaskPlan translate(Pod pod, TaskSettings settings) throws ProviderException {
    return new TaskTranslator(settings).translate(pod);
  }

  /** A pod {@code web} in namespace {@code shop} with one container {@code app}. */
  static Pod web() {
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace("shop")
        .withName("web")
        .withUid("7c0a2b1e-0000-4000-8000-000000000001")
        .endMetadata()
        .withNewSpec()
        .withNodeName("vk-fargate")
        .addNewContainer()
        .withName("app")
        .withImage("public.ecr.aws/nginx/nginx:1.27")
        .endContainer()
        .endSpec()
        .build();
  }

  private static Pod edit(UnaryOperator<PodBuilder> change) {
    return change.apply(new PodBuilder(web())).build();
  }

  /** The web pod with its container changed. */
  private static Pod app(UnaryOperator<ContainerBuilder> change) {
    Pod pod = web();
    pod.getSpec()
        .setContainers(
            List.of(
                change.apply(new ContainerBuilder(pod.getSpec().getContainers().get(0))).build()));
    return pod;
  }

  private static ContainerDefinition container(TaskPlan plan, String name) {
    return plan.definition().containerDefinitions().stream()
        .filter(c -> c.name().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static void assertRefused(Pod pod, String fieldAndWhy) {
    assertRefused(pod, settings(), fieldAndWhy);
  }

  private static void assertRefused(Pod pod, TaskSettings settings, String fieldAndWhy) {
    assertThatThrownBy(() -> translate(pod, settings))
        .isInstanceOfSatisfying(
            ProviderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT))
        .hasMessageContaining(fieldAndWhy);
  }

  private static EnvVar secretEnv(String name, String value, String secret, String key) {
    return new EnvVarBuilder()
        .withName(name)
        .withValue(value)
        .withNewValueFrom()
        .withNewSecretKeyRef(key, secret, false)
        .endValueFrom()
        .build();
  }

  private static Map<String, Quantity> amounts(String cpu, String memory) {
    Map<String, Quantity> out = new java.util.LinkedHashMap<>();
    if (cpu != null) {
      out.put("cpu", new Quantity(cpu));
    }
    if (memory != null) {
      out.put("memory", new Quantity(memory));
    }
    return out;
  }

  private static String sha256(String s) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void aPlainPodBecomesAFargateTaskDefinition() throws Exception {
    TaskPlan plan = translate(web());
    RegisterTaskDefinitionRequest d = plan.definition();
    assertThat(d.requiresCompatibilitiesAsStrings()).containsExactly("FARGATE");
    assertThat(d.networkModeAsString()).isEqualTo("awsvpc");
    assertThat(d.runtimePlatform().operatingSystemFamilyAsString()).isEqualTo("LINUX");
    assertThat(d.runtimePlatform().cpuArchitectureAsString()).isEqualTo("X86_64");
    assertThat(d.cpu()).isEqualTo("256");
    assertThat(d.memory()).isEqualTo("512");
    assertThat(d.executionRoleArn()).isEqualTo(EXECUTION_ROLE);
    assertThat(d.taskRoleArn()).isNull();
    assertThat(d.hasTags()).as("the provider tags").isFalse();
    assertThat(d.hasVolumes()).isFalse();
    assertThat(d.ephemeralStorage()).isNull();
    assertThat(d.pidMode()).isNull();
    assertThat(d.family()).isEqualTo(plan.family());
    assertThat(plan.contentHash()).matches("[0-9a-f]{64}");
    assertThat(plan.family())
        .isEqualTo(settings().familyPrefix() + "shop-web-" + plan.contentHash().substring(0, 12));
    assertThat(plan.parameters()).isEmpty();
    assertThat(plan.capacityProvider()).isEmpty();
    assertThat(plan.initContainers()).isEmpty();

    ContainerDefinition c = d.containerDefinitions().get(0);
    assertThat(d.containerDefinitions()).hasSize(1);
    assertThat(c.name()).isEqualTo("app");
    assertThat(c.image()).isEqualTo("public.ecr.aws/nginx/nginx:1.27");
    assertThat(c.essential()).isTrue();
    assertThat(c.hasDependsOn()).isFalse();
    assertThat(c.hasEntryPoint()).isFalse();
    assertThat(c.hasCommand()).isFalse();
    assertThat(c.cpu()).isZero();
    assertThat(c.memory()).isNull();
    assertThat(c.memoryReservation()).isNull();
    assertThat(c.logConfiguration()).isNull();
    assertThat(c.healthCheck()).isNull();
    assertThat(c.user()).isNull();
  }

  @Test
  void theFamilyPrefixIsTheNodesHash() throws Exception {
    String expected = "vkj-" + sha256("jcluster/vk-fargate").substring(0, 8) + "-";
    assertThat(settings().familyPrefix()).isEqualTo(expected).hasSize(13);
    TaskSettings other =
        new TaskSettings(
            "jcluster",
            "vk-other",
            "us-east-1",
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            "X86_64",
            PREFIX);
    assertThat(other.familyPrefix()).isNotEqualTo(expected);
  }

  @Test
  void settingsAreChecked() {
    assertThatThrownBy(
            () ->
                new TaskSettings(
                    "c",
                    "n",
                    "us-east-1",
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    "amd64",
                    PREFIX))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("X86_64 or ARM64");
    assertThatThrownBy(
            () ->
                new TaskSettings(
                    "c",
                    "n",
                    "us-east-1",
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    "X86_64",
                    "/vkj/c/"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("parameterPrefix");
    assertThatThrownBy(
            () ->
                new TaskSettings(
                    "c",
                    null,
                    "us-east-1",
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    "X86_64",
                    PREFIX))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("nodeName is null");
  }

  @Test
  void commandIsTheEntryPointArgsTheCommandAndWorkingDirIsKept() throws Exception {
    Pod pod = app(c -> c.withCommand("/bin/sh", "-c").withArgs("echo hi").withWorkingDir("/srv"));
    ContainerDefinition c = container(translate(pod), "app");
    assertThat(c.entryPoint()).containsExactly("/bin/sh", "-c");
    assertThat(c.command()).containsExactly("echo hi");
    assertThat(c.workingDirectory()).isEqualTo("/srv");

    ContainerDefinition argsOnly =
        container(translate(app(c2 -> c2.withArgs("--port", "8080"))), "app");
    assertThat(argsOnly.hasEntryPoint()).as("the image's entrypoint is kept").isFalse();
    assertThat(argsOnly.command()).containsExactly("--port", "8080");
  }

  @Test
  void literalVariablesAreEnvironmentAndSecretValuesAreParameterReferences() throws Exception {
    Pod pod =
        app(
            c ->
                c.withEnv(
                    new EnvVar("MODE", "prod", null),
                    new EnvVar("EMPTY", null, null),
                    secretEnv("DB_PASSWORD", "s3cr3t-value", "db", "password"),
                    secretEnv("ALSO_PASSWORD", "s3cr3t-value", "db", "password"),
                    secretEnv("API_TOKEN", "t0ken-value", "api", "token")));
    TaskPlan plan = translate(pod);
    ContainerDefinition c = container(plan, "app");
    assertThat(c.environment())
        .extracting(kv -> kv.name() + "=" + kv.value())
        .containsExactly("MODE=prod", "EMPTY=");
    String password = PREFIX + "/shop/db/password";
    String token = PREFIX + "/shop/api/token";
    assertThat(c.secrets())
        .extracting(s -> s.name() + "<-" + s.valueFrom())
        .containsExactly(
            "DB_PASSWORD<-" + password, "ALSO_PASSWORD<-" + password, "API_TOKEN<-" + token);
    assertThat(plan.parameters())
        .containsExactly(
            new SecretParameter(password, "s3cr3t-value"),
            new SecretParameter(token, "t0ken-value"));

    // no secret value anywhere but in the parameters, which never print it
    for (String text :
        List.of(
            plan.definition().toString(),
            TaskTranslator.canonical(plan.definition()),
            plan.toString(),
            plan.parameters().toString())) {
      assertThat(text).doesNotContain("s3cr3t").doesNotContain("t0ken");
    }
    assertThat(plan.parameters().get(0))
        .hasToString("SecretParameter[name=" + password + ", value=***]");
  }

  @Test
  void secretValuesNeverChangeTheHashOrTheFamily() throws Exception {
    TaskPlan one = translate(app(c -> c.withEnv(secretEnv("PW", "first", "db", "password"))));
    TaskPlan two = translate(app(c -> c.withEnv(secretEnv("PW", "second", "db", "password"))));
    assertThat(two.contentHash()).isEqualTo(one.contentHash());
    assertThat(two.family()).isEqualTo(one.family());
    assertThat(two.definition()).isEqualTo(one.definition());
    assertThat(two.parameters().get(0).value()).isEqualTo("second");
    // the key is part of the definition: another key is another definition
    TaskPlan other = translate(app(c -> c.withEnv(secretEnv("PW", "first", "db", "root"))));
    assertThat(other.contentHash()).isNotEqualTo(one.contentHash());
  }

  @Test
  void valuesComposedFromASecretGetTheirOwnParameters() throws Exception {
    Pod pod =
        app(
            c ->
                c.withEnv(
                    secretEnv("PASSWORD", "pw", "db", "password"),
                    secretEnv("DB_URL", "postgres://u:pw@db:5432/shop", "db", "password")));
    TaskPlan plan = translate(pod);
    String password = PREFIX + "/shop/_env/web/app/PASSWORD";
    String url = PREFIX + "/shop/_env/web/app/DB_URL";
    assertThat(container(plan, "app").secrets())
        .extracting(s -> s.name() + "<-" + s.valueFrom())
        .containsExactly("PASSWORD<-" + password, "DB_URL<-" + url);
    assertThat(plan.parameters())
        .containsExactly(
            new SecretParameter(password, "pw"),
            new SecretParameter(url, "postgres://u:pw@db:5432/shop"));
  }

  @Test
  void parameterNamesKeepToTheSsmCharacterSet() throws Exception {
    TaskPlan plan = translate(app(c -> c.withEnv(secretEnv("K", "v", "tls.cert", "ca.crt"))));
    assertThat(plan.parameters().get(0).name()).isEqualTo(PREFIX + "/shop/tls.cert/ca.crt");
    assertThat(TaskTranslator.segment("a b:c/d@e")).isEqualTo("a-b-c-d-e");
  }

  @Test
  void aVariableWhoseValueWasNotResolvedIsRefused() {
    EnvVar unresolved =
        new EnvVarBuilder()
            .withName("NODE")
            .withNewValueFrom()
            .withNewFieldRef(null, "spec.nodeName")
            .endValueFrom()
            .build();
    assertRefused(
        app(c -> c.withEnv(new EnvVar("A", "1", null), unresolved)),
        "spec.containers[0].env[1] (NODE): valueFrom was not resolved to a value");
    EnvVar secretWithoutValue = secretEnv("PW", null, "db", "password");
    assertRefused(
        app(c -> c.withEnv(secretWithoutValue)),
        "spec.containers[0].env[0] (PW): the Secret value was not resolved");
  }

  @Test
  void replicasOfOneReplicaSetShareTheFamilyAndTheHash() throws Exception {
    TaskPlan a = translate(replica("web-5d9c7b8f4-abcde", "uid-a", "pw-a", "a"));
    TaskPlan b = translate(replica("web-5d9c7b8f4-fghij", "uid-b", "pw-b", "b"));
    assertThat(b.family()).isEqualTo(a.family());
    assertThat(b.contentHash()).isEqualTo(a.contentHash());
    assertThat(b.definition()).isEqualTo(a.definition());
    assertThat(a.family()).contains("-shop-web-5d9c7b8f4-");
    assertThat(b.parameters())
        .extracting(SecretParameter::name)
        .isEqualTo(a.parameters().stream().map(SecretParameter::name).toList());

    Pod changed = replica("web-5d9c7b8f4-klmno", "uid-c", "pw-a", "a");
    changed.getSpec().getContainers().get(0).setImage("public.ecr.aws/nginx/nginx:1.28");
    TaskPlan c = translate(changed);
    assertThat(c.contentHash()).isNotEqualTo(a.contentHash());
    assertThat(c.family()).isNotEqualTo(a.family());
  }

  private static Pod replica(String name, String uid, String secret, String label) {
    return new PodBuilder(web())
        .editMetadata()
        .withName(name)
        .withUid(uid)
        .withGenerateName("web-5d9c7b8f4-")
        .addToLabels("pod-template-hash", "5d9c7b8f4")
        .addToLabels("instance", label)
        .addToAnnotations("example.com/note", label)
        .addNewOwnerReference()
        .withApiVersion("apps/v1")
        .withKind("ReplicaSet")
        .withName("web-5d9c7b8f4")
        .withUid("rs-uid")
        .withController(true)
        .endOwnerReference()
        .endMetadata()
        .editSpec()
        .editFirstContainer()
        .withEnv(secretEnv("PW", secret, "db", "password"))
        .endContainer()
        .endSpec()
        .build();
  }

  @Test
  void theHashTellsListsApartThatPrintTheSame() throws Exception {
    TaskPlan joined = translate(app(c -> c.withArgs("a, b")));
    TaskPlan split = translate(app(c -> c.withArgs("a", "b")));
    assertThat(joined.contentHash()).isNotEqualTo(split.contentHash());
    assertThat(TaskTranslator.canonical(split.definition()))
        .contains("\"command\":[\"a\",\"b\"]")
        .startsWith("{\"family\":\"vkj-");
  }

  @Test
  void theHashCoversTheEnvironmentThatToStringHides() throws Exception {
    TaskPlan demo = translate(app(c -> c.withEnv(new EnvVar("MODE", "demo", null))));
    TaskPlan prod = translate(app(c -> c.withEnv(new EnvVar("MODE", "prod", null))));
    // the SDK redacts environment in toString(), so a hash of toString() would not see it
    assertThat(demo.definition().toString()).doesNotContain("demo");
    assertThat(prod.contentHash()).isNotEqualTo(demo.contentHash());
    assertThat(prod.family()).isNotEqualTo(demo.family());
  }

  @Test
  void theHashIgnoresNamesLabelsAndUnrelatedAnnotations() throws Exception {
    TaskPlan plain = translate(web());
    Pod decorated =
        edit(
            b ->
                b.editMetadata()
                    .withName("web-2")
                    .withUid("another")
                    .addToLabels("app", "web")
                    .addToAnnotations("example.com/note", "x")
                    .endMetadata());
    assertThat(translate(decorated).contentHash()).isEqualTo(plain.contentHash());
  }

  @Test
  void familiesKeepToTheEcsCharacterSetAndLength() throws Exception {
    TaskPlan dotted =
        translate(edit(b -> b.editMetadata().withName("web.example.com").endMetadata()));
    assertThat(dotted.family())
        .isEqualTo(
            settings().familyPrefix()
                + "shop-web-example-com-"
                + dotted.contentHash().substring(0, 12));

    String longNamespace = "n".repeat(63);
    String longName = "very.long-pod.name".repeat(14); // 252 characters
    TaskPlan longOne =
        translate(
            edit(
                b ->
                    b.editMetadata()
                        .withNamespace(longNamespace)
                        .withName(longName)
                        .endMetadata()));
    assertThat(longOne.family())
        .hasSizeLessThanOrEqualTo(255)
        .matches("[A-Za-z0-9_-]+")
        .startsWith(settings().familyPrefix() + longNamespace + "-very-long-pod-name")
        .endsWith("-" + longOne.contentHash().substring(0, 12));
    assertThat(longOne.family()).hasSize(255);
  }

  @Test
  void theOwnerIsTheControllerElseTheGenerateNameElseThePodName() {
    var meta = web().getMetadata();
    assertThat(TaskTranslator.owner(meta)).isEqualTo("web");
    meta.setGenerateName("batch-job-");
    assertThat(TaskTranslator.owner(meta)).isEqualTo("batch-job");
    meta.setOwnerReferences(
        List.of(
            new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder()
                .withKind("Node")
                .withName("not-a-controller")
                .build(),
            new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder()
                .withKind("Job")
                .withName("nightly")
                .withController(true)
                .build()));
    assertThat(TaskTranslator.owner(meta)).isEqualTo("nightly");
  }

  @Test
  void portsAreMappedUnderTheirOwnNumbers() throws Exception {
    Pod pod =
        app(
            c ->
                c.addNewPort()
                    .withContainerPort(80)
                    .endPort()
                    .addNewPort()
                    .withContainerPort(53)
                    .withProtocol("UDP")
                    .endPort()
                    .addNewPort()
                    .withContainerPort(443)
                    .withHostPort(443)
                    .withProtocol("TCP")
                    .endPort());
    assertThat(container(translate(pod), "app").portMappings())
        .extracting(p -> p.containerPort() + ":" + p.hostPort() + "/" + p.protocolAsString())
        .containsExactly("80:80/tcp", "53:53/udp", "443:443/tcp");
  }

  @Test
  void portsFargateCannotPublishAreRefused() {
    assertRefused(
        app(
            c ->
                c.addNewPort()
                    .withContainerPort(80)
                    .endPort()
                    .addNewPort()
                    .withContainerPort(9000)
                    .withProtocol("SCTP")
                    .endPort()),
        "spec.containers[0].ports[1].protocol: Fargate carries TCP and UDP only, not SCTP");
    assertRefused(
        app(c -> c.addNewPort().withContainerPort(80).withHostPort(8080).endPort()),
        "spec.containers[0].ports[0].hostPort: an awsvpc task publishes a port under its own"
            + " number only");
    Pod twice =
        edit(
            b ->
                b.editSpec()
                    .editFirstContainer()
                    .addNewPort()
                    .withContainerPort(8080)
                    .endPort()
                    .endContainer()
                    .addNewContainer()
                    .withName("sidecar")
                    .withImage("busybox:1.36")
                    .addNewPort()
                    .withContainerPort(8080)
                    .endPort()
                    .endContainer()
                    .endSpec());
    assertRefused(
        twice,
        "spec.containers[1].ports[0]: port 8080/tcp is already mapped by spec.containers[0]");
  }

  @Test
  void containerResourcesUseLimitsElseRequests() throws Exception {
    Pod pod =
        app(
            c ->
                c.withNewResources()
                    .withRequests(amounts("500m", "1Gi"))
                    .withLimits(amounts("1", "2Gi"))
                    .endResources());
    TaskPlan plan = translate(pod);
    ContainerDefinition c = container(plan, "app");
    assertThat(c.cpu()).isEqualTo(1024);
    assertThat(c.memory()).isEqualTo(2048);
    assertThat(c.memoryReservation()).isEqualTo(1024);
    assertThat(plan.definition().cpu()).isEqualTo("1024");
    assertThat(plan.definition().memory()).isEqualTo("2048");

    ContainerDefinition requestsOnly =
        container(
            translate(
                app(
                    c2 ->
                        c2.withNewResources()
                            .withRequests(amounts("100m", "600Mi"))
                            .endResources())),
            "app");
    assertThat(requestsOnly.cpu()).as("ceil(100 × 1.024)").isEqualTo(103);
    assertThat(requestsOnly.memory()).isNull();
    assertThat(requestsOnly.memoryReservation()).isEqualTo(600);

    ContainerDefinition equal =
        container(
            translate(
                app(
                    c2 ->
                        c2.withNewResources()
                            .withRequests(amounts("250m", "512Mi"))
                            .withLimits(amounts("250m", "512Mi"))
                            .endResources())),
            "app");
    assertThat(equal.cpu()).isEqualTo(256);
    assertThat(equal.memory()).isEqualTo(512);
    assertThat(equal.memoryReservation()).as("ECS wants memory > memoryReservation").isNull();

    ContainerDefinition roundedUp =
        container(
            translate(
                app(
                    c2 ->
                        c2.withNewResources().withLimits(amounts(null, "1025Ki")).endResources())),
            "app");
    assertThat(roundedUp.memory()).isEqualTo(2);
  }

  @Test
  void theTaskIsTheSmallestFargateSizeHoldingThePod() throws Exception {
    assertThat(size(web())).isEqualTo("256/512");
    assertThat(
            size(
                app(
                    c ->
                        c.withNewResources()
                            .withRequests(amounts("250m", "600Mi"))
                            .endResources())))
        .isEqualTo("256/1024");
    assertThat(size(app(c -> c.withNewResources().withLimits(amounts(null, "3Gi")).endResources())))
        .isEqualTo("512/3072");
    assertThat(
            size(app(c -> c.withNewResources().withRequests(amounts("6", "20Gi")).endResources())))
        .isEqualTo("8192/20480");
    assertThat(
            size(app(c -> c.withNewResources().withLimits(amounts("16", "120Gi")).endResources())))
        .isEqualTo("16384/122880");
    // two app containers add up
    Pod two =
        edit(
            b ->
                b.editSpec()
                    .editFirstContainer()
                    .withNewResources()
                    .withRequests(amounts("1", "2Gi"))
                    .endResources()
                    .endContainer()
                    .addNewContainer()
                    .withName("sidecar")
                    .withImage("busybox:1.36")
                    .withNewResources()
                    .withRequests(amounts("1", "2Gi"))
                    .endResources()
                    .endContainer()
                    .endSpec());
    assertThat(size(two)).isEqualTo("2048/4096");
  }

  private static String size(Pod pod) throws ProviderException {
    RegisterTaskDefinitionRequest d = translate(pod).definition();
    return d.cpu() + "/" + d.memory();
  }

  @Test
  void aPodLargerThanAnyFargateTaskIsRefusedWithItsOwnFigures() {
    assertRefused(
        app(c -> c.withNewResources().withRequests(amounts("20", "8Gi")).endResources()),
        "spec.containers[*].resources: the pod needs 20 vCPU and 8 GiB of memory; the largest"
            + " Fargate task has 16 vCPU and 120 GiB");
    assertRefused(
        app(c -> c.withNewResources().withLimits(amounts("1", "121Gi")).endResources()),
        "the pod needs 1 vCPU and 121 GiB of memory");
  }

  @Test
  void initContainersRunInOrderBeforeTheAppContainers() throws Exception {
    Pod pod =
        edit(
            b ->
                b.editSpec()
                    .editFirstContainer()
                    .withNewResources()
                    .withRequests(amounts("250m", "512Mi"))
                    .endResources()
                    .endContainer()
                    .addNewInitContainer()
                    .withName("migrate")
                    .withImage("flyway:10")
                    .withNewResources()
                    .withLimits(amounts("2", "4Gi"))
                    .endResources()
                    .endInitContainer()
                    .addNewInitContainer()
                    .withName("warm")
                    .withImage("busybox:1.36")
                    .endInitContainer()
                    .endSpec());
    TaskPlan plan = translate(pod);
    assertThat(plan.initContainers()).containsExactly("migrate", "warm");
    assertThat(plan.definition().containerDefinitions())
        .extracting(ContainerDefinition::name)
        .containsExactly("app", "migrate", "warm");
    ContainerDefinition migrate = container(plan, "migrate");
    ContainerDefinition warm = container(plan, "warm");
    ContainerDefinition app = container(plan, "app");
    assertThat(migrate.essential()).isFalse();
    assertThat(migrate.hasDependsOn()).isFalse();
    assertThat(warm.essential()).isFalse();
    assertThat(warm.dependsOn()).containsExactly(dependsOn("migrate", ContainerCondition.SUCCESS));
    assertThat(app.essential()).isTrue();
    assertThat(app.dependsOn()).containsExactly(dependsOn("warm", ContainerCondition.SUCCESS));
    // Kubernetes' effective request: the init container alone is larger than the app
    assertThat(plan.definition().cpu()).isEqualTo("2048");
    assertThat(plan.definition().memory()).isEqualTo("4096");
    // ECS adds up every container's reservation: the init container reserves nothing
    assertThat(migrate.cpu()).isNull();
    assertThat(migrate.memory()).isNull();
    assertThat(migrate.memoryReservation()).isNull();
    assertThat(app.cpu()).isEqualTo(256);
    assertThat(app.memoryReservation()).isEqualTo(512);
  }

  @Test
  void sidecarsStartBeforeTheAppAndCountWithIt() throws Exception {
    Pod pod =
        edit(
            b ->
                b.editSpec()
                    .editFirstContainer()
                    .withNewResources()
                    .withRequests(amounts("250m", "512Mi"))
                    .endResources()
                    .endContainer()
                    .addNewInitContainer()
                    .withName("setup")
                    .withImage("busybox:1.36")
                    .endInitContainer()
                    .addNewInitContainer()
                    .withName("proxy")
                    .withImage("envoy:1.31")
                    .withRestartPolicy("Always")
                    .withNewResources()
                    .withRequests(amounts("250m", "512Mi"))
                    .endResources()
                    .endInitContainer()
                    .endSpec());
    TaskPlan plan = translate(pod);
    ContainerDefinition proxy = container(plan, "proxy");
    assertThat(proxy.essential()).isFalse();
    assertThat(proxy.dependsOn()).containsExactly(dependsOn("setup", ContainerCondition.SUCCESS));
    assertThat(proxy.cpu()).isEqualTo(256);
    assertThat(proxy.memoryReservation()).isEqualTo(512);
    assertThat(container(plan, "app").dependsOn())
        .containsExactly(dependsOn("proxy", ContainerCondition.START));
    assertThat(plan.definition().cpu()).isEqualTo("512");
    assertThat(plan.definition().memory()).isEqualTo("1024");
  }

  private static ContainerDependency dependsOn(String name, ContainerCondition condition) {
    return ContainerDependency.builder().containerName(name).condition(condition).build();
  }

  @Test
  void emptyDirVolumesAreTaskVolumesMountedWhereThePodSays() throws Exception {
    Pod pod =
        edit(
            b ->
                b.editSpec()
                    .addNewVolume()
                    .withName("cache")
                    .withNewEmptyDir()
                    .endEmptyDir()
                    .endVolume()
                    .editFirstContainer()
                    .addNewVolumeMount()
                    .withName("cache")
                    .withMountPath("/var/cache/nginx")
                    .endVolumeMount()
                    .addNewVolumeMount()
                    .withName("cache")
                    .withMountPath("/ro")
                    .withReadOnly(true)
                    .endVolumeMount()
                    .endContainer()
                    .endSpec());
    TaskPlan plan = translate(pod);
    assertThat(plan.definition().volumes())
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.name()).isEqualTo("cache");
              assertThat(v.host()).isNull();
            });
    assertThat(container(plan, "app").mountPoints())
        .extracting(m -> m.sourceVolume() + ":" + m.containerPath() + ":" + m.readOnly())
        .containsExactly("cache:/var/cache/nginx:false", "cache:/ro:true");
  }

  @Test
  void theInjectedServiceAccountVolumeIsLeftOutWithItsMounts() throws Exception {
    Pod pod =
        edit(
            b ->
                b.editSpec()
                    .addNewVolume()
                    .withName("kube-api-access-x7k2p")
                    .withNewProjected()
                    .addNewSource()
                    .withNewServiceAccountToken()
                    .withExpirationSeconds(3607L)
                    .withPath("token")
                    .endServiceAccountToken()
                    .endSource()
                    .addNewSource()
                    .withNewConfigMap()
                    .withName("kube-root-ca.crt")
                    .endConfigMap()
                    .endSource()
                    .endProjected()
                    .endVolume()
                    .editFirstContainer()
                    .addNewVolumeMount()
                    .withName("kube-api-access-x7k2p")
                    .withMountPath("/var/run/secrets/kubernetes.io/serviceaccount")
                    .withReadOnly(true)
                    .endVolumeMount()
                    .endContainer()
                    .endSpec());
    TaskPlan plan = translate(pod);
    assertThat(plan.definition().hasVolumes()).isFalse();
    assertThat(container(plan, "app").hasMountPoints()).isFalse();
    // the random suffix never changes the definition
    assertThat(plan.contentHash()).isEqualTo(translate(web()).contentHash());
  }

  @Test
  void theTokenSecretOfOlderClustersIsLeftOutButOtherSecretsAreNot() throws Exception {
    Pod legacy =
        PodFixtures.pod("web")
            .namespace("shop")
            .container("app", "nginx:1.27")
            .secretVolume(
                "default-token-kt6dj",
                "default-token-kt6dj",
                "/var/run/secrets/kubernetes.io/serviceaccount")
            .build();
    TaskPlan plan = translate(legacy);
    assertThat(plan.definition().hasVolumes()).isFalse();
    assertThat(container(plan, "app").hasMountPoints()).isFalse();

    Pod elsewhere =
        PodFixtures.pod("web")
            .namespace("shop")
            .container("app", "nginx:1.27")
            .secretVolume("default-token-kt6dj", "default-token-kt6dj", "/etc/token")
            .build();
    assertRefused(
        elsewhere,
        "spec.volumes[0] (default-token-kt6dj): Fargate tasks mount emptyDir volumes only, not"
            + " secret");
  }

  @Test
  void otherVolumesAreRefusedNamingTheVolume() {
    Pod configMap =
        PodFixtures.pod("web")
            .namespace("shop")
            .container("app", "nginx:1.27")
            .volume(new VolumeBuilder().withName("scratch").withNewEmptyDir().endEmptyDir().build())
            .configMapVolume("config", "web-config", "/etc/web")
            .build();
    assertRefused(
        configMap,
        "spec.volumes[1] (config): Fargate tasks mount emptyDir volumes only, not configMap");
    Pod hostPath =
        edit(
            b ->
                b.editSpec()
                    .addNewVolume()
                    .withName("docker")
                    .withNewHostPath()
                    .withPath("/var/run/docker.sock")
                    .endHostPath()
                    .endVolume()
                    .endSpec());
    assertRefused(
        hostPath,
        "spec.volumes[0] (docker): Fargate tasks mount emptyDir volumes only, not hostPath");
    Pod userToken =
        edit(
            b ->
                b.editSpec()
                    .addNewVolume()
                    .withName("aws-iam-token")
                    .withNewProjected()
                    .addNewSource()
                    .withNewServiceAccountToken()
                    .withAudience("sts.amazonaws.com")
                    .withPath("token")
                    .endServiceAccountToken()
                    .endSource()
                    .endProjected()
                    .endVolume()
                    .endSpec());
    assertRefused(userToken, "spec.volumes[0] (aws-iam-token)");
    Pod memory =
        edit(
            b ->
                b.editSpec()
                    .addNewVolume()
                    .withName("shm")
                    .withNewEmptyDir()
                    .withMedium("Memory")
                    .endEmptyDir()
                    .endVolume()
                    .endSpec());
    assertRefused(memory, "spec.volumes[0].emptyDir.medium: Fargate has no memory-backed volumes");
  }

  @Test
  void mountsFargateCannotMakeAreRefused() {
    Pod subPath =
        edit(
            b ->
                b.editSpec()
                    .addNewVolume()
                    .withName("cache")
                    .withNewEmptyDir()
                    .endEmptyDir()
                    .endVolume()
                    .editFirstContainer()
                    .addNewVolumeMount()
                    .withName("cache")
                    .withMountPath("/a")
                    .withSubPath("a")
                    .endVolumeMount()
                    .endContainer()
                    .endSpec());
    assertRefused(
        subPath, "spec.containers[0].volumeMounts[0].subPath: Fargate mounts whole volumes only");
    Pod unknown =
        app(c -> c.addNewVolumeMount().withName("nowhere").withMountPath("/x").endVolumeMount());
    assertRefused(unknown, "spec.containers[0].volumeMounts[0]: no volume named nowhere");
  }

  @Test
  void theArchitectureComesFromTheNodeSelectorElseTheSettings() throws Exception {
    Pod arm = edit(b -> b.editSpec().addToNodeSelector("kubernetes.io/arch", "arm64").endSpec());
    assertThat(translate(arm).definition().runtimePlatform().cpuArchitectureAsString())
        .isEqualTo("ARM64");
    Pod amd =
        edit(
            b ->
                b.editSpec()
                    .addToNodeSelector("kubernetes.io/arch", "amd64")
                    .addToNodeSelector("kubernetes.io/os", "linux")
                    .endSpec());
    TaskSettings armByDefault =
        new TaskSettings(
            "jcluster",
            "vk-fargate",
            "us-east-1",
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            "ARM64",
            PREFIX);
    assertThat(
            translate(amd, armByDefault).definition().runtimePlatform().cpuArchitectureAsString())
        .isEqualTo("X86_64");
    assertThat(
            translate(web(), armByDefault).definition().runtimePlatform().cpuArchitectureAsString())
        .isEqualTo("ARM64");
    assertRefused(
        edit(b -> b.editSpec().addToNodeSelector("kubernetes.io/arch", "s390x").endSpec()),
        "spec.nodeSelector[kubernetes.io/arch]: Fargate runs amd64 and arm64 only, not s390x");
    assertRefused(
        edit(b -> b.editSpec().addToNodeSelector("kubernetes.io/os", "windows").endSpec()),
        "spec.nodeSelector[kubernetes.io/os]: Fargate runs Linux pods only, not windows");
  }

  @Test
  void theTaskRoleComesFromTheAnnotationsElseTheSettings() throws Exception {
    String own = "arn:aws:iam::123456789012:role/own";
    String kube2iam = "arn:aws:iam::123456789012:role/kube2iam";
    String fallback = "arn:aws:iam::123456789012:role/default";
    TaskSettings withRole =
        new TaskSettings(
            "jcluster",
            "vk-fargate",
            "us-east-1",
            Optional.of(EXECUTION_ROLE),
            Optional.of(fallback),
            Optional.empty(),
            "X86_64",
            PREFIX);
    Pod both =
        edit(
            b ->
                b.editMetadata()
                    .addToAnnotations(TaskTranslator.TASK_ROLE, own)
                    .addToAnnotations(TaskTranslator.KUBE2IAM_ROLE, kube2iam)
                    .endMetadata());
    Pod onlyKube2iam =
        edit(
            b ->
                b.editMetadata()
                    .addToAnnotations(TaskTranslator.KUBE2IAM_ROLE, kube2iam)
                    .endMetadata());
    assertThat(translate(both, withRole).definition().taskRoleArn()).isEqualTo(own);
    assertThat(translate(onlyKube2iam, withRole).definition().taskRoleArn()).isEqualTo(kube2iam);
    assertThat(translate(web(), withRole).definition().taskRoleArn()).isEqualTo(fallback);
    assertThat(translate(web(), withRole).definition().executionRoleArn())
        .isEqualTo(EXECUTION_ROLE);
    // the role is part of what runs: another role, another definition
    assertThat(translate(both, withRole).contentHash())
        .isNotEqualTo(translate(web(), withRole).contentHash());
  }

  @Test
  void theCapacityProviderComesFromTheAnnotation() throws Exception {
    Pod spot =
        edit(
            b ->
                b.editMetadata()
                    .addToAnnotations(TaskTranslator.CAPACITY_PROVIDER, "FARGATE_SPOT")
                    .endMetadata());
    TaskPlan plan = translate(spot);
    assertThat(plan.capacityProvider()).hasValue("FARGATE_SPOT");
    assertThat(plan.contentHash()).isEqualTo(translate(web()).contentHash());
    Pod fargate =
        edit(
            b ->
                b.editMetadata()
                    .addToAnnotations(TaskTranslator.CAPACITY_PROVIDER, "FARGATE")
                    .endMetadata());
    assertThat(translate(fargate).capacityProvider()).hasValue("FARGATE");
    assertRefused(
        edit(
            b ->
                b.editMetadata()
                    .addToAnnotations(TaskTranslator.CAPACITY_PROVIDER, "EC2")
                    .endMetadata()),
        "metadata.annotations[vkj.dev/capacity-provider]: must be FARGATE or FARGATE_SPOT, not EC2");
  }

  @Test
  void ephemeralStorageAbove20GibIsRequestedUpTo200() throws Exception {
    assertThat(translate(storage("20Gi")).definition().ephemeralStorage()).isNull();
    assertThat(translate(storage("21Gi")).definition().ephemeralStorage().sizeInGiB())
        .isEqualTo(21);
    assertThat(translate(storage("20.5Gi")).definition().ephemeralStorage().sizeInGiB())
        .as("rounded up")
        .isEqualTo(21);
    assertThat(translate(storage("200Gi")).definition().ephemeralStorage().sizeInGiB())
        .isEqualTo(200);
    assertRefused(
        storage("201Gi"),
        "the pod needs 201 GiB of ephemeral-storage; a Fargate task has at most 200 GiB");
    Pod two =
        edit(
            b ->
                b.editSpec()
                    .editFirstContainer()
                    .withNewResources()
                    .addToLimits("ephemeral-storage", new Quantity("15Gi"))
                    .endResources()
                    .endContainer()
                    .addNewContainer()
                    .withName("sidecar")
                    .withImage("busybox:1.36")
                    .withNewResources()
                    .addToRequests("ephemeral-storage", new Quantity("15Gi"))
                    .endResources()
                    .endContainer()
                    .endSpec());
    assertThat(translate(two).definition().ephemeralStorage().sizeInGiB()).isEqualTo(30);
  }

  private static Pod storage(String amount) {
    return app(
        c ->
            c.withNewResources()
                .addToRequests("ephemeral-storage", new Quantity(amount))
                .endResources());
  }

  @Test
  void logsGoToTheConfiguredGroupUnderTheVkjPrefix() throws Exception {
    TaskSettings logged =
        new TaskSettings(
            "jcluster",
            "vk-fargate",
            "eu-west-1",
            Optional.of(EXECUTION_ROLE),
            Optional.empty(),
            Optional.of("/vkj/pods"),
            "X86_64",
            PREFIX);
    var log = container(translate(web(), logged), "app").logConfiguration();
    assertThat(log.logDriverAsString()).isEqualTo("awslogs");
    assertThat(log.options())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "awslogs-group", "/vkj/pods",
                "awslogs-region", "eu-west-1",
                "awslogs-stream-prefix", "vkj"));
    assertThat(container(translate(web()), "app").logConfiguration()).isNull();
  }

  @Test
  void anExecLivenessProbeIsTheHealthCheck() throws Exception {
    Pod pod =
        app(
            c ->
                c.withNewLivenessProbe()
                    .withNewExec()
                    .withCommand("cat", "/tmp/healthy")
                    .endExec()
                    .withPeriodSeconds(3)
                    .withTimeoutSeconds(1)
                    .withFailureThreshold(20)
                    .withInitialDelaySeconds(600)
                    .endLivenessProbe());
    var check = container(translate(pod), "app").healthCheck();
    assertThat(check.command()).containsExactly("CMD", "cat", "/tmp/healthy");
    assertThat(check.interval()).isEqualTo(5);
    assertThat(check.timeout()).isEqualTo(2);
    assertThat(check.retries()).isEqualTo(10);
    assertThat(check.startPeriod()).isEqualTo(300);

    var defaults =
        container(
                translate(
                    app(
                        c ->
                            c.withNewLivenessProbe()
                                .withNewExec()
                                .withCommand("true")
                                .endExec()
                                .endLivenessProbe())),
                "app")
            .healthCheck();
    assertThat(defaults.interval()).isEqualTo(10);
    assertThat(defaults.timeout()).isEqualTo(2);
    assertThat(defaults.retries()).isEqualTo(3);
    assertThat(defaults.startPeriod()).isZero();
  }

  @Test
  void probesThatAreNotCommandsAreIgnored() throws Exception {
    Pod pod =
        app(
            c ->
                c.withNewLivenessProbe()
                    .withNewHttpGet()
                    .withPath("/healthz")
                    .withPort(new io.fabric8.kubernetes.api.model.IntOrString(8080))
                    .endHttpGet()
                    .endLivenessProbe()
                    .withNewReadinessProbe()
                    .withNewExec()
                    .withCommand("true")
                    .endExec()
                    .endReadinessProbe()
                    .withStdin(true)
                    .withTty(true));
    ContainerDefinition c = container(translate(pod), "app");
    assertThat(c.healthCheck()).isNull();
    assertThat(c.interactive()).isNull();
    assertThat(c.pseudoTerminal()).isNull();
  }

  @Test
  void theSecurityContextSetsTheUserAndTheRootFilesystem() throws Exception {
    Pod pod =
        edit(
            b ->
                b.editSpec()
                    .withNewSecurityContext()
                    .withRunAsUser(1000L)
                    .withRunAsGroup(3000L)
                    .endSecurityContext()
                    .editFirstContainer()
                    .withNewSecurityContext()
                    .withReadOnlyRootFilesystem(true)
                    .withNewCapabilities()
                    .withAdd("SYS_PTRACE")
                    .withDrop("ALL")
                    .endCapabilities()
                    .endSecurityContext()
                    .endContainer()
                    .addNewContainer()
                    .withName("other")
                    .withImage("busybox:1.36")
                    .withNewSecurityContext()
                    .withRunAsUser(2000L)
                    .endSecurityContext()
                    .endContainer()
                    .endSpec());
    TaskPlan plan = translate(pod);
    ContainerDefinition app = container(plan, "app");
    assertThat(app.user()).isEqualTo("1000:3000");
    assertThat(app.readonlyRootFilesystem()).isTrue();
    assertThat(app.linuxParameters().capabilities().add()).containsExactly("SYS_PTRACE");
    assertThat(app.linuxParameters().capabilities().drop()).containsExactly("ALL");
    assertThat(container(plan, "other").user()).isEqualTo("2000:3000");
    assertThat(container(plan, "other").linuxParameters()).isNull();
  }

  @Test
  void whatFargateCannotGrantIsRefused() {
    assertRefused(
        app(c -> c.withNewSecurityContext().withPrivileged(true).endSecurityContext()),
        "spec.containers[0].securityContext.privileged: Fargate runs no privileged containers");
    assertRefused(
        app(
            c ->
                c.withNewSecurityContext()
                    .withNewCapabilities()
                    .withAdd("CAP_SYS_PTRACE", "NET_ADMIN")
                    .endCapabilities()
                    .endSecurityContext()),
        "spec.containers[0].securityContext.capabilities.add: Fargate adds only the SYS_PTRACE"
            + " capability, not NET_ADMIN");
    assertRefused(
        app(c -> c.withNewSecurityContext().withRunAsGroup(3000L).endSecurityContext()),
        "spec.containers[0].securityContext.runAsGroup: ECS sets a group only together with a user");
    assertRefused(
        app(
            c ->
                c.withNewSecurityContext()
                    .withRunAsUser(0L)
                    .withRunAsNonRoot(true)
                    .endSecurityContext()),
        "spec.containers[0].securityContext.runAsUser: runAsNonRoot is set but the user is 0");
  }

  @Test
  void hostNamespacesAndPullSecretsAreRefused() {
    assertRefused(edit(b -> b.editSpec().withHostNetwork(true).endSpec()), "spec.hostNetwork");
    assertRefused(edit(b -> b.editSpec().withHostPID(true).endSpec()), "spec.hostPID");
    assertRefused(edit(b -> b.editSpec().withHostIPC(true).endSpec()), "spec.hostIPC");
    assertRefused(
        edit(
            b ->
                b.editSpec()
                    .addNewImagePullSecret()
                    .withName("registry")
                    .endImagePullSecret()
                    .endSpec()),
        "spec.imagePullSecrets: Fargate pulls images with the task execution role; private"
            + " registries through repositoryCredentials are not supported yet");
    assertRefused(
        edit(
            b ->
                b.editSpec()
                    .addNewHostAlias()
                    .withIp("10.0.0.1")
                    .withHostnames("db")
                    .endHostAlias()
                    .endSpec()),
        "spec.hostAliases");
  }

  @Test
  void gpusAndOtherExtendedResourcesAreRefused() {
    assertRefused(
        app(
            c ->
                c.withNewResources()
                    .addToLimits("nvidia.com/gpu", new Quantity("1"))
                    .endResources()),
        "spec.containers[0].resources: Fargate has no GPUs (nvidia.com/gpu)");
    assertRefused(
        app(
            c ->
                c.withNewResources()
                    .addToLimits("hugepages-2Mi", new Quantity("64Mi"))
                    .endResources()),
        "Fargate offers cpu, memory and ephemeral-storage only, not hugepages-2Mi");
  }

  @Test
  void moreThanTenContainersAreRefused() {
    PodFixtures.PodSpecBuilder b = PodFixtures.pod("big");
    for (int i = 0; i < 11; i++) {
      b.container("c" + i, "busybox:1.36");
    }
    assertRefused(b.build(), "ECS runs at most 10 containers per task");
  }

  @Test
  void aSharedProcessNamespaceIsTheTaskPidMode() throws Exception {
    Pod pod = edit(b -> b.editSpec().withShareProcessNamespace(true).endSpec());
    assertThat(translate(pod).definition().pidModeAsString()).isEqualTo("task");
  }

  @Test
  void theFixturePodTranslatesToo() throws Exception {
    Pod pod =
        PodFixtures.pod("api-0")
            .namespace("shop")
            .container(
                "api",
                "ghcr.io/example/api:2.1",
                c ->
                    c.port(8080)
                        .env("MODE", "demo")
                        .requests("250m", "256Mi")
                        .limits("500m", "512Mi"))
            .build();
    TaskPlan plan = translate(pod);
    ContainerDefinition api = container(plan, "api");
    assertThat(api.cpu()).isEqualTo(512);
    assertThat(api.memory()).isEqualTo(512);
    assertThat(api.memoryReservation()).isEqualTo(256);
    assertThat(plan.definition().cpu()).isEqualTo("512");
    assertThat(plan.definition().memory()).isEqualTo("1024");
  }
}
