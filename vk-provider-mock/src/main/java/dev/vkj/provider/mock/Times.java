package dev.vkj.provider.mock;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** Time formats the kubelet uses on the wire. */
final class Times {
  private static final DateTimeFormatter NANO_FIXED =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

  private Times() {}

  /** RFC 3339 with whole seconds, as in pod status ({@code 2026-11-26T12:00:02Z}). */
  static String status(Instant instant) {
    return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
  }

  /** The kubelet's log timestamp: always nine fractional digits. */
  static String logTimestamp(Instant instant) {
    return NANO_FIXED.format(instant);
  }

  /** A duration the way Go prints it: {@code 10s}, {@code 1m20s}, {@code 5m0s}, {@code 1h0m0s}. */
  static String goDuration(Duration duration) {
    long seconds = duration.getSeconds();
    long millis = duration.toMillisPart();
    if (seconds == 0 && millis == 0) {
      return "0s";
    }
    if (seconds == 0) {
      return millis + "ms";
    }
    StringBuilder out = new StringBuilder();
    long hours = seconds / 3600;
    long minutes = (seconds % 3600) / 60;
    long secs = seconds % 60;
    if (hours > 0) {
      out.append(hours).append('h').append(minutes).append('m');
    } else if (minutes > 0) {
      out.append(minutes).append('m');
    }
    out.append(secs);
    if (millis > 0) {
      out.append('.').append(String.format("%03d", millis).replaceAll("0+$", ""));
    }
    return out.append('s').toString();
  }

  static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
