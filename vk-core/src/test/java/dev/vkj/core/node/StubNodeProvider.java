package dev.vkj.core.node;

import dev.vkj.core.EmptyBackend;
import dev.vkj.spi.NodeDescription;
import dev.vkj.spi.ProviderException;

/** A provider with no pods whose health can be switched by the test. */
final class StubNodeProvider extends EmptyBackend {
  volatile String pingError;

  @Override
  public NodeDescription describeNode() {
    return NodeDescription.builder()
        .capacity("cpu", "20")
        .capacity("memory", "100Gi")
        .capacity("pods", "110")
        .label("example.com/backend", "stub")
        .osImage("stub backend")
        .containerRuntimeVersion("stub://1.0")
        .build();
  }

  @Override
  public void ping() throws ProviderException {
    String error = pingError;
    if (error != null) {
      throw ProviderException.transientError(error, null);
    }
  }
}
