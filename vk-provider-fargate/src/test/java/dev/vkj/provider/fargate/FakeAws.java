package dev.vkj.provider.fargate;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.vkj.toolkit.TokenBucket;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;

/**
 * A local AWS for the Fargate provider: ECS, CloudWatch Logs and SSM Parameter Store on one plain
 * HTTP port, speaking awsJson 1.1 as the AWS SDK for Java v2 does ({@code POST /}, routed on the
 * {@code X-Amz-Target} prefix; signatures are not checked). Answers are {@code
 * application/x-amz-json-1.1}; client mistakes are HTTP 400 {@code {"__type", "message"}} with the
 * modelled code, never 500. What it models:
 *
 * <ul>
 *   <li><b>Task lifecycle</b> from the clock given to {@link #start}: PROVISIONING, PENDING after
 *       {@link #provisionDelay}, ACTIVATING after {@link #pendingDelay}, RUNNING after {@link
 *       #activatingDelay}; once stopped DEACTIVATING, STOPPING, DEPROVISIONING and STOPPED, {@link
 *       #stopDelay} each (a task stopped before ACTIVATING, or failing to start, goes through
 *       DEPROVISIONING only). State is computed from the clock on every read: describing a task
 *       never advances it. Timestamps ({@code createdAt}, {@code connectivityAt}, {@code
 *       pullStartedAt}, {@code pullStoppedAt}, {@code startedAt}, {@code stoppingAt}, {@code
 *       executionStoppedAt}, {@code stoppedAt}) appear as the task passes them, in epoch seconds.
 *   <li><b>Containers</b>: one per container definition, PENDING, RUNNING with the task, STOPPED
 *       with an exit code. A {@code command} containing {@code exit N} ends after {@link #runTime}
 *       with code N; an essential container ending stops the task ({@code
 *       EssentialContainerExited}); a non-essential one ends alone. {@code dependsOn} START,
 *       COMPLETE, SUCCESS (exit 0) and HEALTHY (as START) hold a container PENDING until met.
 *       Containers still running when the task stops are stopped when STOPPING begins, with 137.
 *   <li><b>Start failures</b>, at the end of PENDING with {@code TaskFailedToStart}: an image whose
 *       name contains {@code does-not-exist} ({@code CannotPullContainerError}), or a secret whose
 *       SSM parameter does not exist at RunTask ({@code ResourceInitializationError}).
 *   <li><b>Stops</b>: StopTask ({@code UserInitiated}, the given reason, tags deleted) and {@link
 *       #stopOutside} (the "task died" path). Stopped tasks stay describable and listable for one
 *       hour of clock time, then are forgotten.
 *   <li><b>RunTask</b> validation: the cluster, an ACTIVE FARGATE-compatible definition, {@code
 *       count} 1-10, {@code startedBy} up to 36 characters, up to 50 tags without {@code aws:},
 *       awsvpc network configuration with {@code subnet-} ids, FARGATE launch type or a FARGATE /
 *       FARGATE_SPOT capacity provider strategy, and {@code clientToken} idempotency (the same
 *       token and request answer the same tasks). Each task gets an ENI attachment with a unique
 *       {@code 10.0.x.y} address. New tasks can stay invisible to DescribeTasks and ListTasks for
 *       {@link #describeLag} (eventual consistency).
 *   <li><b>Task definitions</b>: family names, the 74 Fargate cpu/memory pairs, ephemeral storage
 *       21-200 GiB, an execution role for awslogs and secrets, container memory and cpu against the
 *       task's; revisions per family; defaults filled in; INACTIVE revisions stay describable.
 *   <li><b>Lists and lookups</b>: DescribeClusters and DescribeTasks report unknown names as {@code
 *       MISSING} failures, DescribeTasks takes up to 100 ids or ARNs, ListTasks filters and pages;
 *       {@code include: ["TAGS"]}; TagResource, UntagResource, ListTagsForResource.
 *   <li><b>CloudWatch Logs</b>: groups, streams, PutLogEvents, DescribeLogStreams, GetLogEvents
 *       with forward and backward tokens, FilterLogEvents with plain terms. A container whose
 *       definition uses awslogs writes {@code "<name> line <k>"} once per second of running time to
 *       {@code <prefix>/<name>/<task-id>}, computed when read.
 *   <li><b>SSM</b>: PutParameter, GetParameter(s), GetParametersByPath, DeleteParameter(s) and
 *       parameter tags; SecureString values only with {@code WithDecryption}.
 *   <li><b>Faults</b>: {@link #throttle} and token buckets ({@link #setLimits}) answer {@code
 *       ThrottlingException} "Rate exceeded"; {@link #failNext} answers HTTP 500.
 *   <li>Every request is recorded ({@link #requests}).
 * </ul>
 *
 * <p>Not modelled: services, container instances and the EC2 launch type, real subnets and security
 * groups, health checks, Secrets Manager (its ARNs always resolve), task definition deletion,
 * filter patterns beyond plain terms, and the 10-minute window in which an INACTIVE definition can
 * still start tasks.
 */
public final class FakeAws implements AutoCloseable {
  public static final String REGION = "us-east-1";
  public static final String ACCOUNT = "123456789012";

  private static final String CONTENT_TYPE = "application/x-amz-json-1.1";
  private static final Map<String, String> SERVICES =
      Map.of(
          "AmazonEC2ContainerServiceV20141113", "ecs",
          "Logs_20140328", "logs",
          "AmazonSSM", "ssm");
  // each service's modelled 5xx
  private static final Map<String, String> SERVER_ERRORS =
      Map.of(
          "ecs",
          "ServerException",
          "logs",
          "ServiceUnavailableException",
          "ssm",
          "InternalServerError");

  /** One request as the fake saw it; {@code body} is the request JSON. */
  public record Request(String service, String operation, int status, String body) {}

  /** PROVISIONING to PENDING. */
  public volatile Duration provisionDelay = Duration.ofMillis(200);

  /** PENDING to ACTIVATING. */
  public volatile Duration pendingDelay = Duration.ofMillis(200);

  /** ACTIVATING to RUNNING. */
  public volatile Duration activatingDelay = Duration.ofMillis(200);

  /** Each stopping stage: DEACTIVATING, STOPPING, DEPROVISIONING, then STOPPED. */
  public volatile Duration stopDelay = Duration.ofMillis(300);

  /** How long a container whose command exits runs. */
  public volatile Duration runTime = Duration.ofSeconds(2);

  /** How long a new task is missing from DescribeTasks and ListTasks. */
  public volatile Duration describeLag = Duration.ZERO;

  private final Clock clock;
  private final HttpServer server;
  private final ExecutorService executor;
  // one lock for the state of all three services: the ECS part reads SSM and feeds Logs
  private final Object lock = new Object();
  private final FakeAwsLogs logs = new FakeAwsLogs();
  private final FakeAwsSsm ssm = new FakeAwsSsm();
  private final FakeAwsEcs ecs = new FakeAwsEcs(this, logs, ssm);
  private final List<Request> requests = new ArrayList<>();
  private final Map<String, Integer> throttled = new HashMap<>();
  private final java.util.concurrent.atomic.AtomicLong overLimit =
      new java.util.concurrent.atomic.AtomicLong();
  private final Map<String, Integer> failing = new HashMap<>();
  private final Map<String, TokenBucket> limits = new ConcurrentHashMap<>();

  static {
    // headers and body leave in separate writes; without TCP_NODELAY the body waits for the
    // client's delayed ACK, about 40 ms a call. Read once, when the JDK server is first used.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private FakeAws(Clock clock) throws IOException {
    this.clock = clock;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    AtomicInteger threads = new AtomicInteger();
    executor =
        Executors.newFixedThreadPool(
            4,
            r -> {
              Thread thread = new Thread(r, "fake-aws-" + threads.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** A fake on an ephemeral loopback port; {@code clock} drives every state transition. */
  public static FakeAws start(Clock clock) {
    try {
      return new FakeAws(clock);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A fake with the AWS rate limits: the Fargate launch rate for RunTask and the ECS API buckets
   * for the calls a provider makes, 20 per second with a burst of 100 each.
   */
  public static FakeAws withAwsLimits(Clock clock) {
    FakeAws fake = start(clock);
    for (String operation :
        List.of(
            "RunTask",
            "DescribeTasks",
            "ListTasks",
            "RegisterTaskDefinition",
            "DeregisterTaskDefinition",
            "StopTask")) {
      fake.setLimits(operation, 20, 100);
    }
    return fake;
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  /** Forgets every resource, request, fault and limit; the timing knobs stay. */
  public void reset() {
    synchronized (lock) {
      ecs.reset();
      logs.reset();
      ssm.reset();
      throttled.clear();
      failing.clear();
    }
    limits.clear();
    clearRequests();
  }

  // faults

  /** Calls refused because they went over a token bucket of {@link #setLimits}. */
  public long overLimit() {
    return overLimit.get();
  }

  /** The next {@code times} calls of {@code operation} answer ThrottlingException. */
  public void throttle(String operation, int times) {
    synchronized (lock) {
      throttled.merge(operation, times, Integer::sum);
    }
  }

  /** The next {@code times} calls of {@code operation} answer HTTP 500. */
  public void failNext(String operation, int times) {
    synchronized (lock) {
      failing.merge(operation, times, Integer::sum);
    }
  }

  /** A token bucket for {@code operation}; calls over it answer ThrottlingException. */
  public void setLimits(String operation, double perSecond, int burst) {
    // wall time, not the test clock: a rate limit is about real request pacing
    limits.put(operation, new TokenBucket(perSecond, burst, System.nanoTime()));
  }

  // what tests look at

  public List<Request> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  public long count(String operation) {
    synchronized (requests) {
      return requests.stream().filter(r -> r.operation().equals(operation)).count();
    }
  }

  public void clearRequests() {
    synchronized (requests) {
      requests.clear();
    }
  }

  /** SSM parameter names and their stored (plain) values. */
  public Map<String, String> parameters() {
    synchronized (lock) {
      return ssm.values();
    }
  }

  /**
   * The definition as DescribeTaskDefinition with {@code include: ["TAGS"]} answers it, by ARN or
   * {@code family:revision}.
   */
  public String taskDefinitionJson(String taskDefinitionArn) {
    synchronized (lock) {
      return ecs.taskDefinitionJson(taskDefinitionArn);
    }
  }

  public List<String> activeTaskDefinitionArns() {
    synchronized (lock) {
      return ecs.activeTaskDefinitionArns();
    }
  }

  /** The tasks whose desiredStatus is RUNNING or STOPPED now, describe lag or not. */
  public List<String> taskArns(String desiredStatus) {
    synchronized (lock) {
      return ecs.taskArns(desiredStatus, clock.instant());
    }
  }

  public Optional<String> lastStatus(String taskArn) {
    synchronized (lock) {
      return ecs.lastStatus(taskArn, clock.instant());
    }
  }

  /**
   * The task dies now: desiredStatus STOPPED with this stop code and reason, every container not
   * already stopped ends with {@code exitCode}, then the stopping stages follow.
   */
  public void stopOutside(String taskArn, String stopCode, String stoppedReason, int exitCode) {
    synchronized (lock) {
      ecs.stopOutside(taskArn, stopCode, stoppedReason, exitCode, clock.instant());
    }
  }

  /** Adds an event, making the group and stream when missing. */
  public void putLogEvent(String group, String stream, Instant at, String message) {
    synchronized (lock) {
      logs.put(group, stream, at, message, clock.instant());
    }
  }

  static FakeAwsError unknownOperation(String operation) {
    return FakeAwsError.client("UnknownOperationException", "Unknown operation " + operation);
  }

  // the wire

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
      int dot = target == null ? -1 : target.indexOf('.');
      String service = dot < 0 ? null : SERVICES.get(target.substring(0, dot));
      String operation = dot < 0 ? String.valueOf(target) : target.substring(dot + 1);
      int status;
      String answer;
      String errorCode = null;
      try {
        if (!exchange.getRequestMethod().equals("POST") || service == null) {
          throw unknownOperation(String.valueOf(target));
        }
        answer = FakeAwsJson.write(call(service, operation, body));
        status = 200;
      } catch (FakeAwsError e) {
        status = e.status;
        errorCode = e.code;
        answer =
            FakeAwsJson.write(
                FakeAwsJson.object().put("__type", e.code).put("message", e.getMessage()));
      } catch (RuntimeException e) {
        // a defect of the fake, not a modelled answer
        e.printStackTrace();
        status = 500;
        errorCode = "InternalFailure";
        answer =
            FakeAwsJson.write(
                FakeAwsJson.object().put("__type", errorCode).put("message", String.valueOf(e)));
      }
      synchronized (requests) {
        requests.add(new Request(service == null ? "unknown" : service, operation, status, body));
      }
      byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
      exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
      if (errorCode != null) {
        exchange.getResponseHeaders().set("X-Amzn-ErrorType", errorCode);
      }
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  private JsonNode call(String service, String operation, String body) {
    synchronized (lock) {
      if (take(throttled, operation)) {
        throw FakeAwsError.client("ThrottlingException", "Rate exceeded");
      }
      if (take(failing, operation)) {
        throw new FakeAwsError(
            500, SERVER_ERRORS.get(service), "Injected server error for " + operation + ".");
      }
    }
    TokenBucket bucket = limits.get(operation);
    if (bucket != null && !bucket.tryAcquire(System.nanoTime())) {
      overLimit.incrementAndGet();
      throw FakeAwsError.client("ThrottlingException", "Rate exceeded");
    }
    JsonNode request = FakeAwsJson.parse(body);
    synchronized (lock) {
      Instant now = clock.instant();
      return switch (service) {
        case "ecs" -> ecs.handle(operation, request, now);
        case "logs" -> logs.handle(operation, request, now);
        default -> ssm.handle(operation, request, now);
      };
    }
  }

  private static boolean take(Map<String, Integer> counters, String operation) {
    Integer left = counters.get(operation);
    if (left == null) {
      return false;
    }
    if (left <= 1) {
      counters.remove(operation);
    } else {
      counters.put(operation, left - 1);
    }
    return true;
  }
}
