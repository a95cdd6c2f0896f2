package dev.vkj.core.server.stream;

import dev.vkj.spi.TerminalSize;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decodes the resize stream: a sequence of JSON objects {@code {"Width":80,"Height":24}} that may
 * be split across or combined in frames. Keys match case-insensitively, like Go's JSON decoder.
 */
final class ResizeDecoder {
  /** A resize object is tiny; anything longer without a closing brace is garbage. */
  private static final int MAX_OBJECT = 4096;

  private static final Pattern FIELD =
      Pattern.compile("\"([A-Za-z]+)\"\\s*:\\s*(-?\\d+)", Pattern.CASE_INSENSITIVE);

  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
  private int depth;
  private boolean inString;
  private boolean escaped;

  /** Feeds bytes; returns the complete sizes they finish, in order. */
  List<TerminalSize> feed(byte[] data) {
    List<TerminalSize> sizes = new ArrayList<>();
    for (byte b : data) {
      char c = (char) (b & 0xff);
      if (depth == 0) {
        if (c == '{') {
          depth = 1;
          pending.reset();
          pending.write(b);
        }
        // whitespace and newlines between objects are skipped
        continue;
      }
      pending.write(b);
      if (inString) {
        if (escaped) {
          escaped = false;
        } else if (c == '\\') {
          escaped = true;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '{') {
        depth++;
      } else if (c == '}') {
        depth--;
        if (depth == 0) {
          TerminalSize size = parse(pending.toString(StandardCharsets.UTF_8));
          if (size != null) {
            sizes.add(size);
          }
          pending.reset();
        }
      }
      if (pending.size() > MAX_OBJECT) {
        depth = 0;
        inString = false;
        escaped = false;
        pending.reset();
      }
    }
    return sizes;
  }

  private static TerminalSize parse(String json) {
    Integer width = null;
    Integer height = null;
    Matcher matcher = FIELD.matcher(json);
    while (matcher.find()) {
      String key = matcher.group(1).toLowerCase(Locale.ROOT);
      int value;
      try {
        value = Integer.parseInt(matcher.group(2));
      } catch (NumberFormatException e) {
        return null;
      }
      if (value < 0 || value > 0xffff) {
        return null;
      }
      if (key.equals("width")) {
        width = value;
      } else if (key.equals("height")) {
        height = value;
      }
    }
    if (width == null && height == null) {
      return null;
    }
    return new TerminalSize(width == null ? 0 : width, height == null ? 0 : height);
  }
}
