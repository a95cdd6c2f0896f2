package dev.vkj.core.server;

import dev.vkj.core.server.stream.StreamHandler;
import dev.vkj.core.server.stream.StreamRequest;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Answers 200 with the hand-over rendered as text, and records what it got. */
final class FakeStreamHandler implements StreamHandler {
  record Call(StreamRequest target, String uri, List<String> pipeline, boolean onEventLoop) {}

  final List<Call> calls = new CopyOnWriteArrayList<>();

  @Override
  public void handle(ChannelHandlerContext ctx, FullHttpRequest request, StreamRequest target) {
    calls.add(
        new Call(target, request.uri(), ctx.pipeline().names(), ctx.executor().inEventLoop()));
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.OK,
            Unpooled.copiedBuffer(render(target), StandardCharsets.UTF_8));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
    ctx.writeAndFlush(response);
  }

  static String render(StreamRequest t) {
    return t.kind()
        + " "
        + t.namespace()
        + "/"
        + t.pod()
        + "/"
        + t.container()
        + " command="
        + t.command()
        + " stdin="
        + t.stdin()
        + " stdout="
        + t.stdout()
        + " stderr="
        + t.stderr()
        + " tty="
        + t.tty()
        + " ports="
        + t.ports();
  }
}
