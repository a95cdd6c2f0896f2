package dev.vkj.provider.fargate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vkj.spi.ErrorCode;
import dev.vkj.spi.ProviderConfig;
import dev.vkj.spi.ProviderException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FargateConfigTest {
  private static Map<String, String> minimal() {
    Map<String, String> raw = new HashMap<>();
    raw.put("region", "us-east-1");
    raw.put("subnets", "subnet-0a1b2c3d");
    return raw;
  }

  private static FargateConfig parse(Map<String, String> raw) throws ProviderException {
    return FargateConfig.from(ProviderConfig.validated(raw, FargateConfig.KEYS), Optional.empty());
  }

  private static void rejects(Map<String, String> raw, String key) {
    assertThatThrownBy(() -> parse(raw))
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining(key)
        .extracting(e -> ((ProviderException) e).code())
        .isEqualTo(ErrorCode.INVALID_CONFIG);
  }

  @Test
  void defaultsAreTheGoProvidersNodeAndLaunchTypeFargate() throws Exception {
    FargateConfig config = parse(minimal());
    assertThat(config.cluster()).isEqualTo("default");
    assertThat(config.createCluster()).isTrue();
    assertThat(config.subnets()).containsExactly("subnet-0a1b2c3d");
    assertThat(config.securityGroups()).isEmpty();
    assertThat(config.assignPublicIp()).isFalse();
    assertThat(config.platformVersion()).isEqualTo("LATEST");
    assertThat(config.capacityProvider()).isEmpty();
    assertThat(config.cpuArchitecture()).isEqualTo("X86_64");
    assertThat(config.cpu().toString()).isEqualTo("20");
    assertThat(config.memory().toString()).isEqualTo("40Gi");
    assertThat(config.pods()).isEqualTo(20);
    assertThat(config.endpoint()).isEmpty();
    assertThat(config.taskSettings("virtual-kubelet").parameterPrefix())
        .isEqualTo("/vkj/default/virtual-kubelet");
  }

  @Test
  void theRegionMayComeFromTheEnvironment() throws Exception {
    Map<String, String> raw = minimal();
    raw.remove("region");
    FargateConfig config =
        FargateConfig.from(
            ProviderConfig.validated(raw, FargateConfig.KEYS), Optional.of("eu-west-1"));
    assertThat(config.region()).isEqualTo("eu-west-1");
    rejects(raw, "region");
  }

  @Test
  void eachMalformedValueNamesItsKey() {
    Map<String, String> raw = minimal();
    raw.put("region", "Europe");
    rejects(raw, "region");

    raw = minimal();
    raw.put("subnets", "subnet-0a1b, vpc-123");
    rejects(raw, "subnets");

    raw = minimal();
    raw.put("subnets", " , ");
    rejects(raw, "subnets");

    raw = minimal();
    raw.put("securityGroups", "default");
    rejects(raw, "securityGroups");

    raw = minimal();
    raw.put("cluster", "my.cluster");
    rejects(raw, "cluster");

    raw = minimal();
    raw.put("executionRoleArn", "ecsTaskExecutionRole");
    rejects(raw, "executionRoleArn");

    raw = minimal();
    raw.put("capacityProvider", "EC2");
    rejects(raw, "capacityProvider");

    raw = minimal();
    raw.put("cpuArchitecture", "riscv");
    rejects(raw, "cpuArchitecture");

    raw = minimal();
    raw.put("platformVersion", "newest");
    rejects(raw, "platformVersion");

    raw = minimal();
    raw.put("parameterPrefix", "vkj/");
    rejects(raw, "parameterPrefix");

    raw = minimal();
    raw.put("pods", "0");
    rejects(raw, "pods");

    raw = minimal();
    raw.put("memory", "lots");
    rejects(raw, "memory");

    raw = minimal();
    raw.put("endpoint", "ftp://example.com");
    rejects(raw, "endpoint");

    raw = minimal();
    raw.put("assignPublicIp", "maybe");
    rejects(raw, "assignPublicIp");
  }

  @Test
  void aLogGroupNeedsTheExecutionRoleThatWritesIt() throws Exception {
    Map<String, String> raw = minimal();
    raw.put("logGroup", "/vkj/tasks");
    rejects(raw, "executionRoleArn");

    raw.put("executionRoleArn", "arn:aws:iam::123456789012:role/ecsTaskExecutionRole");
    assertThat(parse(raw).logGroup()).contains("/vkj/tasks");
  }

  @Test
  void anUnknownKeyIsRejected() {
    Map<String, String> raw = minimal();
    raw.put("ClusterName", "default");
    assertThatThrownBy(() -> parse(raw))
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining("ClusterName");
  }
}
