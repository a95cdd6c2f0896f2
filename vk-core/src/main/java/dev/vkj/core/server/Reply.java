package dev.vkj.core.server;

import dev.vkj.core.server.stream.StreamRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import java.io.InputStream;
import java.util.OptionalLong;

/** What the API decided for one request; the router performs the I/O. */
sealed interface Reply {
  /** The route label for metrics; {@code unknown} for unmatched paths. */
  String route();

  /** A complete response. */
  record Full(String route, FullHttpResponse response) implements Reply {}

  /** A 200 whose body is copied from {@code body} in chunks, at most {@code limitBytes}. */
  record Logs(String route, InputStream body, OptionalLong limitBytes) implements Reply {}

  /** Hand the connection to the stream handler. */
  record Stream(String route, StreamRequest target) implements Reply {}
}
