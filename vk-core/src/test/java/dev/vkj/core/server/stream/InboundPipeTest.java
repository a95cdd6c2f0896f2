package dev.vkj.core.server.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.InterruptedIOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InboundPipeTest {
  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final InboundPipe pipe = new InboundPipe(100, new ReadThrottle(channel));

  @Test
  void stopsReadingWhenFullAndResumesWhenHalfDrained() throws Exception {
    pipe.offer(Unpooled.wrappedBuffer(new byte[60]));
    assertThat(channel.config().isAutoRead()).isTrue();
    pipe.offer(Unpooled.wrappedBuffer(new byte[60]));
    assertThat(channel.config().isAutoRead()).isFalse();

    byte[] buffer = new byte[60];
    assertThat(pipe.read(buffer)).isEqualTo(60);
    // 60 left, above half of the capacity
    assertThat(channel.config().isAutoRead()).isFalse();
    assertThat(pipe.read(buffer, 0, 20)).isEqualTo(20);
    assertThat(channel.config().isAutoRead()).isTrue();
  }

  @Test
  void endOfStreamAfterBufferedData() throws Exception {
    pipe.offer(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
    pipe.finish();
    assertThat(pipe.readAllBytes()).containsExactly(1, 2, 3);
    assertThat(pipe.read()).isEqualTo(-1);
  }

  @Test
  void closeUnblocksAReaderAndReleasesTheThrottle() throws Exception {
    pipe.offer(Unpooled.wrappedBuffer(new byte[200]));
    assertThat(channel.config().isAutoRead()).isFalse();
    pipe.close();
    assertThat(channel.config().isAutoRead()).isTrue();
    assertThat(pipe.read()).isEqualTo(-1);

    InboundPipe other = new InboundPipe(100, new ReadThrottle(channel));
    AtomicInteger result = new AtomicInteger(5);
    CountDownLatch done = new CountDownLatch(1);
    Thread reader =
        new Thread(
            () -> {
              try {
                result.set(other.read());
              } catch (Exception e) {
                result.set(-99);
              }
              done.countDown();
            });
    reader.start();
    other.close();
    assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(result.get()).isEqualTo(-1);
  }

  @Test
  void interruptFailsABlockedRead() throws Exception {
    Thread.currentThread().interrupt();
    assertThatThrownBy(pipe::read).isInstanceOf(InterruptedIOException.class);
    assertThat(Thread.interrupted()).isTrue();
  }

  @Test
  void dataAfterEndIsDropped() throws Exception {
    pipe.finish();
    pipe.offer(Unpooled.wrappedBuffer(new byte[] {9}));
    assertThat(pipe.read()).isEqualTo(-1);
  }
}
