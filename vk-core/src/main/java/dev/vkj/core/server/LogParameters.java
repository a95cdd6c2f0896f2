package dev.vkj.core.server;

import static io.netty.handler.codec.http.HttpResponseStatus.BAD_REQUEST;
import static io.netty.handler.codec.http.HttpResponseStatus.UNPROCESSABLE_ENTITY;

import dev.vkj.spi.LogOptions;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * The query of {@code /containerLogs}, decoded and validated like the kubelet decodes {@code
 * v1.PodLogOptions}: undecodable values are 400 {@code {"message": "Unable to decode query."}},
 * invalid combinations 422 {@code {"message": "Invalid request."}}. Unknown parameters are ignored.
 */
final class LogParameters {
  static final String UNDECODABLE = "{\"message\": \"Unable to decode query.\"}";
  static final String INVALID = "{\"message\": \"Invalid request.\"}";

  // time.RFC3339 as Go parses it: seconds required, fraction optional, Z or a numeric offset
  private static final Pattern RFC3339 =
      Pattern.compile(
          "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})");

  private static final Pattern INT64 = Pattern.compile("[+-]?[0-9]+");

  private LogParameters() {}

  static LogOptions parse(Map<String, List<String>> rawQuery, Clock clock) throws HttpError {
    Map<String, List<String>> query = new LinkedHashMap<>(rawQuery);
    // legacy "tail" wins over tailLines; "all" means no limit
    List<String> tail = query.get("tail");
    if (tail != null && !tail.isEmpty() && !tail.get(0).isEmpty()) {
      if (tail.get(0).equals("all")) {
        query.remove("tailLines");
      } else {
        query.put("tailLines", List.of(tail.get(0)));
      }
    }
    boolean follow = bool(query, "follow");
    boolean previous = bool(query, "previous");
    boolean timestamps = bool(query, "timestamps");
    Long tailLines = int64(query, "tailLines");
    Long limitBytes = int64(query, "limitBytes");
    Long sinceSeconds = int64(query, "sinceSeconds");
    Instant sinceTime = time(query, "sinceTime");

    if (tailLines != null && tailLines < 0) {
      throw new HttpError(UNPROCESSABLE_ENTITY, INVALID);
    }
    if (limitBytes != null && limitBytes < 1) {
      throw new HttpError(UNPROCESSABLE_ENTITY, INVALID);
    }
    if (sinceSeconds != null && sinceTime != null) {
      throw new HttpError(UNPROCESSABLE_ENTITY, INVALID);
    }
    if (sinceSeconds != null && sinceSeconds < 1) {
      throw new HttpError(UNPROCESSABLE_ENTITY, INVALID);
    }
    Optional<Instant> since = Optional.ofNullable(sinceTime);
    if (sinceSeconds != null) {
      Instant now = clock.instant();
      since =
          Optional.of(
              sinceSeconds >= now.getEpochSecond()
                  ? Instant.EPOCH
                  : now.minusSeconds(sinceSeconds));
    }
    return new LogOptions(
        tailLines == null
            ? OptionalInt.empty()
            : OptionalInt.of((int) Math.min(tailLines, Integer.MAX_VALUE)),
        limitBytes == null ? OptionalLong.empty() : OptionalLong.of(limitBytes),
        timestamps,
        follow,
        previous,
        since);
  }

  /** Absent, {@code 0} or {@code false} (any case) is false; any other value, even empty, true. */
  private static boolean bool(Map<String, List<String>> query, String name) {
    List<String> values = query.get(name);
    if (values == null || values.isEmpty()) {
      return false;
    }
    String value = values.get(0).toLowerCase(Locale.ROOT);
    return !(value.equals("0") || value.equals("false"));
  }

  private static Long int64(Map<String, List<String>> query, String name) throws HttpError {
    List<String> values = query.get(name);
    if (values == null || values.isEmpty()) {
      return null;
    }
    String value = values.get(0);
    if (!INT64.matcher(value).matches()) {
      throw new HttpError(BAD_REQUEST, UNDECODABLE);
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new HttpError(BAD_REQUEST, UNDECODABLE);
    }
  }

  private static Instant time(Map<String, List<String>> query, String name) throws HttpError {
    List<String> values = query.get(name);
    if (values == null || values.isEmpty()) {
      return null;
    }
    String value = values.get(0);
    if (value.isEmpty() || value.equals("null")) {
      return null;
    }
    if (!RFC3339.matcher(value).matches()) {
      throw new HttpError(BAD_REQUEST, UNDECODABLE);
    }
    try {
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeException e) {
      throw new HttpError(BAD_REQUEST, UNDECODABLE);
    }
  }
}
