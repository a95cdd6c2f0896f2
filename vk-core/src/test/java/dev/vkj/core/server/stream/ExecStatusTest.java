package dev.vkj.core.server.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExecStatusTest {
  @Test
  void nonZeroExitMatchesTheKubelet() {
    assertThat(ExecStatus.nonZeroExit(List.of("sh", "-c", "exit 3"), 3).toJson())
        .isEqualTo(
            "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"command terminated with"
                + " non-zero exit code: error executing command [sh -c exit 3], exit code 3\","
                + "\"reason\":\"NonZeroExitCode\",\"details\":{\"causes\":[{\"reason\":\"ExitCode\","
                + "\"message\":\"3\"}]}}");
  }

  @Test
  void successIsJsonForV4AndNothingBefore() {
    assertThat(new String(ExecStatus.ok().payload(4), StandardCharsets.UTF_8))
        .isEqualTo("{\"metadata\":{},\"status\":\"Success\"}");
    assertThat(new String(ExecStatus.ok().payload(5), StandardCharsets.UTF_8))
        .isEqualTo("{\"metadata\":{},\"status\":\"Success\"}");
    assertThat(ExecStatus.ok().payload(3)).isEmpty();
    assertThat(ExecStatus.ok().payload(1)).isEmpty();
  }

  @Test
  void failuresArePlainTextBeforeV4() {
    assertThat(new String(ExecStatus.notFound("pod gone").payload(2), StandardCharsets.UTF_8))
        .isEqualTo("pod gone");
  }

  @Test
  void internalErrorCarriesTheCauseAndEscapesJson() {
    assertThat(ExecStatus.internalError("bad \"quote\"\n\u0001").toJson())
        .isEqualTo(
            "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"Internal error occurred: bad"
                + " \\\"quote\\\"\\n\\u0001\",\"reason\":\"InternalError\",\"details\":{\"causes\":"
                + "[{\"message\":\"bad \\\"quote\\\"\\n\\u0001\"}]},\"code\":500}");
  }

  @Test
  void notFoundHasReasonAndCode() {
    assertThat(ExecStatus.notFound("pod \"x\" not found").toJson())
        .isEqualTo(
            "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"pod \\\"x\\\" not found\","
                + "\"reason\":\"NotFound\",\"code\":404}");
  }
}
