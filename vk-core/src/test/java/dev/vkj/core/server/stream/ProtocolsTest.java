package dev.vkj.core.server.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProtocolsTest {
  @Test
  void picksTheFirstProtocolInTheClientsOrder() {
    assertThat(
            Protocols.negotiate(
                List.of("v5.channel.k8s.io", "v3.channel.k8s.io", "v4.channel.k8s.io"),
                Protocols.SPDY_REMOTE_COMMAND))
        .contains("v3.channel.k8s.io");
    assertThat(Protocols.negotiate(List.of("v5.channel.k8s.io"), Protocols.SPDY_REMOTE_COMMAND))
        .isEmpty();
    assertThat(Protocols.negotiate(List.of("v5.channel.k8s.io"), Protocols.WS_REMOTE_COMMAND))
        .contains("v5.channel.k8s.io");
  }

  @Test
  void splitsRepeatedAndCommaSeparatedValuesAndDropsBearerTokens() {
    assertThat(
            Protocols.splitHeaderValues(
                List.of(
                    "base64url.bearer.authorization.k8s.io.dG9rZW4, v4.channel.k8s.io",
                    " channel.k8s.io ,")))
        .containsExactly("v4.channel.k8s.io", "channel.k8s.io");
  }

  @Test
  void versions() {
    assertThat(Protocols.version("v5.channel.k8s.io")).isEqualTo(5);
    assertThat(Protocols.version("v4.base64.channel.k8s.io")).isEqualTo(4);
    assertThat(Protocols.version("v3.channel.k8s.io")).isEqualTo(3);
    assertThat(Protocols.version("v2.channel.k8s.io")).isEqualTo(2);
    assertThat(Protocols.version("channel.k8s.io")).isEqualTo(1);
    assertThat(Protocols.version("base64.channel.k8s.io")).isEqualTo(1);
    assertThat(Protocols.version("")).isEqualTo(1);
  }

  @Test
  void portHeaderValidation() {
    assertThat(SpdyPortForwardSession.parsePort("8080")).isEqualTo(8080);
    assertThat(SpdyPortForwardSession.parsePort("65535")).isEqualTo(65535);
    assertThat(SpdyPortForwardSession.parsePort("0")).isEqualTo(-1);
    assertThat(SpdyPortForwardSession.parsePort("65536")).isEqualTo(-1);
    assertThat(SpdyPortForwardSession.parsePort("-1")).isEqualTo(-1);
    assertThat(SpdyPortForwardSession.parsePort("80a")).isEqualTo(-1);
    assertThat(SpdyPortForwardSession.parsePort("")).isEqualTo(-1);
    assertThat(SpdyPortForwardSession.parsePort(null)).isEqualTo(-1);
  }
}
