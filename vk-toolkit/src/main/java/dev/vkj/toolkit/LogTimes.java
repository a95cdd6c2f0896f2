package dev.vkj.toolkit;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Log timestamps on the wire. */
final class LogTimes {
  /** The kubelet's log timestamp: RFC 3339 in UTC with always nine fractional digits. */
  private static final DateTimeFormatter NANO_FIXED =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

  private LogTimes() {}

  static String format(Instant instant) {
    return NANO_FIXED.format(instant);
  }

  static LogLine parseLine(String line) {
    int space = line.indexOf(' ');
    String head = space < 0 ? line : line.substring(0, space);
    try {
      Instant at = OffsetDateTime.parse(head, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
      return LogLine.at(at, space < 0 ? "" : line.substring(space + 1));
    } catch (DateTimeParseException e) {
      return LogLine.of(line);
    }
  }
}
