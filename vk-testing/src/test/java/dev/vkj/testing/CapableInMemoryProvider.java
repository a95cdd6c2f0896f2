package dev.vkj.testing;

import dev.vkj.spi.AttachIO;
import dev.vkj.spi.ContainerExec;
import dev.vkj.spi.ContainerLogs;
import dev.vkj.spi.LogOptions;
import dev.vkj.spi.PodStatusNotifier;
import dev.vkj.spi.PortForward;
import dev.vkj.spi.ProviderException;
import dev.vkj.spi.StatsProvider;
import dev.vkj.spi.stats.ContainerStats;
import dev.vkj.spi.stats.CpuStats;
import dev.vkj.spi.stats.MemoryStats;
import dev.vkj.spi.stats.NodeStats;
import dev.vkj.spi.stats.PodStats;
import dev.vkj.spi.stats.StatsSummary;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** {@link InMemoryProvider} with every optional capability, each of which a flaw can break. */
final class CapableInMemoryProvider extends InMemoryProvider
    implements PodStatusNotifier, ContainerLogs, ContainerExec, PortForward, StatsProvider {
  private final Clock clock;
  private final String nodeName;
  private volatile Listener listener = pod -> {};

  CapableInMemoryProvider(Flaw flaw, Backend backend, Clock clock, String nodeName) {
    super(flaw, backend, clock);
    this.clock = clock;
    this.nodeName = nodeName;
  }

  @Override
  public void notifyPodStatus(Listener listener) {
    this.listener = listener;
  }

  @Override
  void created(Pod pod) {
    if (flaw != Flaw.NO_PUSH) {
      listener.podStatusChanged(pod);
    }
  }

  @Override
  void deleted(Pod pod) {
    if (flaw != Flaw.NO_PUSH) {
      listener.podStatusChanged(pod);
    }
  }

  private Container container(String namespace, String name, String container, boolean lenient)
      throws ProviderException {
    Pod pod = getPod(namespace, name).orElse(null);
    if (pod == null) {
      if (lenient) {
        return null;
      }
      throw ProviderException.notFound("no pod " + namespace + "/" + name);
    }
    return pod.getSpec().getContainers().stream()
        .filter(c -> c.getName().equals(container))
        .findFirst()
        .orElseThrow(() -> ProviderException.notFound("no container " + container));
  }

  @Override
  public InputStream containerLogs(
      String namespace, String pod, String container, LogOptions options) throws ProviderException {
    Container spec = container(namespace, pod, container, flaw == Flaw.LOGS_OF_UNKNOWN_POD);
    if (spec == null || options.tailLines().orElse(1) == 0) {
      return new ByteArrayInputStream(new byte[0]);
    }
    // the "process" writes its command line, which holds what it echoes
    String text =
        flaw == Flaw.LOGS_WRONG_TEXT || spec.getCommand() == null
            ? "started\n"
            : String.join(" ", spec.getCommand()) + "\n";
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public int exec(String namespace, String pod, String container, List<String> command, AttachIO io)
      throws ProviderException {
    if (container(namespace, pod, container, flaw == Flaw.EXEC_IN_UNKNOWN_POD) == null) {
      return 0;
    }
    if (!command.isEmpty() && command.get(0).equals("echo") && flaw != Flaw.EXEC_WRONG_OUTPUT) {
      String line = String.join(" ", command.subList(1, command.size())) + "\n";
      io.stdout()
          .ifPresent(
              out -> {
                try {
                  out.write(line.getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
    return 0;
  }

  @Override
  public int attach(String namespace, String pod, String container, AttachIO io)
      throws ProviderException {
    throw ProviderException.unsupported("attach is not simulated");
  }

  @Override
  public void portForward(
      String namespace, String pod, int port, InputStream fromClient, OutputStream toClient)
      throws ProviderException {
    if (getPod(namespace, pod).isEmpty()) {
      if (flaw == Flaw.PORT_FORWARD_TO_UNKNOWN_POD) {
        return;
      }
      throw ProviderException.notFound("no pod " + namespace + "/" + pod);
    }
    byte[] buffer = new byte[4096];
    try {
      int n;
      while ((n = fromClient.read(buffer)) >= 0) {
        if (flaw != Flaw.PORT_FORWARD_NO_ECHO) {
          toClient.write(buffer, 0, n);
          toClient.flush();
        }
      }
    } catch (IOException e) {
      throw ProviderException.transientError("port-forward broke: " + e.getMessage(), e);
    }
  }

  @Override
  public StatsSummary statsSummary() {
    long usage = flaw == Flaw.STATS_ZERO ? 0 : 1_000_000;
    Instant now = clock.instant();
    List<PodStats> pods = new ArrayList<>();
    for (Pod pod : listPods()) {
      List<ContainerStats> containers = new ArrayList<>();
      for (Container c : pod.getSpec().getContainers()) {
        containers.add(
            new ContainerStats(
                c.getName(),
                now,
                new CpuStats(now, usage, usage),
                new MemoryStats(now, usage, usage, usage)));
      }
      pods.add(
          new PodStats(
              pod.getMetadata().getNamespace(),
              pod.getMetadata().getName(),
              pod.getMetadata().getUid(),
              now,
              containers,
              new CpuStats(now, usage, usage),
              new MemoryStats(now, usage, usage, usage)));
    }
    return new StatsSummary(
        new NodeStats(
            nodeName,
            now,
            new CpuStats(now, 1_000_000, 1_000_000),
            new MemoryStats(now, 1_000_000, 1_000_000, 1_000_000)),
        pods);
  }
}
