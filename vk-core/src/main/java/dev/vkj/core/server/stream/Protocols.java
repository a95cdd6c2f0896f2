package dev.vkj.core.server.stream;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Protocol names and negotiation rules of the kubelet streaming API. */
final class Protocols {
  static final String V1 = "channel.k8s.io";
  static final String V2 = "v2.channel.k8s.io";
  static final String V3 = "v3.channel.k8s.io";
  static final String V4 = "v4.channel.k8s.io";
  static final String V5 = "v5.channel.k8s.io";
  static final String BASE64_V1 = "base64.channel.k8s.io";
  static final String BASE64_V4 = "v4.base64.channel.k8s.io";
  static final String PORT_FORWARD = "portforward.k8s.io";

  /** SPDY remote command protocols, newest first (the kubelet's list). */
  static final List<String> SPDY_REMOTE_COMMAND = List.of(V4, V3, V2, V1);

  static final List<String> SPDY_PORT_FORWARD = List.of(PORT_FORWARD);

  /** WebSocket subprotocols for exec and attach; {@code ""} is a request without the header. */
  static final List<String> WS_REMOTE_COMMAND = List.of(V5, V4, BASE64_V4, V1, BASE64_V1);

  /** WebSocket subprotocols for port-forward (the 1.20 kubelet form with channel pairs). */
  static final List<String> WS_PORT_FORWARD = List.of(V4, BASE64_V4);

  /** Prefix of the bearer token carried as a subprotocol; never a protocol choice. */
  private static final String BEARER_PREFIX = "base64url.bearer.authorization.k8s.io.";

  private Protocols() {}

  /**
   * The first protocol in the client's order that the server supports, like the kubelet's {@code
   * httpstream.Handshake} and the WebSocket server.
   */
  static Optional<String> negotiate(List<String> offered, List<String> supported) {
    for (String candidate : offered) {
      if (supported.contains(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** Splits repeated and comma-separated header values; drops blanks and bearer tokens. */
  static List<String> splitHeaderValues(List<String> values) {
    List<String> out = new ArrayList<>();
    for (String value : values) {
      for (String part : value.split(",")) {
        String trimmed = part.strip();
        if (!trimmed.isEmpty() && !trimmed.startsWith(BEARER_PREFIX)) {
          out.add(trimmed);
        }
      }
    }
    return out;
  }

  /** The remote command protocol version: 1 to 5. */
  static int version(String protocol) {
    return switch (protocol) {
      case V5 -> 5;
      case V4, BASE64_V4 -> 4;
      case V3 -> 3;
      case V2 -> 2;
      default -> 1;
    };
  }

  static boolean isBase64(String protocol) {
    return protocol.equals(BASE64_V1) || protocol.equals(BASE64_V4);
  }

  static boolean containsToken(String headerValue, String token) {
    return headerValue != null
        && headerValue.toLowerCase(Locale.ROOT).contains(token.toLowerCase(Locale.ROOT));
  }
}
