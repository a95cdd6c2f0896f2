package dev.vkj.core.server;

import dev.vkj.core.EmptyBackend;
import dev.vkj.spi.AttachIO;
import dev.vkj.spi.ContainerExec;
import dev.vkj.spi.ContainerLogs;
import dev.vkj.spi.LogOptions;
import dev.vkj.spi.NodeDescription;
import dev.vkj.spi.PortForward;
import dev.vkj.spi.Provider;
import dev.vkj.spi.ProviderException;
import dev.vkj.spi.StatsProvider;
import dev.vkj.spi.stats.StatsSummary;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A provider with every capability; logs and stats are whatever the test sets. */
class FakeProvider extends EmptyBackend
    implements ContainerLogs, ContainerExec, PortForward, StatsProvider {
  record LogCall(String namespace, String pod, String container, LogOptions options) {}

  interface LogSource {
    InputStream open(LogCall call) throws ProviderException;
  }

  final List<Pod> running = new CopyOnWriteArrayList<>();
  final List<LogCall> logCalls = new CopyOnWriteArrayList<>();
  volatile LogSource logs =
      call ->
          new ByteArrayInputStream(
              ("log of " + call.pod() + "/" + call.container() + "\n")
                  .getBytes(StandardCharsets.UTF_8));
  volatile StatsSummary stats;
  volatile ProviderException statsError;

  @Override
  public InputStream containerLogs(
      String namespace, String pod, String container, LogOptions options) throws ProviderException {
    LogCall call = new LogCall(namespace, pod, container, options);
    logCalls.add(call);
    return logs.open(call);
  }

  @Override
  public StatsSummary statsSummary() throws ProviderException {
    if (statsError != null) {
      throw statsError;
    }
    if (stats == null) {
      throw ProviderException.transientError("no stats yet", null);
    }
    return stats;
  }

  @Override
  public int exec(
      String namespace, String pod, String container, List<String> command, AttachIO io) {
    throw new UnsupportedOperationException("exec runs in the stream handler");
  }

  @Override
  public int attach(String namespace, String pod, String container, AttachIO io) {
    throw new UnsupportedOperationException("attach runs in the stream handler");
  }

  @Override
  public void portForward(
      String namespace, String pod, int port, InputStream fromClient, OutputStream toClient) {
    throw new UnsupportedOperationException("port-forward runs in the stream handler");
  }

  @Override
  public List<Pod> listPods() {
    return List.copyOf(running);
  }

  @Override
  public NodeDescription describeNode() {
    return NodeDescription.builder().capacity("cpu", "4").build();
  }

  /** A provider with no optional capability. */
  static Provider bare() {
    return new EmptyBackend() {};
  }
}
