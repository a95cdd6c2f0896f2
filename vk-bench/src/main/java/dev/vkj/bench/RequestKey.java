package dev.vkj.bench;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * Names an API request the way the API server's {@code apiserver_request_total} labels it: the verb
 * ({@code GET}, {@code LIST}, {@code WATCH}, {@code POST}, {@code PUT}, {@code PATCH}, {@code
 * DELETE}, {@code DELETECOLLECTION}) and the resource with its subresource, e.g. {@code PATCH
 * pods/status}, so that client-side counts and the server's counts can be compared key by key.
 */
final class RequestKey {
  private RequestKey() {}

  /**
   * The key of a request; paths that are not resources keep their path, e.g. {@code GET /version}.
   */
  static String of(String method, URI uri) {
    String m = method.toUpperCase(java.util.Locale.ROOT);
    List<String> parts = segments(uri.getRawPath());
    int start;
    if (parts.size() >= 2 && parts.get(0).equals("api")) {
      start = 2;
    } else if (parts.size() >= 3 && parts.get(0).equals("apis")) {
      start = 3;
    } else {
      return m
          + " "
          + (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath());
    }
    List<String> rest = parts.subList(start, parts.size());
    if (rest.isEmpty()) {
      return m + " " + uri.getRawPath();
    }
    String resource;
    String name = null;
    String sub = null;
    if (rest.get(0).equals("namespaces") && rest.size() >= 3) {
      resource = rest.get(2);
      name = rest.size() >= 4 ? rest.get(3) : null;
      sub = rest.size() >= 5 ? rest.get(4) : null;
    } else {
      resource = rest.get(0);
      name = rest.size() >= 2 ? rest.get(1) : null;
      sub = rest.size() >= 3 ? rest.get(2) : null;
    }
    String verb = m;
    if (name == null) {
      if (m.equals("GET")) {
        verb = isWatch(uri.getRawQuery()) ? "WATCH" : "LIST";
      } else if (m.equals("DELETE")) {
        verb = "DELETECOLLECTION";
      }
    } else if (m.equals("GET") && isWatch(uri.getRawQuery())) {
      verb = "WATCH";
    }
    return verb + " " + resource + (sub == null ? "" : "/" + sub);
  }

  private static boolean isWatch(String query) {
    if (query == null) {
      return false;
    }
    for (String p : query.split("&")) {
      if (p.equals("watch=true") || p.equals("watch=1")) {
        return true;
      }
    }
    return false;
  }

  private static List<String> segments(String path) {
    List<String> out = new ArrayList<>();
    if (path == null) {
      return out;
    }
    for (String s : path.split("/")) {
      if (!s.isEmpty()) {
        out.add(s);
      }
    }
    return out;
  }
}
