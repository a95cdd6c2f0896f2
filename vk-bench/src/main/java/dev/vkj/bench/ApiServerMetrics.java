package dev.vkj.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code apiserver_request_total} from the API server's Prometheus text ({@code GET
 * /metrics}) into counts by {@link RequestKey}, summed over response codes and scopes. The metric
 * has no user label, so the benchmark subtracts its own requests (counted by its client) to
 * cross-check the kubelet's.
 */
final class ApiServerMetrics {
  private static final Pattern LINE =
      Pattern.compile("^apiserver_request_total\\{([^}]*)}\\s+([0-9.eE+-]+)");
  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  private ApiServerMetrics() {}

  static Map<String, Long> requestTotals(String prometheusText) {
    Map<String, Long> out = new TreeMap<>();
    for (String line : prometheusText.split("\n")) {
      Matcher m = LINE.matcher(line);
      if (!m.find()) {
        continue;
      }
      Map<String, String> labels = new TreeMap<>();
      Matcher l = LABEL.matcher(m.group(1));
      while (l.find()) {
        labels.put(l.group(1), l.group(2));
      }
      String resource = labels.getOrDefault("resource", "");
      if (resource.isEmpty()) {
        continue; // /metrics, /healthz and other paths that are not resources
      }
      String sub = labels.getOrDefault("subresource", "");
      String verb = labels.getOrDefault("verb", "?");
      if (verb.equals("DELETE") && !labels.getOrDefault("scope", "resource").equals("resource")) {
        verb = "DELETECOLLECTION"; // older servers label a collection delete DELETE
      }
      String key = verb + " " + resource + (sub.isEmpty() ? "" : "/" + sub);
      out.merge(key, (long) Double.parseDouble(m.group(2)), Long::sum);
    }
    return out;
  }
}
