package dev.vkj.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ACI hands-on installed through the Helm chart with the hands-on's values ({@code
 * provider=azure}, {@code rbac.install=true}, {@code providers.azure.*}), rendered by Helm: the
 * runner then works with the chart's arguments, configuration Secret and ServiceAccount only. The
 * credential is a managed identity (the chart then passes no service principal), because a service
 * principal's token comes from Azure AD, which no test can reach.
 */
class AzureHelmE2E extends AzureHandsOn {
  private HelmInstall helm;

  @Override
  E2eCluster install(List<String> trustArm, Path providers) throws Exception {
    // the admin's client, only to create the namespace and apply the chart's objects
    try (var admin =
        new io.fabric8.kubernetes.client.KubernetesClientBuilder()
            .withConfig(io.fabric8.kubernetes.client.Config.autoConfigure(null))
            .build()) {
      admin
          .namespaces()
          .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
          .create();
      Map<String, Object> values = new LinkedHashMap<>();
      values.put("provider", "azure");
      values.put("nodeName", E2eCluster.NODE);
      values.put("rbac.install", true);
      values.put("providers.azure.targetAKS", false);
      values.put("providers.azure.aciResourceGroup", "aci-group");
      values.put("providers.azure.aciRegion", "japaneast");
      values.put("providers.azure.subscriptionId", SUBSCRIPTION);
      values.put("providers.azure.masterUri", admin.getConfiguration().getMasterUrl());
      values.put("providerConfig.armEndpoint", arm.endpoint());
      values.put("providerConfig.cpu", "20");
      values.put("providerConfig.memory", "100Gi");
      values.put("providerConfig.pods", "50");
      values.put("kubeletPort", System.getenv().getOrDefault("VKJ_E2E_KUBELET_PORT", "10250"));
      values.put("metrics.port", Integer.toString(E2eCluster.freePort()));
      helm = new HelmInstall("virtual-kubelet", ns, values);
      helm.apply(admin);
      HelmInstall.Pod pod = helm.pod(admin, work, "127.0.0.1");

      // what the chart must have given the runner
      assertThat(pod.args())
          .contains("--provider=azure", "--node-name=" + E2eCluster.NODE, "--taint-value=azure")
          .anyMatch(a -> a.startsWith("--kubeconfig="));
      assertThat(pod.environment())
          .containsEntry("KUBERNETES_MASTER", admin.getConfiguration().getMasterUrl())
          .doesNotContainKeys("AZURE_CLIENT_SECRET", "AZURE_CLIENT_ID");
      List<HasMetadata> secrets = helm.objects().stream().filter(Secret.class::isInstance).toList();
      assertThat(secrets).hasSize(1);

      // the image's environment (Dockerfile) and what Azure injects for a managed identity
      Map<String, String> env = new LinkedHashMap<>(pod.environment());
      env.put("VKJ_PROVIDER_PATH", providers.toString());
      env.putAll(identity.environment());
      List<String> args = new ArrayList<>(pod.args());
      String cert = System.getenv("VKJ_KUBELET_CERT");
      String key = System.getenv("VKJ_KUBELET_KEY");
      if (cert != null && key != null) {
        // a serving certificate for 127.0.0.1 (the chart's tls.cert and tls.key in a cluster)
        args.addAll(List.of("--tls-cert=" + cert, "--tls-key=" + key));
      }
      return new E2eCluster("azure-helm", E2eCluster.Backend.commandLine(args, trustArm, env));
    }
  }

  @Override
  void uninstall() {
    if (helm != null) {
      try (var admin =
          new io.fabric8.kubernetes.client.KubernetesClientBuilder()
              .withConfig(io.fabric8.kubernetes.client.Config.autoConfigure(null))
              .build()) {
        helm.deleteClusterScoped(admin);
      }
    }
  }
}
