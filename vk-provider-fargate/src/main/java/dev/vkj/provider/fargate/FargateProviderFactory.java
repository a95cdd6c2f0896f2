package dev.vkj.provider.fargate;

import dev.vkj.spi.ConfigKey;
import dev.vkj.spi.ErrorCode;
import dev.vkj.spi.Provider;
import dev.vkj.spi.ProviderConfig;
import dev.vkj.spi.ProviderContext;
import dev.vkj.spi.ProviderException;
import dev.vkj.spi.ProviderFactory;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.CapacityProviderStrategyItem;
import software.amazon.awssdk.services.ecs.model.Cluster;
import software.amazon.awssdk.services.ecs.model.DescribeClustersResponse;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * The {@code fargate} provider: pods as AWS ECS Fargate tasks. Credentials come from the AWS
 * default provider chain: environment, profile, web identity (IRSA), container or instance
 * credentials. See {@code docs/provider-fargate.md}.
 */
public final class FargateProviderFactory implements ProviderFactory {
  public static final String NAME = "fargate";

  /** The bound of one AWS call; the core's own call timeout is longer. */
  static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);

  public FargateProviderFactory() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "AWS ECS Fargate: each pod runs as a Fargate task";
  }

  @Override
  public List<ConfigKey> configKeys() {
    return FargateConfig.KEYS;
  }

  @Override
  public Provider create(ProviderConfig config, ProviderContext context) throws ProviderException {
    FargateConfig fargate =
        FargateConfig.from(config, Optional.ofNullable(System.getenv("AWS_REGION")));
    return connect(fargate, context, DefaultCredentialsProvider.builder().build());
  }

  /**
   * Builds the SDK clients and checks the credentials and the cluster with one DescribeClusters, so
   * that bad credentials stop the runner before the node registers; creates the cluster when it is
   * missing and {@code createCluster} allows it.
   */
  static FargateProvider connect(
      FargateConfig config, ProviderContext context, AwsCredentialsProvider credentials)
      throws ProviderException {
    SdkHttpClient http =
        UrlConnectionHttpClient.builder()
            .connectionTimeout(Duration.ofSeconds(10))
            .socketTimeout(CALL_TIMEOUT)
            .build();
    Region region = Region.of(config.region());
    EcsClient ecs =
        EcsClient.builder()
            .httpClient(http)
            .region(region)
            .credentialsProvider(credentials)
            .overrideConfiguration(overrides())
            .applyMutation(b -> config.endpoint().ifPresent(b::endpointOverride))
            .build();
    CloudWatchLogsClient logs =
        CloudWatchLogsClient.builder()
            .httpClient(http)
            .region(region)
            .credentialsProvider(credentials)
            .overrideConfiguration(overrides())
            .applyMutation(b -> config.endpoint().ifPresent(b::endpointOverride))
            .build();
    SsmClient ssm =
        SsmClient.builder()
            .httpClient(http)
            .region(region)
            .credentialsProvider(credentials)
            .overrideConfiguration(overrides())
            .applyMutation(b -> config.endpoint().ifPresent(b::endpointOverride))
            .build();
    try {
      ensureCluster(config, ecs);
    } catch (ProviderException | RuntimeException e) {
      ecs.close();
      logs.close();
      ssm.close();
      http.close();
      throw e;
    }
    return new FargateProvider(config, context, ecs, logs, ssm, http);
  }

  /** The core retries once, through its shared limiter; the SDK's own retries would multiply. */
  private static ClientOverrideConfiguration overrides() {
    return ClientOverrideConfiguration.builder()
        .retryStrategy(AwsRetryStrategy.doNotRetry())
        .apiCallTimeout(CALL_TIMEOUT)
        .build();
  }

  static void ensureCluster(FargateConfig config, EcsClient ecs) throws ProviderException {
    DescribeClustersResponse answer;
    try {
      answer = ecs.describeClusters(r -> r.clusters(config.cluster()));
    } catch (SdkException e) {
      ProviderException mapped = AwsErrors.map("DescribeClusters " + config.cluster(), e);
      if (mapped.code() == ErrorCode.AUTH) {
        throw mapped;
      }
      throw new ProviderException(
          ErrorCode.AUTH,
          "cannot reach ECS in " + config.region() + " with these credentials: " + e.getMessage(),
          e);
    }
    Optional<Cluster> active =
        answer.clusters().stream().filter(c -> "ACTIVE".equals(c.status())).findFirst();
    if (active.isPresent()) {
      return;
    }
    if (!config.createCluster()) {
      throw ProviderException.invalidConfig(
          FargateConfig.CLUSTER,
          "ECS cluster " + config.cluster() + " does not exist and createCluster is false");
    }
    try {
      ecs.createCluster(
          r ->
              r.clusterName(config.cluster())
                  .capacityProviders("FARGATE", "FARGATE_SPOT")
                  .defaultCapacityProviderStrategy(
                      CapacityProviderStrategyItem.builder()
                          .capacityProvider("FARGATE")
                          .weight(1)
                          .build()));
    } catch (SdkException e) {
      throw AwsErrors.map("CreateCluster " + config.cluster(), e);
    }
  }
}
