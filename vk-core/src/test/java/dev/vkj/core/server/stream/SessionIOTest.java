package dev.vkj.core.server.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vkj.spi.TerminalSize;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionIOTest {
  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final InboundPipe stdin = new InboundPipe(1024, new ReadThrottle(channel));

  @Test
  void theLastKnownSizeIsDeliveredOnRegistrationThenEveryChange() {
    SessionIO io = new SessionIO(stdin, null, null, true, Runnable::run);
    io.resize(new TerminalSize(10, 5));
    io.resize(new TerminalSize(20, 6));
    List<TerminalSize> seen = new ArrayList<>();
    io.onResize(seen::add);
    io.resize(new TerminalSize(30, 7));
    assertThat(seen).containsExactly(new TerminalSize(20, 6), new TerminalSize(30, 7));
    assertThatThrownBy(() -> io.onResize(seen::add)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void abortClosesStdinAndMarksTheSessionClosed() throws Exception {
    SessionIO io = new SessionIO(stdin, null, null, false, Runnable::run);
    stdin.offer(Unpooled.wrappedBuffer(new byte[] {1}));
    assertThat(io.isClosed()).isFalse();
    io.abort();
    assertThat(io.isClosed()).isTrue();
    assertThat(io.stdin().orElseThrow().read()).isEqualTo(-1);
    assertThat(io.stdout()).isEmpty();
    assertThat(io.stderr()).isEmpty();
  }

  @Test
  void aTerminalHasNoStderr() {
    ChannelOutputStream stderr =
        new ChannelOutputStream(channel, new WriteGate(channel)) {
          @Override
          protected Object frame(io.netty.buffer.ByteBuf chunk) {
            return chunk;
          }
        };
    assertThat(new SessionIO(null, null, stderr, true, Runnable::run).stderr()).isEmpty();
    assertThat(new SessionIO(null, null, stderr, false, Runnable::run).stderr()).isPresent();
  }
}
