package dev.vkj.core.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

final class RequestPathTest {
  @Test
  void splitsAndDecodesSegments() {
    RequestPath path = RequestPath.parse("/containerLogs/default/web%2D0/a+b?follow=1&x=%20y+z");

    assertThat(path.segments()).containsExactly("containerLogs", "default", "web-0", "a+b");
    assertThat(path.path()).isEqualTo("/containerLogs/default/web-0/a+b");
    assertThat(path.param("follow")).isEqualTo("1");
    assertThat(path.param("x")).isEqualTo(" y z");
  }

  @Test
  void normalizesDotAndEmptySegmentsLikeACleanPath() {
    assertThat(RequestPath.parse("//stats/./summary/").path()).isEqualTo("/stats/summary");
    assertThat(RequestPath.parse("/exec/../stats/summary").path()).isEqualTo("/stats/summary");
    assertThat(RequestPath.parse("/%2e%2e/../healthz").path()).isEqualTo("/healthz");
    assertThat(RequestPath.parse("/").segments()).isEmpty();
  }

  @Test
  void keepsRepeatedParametersInOrder() {
    RequestPath path = RequestPath.parse("/exec/a/b/c?command=sh&command=-c&command=echo+hi&tty");

    assertThat(path.params("command")).containsExactly("sh", "-c", "echo hi");
    assertThat(path.params("tty")).containsExactly("");
    assertThat(path.params("missing")).isEmpty();
  }

  @Test
  void acceptsAbsoluteFormTargets() {
    assertThat(RequestPath.parse("https://node:10250/pods?x=1").path()).isEqualTo("/pods");
    assertThat(RequestPath.parse("http://node").path()).isEqualTo("/");
  }

  @Test
  void decodesUtf8() {
    assertThat(RequestPath.parse("/pods/%C3%A9t%C3%A9").segments()).containsExactly("pods", "été");
  }

  @Test
  void rejectsMalformedEscapesAndTargets() {
    for (String bad :
        List.of("/pods/%", "/pods/%4", "/pods/%zz", "/pods?x=%G1", "/pods/%C3%28", "*", "pods")) {
      assertThatThrownBy(() -> RequestPath.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
