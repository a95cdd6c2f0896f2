package dev.vkj.provider.fargate;

import static dev.vkj.provider.fargate.FakeAwsJson.array;
import static dev.vkj.provider.fargate.FakeAwsJson.bool;
import static dev.vkj.provider.fargate.FakeAwsJson.integer;
import static dev.vkj.provider.fargate.FakeAwsJson.longValue;
import static dev.vkj.provider.fargate.FakeAwsJson.object;
import static dev.vkj.provider.fargate.FakeAwsJson.objects;
import static dev.vkj.provider.fargate.FakeAwsJson.string;
import static dev.vkj.provider.fargate.FakeAwsJson.strings;
import static dev.vkj.provider.fargate.FakeAwsJson.token;
import static dev.vkj.provider.fargate.FakeAwsJson.untoken;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The CloudWatch Logs part of {@link FakeAws}. Every method runs under the fake's lock with the
 * instant of the request; streams of ECS containers compute their events from that instant.
 */
final class FakeAwsLogs {
  private static final String ARN_PREFIX =
      "arn:aws:logs:" + FakeAws.REGION + ":" + FakeAws.ACCOUNT + ":log-group:";
  private static final Pattern GROUP_NAME = Pattern.compile("[.\\-_/#A-Za-z0-9]{1,512}");
  private static final Pattern GET_TOKEN = Pattern.compile("([fb])/(\\d{19})(\\d{19})");
  private static final Pattern FILTER_TERM = Pattern.compile("\"([^\"]*)\"|(\\S+)");
  private static final Duration TOO_OLD = Duration.ofDays(14);
  private static final Duration TOO_NEW = Duration.ofHours(2);
  private static final Comparator<Event> EVENT_ORDER =
      Comparator.comparingLong(Event::timestamp).thenComparingLong(Event::order);

  /** When a container starts and stops; null when it never does. */
  record Window(Instant start, Instant stop) {}

  /** A stored or computed event; {@code order} 0 for container output, then put order. */
  record Event(long timestamp, long order, String message, long ingestionTime) {
    boolean after(long otherTimestamp, long otherOrder) {
      return timestamp > otherTimestamp || (timestamp == otherTimestamp && order > otherOrder);
    }

    boolean before(long otherTimestamp, long otherOrder) {
      return timestamp < otherTimestamp || (timestamp == otherTimestamp && order < otherOrder);
    }
  }

  private record Found(String stream, Event event) {}

  private static final class Group {
    final String name;
    final long creationTime;
    final Map<String, Stream> streams = new TreeMap<>();

    Group(String name, long creationTime) {
      this.name = name;
      this.creationTime = creationTime;
    }
  }

  private static final class Stream {
    final String name;
    final List<Event> stored = new ArrayList<>();
    Long createdAt;
    String container;
    Supplier<Window> window;

    Stream(String name) {
      this.name = name;
    }

    /** A container's stream appears when the container starts, as the awslogs driver makes it. */
    Long creationTime(Instant now) {
      if (createdAt != null) {
        return createdAt;
      }
      if (window != null) {
        Window w = window.get();
        if (w.start() != null && !w.start().isAfter(now)) {
          return w.start().toEpochMilli();
        }
      }
      return null;
    }

    boolean exists(Instant now) {
      return creationTime(now) != null;
    }

    /** One line per second of running time, up to now or the container's stop. */
    List<Event> events(Instant now) {
      List<Event> events = new ArrayList<>();
      if (window != null) {
        Window w = window.get();
        if (w.start() != null) {
          Instant end = w.stop() != null && w.stop().isBefore(now) ? w.stop() : now;
          for (int k = 1; ; k++) {
            Instant at = w.start().plusSeconds(k);
            if (at.isAfter(end)) {
              break;
            }
            long millis = at.toEpochMilli();
            events.add(new Event(millis, 0, container + " line " + k, millis));
          }
        }
      }
      events.addAll(stored);
      events.sort(EVENT_ORDER);
      return events;
    }
  }

  private final Map<String, Group> groups = new TreeMap<>();
  private long order;

  JsonNode handle(String operation, JsonNode request, Instant now) {
    return switch (operation) {
      case "CreateLogGroup" -> createLogGroup(request, now);
      case "DeleteLogGroup" -> deleteLogGroup(request);
      case "DescribeLogGroups" -> describeLogGroups(request);
      case "CreateLogStream" -> createLogStream(request, now);
      case "PutLogEvents" -> putLogEvents(request, now);
      case "DescribeLogStreams" -> describeLogStreams(request, now);
      case "GetLogEvents" -> getLogEvents(request, now);
      case "FilterLogEvents" -> filterLogEvents(request, now);
      default -> throw FakeAws.unknownOperation(operation);
    };
  }

  void reset() {
    groups.clear();
    order = 0;
  }

  /** Where an ECS container writes with the awslogs driver; the group is made when missing. */
  void attach(String group, String stream, String container, Supplier<Window> window, Instant now) {
    Stream s =
        groups
            .computeIfAbsent(group, name -> new Group(name, now.toEpochMilli()))
            .streams
            .computeIfAbsent(stream, Stream::new);
    s.container = container;
    s.window = window;
  }

  void put(String group, String stream, Instant at, String message, Instant now) {
    Stream s =
        groups
            .computeIfAbsent(group, name -> new Group(name, now.toEpochMilli()))
            .streams
            .computeIfAbsent(stream, Stream::new);
    if (!s.exists(now)) {
      s.createdAt = now.toEpochMilli();
    }
    s.stored.add(new Event(at.toEpochMilli(), ++order, message, now.toEpochMilli()));
  }

  private JsonNode createLogGroup(JsonNode request, Instant now) {
    String name = string(request, "logGroupName");
    if (name == null || !GROUP_NAME.matcher(name).matches()) {
      throw FakeAwsError.logsInvalid(
          "1 validation error detected: Value '"
              + name
              + "' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular"
              + " expression pattern: [\\.\\-_/#A-Za-z0-9]+");
    }
    if (groups.containsKey(name)) {
      throw FakeAwsError.client(
          "ResourceAlreadyExistsException", "The specified log group already exists");
    }
    groups.put(name, new Group(name, now.toEpochMilli()));
    return object();
  }

  private JsonNode deleteLogGroup(JsonNode request) {
    Group group = group(request);
    groups.remove(group.name);
    return object();
  }

  private JsonNode describeLogGroups(JsonNode request) {
    String prefix = string(request, "logGroupNamePrefix");
    int limit = limit(request, 50);
    List<Group> matching =
        groups.values().stream().filter(g -> prefix == null || g.name.startsWith(prefix)).toList();
    int from = offset(string(request, "nextToken"));
    ObjectNode answer = object();
    ArrayNode out = answer.putArray("logGroups");
    for (Group g : matching.subList(Math.min(from, matching.size()), matching.size())) {
      if (out.size() == limit) {
        answer.put("nextToken", token("o:" + (from + limit)));
        break;
      }
      out.addObject()
          .put("logGroupName", g.name)
          .put("creationTime", g.creationTime)
          .put("metricFilterCount", 0)
          .put("arn", ARN_PREFIX + g.name + ":*")
          .put("logGroupArn", ARN_PREFIX + g.name)
          .put("storedBytes", 0)
          .put("logGroupClass", "STANDARD");
    }
    return answer;
  }

  private JsonNode createLogStream(JsonNode request, Instant now) {
    Group group = group(request);
    String name = string(request, "logStreamName");
    if (name == null
        || name.isEmpty()
        || name.length() > 512
        || name.contains(":")
        || name.contains("*")) {
      throw FakeAwsError.logsInvalid(
          "1 validation error detected: Value '"
              + name
              + "' at 'logStreamName' failed to satisfy constraint: Member must satisfy regular"
              + " expression pattern: [^:*]*");
    }
    Stream stream = group.streams.computeIfAbsent(name, Stream::new);
    if (stream.exists(now)) {
      throw FakeAwsError.client(
          "ResourceAlreadyExistsException", "The specified log stream already exists");
    }
    stream.createdAt = now.toEpochMilli();
    return object();
  }

  private JsonNode putLogEvents(JsonNode request, Instant now) {
    Stream stream = stream(group(request), request, now);
    List<JsonNode> input = objects(request, "logEvents");
    if (input.isEmpty() || input.size() > 10_000) {
      throw FakeAwsError.logsInvalid("logEvents must hold 1 to 10000 events.");
    }
    List<Event> accepted = new ArrayList<>();
    Integer tooNewStart = null;
    Integer tooOldEnd = null;
    long previous = Long.MIN_VALUE;
    for (int i = 0; i < input.size(); i++) {
      Long timestamp = longValue(input.get(i), "timestamp");
      String message = string(input.get(i), "message");
      if (timestamp == null || message == null || message.isEmpty()) {
        throw FakeAwsError.logsInvalid("Each log event needs a timestamp and a non-empty message.");
      }
      if (timestamp < previous) {
        throw FakeAwsError.logsInvalid(
            "Log events in a single PutLogEvents request must be in chronological order.");
      }
      previous = timestamp;
      if (timestamp > now.plus(TOO_NEW).toEpochMilli()) {
        tooNewStart = tooNewStart == null ? i : tooNewStart;
      } else if (timestamp < now.minus(TOO_OLD).toEpochMilli()) {
        tooOldEnd = i + 1;
      } else {
        accepted.add(new Event(timestamp, 0, message, now.toEpochMilli()));
      }
    }
    if (previous - longValue(input.get(0), "timestamp") > Duration.ofHours(24).toMillis()) {
      throw FakeAwsError.logsInvalid(
          "The batch of log events in a single PutLogEvents request cannot span more than 24"
              + " hours.");
    }
    for (Event event : accepted) {
      stream.stored.add(
          new Event(event.timestamp(), ++order, event.message(), event.ingestionTime()));
    }
    ObjectNode answer = object().put("nextSequenceToken", String.format("%056d", order));
    if (tooNewStart != null || tooOldEnd != null) {
      ObjectNode rejected = answer.putObject("rejectedLogEventsInfo");
      if (tooNewStart != null) {
        rejected.put("tooNewLogEventStartIndex", tooNewStart);
      }
      if (tooOldEnd != null) {
        rejected.put("tooOldLogEventEndIndex", tooOldEnd);
      }
    }
    return answer;
  }

  private JsonNode describeLogStreams(JsonNode request, Instant now) {
    Group group = group(request);
    String prefix = string(request, "logStreamNamePrefix");
    String orderBy = string(request, "orderBy");
    orderBy = orderBy == null ? "LogStreamName" : orderBy;
    if (!orderBy.equals("LogStreamName") && !orderBy.equals("LastEventTime")) {
      throw FakeAwsError.logsInvalid(
          "1 validation error detected: Value '"
              + orderBy
              + "' at 'orderBy' failed to satisfy constraint: Member must satisfy enum value set:"
              + " [LogStreamName, LastEventTime]");
    }
    if (prefix != null && orderBy.equals("LastEventTime")) {
      throw FakeAwsError.logsInvalid("Cannot order by LastEventTime with a logStreamNamePrefix.");
    }
    int limit = limit(request, 50);
    List<ObjectNode> streams = new ArrayList<>();
    for (Stream stream : group.streams.values()) {
      if (stream.exists(now) && (prefix == null || stream.name.startsWith(prefix))) {
        streams.add(describe(group, stream, now));
      }
    }
    if (orderBy.equals("LastEventTime")) {
      streams.sort(Comparator.comparingLong(s -> s.path("lastEventTimestamp").asLong(0)));
    }
    if (bool(request, "descending")) {
      Collections.reverse(streams);
    }
    int from = offset(string(request, "nextToken"));
    ObjectNode answer = object();
    ArrayNode out = answer.putArray("logStreams");
    for (ObjectNode stream : streams.subList(Math.min(from, streams.size()), streams.size())) {
      if (out.size() == limit) {
        answer.put("nextToken", token("o:" + (from + limit)));
        break;
      }
      out.add(stream);
    }
    return answer;
  }

  private ObjectNode describe(Group group, Stream stream, Instant now) {
    List<Event> events = stream.events(now);
    ObjectNode out =
        object().put("logStreamName", stream.name).put("creationTime", stream.creationTime(now));
    if (!events.isEmpty()) {
      out.put("firstEventTimestamp", events.get(0).timestamp())
          .put("lastEventTimestamp", events.get(events.size() - 1).timestamp())
          .put(
              "lastIngestionTime",
              events.stream().mapToLong(Event::ingestionTime).max().orElseThrow());
    }
    return out.put("uploadSequenceToken", String.format("%056d", events.size()))
        .put("arn", ARN_PREFIX + group.name + ":log-stream:" + stream.name)
        .put("storedBytes", 0);
  }

  /**
   * Tokens as CloudWatch shows them ({@code f/<digits>}, {@code b/<digits>}) holding the position
   * of the last or first event returned, so a forward re-poll never repeats an event and stays the
   * same while nothing new arrived.
   */
  private JsonNode getLogEvents(JsonNode request, Instant now) {
    Stream stream = stream(group(request), request, now);
    int limit = limit(request, 10_000);
    Long startTime = longValue(request, "startTime");
    Long endTime = longValue(request, "endTime");
    List<Event> events = new ArrayList<>();
    for (Event event : stream.events(now)) {
      if ((startTime == null || event.timestamp() >= startTime)
          && (endTime == null || event.timestamp() < endTime)) {
        events.add(event);
      }
    }
    String token = string(request, "nextToken");
    List<Event> page;
    long[] cursor = {0, 0};
    if (token == null) {
      page =
          bool(request, "startFromHead")
              ? events.subList(0, Math.min(limit, events.size()))
              : events.subList(Math.max(0, events.size() - limit), events.size());
    } else {
      Matcher m = GET_TOKEN.matcher(token);
      if (!m.matches()) {
        throw FakeAwsError.logsInvalid("The specified nextToken is invalid.");
      }
      cursor = new long[] {Long.parseLong(m.group(2)), Long.parseLong(m.group(3))};
      long ts = cursor[0];
      long ord = cursor[1];
      if (m.group(1).equals("f")) {
        List<Event> later = events.stream().filter(e -> e.after(ts, ord)).toList();
        page = later.subList(0, Math.min(limit, later.size()));
      } else {
        List<Event> earlier = events.stream().filter(e -> e.before(ts, ord)).toList();
        page = earlier.subList(Math.max(0, earlier.size() - limit), earlier.size());
      }
    }
    ObjectNode answer = object();
    ArrayNode out = answer.putArray("events");
    for (Event event : page) {
      out.addObject()
          .put("timestamp", event.timestamp())
          .put("message", event.message())
          .put("ingestionTime", event.ingestionTime());
    }
    Event first = page.isEmpty() ? null : page.get(0);
    Event last = page.isEmpty() ? null : page.get(page.size() - 1);
    answer.put(
        "nextForwardToken",
        last == null ? getToken("f", cursor[0], cursor[1]) : getToken("f", last));
    answer.put(
        "nextBackwardToken",
        first == null ? getToken("b", cursor[0], cursor[1]) : getToken("b", first));
    return answer;
  }

  private static String getToken(String direction, Event event) {
    return getToken(direction, event.timestamp(), event.order());
  }

  private static String getToken(String direction, long timestamp, long order) {
    return String.format("%s/%019d%019d", direction, timestamp, order);
  }

  private JsonNode filterLogEvents(JsonNode request, Instant now) {
    Group group = group(request);
    List<String> names = strings(request, "logStreamNames");
    String prefix = string(request, "logStreamNamePrefix");
    if (names != null && prefix != null) {
      throw FakeAwsError.logsInvalid(
          "logStreamNames and logStreamNamePrefix cannot be used in the same request.");
    }
    int limit = limit(request, 10_000);
    Long startTime = longValue(request, "startTime");
    Long endTime = longValue(request, "endTime");
    List<String> terms = terms(string(request, "filterPattern"));
    ObjectNode answer = object();
    ArrayNode searched = array();
    List<Found> found = new ArrayList<>();
    for (Stream stream : group.streams.values()) {
      if (!stream.exists(now)
          || (names != null && !names.contains(stream.name))
          || (prefix != null && !stream.name.startsWith(prefix))) {
        continue;
      }
      searched.addObject().put("logStreamName", stream.name).put("searchedCompletely", true);
      for (Event event : stream.events(now)) {
        if ((startTime == null || event.timestamp() >= startTime)
            && (endTime == null || event.timestamp() < endTime)
            && terms.stream().allMatch(event.message()::contains)) {
          found.add(new Found(stream.name, event));
        }
      }
    }
    found.sort(
        Comparator.comparingLong((Found f) -> f.event().timestamp())
            .thenComparing(Found::stream)
            .thenComparingLong(f -> f.event().order()));
    int from = 0;
    String token = string(request, "nextToken");
    if (token != null) {
      String state = untoken(token);
      if (state == null || !state.startsWith("n:")) {
        throw FakeAwsError.logsInvalid("The specified nextToken is invalid.");
      }
      String last = state.substring(2);
      while (from < found.size() && !filterKey(found.get(from)).equals(last)) {
        from++;
      }
      from = Math.min(from + 1, found.size());
    }
    ArrayNode out = answer.putArray("events");
    for (Found f : found.subList(from, found.size())) {
      if (out.size() == limit) {
        answer.put("nextToken", token("n:" + filterKey(found.get(from + limit - 1))));
        break;
      }
      Event event = f.event();
      out.addObject()
          .put("logStreamName", f.stream())
          .put("timestamp", event.timestamp())
          .put("message", event.message())
          .put("ingestionTime", event.ingestionTime())
          .put("eventId", filterKey(f));
    }
    answer.set("searchedLogStreams", searched);
    return answer;
  }

  private static String filterKey(Found found) {
    return String.format(
        "%019d%019d%08x",
        found.event().timestamp(), found.event().order(), found.stream().hashCode());
  }

  /** Plain terms and quoted phrases, all of which must occur; richer patterns are not modelled. */
  private static List<String> terms(String pattern) {
    List<String> terms = new ArrayList<>();
    if (pattern != null) {
      Matcher m = FILTER_TERM.matcher(pattern);
      while (m.find()) {
        terms.add(m.group(1) != null ? m.group(1) : m.group(2));
      }
    }
    return terms;
  }

  private Group group(JsonNode request) {
    String name = string(request, "logGroupName");
    String identifier = string(request, "logGroupIdentifier");
    if (name != null && identifier != null) {
      throw FakeAwsError.logsInvalid(
          "LogGroup name and LogGroup ARN are mutually exclusive parameters.");
    }
    if (identifier != null) {
      name = identifier;
      if (name.startsWith(ARN_PREFIX)) {
        name = name.substring(ARN_PREFIX.length());
        name = name.endsWith(":*") ? name.substring(0, name.length() - 2) : name;
      }
    }
    if (name == null) {
      throw FakeAwsError.logsInvalid("Either logGroupName or logGroupIdentifier must be given.");
    }
    Group group = groups.get(name);
    if (group == null) {
      throw FakeAwsError.logsNotFound("The specified log group does not exist.");
    }
    return group;
  }

  private static Stream stream(Group group, JsonNode request, Instant now) {
    String name = string(request, "logStreamName");
    if (name == null) {
      throw FakeAwsError.logsInvalid(
          "1 validation error detected: Value null at 'logStreamName' failed to satisfy"
              + " constraint: Member must not be null");
    }
    Stream stream = group.streams.get(name);
    if (stream == null || !stream.exists(now)) {
      throw FakeAwsError.logsNotFound("The specified log stream does not exist.");
    }
    return stream;
  }

  private static int limit(JsonNode request, int max) {
    Integer limit = integer(request, "limit");
    if (limit == null) {
      return max;
    }
    if (limit < 1 || limit > max) {
      throw FakeAwsError.logsInvalid(
          "1 validation error detected: Value '"
              + limit
              + "' at 'limit' failed to satisfy constraint: Member must have value between 1 and "
              + max);
    }
    return limit;
  }

  private static int offset(String token) {
    if (token == null) {
      return 0;
    }
    String state = untoken(token);
    if (state == null || !state.matches("o:\\d{1,9}")) {
      throw FakeAwsError.logsInvalid("The specified nextToken is invalid.");
    }
    return Integer.parseInt(state.substring(2));
  }
}
