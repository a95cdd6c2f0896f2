package dev.vkj.provider.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.resourcemanager.containerinstance.fluent.models.ContainerGroupInner;
import com.azure.resourcemanager.containerinstance.models.Container;
import com.azure.resourcemanager.containerinstance.models.Volume;
import dev.vkj.spi.ErrorCode;
import dev.vkj.spi.PodIdentity;
import dev.vkj.spi.ProviderConfig;
import dev.vkj.spi.ProviderException;
import dev.vkj.testing.InMemoryClusterResources;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class GroupTranslatorTest {
  private static final String SUBSCRIPTION = "00000000-1111-2222-3333-444444444444";

  private final InMemoryClusterResources cluster = new InMemoryClusterResources();

  static AzureConfig config(Map<String, String> extra) throws ProviderException {
    Map<String, String> raw = new HashMap<>();
    raw.put("subscriptionId", SUBSCRIPTION);
    raw.put("resourceGroup", "aci-group");
    raw.put("region", "japaneast");
    raw.putAll(extra);
    return AzureConfig.from(ProviderConfig.validated(raw, AzureConfig.KEYS), Optional.empty());
  }

  private ContainerGroupInner translate(Pod pod) throws ProviderException {
    return translate(pod, Map.of());
  }

  private ContainerGroupInner translate(Pod pod, Map<String, String> config)
      throws ProviderException {
    return new GroupTranslator(config(config), "virtual-kubelet", cluster).translate(pod);
  }

  /** The hands-on's aci-helloworld pod. */
  static Pod helloworld() {
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace("default")
        .withName("aci-helloworld")
        .withUid("9f4a6c1e-0000-4000-8000-000000000001")
        .withCreationTimestamp("2026-12-05T08:00:00Z")
        .addToAnnotations(PodIdentity.SPEC_HASH, "ab12")
        .endMetadata()
        .withNewSpec()
        .withNodeName("virtual-kubelet")
        .addNewContainer()
        .withName("aci-helloworld")
        .withImage("mcr.microsoft.com/azuredocs/aci-helloworld")
        .addNewPort()
        .withContainerPort(80)
        .endPort()
        .endContainer()
        .endSpec()
        .build();
  }

  private static Pod edit(UnaryOperator<PodBuilder> change) {
    return change.apply(new PodBuilder(helloworld())).build();
  }

  private static Pod container(
      UnaryOperator<io.fabric8.kubernetes.api.model.ContainerBuilder> change) {
    Pod pod = helloworld();
    pod.getSpec()
        .setContainers(
            List.of(
                change
                    .apply(
                        new io.fabric8.kubernetes.api.model.ContainerBuilder(
                            pod.getSpec().getContainers().get(0)))
                    .build()));
    return pod;
  }

  private void assertRefused(Pod pod, String fieldAndWhy) {
    assertRefused(pod, Map.of(), fieldAndWhy);
  }

  private void assertRefused(Pod pod, Map<String, String> config, String fieldAndWhy) {
    assertThatThrownBy(() -> translate(pod, config))
        .isInstanceOfSatisfying(
            ProviderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT))
        .hasMessageContaining(fieldAndWhy);
  }

  private static io.fabric8.kubernetes.api.model.Secret typed(
      String name, String type, String key, String clear) {
    return new SecretBuilder()
        .withNewMetadata()
        .withNamespace("default")
        .withName(name)
        .endMetadata()
        .withType(type)
        .addToData(key, b64(clear))
        .build();
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void helloworldBecomesAPublicGroupTaggedWithThePod() throws Exception {
    ContainerGroupInner g = translate(helloworld());
    assertThat(g.location()).isEqualTo("japaneast");
    assertThat(g.tags())
        .containsEntry("Namespace", "default")
        .containsEntry("PodName", "aci-helloworld")
        .containsEntry("UID", "9f4a6c1e-0000-4000-8000-000000000001")
        .containsEntry("NodeName", "virtual-kubelet")
        .containsEntry("CreationTimestamp", "2026-12-05T08:00:00Z")
        .containsEntry("vkj-spec-hash", "ab12");
    assertThat(g.osType().toString()).isEqualTo("Linux");
    assertThat(g.restartPolicy().toString()).isEqualTo("Always");
    Container c = g.containers().get(0);
    assertThat(c.name()).isEqualTo("aci-helloworld");
    assertThat(c.image()).isEqualTo("mcr.microsoft.com/azuredocs/aci-helloworld");
    assertThat(c.command()).isNull();
    assertThat(c.ports()).singleElement().satisfies(p -> assertThat(p.port()).isEqualTo(80));
    assertThat(c.ports().get(0).protocol().toString()).isEqualTo("TCP");
    assertThat(c.resources().requests().cpu()).isEqualTo(1.0);
    assertThat(c.resources().requests().memoryInGB()).isEqualTo(1.5);
    assertThat(c.resources().limits()).isNull();
    assertThat(g.ipAddress().type().toString()).isEqualTo("Public");
    assertThat(g.ipAddress().ports())
        .singleElement()
        .satisfies(p -> assertThat(p.port()).isEqualTo(80));
    assertThat(g.subnetIds()).isNull();
    assertThat(g.dnsConfig()).isNull();
  }

  @Test
  void aPodWithoutPortsGetsNoIpAddress() throws Exception {
    Pod pod = container(c -> c.withPorts(List.of()));
    assertThat(translate(pod).ipAddress()).isNull();
  }

  @Test
  void dnsNameLabelAndItsScopeComeFromTheAnnotationAndTheConfig() throws Exception {
    Pod pod =
        edit(
            b ->
                b.editMetadata()
                    .addToAnnotations(GroupTranslator.DNS_NAME_LABEL, "hello-vkj")
                    .endMetadata());
    var ip = translate(pod, Map.of("dnsNameLabelScope", "tenantreuse")).ipAddress();
    assertThat(ip.dnsNameLabel()).isEqualTo("hello-vkj");
    assertThat(ip.autoGeneratedDomainNameLabelScope().toString()).isEqualTo("TenantReuse");
    Pod bad =
        edit(
            b ->
                b.editMetadata()
                    .addToAnnotations(GroupTranslator.DNS_NAME_LABEL, "Bad_Label")
                    .endMetadata());
    assertRefused(bad, "annotation virtualkubelet.io/dnsnamelabel");
  }

  @Test
  void commandReplacesTheEntrypointAndArgsFollowIt() throws Exception {
    Pod pod = container(c -> c.withCommand("/bin/sh", "-c").withArgs("echo hi"));
    assertThat(translate(pod).containers().get(0).command())
        .containsExactly("/bin/sh", "-c", "echo hi");
    assertRefused(
        container(c -> c.withArgs("--port", "8080")), "spec.containers[aci-helloworld].args");
    assertRefused(container(c -> c.withWorkingDir("/app")), ".workingDir");
  }

  @Test
  void secretDerivedValuesAreSecureValuesAndNeverPlainOnTheWire() throws Exception {
    EnvVar secret =
        new EnvVarBuilder()
            .withName("DB_PASSWORD")
            .withValue("s3cr3t-value")
            .withNewValueFrom()
            .withNewSecretKeyRef("password", "db", false)
            .endValueFrom()
            .build();
    Pod pod =
        container(
            c ->
                c.withEnv(new EnvVar("MODE", "prod", null), secret, new EnvVar("EMPTY", "", null)));
    ContainerGroupInner g = translate(pod);
    var env = g.containers().get(0).environmentVariables();
    assertThat(env).hasSize(2);
    assertThat(env.get(0).name()).isEqualTo("MODE");
    assertThat(env.get(0).value()).isEqualTo("prod");
    assertThat(env.get(0).secureValue()).isNull();
    assertThat(env.get(1).name()).isEqualTo("DB_PASSWORD");
    assertThat(env.get(1).value()).isNull();
    assertThat(env.get(1).secureValue()).isEqualTo("s3cr3t-value");
    String wire = g.toJsonString();
    assertThat(wire)
        .contains("\"secureValue\":\"s3cr3t-value\"")
        .doesNotContain("\"value\":\"s3cr3t-value\"");
  }

  @Test
  void cpuAndMemoryAreRoundedUpToAciSteps() {
    assertThat(GroupTranslator.cores(new Quantity("250m"), null)).isEqualTo(0.25);
    assertThat(GroupTranslator.cores(new Quantity("1981m"), null)).isEqualTo(1.99);
    assertThat(GroupTranslator.cores(new Quantity("1m"), null)).isEqualTo(0.01);
    assertThat(GroupTranslator.cores(new Quantity("2"), null)).isEqualTo(2.0);
    assertThat(GroupTranslator.gigabytes(new Quantity("1Gi"), null)).isEqualTo(1.1);
    assertThat(GroupTranslator.gigabytes(new Quantity("1G"), null)).isEqualTo(1.0);
    assertThat(GroupTranslator.gigabytes(new Quantity("3.49G"), null)).isEqualTo(3.5);
    assertThat(GroupTranslator.gigabytes(new Quantity("512Mi"), null)).isEqualTo(0.6);
    assertThat(GroupTranslator.gigabytes(new Quantity("1Mi"), null)).isEqualTo(0.1);
  }

  @Test
  void requestsAndLimitsAreMapped() throws Exception {
    Pod pod =
        container(
            c ->
                c.withNewResources()
                    .addToRequests("cpu", new Quantity("500m"))
                    .addToRequests("memory", new Quantity("1G"))
                    .addToLimits("cpu", new Quantity("2"))
                    .addToLimits("memory", new Quantity("3G"))
                    .endResources());
    var r = translate(pod).containers().get(0).resources();
    assertThat(r.requests().cpu()).isEqualTo(0.5);
    assertThat(r.requests().memoryInGB()).isEqualTo(1.0);
    assertThat(r.limits().cpu()).isEqualTo(2.0);
    assertThat(r.limits().memoryInGB()).isEqualTo(3.0);
  }

  @Test
  void gpusNeedANodeWithGpusAndAKnownSku() throws Exception {
    Pod pod =
        container(
            c ->
                c.withNewResources()
                    .addToLimits(GroupTranslator.GPU_RESOURCE, new Quantity("2"))
                    .endResources());
    assertRefused(pod, "this node offers no GPUs");
    assertRefused(pod, Map.of("gpus", "4"), "names no GPU SKU");
    var g = translate(pod, Map.of("gpus", "4", "gpuSku", "v100")).containers().get(0).resources();
    assertThat(g.requests().gpu().count()).isEqualTo(2);
    assertThat(g.requests().gpu().sku().toString()).isEqualTo("V100");
    assertThat(g.limits().gpu().count()).isEqualTo(2);
    pod.getMetadata().setAnnotations(Map.of(GroupTranslator.GPU_TYPE, "p100"));
    assertThat(
            translate(pod, Map.of("gpus", "4", "gpuSku", "V100"))
                .containers()
                .get(0)
                .resources()
                .requests()
                .gpu()
                .sku()
                .toString())
        .isEqualTo("P100");
    pod.getMetadata().setAnnotations(Map.of(GroupTranslator.GPU_TYPE, "H100"));
    assertRefused(pod, Map.of("gpus", "4"), "unknown GPU SKU 'H100'");
  }

  @Test
  void secretAndConfigMapVolumesKeepTheirItemsAsFileNames() throws Exception {
    cluster.putSecret("default", "tls", Map.of("tls.crt", "CERT", "tls.key", "KEY"));
    cluster.put(
        new ConfigMapBuilder()
            .withNewMetadata()
            .withNamespace("default")
            .withName("site")
            .endMetadata()
            .addToData("index.html", "<h1>hi</h1>")
            .addToBinaryData("logo.png", b64("PNG"))
            .build());
    Pod pod =
        edit(
            b ->
                b.editSpec()
                    .addNewVolume()
                    .withName("certs")
                    .withNewSecret()
                    .withSecretName("tls")
                    .withDefaultMode(420)
                    .addNewItem()
                    .withKey("tls.crt")
                    .withPath("server.crt")
                    .endItem()
                    .endSecret()
                    .endVolume()
                    .addNewVolume()
                    .withName("site")
                    .withNewConfigMap()
                    .withName("site")
                    .endConfigMap()
                    .endVolume()
                    .addNewVolume()
                    .withName("scratch")
                    .withNewEmptyDir()
                    .endEmptyDir()
                    .endVolume()
                    .editFirstContainer()
                    .addNewVolumeMount()
                    .withName("certs")
                    .withMountPath("/etc/tls")
                    .withReadOnly(true)
                    .endVolumeMount()
                    .addNewVolumeMount()
                    .withName("site")
                    .withMountPath("/usr/share/nginx/html")
                    .endVolumeMount()
                    .endContainer()
                    .endSpec());
    ContainerGroupInner g = translate(pod);
    Map<String, Volume> byName = new HashMap<>();
    g.volumes().forEach(v -> byName.put(v.name(), v));
    assertThat(byName.get("certs").secret()).containsExactly(Map.entry("server.crt", b64("CERT")));
    assertThat(byName.get("site").secret())
        .containsEntry("index.html", b64("<h1>hi</h1>"))
        .containsEntry("logo.png", b64("PNG"));
    assertThat(byName.get("scratch").emptyDir()).isNotNull();
    var mounts = g.containers().get(0).volumeMounts();
    assertThat(mounts.get(0).mountPath()).isEqualTo("/etc/tls");
    assertThat(mounts.get(0).readOnly()).isTrue();
    assertThat(g.toJsonString()).doesNotContain("\"KEY\"");
  }

  @Test
  void volumeFilesAciCannotWriteAreRefused() throws Exception {
    cluster.putSecret("default", "s", Map.of("k", "v"));
    Pod nested =
        edit(
            b ->
                b.editSpec()
                    .addNewVolume()
                    .withName("v")
                    .withNewSecret()
                    .withSecretName("s")
                    .addNewItem()
                    .withKey("k")
                    .withPath("sub/dir/file")
                    .endItem()
                    .endSecret()
                    .endVolume()
                    .endSpec());
    assertRefused(nested, "spec.volumes[v]: path 'sub/dir/file'");
    Pod mode =
        edit(
            b ->
                b.editSpec()
                    .addNewVolume()
                    .withName("v")
                    .withNewSecret()
                    .withSecretName("s")
                    .withDefaultMode(0400)
                    .endSecret()
                    .endVolume()
                    .endSpec());
    assertRefused(
        mode,
        "spec.volumes[v].secret.defaultMode: ACI writes volume files with mode 0644 only, not 0400");
    Pod hostPath =
        edit(
            b ->
                b.editSpec()
                    .addNewVolume()
                    .withName("host")
                    .withNewHostPath()
                    .withPath("/var/log")
                    .endHostPath()
                    .endVolume()
                    .endSpec());
    assertRefused(hostPath, "spec.volumes[host]: ACI mounts emptyDir");
    Pod missingMount =
        container(c -> c.addNewVolumeMount().withName("nope").withMountPath("/x").endVolumeMount());
    assertRefused(missingMount, "volumeMounts[nope]: no volume of that name");
  }

  @Test
  void aMissingSourceIsWaitedForUnlessOptional() throws Exception {
    Pod required =
        edit(
            b ->
                b.editSpec()
                    .addNewVolume()
                    .withName("cfg")
                    .withNewConfigMap()
                    .withName("later")
                    .endConfigMap()
                    .endVolume()
                    .endSpec());
    assertThatThrownBy(() -> translate(required))
        .isInstanceOfSatisfying(
            ProviderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TRANSIENT))
        .hasMessageContaining("ConfigMap default/later not found");
    required.getSpec().getVolumes().get(0).getConfigMap().setOptional(true);
    assertThat(translate(required).volumes()).isNull();
  }

  @Test
  void theServiceAccountVolumeKeepsItsCaAndNamespaceButNoToken() throws Exception {
    cluster.put(
        new ConfigMapBuilder()
            .withNewMetadata()
            .withNamespace("default")
            .withName("kube-root-ca.crt")
            .endMetadata()
            .addToData("ca.crt", "CA")
            .build());
    Pod pod =
        edit(
            b ->
                b.editSpec()
                    .addNewVolume()
                    .withName("kube-api-access-x1")
                    .withNewProjected()
                    .withDefaultMode(420)
                    .addNewSource()
                    .withNewServiceAccountToken()
                    .withPath("token")
                    .withExpirationSeconds(3607L)
                    .endServiceAccountToken()
                    .endSource()
                    .addNewSource()
                    .withNewConfigMap()
                    .withName("kube-root-ca.crt")
                    .addNewItem()
                    .withKey("ca.crt")
                    .withPath("ca.crt")
                    .endItem()
                    .endConfigMap()
                    .endSource()
                    .addNewSource()
                    .withNewDownwardAPI()
                    .addNewItem()
                    .withPath("namespace")
                    .withNewFieldRef()
                    .withFieldPath("metadata.namespace")
                    .endFieldRef()
                    .endItem()
                    .endDownwardAPI()
                    .endSource()
                    .endProjected()
                    .endVolume()
                    .endSpec());
    Volume v = translate(pod).volumes().get(0);
    assertThat(v.secret())
        .containsOnlyKeys("ca.crt", "namespace")
        .containsEntry("ca.crt", b64("CA"))
        .containsEntry("namespace", b64("default"));
  }

  @Test
  void azureFileTakesTheAccountFromItsSecret() throws Exception {
    cluster.putSecret(
        "default",
        "storage",
        Map.of("azurestorageaccountname", "acct", "azurestorageaccountkey", "key=="));
    Pod pod =
        edit(
            b ->
                b.editSpec()
                    .addNewVolume()
                    .withName("share")
                    .withNewAzureFile()
                    .withSecretName("storage")
                    .withShareName("data")
                    .withReadOnly(true)
                    .endAzureFile()
                    .endVolume()
                    .addNewVolume()
                    .withName("csi")
                    .withNewCsi()
                    .withDriver("file.csi.azure.com")
                    .addToVolumeAttributes("secretName", "storage")
                    .addToVolumeAttributes("shareName", "other")
                    .endCsi()
                    .endVolume()
                    .endSpec());
    var volumes = translate(pod).volumes();
    assertThat(volumes.get(0).azureFile().shareName()).isEqualTo("data");
    assertThat(volumes.get(0).azureFile().storageAccountName()).isEqualTo("acct");
    assertThat(volumes.get(0).azureFile().storageAccountKey()).isEqualTo("key==");
    assertThat(volumes.get(0).azureFile().readOnly()).isTrue();
    assertThat(volumes.get(1).azureFile().shareName()).isEqualTo("other");
    Pod otherCsi =
        edit(
            b ->
                b.editSpec()
                    .addNewVolume()
                    .withName("kv")
                    .withNewCsi()
                    .withDriver("secrets-store.csi.k8s.io")
                    .endCsi()
                    .endVolume()
                    .endSpec());
    assertRefused(otherCsi, "spec.volumes[kv]");
  }

  @Test
  void pullSecretsBecomeRegistryCredentialsPerServer() throws Exception {
    String config =
        "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\""
            + b64("alice:pw1")
            + "\"},\"myregistry.azurecr.io\":{\"username\":\"bob\",\"password\":\"pw2\"}}}";
    cluster.put(typed("regcred", "kubernetes.io/dockerconfigjson", ".dockerconfigjson", config));
    cluster.put(typed("opaque", "Opaque", "x", "y"));
    Pod pod =
        edit(
            b ->
                b.editSpec()
                    .addNewImagePullSecret("regcred")
                    .addNewImagePullSecret("does-not-exist")
                    .endSpec());
    var creds = translate(pod).imageRegistryCredentials();
    assertThat(creds).hasSize(2);
    assertThat(creds.get(0).server()).isEqualTo("index.docker.io");
    assertThat(creds.get(0).username()).isEqualTo("alice");
    assertThat(creds.get(0).password()).isEqualTo("pw1");
    assertThat(creds.get(1).server()).isEqualTo("myregistry.azurecr.io");
    assertThat(creds.get(1).username()).isEqualTo("bob");
    Pod opaque = edit(b -> b.editSpec().addNewImagePullSecret("opaque").endSpec());
    assertRefused(opaque, "type Opaque is not a registry credential");
  }

  @Test
  void initContainersRunFirstAndRefuseWhatAciLacks() throws Exception {
    Pod pod =
        edit(
            b ->
                b.editSpec()
                    .addNewInitContainer()
                    .withName("migrate")
                    .withImage("busybox")
                    .withCommand("sh", "-c")
                    .withArgs("echo init")
                    .endInitContainer()
                    .endSpec());
    var init = translate(pod).initContainers();
    assertThat(init).singleElement().satisfies(i -> assertThat(i.name()).isEqualTo("migrate"));
    assertThat(init.get(0).command()).containsExactly("sh", "-c", "echo init");
    pod.getSpec().getInitContainers().get(0).setRestartPolicy("Always");
    assertRefused(pod, "spec.initContainers[migrate].restartPolicy: ACI has no sidecar containers");
  }

  @Test
  void probesRunCommandsOrHttpGetsOnNamedPorts() throws Exception {
    Pod pod =
        container(
            c ->
                c.editFirstPort()
                    .withName("http")
                    .endPort()
                    .withNewLivenessProbe()
                    .withNewHttpGet()
                    .withPath("/healthz")
                    .withPort(new IntOrString("http"))
                    .withScheme("HTTPS")
                    .endHttpGet()
                    .withPeriodSeconds(5)
                    .withFailureThreshold(3)
                    .endLivenessProbe()
                    .withNewReadinessProbe()
                    .withNewExec()
                    .withCommand("cat", "/tmp/ready")
                    .endExec()
                    .withInitialDelaySeconds(2)
                    .endReadinessProbe());
    Container c = translate(pod).containers().get(0);
    assertThat(c.livenessProbe().httpGet().port()).isEqualTo(80);
    assertThat(c.livenessProbe().httpGet().path()).isEqualTo("/healthz");
    assertThat(c.livenessProbe().httpGet().scheme().toString()).isEqualTo("https");
    assertThat(c.livenessProbe().periodSeconds()).isEqualTo(5);
    assertThat(c.readinessProbe().exec().command()).containsExactly("cat", "/tmp/ready");
    assertThat(c.readinessProbe().initialDelaySeconds()).isEqualTo(2);
    assertRefused(
        container(
            x ->
                x.withNewLivenessProbe()
                    .withNewTcpSocket()
                    .withPort(new IntOrString(80))
                    .endTcpSocket()
                    .endLivenessProbe()),
        "livenessProbe.tcpSocket");
    assertRefused(
        container(
            x ->
                x.withNewStartupProbe()
                    .withNewExec()
                    .withCommand("true")
                    .endExec()
                    .endStartupProbe()),
        "startupProbe: ACI has no startup probes");
  }

  @Test
  void aSubnetGivesAPrivateGroupWithTheClusterDns() throws Exception {
    String subnet =
        "/subscriptions/"
            + SUBSCRIPTION
            + "/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/aci";
    ContainerGroupInner g =
        translate(helloworld(), Map.of("subnetId", subnet, "clusterDnsIp", "10.0.0.10"));
    assertThat(g.subnetIds()).singleElement().satisfies(s -> assertThat(s.id()).isEqualTo(subnet));
    assertThat(g.ipAddress().type().toString()).isEqualTo("Private");
    assertThat(g.dnsConfig().nameServers()).containsExactly("10.0.0.10");
    assertThat(g.dnsConfig().searchDomains())
        .isEqualTo("default.svc.cluster.local svc.cluster.local cluster.local");
    assertThat(g.dnsConfig().options()).isEqualTo("ndots:5");
  }

  @Test
  void hostNamespacesAndUncheckableSecurityAreRefused() throws Exception {
    assertRefused(edit(b -> b.editSpec().withHostNetwork(true).endSpec()), "spec.hostNetwork");
    assertRefused(
        container(c -> c.withNewSecurityContext().withRunAsNonRoot(true).endSecurityContext()),
        "securityContext.runAsNonRoot");
    Pod ok =
        container(
            c ->
                c.withNewSecurityContext()
                    .withRunAsNonRoot(true)
                    .withRunAsUser(1000L)
                    .withAllowPrivilegeEscalation(false)
                    .withNewCapabilities()
                    .addToDrop("ALL")
                    .endCapabilities()
                    .endSecurityContext());
    var sc = translate(ok).containers().get(0).securityContext();
    assertThat(sc.runAsUser()).isEqualTo(1000);
    assertThat(sc.allowPrivilegeEscalation()).isFalse();
    assertThat(sc.capabilities().drop()).containsExactly("ALL");
  }

  @Test
  void groupNamesAreValidUniqueAndReadable() {
    String a = GroupNames.groupName("a-b", "c");
    String b = GroupNames.groupName("a", "b-c");
    assertThat(a).startsWith("a-b-c-").isNotEqualTo(b);
    String long1 = GroupNames.groupName("namespace-" + "x".repeat(50), "pod-" + "y".repeat(200));
    assertThat(long1).hasSizeLessThanOrEqualTo(63).matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?");
    assertThat(GroupNames.groupName("default", "aci-helloworld"))
        .matches("default-aci-helloworld-[0-9a-f]{8}");
    assertThat(GroupNames.groupName("Default", "web.v1")).matches("default-web-v1-[0-9a-f]{8}");
  }
}
