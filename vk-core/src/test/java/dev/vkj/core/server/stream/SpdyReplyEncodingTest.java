package dev.vkj.core.server.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.spdy.DefaultSpdySynStreamFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyVersion;
import org.junit.jupiter.api.Test;

/**
 * Go's SPDY framer reads the header count of every SYN_REPLY, so an empty header block (which Netty
 * emits for a reply without headers) would break kubectl. Replies must carry a header.
 */
class SpdyReplyEncodingTest {
  @Test
  void synReplyHasANonEmptyHeaderBlock() {
    SpdySession session =
        new SpdySession() {
          @Override
          protected void started(ChannelHandlerContext ctx) {}

          @Override
          protected void onSynStream(
              ChannelHandlerContext ctx, io.netty.handler.codec.spdy.SpdySynStreamFrame frame) {
            reply(frame.streamId(), "");
          }

          @Override
          protected void onData(
              ChannelHandlerContext ctx, io.netty.handler.codec.spdy.SpdyDataFrame frame) {}

          @Override
          protected void onReset(ChannelHandlerContext ctx, int streamId) {}

          @Override
          protected void onDisconnect() {}
        };
    EmbeddedChannel server = new EmbeddedChannel(new SpdyFrameCodec(SpdyVersion.SPDY_3_1), session);
    EmbeddedChannel client = new EmbeddedChannel(new SpdyFrameCodec(SpdyVersion.SPDY_3_1));

    client.writeOutbound(new DefaultSpdySynStreamFrame(1, 0, (byte) 0));
    ByteBuf syn = client.readOutbound();
    server.writeInbound(syn);

    ByteBuf reply = server.readOutbound();
    // control frame header: 0x80 0x03, type 2 (SYN_REPLY), flags, 24-bit length
    assertThat(reply.getUnsignedShort(0)).isEqualTo(0x8003);
    assertThat(reply.getUnsignedShort(2)).isEqualTo(2);
    int length = reply.getUnsignedMedium(5);
    // 4 bytes of stream id plus a compressed header block
    assertThat(length).isGreaterThan(4);
    reply.release();
    server.finishAndReleaseAll();
    client.finishAndReleaseAll();
  }
}
