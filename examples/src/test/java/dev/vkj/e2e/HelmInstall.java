package dev.vkj.e2e;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code charts/vkj} installed as {@code helm install} would, on a control plane without nodes that
 * could run the runner's pod: Helm renders the chart, every object but the Deployment is applied to
 * the cluster, and the Deployment's pod is played by a runner process with the pod's arguments, its
 * environment (Secrets resolved through the API), its mounted Secret as files, and a token of the
 * chart's ServiceAccount instead of the admin's kubeconfig. What the chart leaves out, the runner
 * lacks.
 */
final class HelmInstall {
  private static final String CONFIG_MOUNT = "/etc/vkj/";
  private static final String SERVICE_ACCOUNT_CA =
      "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";

  private final String release;
  private final String namespace;
  private final List<HasMetadata> objects;

  HelmInstall(String release, String namespace, Map<String, Object> values) {
    this.release = requireNonNull(release, "release is null");
    this.namespace = requireNonNull(namespace, "namespace is null");
    Path chart = Path.of(System.getProperty("vkj.chart.dir", "../charts/vkj"));
    assertThat(chart.resolve("Chart.yaml")).as("the chart").exists();
    TemplateCommand template =
        new Helm(chart).template().withName(release).withNamespace(namespace);
    values.forEach(template::set);
    List<HasMetadata> rendered = new ArrayList<>();
    for (String doc : template.call().split("(?m)^---$")) {
      if (doc.contains("kind:")) {
        rendered.add(Serialization.unmarshal(doc, HasMetadata.class));
      }
    }
    this.objects = List.copyOf(rendered);
  }

  List<HasMetadata> objects() {
    return objects;
  }

  /** Applies everything but the Deployment, server-side, as Helm's install creates it. */
  void apply(KubernetesClient admin) {
    for (HasMetadata o : objects) {
      if (!(o instanceof Deployment)) {
        admin.resource(o).inNamespace(namespace).forceConflicts().serverSideApply();
      }
    }
  }

  /** Deletes the cluster-scoped objects (the namespace takes the rest). */
  void deleteClusterScoped(KubernetesClient admin) {
    for (HasMetadata o : objects) {
      if (o.getKind().startsWith("Cluster")) {
        admin.resource(o).delete();
      }
    }
  }

  /** What the runner process of the Deployment's pod needs. */
  record Pod(List<String> args, Map<String, String> environment) {}

  /**
   * The runner of the Deployment's pod: its args with mounted files written under {@code dir}, its
   * environment, and a kubeconfig with a token of the chart's ServiceAccount.
   */
  Pod pod(KubernetesClient admin, Path dir, String nodeIp) throws IOException {
    Deployment deployment =
        objects.stream()
            .filter(Deployment.class::isInstance)
            .map(Deployment.class::cast)
            .findFirst()
            .orElseThrow();
    var spec = deployment.getSpec().getTemplate().getSpec();
    Container container = spec.getContainers().get(0);

    // the config volume: the chart's Secret, as files
    String configSecret = spec.getVolumes().get(0).getSecret().getSecretName();
    Path mount = Files.createDirectories(dir.resolve("etc-vkj"));
    secretData(admin, configSecret).forEach((k, v) -> write(mount.resolve(k), v));
    // the service account's ca.crt: the cluster's root CA, which every namespace holds
    Path ca = dir.resolve("ca.crt");
    Files.writeString(ca, rootCa(admin));

    List<String> args = new ArrayList<>();
    for (String arg : container.getArgs()) {
      args.add(
          arg.replace(SERVICE_ACCOUNT_CA, ca.toString())
              .replace(CONFIG_MOUNT, mount.toString() + "/"));
    }
    args.add(
        "--kubeconfig=" + serviceAccountKubeconfig(admin, spec.getServiceAccountName(), dir, ca));

    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar v : container.getEnv()) {
      if (v.getValue() != null) {
        env.put(v.getName(), v.getValue());
      } else if (v.getValueFrom().getFieldRef() != null) {
        String field = v.getValueFrom().getFieldRef().getFieldPath();
        assertThat(field).isIn("status.podIP", "metadata.name");
        env.put(v.getName(), field.equals("status.podIP") ? nodeIp : release + "-runner-0");
      } else {
        var ref = v.getValueFrom().getSecretKeyRef();
        String value = secretData(admin, ref.getName()).get(ref.getKey());
        if (value == null && Boolean.TRUE.equals(ref.getOptional())) {
          continue;
        }
        assertThat(value).as("Secret " + ref.getName() + " key " + ref.getKey()).isNotNull();
        env.put(v.getName(), value);
      }
    }
    return new Pod(List.copyOf(args), env);
  }

  private Map<String, String> secretData(KubernetesClient admin, String name) {
    Secret secret = admin.secrets().inNamespace(namespace).withName(name).get();
    assertThat(secret).as("Secret " + name + " in " + namespace).isNotNull();
    Map<String, String> out = new LinkedHashMap<>();
    secret
        .getData()
        .forEach(
            (k, v) ->
                out.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    return out;
  }

  private String rootCa(KubernetesClient admin) {
    return E2eCluster.awaitValue(
        java.time.Duration.ofSeconds(60),
        "ConfigMap kube-root-ca.crt in " + namespace,
        () -> {
          var map = admin.configMaps().inNamespace(namespace).withName("kube-root-ca.crt").get();
          return map == null ? null : map.getData().get("ca.crt");
        });
  }

  /** A kubeconfig that authenticates as the ServiceAccount, with a token from TokenRequest. */
  private Path serviceAccountKubeconfig(
      KubernetesClient admin, String serviceAccount, Path dir, Path ca) throws IOException {
    ServiceAccount account =
        admin.serviceAccounts().inNamespace(namespace).withName(serviceAccount).get();
    assertThat(account).as("ServiceAccount " + serviceAccount).isNotNull();
    String token =
        admin
            .serviceAccounts()
            .inNamespace(namespace)
            .withName(serviceAccount)
            .tokenRequest(
                new TokenRequestBuilder()
                    .withNewSpec()
                    .withExpirationSeconds(3600L)
                    .endSpec()
                    .build())
            .getStatus()
            .getToken();
    Path file = dir.resolve("service-account.kubeconfig");
    Files.writeString(
        file,
        String.join(
            "\n",
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            "- name: cluster",
            "  cluster:",
            "    server: " + admin.getConfiguration().getMasterUrl(),
            "    certificate-authority: " + ca,
            "contexts:",
            "- name: " + release,
            "  context:",
            "    cluster: cluster",
            "    namespace: " + namespace,
            "    user: " + serviceAccount,
            "current-context: " + release,
            "users:",
            "- name: " + serviceAccount,
            "  user:",
            "    token: " + token,
            ""));
    return file;
  }

  private static void write(Path file, String content) {
    try {
      Files.writeString(file, content);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
