package dev.vkj.core.server;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A request target split into decoded, normalized path segments and query parameters. Dot segments
 * and empty segments are removed before routing and authorization, so both see the same path.
 *
 * @param segments decoded path segments
 * @param query decoded query parameters in order of appearance
 */
record RequestPath(List<String> segments, Map<String, List<String>> query) {
  RequestPath {
    segments = List.copyOf(segments);
    query = Map.copyOf(query);
  }

  /**
   * Parses an origin-form ({@code /a/b?x=1}) or absolute-form request target.
   *
   * @throws IllegalArgumentException on malformed percent-encoding or target syntax
   */
  static RequestPath parse(String target) {
    String uri = target;
    if (!uri.startsWith("/")) {
      if (!(uri.startsWith("http://") || uri.startsWith("https://"))) {
        throw new IllegalArgumentException("malformed request target");
      }
      try {
        URI parsed = new URI(uri);
        String rawPath = parsed.getRawPath() == null ? "" : parsed.getRawPath();
        uri =
            (rawPath.isEmpty() ? "/" : rawPath)
                + (parsed.getRawQuery() == null ? "" : "?" + parsed.getRawQuery());
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("malformed request target", e);
      }
    }
    int hash = uri.indexOf('#');
    if (hash >= 0) {
      uri = uri.substring(0, hash);
    }
    int question = uri.indexOf('?');
    String rawPath = question < 0 ? uri : uri.substring(0, question);
    String rawQuery = question < 0 ? "" : uri.substring(question + 1);

    List<String> segments = new ArrayList<>();
    for (String raw : rawPath.split("/", -1)) {
      String segment = decode(raw, false);
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      if (segment.equals("..")) {
        if (!segments.isEmpty()) {
          segments.remove(segments.size() - 1);
        }
        continue;
      }
      segments.add(segment);
    }

    Map<String, List<String>> query = new LinkedHashMap<>();
    if (!rawQuery.isEmpty()) {
      for (String pair : rawQuery.split("&", -1)) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String key = decode(eq < 0 ? pair : pair.substring(0, eq), true);
        String value = eq < 0 ? "" : decode(pair.substring(eq + 1), true);
        query.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
      }
    }
    query.replaceAll((k, v) -> List.copyOf(v));
    return new RequestPath(segments, query);
  }

  /** The normalized path, e.g. {@code /stats/summary}; {@code /} for the root. */
  String path() {
    return "/" + String.join("/", segments);
  }

  String first() {
    return segments.isEmpty() ? "" : segments.get(0);
  }

  /** The first value of a query parameter, or null. */
  String param(String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  List<String> params(String name) {
    return query.getOrDefault(name, List.of());
  }

  /** Strict percent-decoding as UTF-8; {@code plusIsSpace} for query components. */
  static String decode(String raw, boolean plusIsSpace) {
    if (raw.indexOf('%') < 0 && !(plusIsSpace && raw.indexOf('+') >= 0)) {
      return raw;
    }
    ByteBuffer bytes = ByteBuffer.allocate(raw.length() * 4);
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        if (i + 2 >= raw.length()) {
          throw new IllegalArgumentException("invalid URL escape");
        }
        int hi = Character.digit(raw.charAt(i + 1), 16);
        int lo = Character.digit(raw.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw new IllegalArgumentException("invalid URL escape");
        }
        bytes.put((byte) (hi << 4 | lo));
        i += 2;
      } else if (c == '+' && plusIsSpace) {
        bytes.put((byte) ' ');
      } else if (c < 0x100) {
        // the HTTP decoder maps each request-line byte to one char
        bytes.put((byte) c);
      } else {
        bytes.put(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      }
    }
    bytes.flip();
    try {
      CharBuffer chars =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(bytes);
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("invalid UTF-8 in URL", e);
    }
  }
}
