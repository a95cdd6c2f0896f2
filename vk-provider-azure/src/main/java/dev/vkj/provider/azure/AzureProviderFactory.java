package dev.vkj.provider.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.policy.FixedDelay;
import com.azure.core.http.policy.RetryPolicy;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.profile.AzureProfile;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.resourcemanager.containerinstance.ContainerInstanceManager;
import dev.vkj.spi.ConfigKey;
import dev.vkj.spi.ErrorCode;
import dev.vkj.spi.Provider;
import dev.vkj.spi.ProviderConfig;
import dev.vkj.spi.ProviderContext;
import dev.vkj.spi.ProviderException;
import dev.vkj.spi.ProviderFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code azure} provider: pods as container groups of Azure Container Instances. Credentials
 * come from {@code DefaultAzureCredential}: the service principal of {@code AZURE_TENANT_ID},
 * {@code AZURE_CLIENT_ID} and {@code AZURE_CLIENT_SECRET}, workload identity, or a managed
 * identity. See {@code docs/provider-azure.md}.
 */
public final class AzureProviderFactory implements ProviderFactory {
  public static final String NAME = "azure";

  /** The bound of one ARM request; the core's own call timeout is longer. */
  static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  public AzureProviderFactory() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "Azure Container Instances: each pod runs as a container group";
  }

  @Override
  public List<ConfigKey> configKeys() {
    return AzureConfig.KEYS;
  }

  @Override
  public Provider create(ProviderConfig config, ProviderContext context) throws ProviderException {
    AzureConfig azure =
        AzureConfig.from(config, Optional.ofNullable(System.getenv("AZURE_SUBSCRIPTION_ID")));
    TokenCredential credential = new DefaultAzureCredentialBuilder().build();
    javax.net.ssl.SSLContext tls;
    try {
      tls = javax.net.ssl.SSLContext.getDefault();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new ProviderException(ErrorCode.INTERNAL, "the JDK has no default TLS context", e);
    }
    return connect(
        azure, context, credential, httpClient(java.net.http.HttpClient.newBuilder()), tls);
  }

  /**
   * Checks the credentials by fetching a token for ARM, so that bad ones stop the runner before the
   * node registers, then builds the provider on the SDK's own client.
   */
  static AzureProvider connect(
      AzureConfig config,
      ProviderContext context,
      TokenCredential credential,
      HttpClient http,
      javax.net.ssl.SSLContext tls)
      throws ProviderException {
    AzureProfile profile = profile(config);
    String arm = config.armEndpoint().toString();
    String scope = (arm.endsWith("/") ? arm : arm + "/") + ".default";
    try {
      var token = credential.getTokenSync(new TokenRequestContext().addScopes(scope));
      if (token == null) {
        throw new ProviderException(ErrorCode.AUTH, "Azure credentials gave no token for " + scope);
      }
    } catch (RuntimeException e) {
      throw new ProviderException(
          ErrorCode.AUTH, "Azure credentials were refused: " + firstLine(e.getMessage()), e);
    }
    ContainerInstanceManager manager =
        ContainerInstanceManager.configure()
            .withHttpClient(http)
            // the core retries with the shared limiter; the SDK's own retries would bypass it
            .withRetryPolicy(new RetryPolicy(new FixedDelay(0, Duration.ZERO)))
            .authenticate(credential, profile);
    return new AzureProvider(config, context, manager, CALL_TIMEOUT, tls);
  }

  /**
   * The SDK's transport on the JDK's HTTP client. The SDK sets {@code Content-Length} on every
   * request, which the JDK refuses unless {@code jdk.httpclient.allowRestrictedHeaders} lets it
   * through; otherwise the SDK drops the header and warns on every request. The property is set
   * when nobody set it and the JDK still honours it (it reads it once).
   */
  static HttpClient httpClient(java.net.http.HttpClient.Builder jdk) {
    String property = "jdk.httpclient.allowRestrictedHeaders";
    synchronized (AzureProviderFactory.class) {
      if (System.getProperty(property) == null) {
        System.setProperty(property, "content-length");
        try {
          java.net.http.HttpRequest.newBuilder(java.net.URI.create("https://localhost/"))
              .header("Content-Length", "0");
        } catch (IllegalArgumentException e) {
          System.clearProperty(property); // the JDK decided before: the SDK must drop the header
        }
      }
    }
    return new JdkHttpClientBuilder(jdk).build();
  }

  static AzureProfile profile(AzureConfig config) {
    Map<String, String> endpoints = new HashMap<>(AzureEnvironment.AZURE.getEndpoints());
    endpoints.put("resourceManagerEndpointUrl", config.armEndpoint().toString());
    return new AzureProfile(
        System.getenv("AZURE_TENANT_ID"), config.subscriptionId(), new AzureEnvironment(endpoints));
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "no message";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
