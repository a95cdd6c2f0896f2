package dev.vkj.core.server.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vkj.spi.TerminalSize;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ResizeDecoderTest {
  private final ResizeDecoder decoder = new ResizeDecoder();

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void decodesObjectsSplitAndCombinedAcrossFrames() {
    assertThat(decoder.feed(bytes("{\"Width\":80,\"Height\":24}\n{\"Wi")))
        .containsExactly(new TerminalSize(80, 24));
    assertThat(decoder.feed(bytes("dth\":100,"))).isEmpty();
    assertThat(decoder.feed(bytes("\"Height\":50}\n{\"width\":1,\"HEIGHT\":2}")))
        .containsExactly(new TerminalSize(100, 50), new TerminalSize(1, 2));
  }

  @Test
  void ignoresGarbageAndOutOfRangeValues() {
    assertThat(decoder.feed(bytes("nonsense {\"Width\":-1,\"Height\":5} {\"a\":\"}\"}"))).isEmpty();
    assertThat(decoder.feed(bytes("{\"Width\":70000,\"Height\":5}"))).isEmpty();
    assertThat(decoder.feed(bytes("{\"Width\":7,\"Height\":5}")))
        .containsExactly(new TerminalSize(7, 5));
  }

  @Test
  void dropsAnOversizedObjectAndRecovers() {
    assertThat(decoder.feed(bytes("{\"x\":\"" + "a".repeat(10_000)))).isEmpty();
    assertThat(decoder.feed(bytes("{\"Width\":3,\"Height\":4}")))
        .containsExactly(new TerminalSize(3, 4));
  }
}
