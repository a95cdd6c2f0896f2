package dev.vkj.core.server;

import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import java.util.Set;

/** The routes of the kubelet API and how a normalized path matches them. */
enum Route {
  HEALTHZ(Set.of(HttpMethod.GET, HttpMethod.HEAD)),
  PODS(Set.of(HttpMethod.GET)),
  RUNNING_PODS(Set.of(HttpMethod.GET)),
  STATS_SUMMARY(Set.of(HttpMethod.GET, HttpMethod.POST)),
  METRICS_RESOURCE(Set.of(HttpMethod.GET)),
  CONTAINER_LOGS(Set.of(HttpMethod.GET)),
  EXEC(Set.of(HttpMethod.GET, HttpMethod.POST)),
  ATTACH(Set.of(HttpMethod.GET, HttpMethod.POST)),
  PORT_FORWARD(Set.of(HttpMethod.GET, HttpMethod.POST));

  /**
   * First path segments the kubelet registers. Below them the auth filter runs before 404/405 (the
   * kubelet answers {@code 404: Page Not Found}); elsewhere a plain {@code 404 page not found}
   * comes without authentication.
   */
  private static final Set<String> PREFIXES =
      Set.of(
          "healthz",
          "pods",
          "runningpods",
          "stats",
          "metrics",
          "containerLogs",
          "exec",
          "attach",
          "portForward",
          "run",
          "logs",
          "spec",
          "configz",
          "debug",
          "cri");

  private final Set<HttpMethod> methods;

  Route(Set<HttpMethod> methods) {
    this.methods = methods;
  }

  boolean allows(HttpMethod method) {
    return methods.contains(method);
  }

  /** A name for metrics and logs. */
  String label() {
    return switch (this) {
      case HEALTHZ -> "healthz";
      case PODS -> "pods";
      case RUNNING_PODS -> "runningpods";
      case STATS_SUMMARY -> "stats_summary";
      case METRICS_RESOURCE -> "metrics_resource";
      case CONTAINER_LOGS -> "containerLogs";
      case EXEC -> "exec";
      case ATTACH -> "attach";
      case PORT_FORWARD -> "portForward";
    };
  }

  static boolean isKnownPrefix(RequestPath path) {
    return PREFIXES.contains(path.first());
  }

  /** The route a path names, or null. */
  static Route match(RequestPath path) {
    List<String> s = path.segments();
    if (s.isEmpty()) {
      return null;
    }
    int n = s.size();
    return switch (s.get(0)) {
      case "healthz" ->
          n == 1 || (n == 2 && Set.of("ping", "log", "syncloop").contains(s.get(1)))
              ? HEALTHZ
              : null;
      case "pods" -> n == 1 ? PODS : null;
      case "runningpods" -> n == 1 ? RUNNING_PODS : null;
      case "stats" -> n == 2 && s.get(1).equals("summary") ? STATS_SUMMARY : null;
      case "metrics" -> n == 2 && s.get(1).equals("resource") ? METRICS_RESOURCE : null;
      case "containerLogs" -> n == 4 ? CONTAINER_LOGS : null;
      case "exec" -> n == 4 || n == 5 ? EXEC : null;
      case "attach" -> n == 4 || n == 5 ? ATTACH : null;
      case "portForward" -> n == 3 || n == 4 ? PORT_FORWARD : null;
      default -> null;
    };
  }
}
