package dev.vkj.core.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class RequestAttributesTest {
  @Test
  void verbsFollowTheKubelet() {
    Map<String, String> verbs =
        Map.of(
            "GET", "get",
            "POST", "create",
            "PUT", "update",
            "PATCH", "patch",
            "DELETE", "delete",
            "HEAD", "",
            "OPTIONS", "",
            "FOO", "");
    verbs.forEach(
        (method, verb) ->
            assertThat(RequestAttributes.of(method, "/pods", "n").verb())
                .as(method)
                .isEqualTo(verb));
  }

  @Test
  void subresourcesFollowThePathPrefix() {
    Map<String, String> paths =
        Map.ofEntries(
            Map.entry("/stats", "stats"),
            Map.entry("/stats/summary", "stats"),
            Map.entry("/metrics", "metrics"),
            Map.entry("/metrics/resource", "metrics"),
            Map.entry("/logs", "log"),
            Map.entry("/logs/messages", "log"),
            Map.entry("/spec", "spec"),
            Map.entry("/statsx", "proxy"),
            Map.entry("/metricsfoo/resource", "proxy"),
            Map.entry("/containerLogs/ns/pod/c", "proxy"),
            Map.entry("/exec/ns/pod/c", "proxy"),
            Map.entry("/attach/ns/pod/c", "proxy"),
            Map.entry("/portForward/ns/pod", "proxy"),
            Map.entry("/pods", "proxy"),
            Map.entry("/runningpods", "proxy"),
            Map.entry("/healthz", "proxy"),
            Map.entry("/configz", "proxy"),
            Map.entry("/", "proxy"));
    paths.forEach(
        (path, sub) ->
            assertThat(RequestAttributes.of("GET", path, "n").subresource())
                .as(path)
                .isEqualTo(sub));
  }

  @Test
  void describesLikeTheKubeletMessages() {
    RequestAttributes attributes = RequestAttributes.of("POST", "/exec/a/b/c", "vk-node-1");
    UserInfo user = UserInfo.of("alice", List.of("devs"));

    assertThat(attributes.nodeName()).isEqualTo("vk-node-1");
    assertThat(attributes.resource()).isEqualTo("nodes");
    assertThat(attributes.describe(user))
        .isEqualTo("user=alice, verb=create, resource=nodes, subresource=proxy");
  }
}
