package dev.vkj.core.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vkj.core.server.stream.StreamRequest;
import dev.vkj.core.server.stream.StreamRequest.Kind;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import org.junit.jupiter.api.Test;

final class StreamParametersTest {
  private static RequestPath query(String q) {
    return RequestPath.parse("/x?" + q);
  }

  @Test
  void execTakesTheCommandInOrderAndFlagsOnlyForOne() throws HttpError {
    StreamRequest request =
        StreamParameters.execOrAttach(
            Kind.EXEC,
            "ns",
            "pod",
            "app",
            query("command=sh&command=-c&command=ls+-l&input=1&output=true&error=1"),
            false);

    assertThat(request.command()).containsExactly("sh", "-c", "ls -l");
    assertThat(request.stdin()).isTrue();
    assertThat(request.stdout()).isFalse();
    assertThat(request.stderr()).isTrue();
    assertThat(request.tty()).isFalse();
  }

  @Test
  void ttyDropsStderrInsteadOfFailing() throws HttpError {
    StreamRequest request =
        StreamParameters.execOrAttach(
            Kind.EXEC, "ns", "pod", "app", query("command=sh&output=1&error=1&tty=1"), false);

    assertThat(request.tty()).isTrue();
    assertThat(request.stderr()).isFalse();
    assertThat(request.stdout()).isTrue();
  }

  @Test
  void noStreamIs400() {
    for (String q : List.of("command=ls", "command=ls&tty=1&error=1", "command=ls&output=0")) {
      assertThatThrownBy(() -> StreamParameters.checkStreams(query(q)))
          .isInstanceOfSatisfying(
              HttpError.class,
              e -> {
                assertThat(e.status().code()).isEqualTo(400);
                assertThat(e.getMessage())
                    .isEqualTo("you must specify at least 1 of stdin, stdout, stderr");
                assertThat(e.json()).isTrue();
              });
    }
  }

  @Test
  void execWithoutCommandIs400() {
    assertThatThrownBy(
            () ->
                StreamParameters.execOrAttach(
                    Kind.EXEC, "ns", "pod", "app", query("output=1"), false))
        .isInstanceOfSatisfying(HttpError.class, e -> assertThat(e.status().code()).isEqualTo(400));
  }

  @Test
  void attachUsesTheContainersTty() throws HttpError {
    StreamRequest withTty =
        StreamParameters.execOrAttach(
            Kind.ATTACH, "ns", "pod", "app", query("command=ignored&output=1&error=1"), true);
    StreamRequest withoutTty =
        StreamParameters.execOrAttach(
            Kind.ATTACH, "ns", "pod", "app", query("output=1&error=1&tty=1"), false);

    assertThat(withTty.tty()).isTrue();
    assertThat(withTty.stderr()).isFalse();
    assertThat(withTty.command()).isEmpty();
    assertThat(withoutTty.tty()).isFalse();
  }

  @Test
  void spdyPortForwardIgnoresTheQuery() throws HttpError {
    StreamRequest request =
        StreamParameters.portForward("ns", "pod", query("port=abc"), new DefaultHttpHeaders());

    assertThat(request.kind()).isEqualTo(Kind.PORT_FORWARD);
    assertThat(request.ports()).isEmpty();
  }

  @Test
  void webSocketPortForwardNeedsValidPorts() throws HttpError {
    HttpHeaders ws =
        new DefaultHttpHeaders()
            .add("Connection", "keep-alive, Upgrade")
            .add("Upgrade", "WebSocket");

    assertThat(
            StreamParameters.portForward("ns", "pod", query("port=80,8080&port=443"), ws).ports())
        .containsExactly(80, 8080, 443);
    assertThat(StreamParameters.portForward("ns", "pod", query("ports=9000"), ws).ports())
        .containsExactly(9000);
    for (String q : List.of("", "port=", "port=0", "port=65536", "port=80,", "port=-1", "port=x")) {
      assertThatThrownBy(() -> StreamParameters.portForward("ns", "pod", query(q), ws))
          .as(q)
          .isInstanceOfSatisfying(
              HttpError.class, e -> assertThat(e.status().code()).isEqualTo(400));
    }
  }

  @Test
  void tunnelledPortForwardNamesItsPortsPerStream() throws HttpError {
    // what kubectl 1.31+ sends through the API server: no port parameter at all
    HttpHeaders tunnel =
        new DefaultHttpHeaders()
            .add("Connection", "Upgrade")
            .add("Upgrade", "websocket")
            .add("Sec-WebSocket-Protocol", "SPDY/3.1+portforward.k8s.io");
    assertThat(StreamParameters.portForward("ns", "pod", query(""), tunnel).ports()).isEmpty();

    HttpHeaders channels =
        new DefaultHttpHeaders()
            .add("Connection", "Upgrade")
            .add("Upgrade", "websocket")
            .add("Sec-WebSocket-Protocol", "v4.channel.k8s.io");
    assertThatThrownBy(() -> StreamParameters.portForward("ns", "pod", query(""), channels))
        .isInstanceOfSatisfying(HttpError.class, e -> assertThat(e.status().code()).isEqualTo(400));
  }
}
