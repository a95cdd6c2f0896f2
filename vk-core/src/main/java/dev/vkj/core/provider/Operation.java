package dev.vkj.core.provider;

import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/**
 * The provider calls the boundary knows, named like the SPI methods. The kind decides which rate
 * limiter paces a call; streaming calls are not paced and have no timeout.
 */
enum Operation {
  CREATE_POD("createPod", Kind.WRITE, Duration.ofSeconds(60), false),
  UPDATE_POD("updatePod", Kind.WRITE, Duration.ofSeconds(60), false),
  DELETE_POD("deletePod", Kind.WRITE, Duration.ofSeconds(60), false),
  GET_POD("getPod", Kind.READ, Duration.ofSeconds(15), true),
  GET_POD_STATUS("getPodStatus", Kind.READ, Duration.ofSeconds(15), true),
  LIST_PODS("listPods", Kind.READ, Duration.ofSeconds(15), true),
  LIST_POD_STATUSES("listPodStatuses", Kind.READ, Duration.ofSeconds(15), true),
  DESCRIBE_NODE("describeNode", Kind.READ, Duration.ofSeconds(15), true),
  PING("ping", Kind.READ, Duration.ofSeconds(10), true),
  STATS_SUMMARY("statsSummary", Kind.READ, Duration.ofSeconds(15), true),
  /** Without {@code follow}; a followed log stream has no timeout. */
  CONTAINER_LOGS("containerLogs", Kind.READ, Duration.ofSeconds(15), false),
  EXEC("exec", Kind.STREAM, null, false),
  ATTACH("attach", Kind.STREAM, null, false),
  PORT_FORWARD("portForward", Kind.STREAM, null, false);

  enum Kind {
    READ("reads"),
    WRITE("writes"),
    STREAM("streams");

    final String tag;

    Kind(String tag) {
      this.tag = tag;
    }
  }

  final String method;
  final Kind kind;
  private final Duration defaultTimeout;
  final boolean idempotentRead;

  Operation(String method, Kind kind, Duration defaultTimeout, boolean idempotentRead) {
    this.method = method;
    this.kind = kind;
    this.defaultTimeout = defaultTimeout;
    this.idempotentRead = idempotentRead;
  }

  /** The default timeout; empty for streaming calls, which may run as long as the client wants. */
  Optional<Duration> defaultTimeout() {
    return Optional.ofNullable(defaultTimeout);
  }

  static Optional<Operation> byMethod(String method) {
    return Arrays.stream(values()).filter(o -> o.method.equals(method)).findFirst();
  }
}
