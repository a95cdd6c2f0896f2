package dev.vkj.core.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vkj.spi.ClusterResources;
import dev.vkj.spi.SecretEnv;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSourceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EnvResolverTest {
  private final Map<String, ConfigMap> configMaps = new HashMap<>();
  private final Map<String, Secret> secrets = new HashMap<>();
  private final Map<String, List<Service>> services = new HashMap<>();
  private final Map<String, Quantity> allocatable =
      Map.of("cpu", new Quantity("4"), "memory", new Quantity("8Gi"));

  private final ClusterResources resources =
      new ClusterResources() {
        @Override
        public Optional<ConfigMap> configMap(String namespace, String name) {
          return Optional.ofNullable(configMaps.get(namespace + "/" + name));
        }

        @Override
        public Optional<Secret> secret(String namespace, String name) {
          return Optional.ofNullable(secrets.get(namespace + "/" + name));
        }
      };

  private final EnvResolver resolver =
      new EnvResolver(
          resources,
          ns -> services.getOrDefault(ns, List.of()),
          () -> "10.0.0.5",
          () -> allocatable);

  private void configMap(String name, Map<String, String> data) {
    configMaps.put(
        "ns/" + name,
        new ConfigMapBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace("ns")
            .endMetadata()
            .withData(data)
            .build());
  }

  private void secret(String name, Map<String, String> data) {
    Map<String, String> encoded = new HashMap<>();
    data.forEach(
        (k, v) ->
            encoded.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    secrets.put(
        "ns/" + name,
        new SecretBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace("ns")
            .endMetadata()
            .withData(encoded)
            .build());
  }

  private static PodBuilder pod() {
    return new PodBuilder()
        .withNewMetadata()
        .withName("web")
        .withNamespace("ns")
        .withUid("uid-1")
        .withLabels(Map.of("app", "web"))
        .withAnnotations(Map.of("team", "blue"))
        .endMetadata()
        .withNewSpec()
        .withNodeName("vk")
        .withServiceAccountName("robot")
        .withEnableServiceLinks(false)
        .addNewContainer()
        .withName("app")
        .withImage("nginx")
        .endContainer()
        .endSpec();
  }

  /** The resolved values; every variable has a value, and a valueFrom only for a Secret. */
  private static Map<String, String> env(Container c) {
    Map<String, String> out = new LinkedHashMap<>();
    for (EnvVar e : c.getEnv()) {
      assertThat(e.getValue()).as("value of %s", e.getName()).isNotNull();
      if (e.getValueFrom() != null) {
        assertThat(e.getValueFrom())
            .as("valueFrom of %s holds only a secretKeyRef", e.getName())
            .isEqualTo(
                new EnvVarSourceBuilder()
                    .withSecretKeyRef(e.getValueFrom().getSecretKeyRef())
                    .build());
      }
      out.put(e.getName(), e.getValue());
    }
    return out;
  }

  /** Secret provenance of the resolved variables, as {@code name -> secret/key[?]}. */
  private static Map<String, String> secretSources(Container c) {
    Map<String, String> out = new LinkedHashMap<>();
    for (EnvVar e : c.getEnv()) {
      SecretEnv.source(e)
          .ifPresent(
              s ->
                  out.put(
                      e.getName(),
                      s.getName()
                          + "/"
                          + s.getKey()
                          + (Boolean.TRUE.equals(s.getOptional()) ? "?" : "")));
    }
    return out;
  }

  @Test
  void envFromThenEnvWithOverrideAndReferences() throws Exception {
    configMap("one", Map.of("A", "1", "SHARED", "from-one"));
    configMap("two", Map.of("B", "2", "SHARED", "from-two"));
    secret("s", Map.of("PASSWORD", "hunter2"));
    Pod p =
        pod()
            .editSpec()
            .editFirstContainer()
            .addNewEnvFrom()
            .withNewConfigMapRef("one", false)
            .endEnvFrom()
            .addNewEnvFrom()
            .withNewConfigMapRef("two", false)
            .endEnvFrom()
            .addNewEnvFrom()
            .withPrefix("S_")
            .withNewSecretRef("s", false)
            .endEnvFrom()
            .addNewEnv()
            .withName("A")
            .withValue("explicit")
            .endEnv()
            .addNewEnv()
            .withName("KEY")
            .withNewValueFrom()
            .withNewConfigMapKeyRef("B", "two", false)
            .endValueFrom()
            .endEnv()
            .addNewEnv()
            .withName("PW")
            .withNewValueFrom()
            .withNewSecretKeyRef("PASSWORD", "s", false)
            .endValueFrom()
            .endEnv()
            .endContainer()
            .endSpec()
            .build();
    List<EnvResolver.Warning> warnings = resolver.resolve(p);
    Container c = p.getSpec().getContainers().get(0);
    assertThat(warnings).isEmpty();
    assertThat(c.getEnvFrom()).isEmpty();
    assertThat(env(c))
        .containsEntry("A", "explicit")
        .containsEntry("B", "2")
        .containsEntry("SHARED", "from-two")
        .containsEntry("S_PASSWORD", "hunter2")
        .containsEntry("KEY", "2")
        .containsEntry("PW", "hunter2");
    assertThat(secretSources(c))
        .containsOnly(Map.entry("S_PASSWORD", "s/PASSWORD"), Map.entry("PW", "s/PASSWORD"));
  }

  @Test
  void secretKeyRefKeepsItsSourceNextToTheValue() throws Exception {
    secret("db", Map.of("password", "hunter2", "user", "admin"));
    configMap("cm", Map.of("host", "db.local"));
    Pod p =
        pod()
            .editSpec()
            .editFirstContainer()
            .addNewEnv()
            .withName("DB_PASSWORD")
            .withNewValueFrom()
            .withNewSecretKeyRef("password", "db", false)
            .endValueFrom()
            .endEnv()
            .addNewEnv()
            .withName("DB_USER")
            .withNewValueFrom()
            .withNewSecretKeyRef("user", "db", true)
            .endValueFrom()
            .endEnv()
            .addNewEnv()
            .withName("DB_HOST")
            .withNewValueFrom()
            .withNewConfigMapKeyRef("host", "cm", false)
            .endValueFrom()
            .endEnv()
            .addNewEnv()
            .withName("POD")
            .withNewValueFrom()
            .withNewFieldRef("v1", "metadata.name")
            .endValueFrom()
            .endEnv()
            .addNewEnv()
            .withName("PLAIN")
            .withValue("x")
            .endEnv()
            .endContainer()
            .endSpec()
            .build();
    resolver.resolve(p);
    Container c = p.getSpec().getContainers().get(0);
    assertThat(env(c))
        .containsEntry("DB_PASSWORD", "hunter2")
        .containsEntry("DB_USER", "admin")
        .containsEntry("DB_HOST", "db.local")
        .containsEntry("POD", "web")
        .containsEntry("PLAIN", "x");
    // optional is preserved; ConfigMap, downward API and literal values carry no valueFrom
    assertThat(secretSources(c))
        .containsExactly(Map.entry("DB_PASSWORD", "db/password"), Map.entry("DB_USER", "db/user?"));
    assertThat(c.getEnv())
        .filteredOn(e -> !SecretEnv.fromSecret(e))
        .allSatisfy(e -> assertThat(e.getValueFrom()).isNull());
  }

  @Test
  void envFromSecretWithPrefixNamesTheDataKey() throws Exception {
    secret("creds", Map.of("TOKEN", "t0k3n", "USER", "bob"));
    Pod p =
        pod()
            .editSpec()
            .editFirstContainer()
            .addNewEnvFrom()
            .withPrefix("APP_")
            .withNewSecretRef("creds", true)
            .endEnvFrom()
            .addNewEnvFrom()
            .withNewSecretRef("creds", false)
            .endEnvFrom()
            .endContainer()
            .endSpec()
            .build();
    resolver.resolve(p);
    Container c = p.getSpec().getContainers().get(0);
    assertThat(env(c))
        .containsEntry("APP_TOKEN", "t0k3n")
        .containsEntry("TOKEN", "t0k3n")
        .containsEntry("APP_USER", "bob");
    assertThat(secretSources(c))
        .containsOnly(
            Map.entry("APP_TOKEN", "creds/TOKEN?"),
            Map.entry("APP_USER", "creds/USER?"),
            Map.entry("TOKEN", "creds/TOKEN"),
            Map.entry("USER", "creds/USER"));
  }

  @Test
  void laterPlainValueClearsSecretProvenanceAndLaterSecretSetsIt() throws Exception {
    secret("s", Map.of("A", "secret-a"));
    configMap("cm", Map.of("B", "plain-b"));
    Pod p =
        pod()
            .editSpec()
            .editFirstContainer()
            .addNewEnvFrom()
            .withNewSecretRef("s", false)
            .endEnvFrom()
            .addNewEnvFrom()
            .withNewConfigMapRef("cm", false)
            .endEnvFrom()
            .addNewEnv()
            .withName("A")
            .withValue("override")
            .endEnv()
            .addNewEnv()
            .withName("B")
            .withNewValueFrom()
            .withNewSecretKeyRef("A", "s", false)
            .endValueFrom()
            .endEnv()
            .endContainer()
            .endSpec()
            .build();
    resolver.resolve(p);
    Container c = p.getSpec().getContainers().get(0);
    assertThat(env(c)).containsEntry("A", "override").containsEntry("B", "secret-a");
    assertThat(secretSources(c)).containsOnly(Map.entry("B", "s/A"));
  }

  @Test
  void configMapEnvFromOverridesAnEarlierSecretKey() throws Exception {
    secret("s", Map.of("K", "secret"));
    configMap("cm", Map.of("K", "plain"));
    Pod p =
        pod()
            .editSpec()
            .editFirstContainer()
            .addNewEnvFrom()
            .withNewSecretRef("s", false)
            .endEnvFrom()
            .addNewEnvFrom()
            .withNewConfigMapRef("cm", false)
            .endEnvFrom()
            .endContainer()
            .endSpec()
            .build();
    resolver.resolve(p);
    Container c = p.getSpec().getContainers().get(0);
    assertThat(env(c)).containsEntry("K", "plain");
    assertThat(secretSources(c)).isEmpty();
  }

  @Test
  void valueComposedFromASecretIsSecretAndNamesTheFirstSecretUsed() throws Exception {
    secret("db", Map.of("password", "hunter2"));
    secret("api", Map.of("token", "t0k3n"));
    Pod p =
        pod()
            .editSpec()
            .editFirstContainer()
            .addNewEnv()
            .withName("HOST")
            .withValue("db.local")
            .endEnv()
            .addNewEnv()
            .withName("PW")
            .withNewValueFrom()
            .withNewSecretKeyRef("password", "db", false)
            .endValueFrom()
            .endEnv()
            .addNewEnv()
            .withName("TOKEN")
            .withNewValueFrom()
            .withNewSecretKeyRef("token", "api", false)
            .endValueFrom()
            .endEnv()
            .addNewEnv()
            .withName("URL")
            .withValue("postgres://$(HOST):$(PW)@$(HOST)/$(TOKEN)")
            .endEnv()
            .addNewEnv()
            .withName("URL_COPY")
            .withValue("$(URL)")
            .endEnv()
            .addNewEnv()
            .withName("PLAIN_URL")
            .withValue("http://$(HOST)/$$(PW)/$(MISSING)")
            .endEnv()
            .endContainer()
            .endSpec()
            .build();
    resolver.resolve(p);
    Container c = p.getSpec().getContainers().get(0);
    assertThat(env(c))
        .containsEntry("URL", "postgres://db.local:hunter2@db.local/t0k3n")
        .containsEntry("URL_COPY", "postgres://db.local:hunter2@db.local/t0k3n")
        .containsEntry("PLAIN_URL", "http://db.local/$(PW)/$(MISSING)");
    // composed values are secret (transitively); an escaped reference is not a use
    assertThat(secretSources(c))
        .containsOnly(
            Map.entry("PW", "db/password"),
            Map.entry("TOKEN", "api/token"),
            Map.entry("URL", "db/password"),
            Map.entry("URL_COPY", "db/password"));
  }

  @Test
  void serviceLinkVariablesAreNeverSecret() throws Exception {
    services.put(
        "default",
        List.of(
            new ServiceBuilder()
                .withNewMetadata()
                .withName("kubernetes")
                .withNamespace("default")
                .endMetadata()
                .withNewSpec()
                .withClusterIP("10.96.0.1")
                .addNewPort()
                .withName("https")
                .withPort(443)
                .withProtocol("TCP")
                .endPort()
                .endSpec()
                .build()));
    secret("s", Map.of("X", "secret"));
    Pod p =
        pod()
            .editSpec()
            .editFirstContainer()
            .addNewEnv()
            .withName("API")
            .withValue("$(KUBERNETES_SERVICE_HOST)")
            .endEnv()
            .endContainer()
            .endSpec()
            .build();
    resolver.resolve(p);
    Container c = p.getSpec().getContainers().get(0);
    assertThat(env(c)).containsEntry("API", "10.96.0.1").containsKey("KUBERNETES_SERVICE_HOST");
    assertThat(secretSources(c)).isEmpty();
  }

  @Test
  void missingRequiredSourcesFailWithKubeletMessages() {
    Pod cm =
        pod()
            .editSpec()
            .editFirstContainer()
            .addNewEnvFrom()
            .withNewConfigMapRef("x", false)
            .endEnvFrom()
            .endContainer()
            .endSpec()
            .build();
    assertThatThrownBy(() -> resolver.resolve(cm))
        .isInstanceOf(EnvResolver.ConfigException.class)
        .hasMessage("configmap \"x\" not found")
        .satisfies(e -> assertThat(((EnvResolver.ConfigException) e).container()).isEqualTo("app"));

    Pod secret =
        pod()
            .editSpec()
            .editFirstContainer()
            .addNewEnv()
            .withName("PW")
            .withNewValueFrom()
            .withNewSecretKeyRef("k", "nope", null)
            .endValueFrom()
            .endEnv()
            .endContainer()
            .endSpec()
            .build();
    assertThatThrownBy(() -> resolver.resolve(secret)).hasMessage("secret \"nope\" not found");

    configMap("x", Map.of("other", "v"));
    Pod key =
        pod()
            .editSpec()
            .editFirstContainer()
            .addNewEnv()
            .withName("K")
            .withNewValueFrom()
            .withNewConfigMapKeyRef("K", "x", false)
            .endValueFrom()
            .endEnv()
            .endContainer()
            .endSpec()
            .build();
    assertThatThrownBy(() -> resolver.resolve(key))
        .hasMessage("couldn't find key K in ConfigMap ns/x");

    secret("s", Map.of("a", "b"));
    Pod secretKey =
        pod()
            .editSpec()
            .editFirstContainer()
            .addNewEnv()
            .withName("K")
            .withNewValueFrom()
            .withNewSecretKeyRef("K", "s", false)
            .endValueFrom()
            .endEnv()
            .endContainer()
            .endSpec()
            .build();
    assertThatThrownBy(() -> resolver.resolve(secretKey))
        .hasMessage("couldn't find key K in Secret ns/s");
  }

  @Test
  void missingOptionalSourcesAreSkipped() throws Exception {
    configMap("present", Map.of("other", "v"));
    Pod p =
        pod()
            .editSpec()
            .editFirstContainer()
            .addNewEnvFrom()
            .withNewConfigMapRef("absent", true)
            .endEnvFrom()
            .addNewEnvFrom()
            .withNewSecretRef("absent", true)
            .endEnvFrom()
            .addNewEnv()
            .withName("OPT_KEY")
            .withNewValueFrom()
            .withNewConfigMapKeyRef("missing", "present", true)
            .endValueFrom()
            .endEnv()
            .addNewEnv()
            .withName("OPT_SECRET")
            .withNewValueFrom()
            .withNewSecretKeyRef("k", "absent", true)
            .endValueFrom()
            .endEnv()
            .addNewEnv()
            .withName("EMPTY")
            .withValue("")
            .endEnv()
            .endContainer()
            .endSpec()
            .build();
    resolver.resolve(p);
    assertThat(env(p.getSpec().getContainers().get(0))).containsExactly(Map.entry("EMPTY", ""));
  }

  @Test
  void invalidEnvFromKeysAreSkippedWithOneWarningPerSource() throws Exception {
    configMap("cm", Map.of("GOOD", "1", "1bad", "x", "also bad", "y"));
    Pod p =
        pod()
            .editSpec()
            .editFirstContainer()
            .addNewEnvFrom()
            .withNewConfigMapRef("cm", false)
            .endEnvFrom()
            .endContainer()
            .endSpec()
            .build();
    List<EnvResolver.Warning> warnings = resolver.resolve(p);
    assertThat(env(p.getSpec().getContainers().get(0))).containsOnlyKeys("GOOD");
    assertThat(warnings)
        .containsExactly(
            new EnvResolver.Warning(
                "InvalidEnvironmentVariableNames",
                "Keys [1bad, also bad] from the EnvFrom configMap ns/cm were skipped since they are"
                    + " considered invalid environment variable names."));
  }

  @Test
  void expansionUsesEarlierValuesAndEscapes() throws Exception {
    Pod p =
        pod()
            .editSpec()
            .editFirstContainer()
            .withCommand("echo", "$(A)-$(B)", "$$(A)")
            .addNewEnv()
            .withName("A")
            .withValue("a")
            .endEnv()
            .addNewEnv()
            .withName("B")
            .withValue("$(A)b")
            .endEnv()
            .addNewEnv()
            .withName("C")
            .withValue("$(A)$(B)$(UNKNOWN)$$x$(open")
            .endEnv()
            .addNewEnv()
            .withName("D")
            .withValue("$(LATER)")
            .endEnv()
            .addNewEnv()
            .withName("LATER")
            .withValue("late")
            .endEnv()
            .endContainer()
            .endSpec()
            .build();
    resolver.resolve(p);
    Container c = p.getSpec().getContainers().get(0);
    assertThat(env(c))
        .containsEntry("B", "ab")
        .containsEntry("C", "aab$(UNKNOWN)$x$(open")
        .containsEntry("D", "$(LATER)");
    assertThat(c.getCommand()).containsExactly("echo", "a-ab", "$(A)");
  }

  @Test
  void downwardApiFields() throws Exception {
    Pod p = pod().build();
    p.setStatus(
        new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPodIP("10.1.0.9").build());
    Map<String, String> refs = new LinkedHashMap<>();
    refs.put("NAME", "metadata.name");
    refs.put("NS", "metadata.namespace");
    refs.put("UID", "metadata.uid");
    refs.put("LABEL", "metadata.labels['app']");
    refs.put("ANN", "metadata.annotations['team']");
    refs.put("MISSING_LABEL", "metadata.labels['nope']");
    refs.put("NODE", "spec.nodeName");
    refs.put("SA", "spec.serviceAccountName");
    refs.put("HOST", "status.hostIP");
    refs.put("IP", "status.podIP");
    refs.put("IPS", "status.podIPs");
    List<EnvVar> vars = new ArrayList<>();
    refs.forEach(
        (name, path) ->
            vars.add(
                new io.fabric8.kubernetes.api.model.EnvVarBuilder()
                    .withName(name)
                    .withNewValueFrom()
                    .withNewFieldRef()
                    .withFieldPath(path)
                    .endFieldRef()
                    .endValueFrom()
                    .build()));
    p.getSpec().getContainers().get(0).setEnv(vars);
    resolver.resolve(p);
    assertThat(env(p.getSpec().getContainers().get(0)))
        .containsEntry("NAME", "web")
        .containsEntry("NS", "ns")
        .containsEntry("UID", "uid-1")
        .containsEntry("LABEL", "web")
        .containsEntry("ANN", "blue")
        .containsEntry("MISSING_LABEL", "")
        .containsEntry("NODE", "vk")
        .containsEntry("SA", "robot")
        .containsEntry("HOST", "10.0.0.5")
        .containsEntry("IP", "10.1.0.9")
        .containsEntry("IPS", "10.1.0.9");
  }

  @Test
  void podIpIsEmptyWhileUnknown() throws Exception {
    Pod p =
        pod()
            .editSpec()
            .editFirstContainer()
            .addNewEnv()
            .withName("IP")
            .withNewValueFrom()
            .withNewFieldRef()
            .withFieldPath("status.podIP")
            .endFieldRef()
            .endValueFrom()
            .endEnv()
            .endContainer()
            .endSpec()
            .build();
    resolver.resolve(p);
    assertThat(env(p.getSpec().getContainers().get(0))).containsEntry("IP", "");
  }

  @Test
  void resourceFieldRefWithDivisorAndAllocatableDefault() throws Exception {
    Pod p =
        pod()
            .editSpec()
            .editFirstContainer()
            .withNewResources()
            .withRequests(Map.of("cpu", new Quantity("250m"), "memory", new Quantity("64Mi")))
            .withLimits(Map.of("memory", new Quantity("128Mi")))
            .endResources()
            .addNewEnv()
            .withName("CPU_REQ")
            .withNewValueFrom()
            .withNewResourceFieldRef()
            .withResource("requests.cpu")
            .endResourceFieldRef()
            .endValueFrom()
            .endEnv()
            .addNewEnv()
            .withName("CPU_REQ_MILLI")
            .withNewValueFrom()
            .withNewResourceFieldRef()
            .withResource("requests.cpu")
            .withDivisor(new Quantity("1m"))
            .endResourceFieldRef()
            .endValueFrom()
            .endEnv()
            .addNewEnv()
            .withName("MEM_LIMIT_MI")
            .withNewValueFrom()
            .withNewResourceFieldRef()
            .withContainerName("app")
            .withResource("limits.memory")
            .withDivisor(new Quantity("1Mi"))
            .endResourceFieldRef()
            .endValueFrom()
            .endEnv()
            .addNewEnv()
            .withName("CPU_LIMIT")
            .withNewValueFrom()
            .withNewResourceFieldRef()
            .withResource("limits.cpu")
            .endResourceFieldRef()
            .endValueFrom()
            .endEnv()
            .endContainer()
            .endSpec()
            .build();
    resolver.resolve(p);
    assertThat(env(p.getSpec().getContainers().get(0)))
        .containsEntry("CPU_REQ", "1")
        .containsEntry("CPU_REQ_MILLI", "250")
        .containsEntry("MEM_LIMIT_MI", "128")
        .containsEntry("CPU_LIMIT", "4");
  }

  private static Service service(String ns, String name, String ip, String portName, int port) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(ns)
        .endMetadata()
        .withNewSpec()
        .withClusterIP(ip)
        .addNewPort()
        .withName(portName)
        .withPort(port)
        .withProtocol("TCP")
        .endPort()
        .endSpec()
        .build();
  }

  @Test
  void serviceLinksFollowEnableServiceLinks() throws Exception {
    services.put(
        "default",
        List.of(
            service("default", "kubernetes", "10.96.0.1", "https", 443),
            service("default", "other", "10.96.0.2", "http", 80)));
    services.put(
        "ns",
        List.of(
            service("ns", "my-db", "10.96.0.9", "sql", 5432),
            service("ns", "headless", "None", "x", 1)));

    Pod off = pod().build();
    resolver.resolve(off);
    Map<String, String> offEnv = env(off.getSpec().getContainers().get(0));
    assertThat(offEnv)
        .containsEntry("KUBERNETES_SERVICE_HOST", "10.96.0.1")
        .containsEntry("KUBERNETES_SERVICE_PORT", "443")
        .containsEntry("KUBERNETES_SERVICE_PORT_HTTPS", "443")
        .containsEntry("KUBERNETES_PORT", "tcp://10.96.0.1:443")
        .containsEntry("KUBERNETES_PORT_443_TCP", "tcp://10.96.0.1:443")
        .containsEntry("KUBERNETES_PORT_443_TCP_PROTO", "tcp")
        .containsEntry("KUBERNETES_PORT_443_TCP_PORT", "443")
        .containsEntry("KUBERNETES_PORT_443_TCP_ADDR", "10.96.0.1");
    assertThat(offEnv.keySet()).noneMatch(k -> k.startsWith("MY_DB") || k.startsWith("OTHER"));

    Pod on = pod().editSpec().withEnableServiceLinks(true).endSpec().build();
    on.getSpec()
        .getContainers()
        .get(0)
        .setEnv(List.of(new EnvVar("MY_DB_SERVICE_HOST", "override", null)));
    resolver.resolve(on);
    Map<String, String> onEnv = env(on.getSpec().getContainers().get(0));
    assertThat(onEnv)
        .containsEntry("MY_DB_SERVICE_HOST", "override")
        .containsEntry("MY_DB_SERVICE_PORT", "5432")
        .containsEntry("MY_DB_PORT", "tcp://10.96.0.9:5432")
        .containsKey("KUBERNETES_SERVICE_HOST");
    assertThat(onEnv.keySet()).noneMatch(k -> k.startsWith("HEADLESS") || k.startsWith("OTHER"));
  }

  @Test
  void initContainersAreResolvedToo() throws Exception {
    configMap("cm", Map.of("X", "1"));
    Pod p =
        pod()
            .editSpec()
            .addNewInitContainer()
            .withName("init")
            .withImage("busybox")
            .addNewEnv()
            .withName("X")
            .withNewValueFrom()
            .withNewConfigMapKeyRef("X", "cm", false)
            .endValueFrom()
            .endEnv()
            .endInitContainer()
            .endSpec()
            .build();
    resolver.resolve(p);
    assertThat(env(p.getSpec().getInitContainers().get(0))).containsEntry("X", "1");
  }
}
