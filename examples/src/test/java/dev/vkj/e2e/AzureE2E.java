package dev.vkj.e2e;

import java.nio.file.Path;
import java.util.List;

/**
 * The ACI hands-on with the runner started as the README shows: {@code vk-runner run --provider
 * azure --provider-path ...} and a provider configuration file.
 */
class AzureE2E extends AzureHandsOn {
  @Override
  E2eCluster install(List<String> trustArm, Path providers) {
    String config =
        String.join(
            "\n",
            "subscriptionId: " + SUBSCRIPTION,
            "resourceGroup: aci-group",
            "region: japaneast",
            "cpu: \"20\"",
            "memory: 100Gi",
            "pods: \"50\"",
            "armEndpoint: " + arm.endpoint(),
            "");
    E2eCluster cluster =
        new E2eCluster(
            "azure",
            new E2eCluster.Backend(
                "azure",
                config,
                List.of("--provider-path", providers.toString()),
                trustArm,
                identity.environment()));
    cluster.createNamespace(ns);
    return cluster;
  }
}
