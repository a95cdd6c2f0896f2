package dev.vkj.core.server.stream;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A validated, authorized request for a streaming session: exec, attach or port-forward.
 *
 * @param kind what the client asked for
 * @param namespace pod namespace
 * @param pod pod name
 * @param container container name; empty for port-forward
 * @param command the command for exec; empty otherwise
 * @param stdin whether the client sends stdin ({@code input=1})
 * @param stdout whether the client wants stdout ({@code output=1})
 * @param stderr whether the client wants stderr ({@code error=1}); always false with a TTY
 * @param tty whether the client asked for a terminal ({@code tty=1})
 * @param ports the {@code ports} query parameter of a WebSocket port-forward; empty otherwise
 */
public record StreamRequest(
    Kind kind,
    String namespace,
    String pod,
    String container,
    List<String> command,
    boolean stdin,
    boolean stdout,
    boolean stderr,
    boolean tty,
    List<Integer> ports) {

  /** The three streaming routes of the kubelet API. */
  public enum Kind {
    EXEC,
    ATTACH,
    PORT_FORWARD
  }

  public StreamRequest {
    requireNonNull(kind, "kind is null");
    requireNonNull(namespace, "namespace is null");
    requireNonNull(pod, "pod is null");
    requireNonNull(container, "container is null");
    command = List.copyOf(command);
    ports = List.copyOf(ports);
  }
}
