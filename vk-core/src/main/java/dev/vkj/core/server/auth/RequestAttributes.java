package dev.vkj.core.server.auth;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/**
 * What a kubelet API request asks for, in the terms of a SubjectAccessReview: always resource
 * {@code nodes} (API group {@code ""}, version {@code v1}, no namespace) named after this node,
 * with a verb from the HTTP method and a subresource from the path.
 *
 * @param verb {@code get}, {@code create}, {@code update}, {@code patch}, {@code delete}, or empty
 *     for other methods (HEAD, OPTIONS), exactly like the kubelet
 * @param subresource {@code stats}, {@code metrics}, {@code log}, {@code spec} or {@code proxy}
 * @param nodeName the node name
 */
public record RequestAttributes(String verb, String subresource, String nodeName) {
  public static final String RESOURCE = "nodes";
  public static final String API_VERSION = "v1";

  public RequestAttributes {
    requireNonNull(verb, "verb is null");
    requireNonNull(subresource, "subresource is null");
    requireNonNull(nodeName, "nodeName is null");
  }

  /**
   * The attributes of a request, with the kubelet's rules: GET → get, POST → create, PUT → update,
   * PATCH → patch, DELETE → delete, anything else → empty; a path equal to or below {@code /stats}
   * → stats, {@code /metrics} → metrics, {@code /logs} → log, {@code /spec} → spec, everything else
   * → proxy.
   *
   * @param method the HTTP method
   * @param path the decoded, normalized request path without query
   */
  public static RequestAttributes of(String method, String path, String nodeName) {
    return new RequestAttributes(verbOf(method), subresourceOf(path), nodeName);
  }

  public String resource() {
    return RESOURCE;
  }

  static String verbOf(String method) {
    return switch (method.toUpperCase(Locale.ROOT)) {
      case "GET" -> "get";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> "delete";
      default -> "";
    };
  }

  static String subresourceOf(String path) {
    if (isSubpath(path, "/stats")) {
      return "stats";
    }
    if (isSubpath(path, "/metrics")) {
      return "metrics";
    }
    if (isSubpath(path, "/logs")) {
      return "log";
    }
    if (isSubpath(path, "/spec")) {
      return "spec";
    }
    return "proxy";
  }

  private static boolean isSubpath(String path, String prefix) {
    return path.equals(prefix) || (path.startsWith(prefix) && path.charAt(prefix.length()) == '/');
  }

  /**
   * The kubelet's wording, e.g. {@code user=alice, verb=get, resource=nodes, subresource=proxy}.
   */
  public String describe(UserInfo user) {
    return "user="
        + user.name()
        + ", verb="
        + verb
        + ", resource="
        + RESOURCE
        + ", subresource="
        + subresource;
  }
}
