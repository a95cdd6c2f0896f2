package dev.vkj.provider.azure;

import com.azure.json.JsonProviders;
import com.azure.json.JsonReader;
import com.azure.json.JsonWriter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.vkj.core.server.auth.SelfSignedCertificate;
import dev.vkj.toolkit.TokenBucket;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A local Azure Resource Manager for container groups, over TLS with its own certificate, that
 * answers in the shapes of the recorded sessions and REST examples under {@code /aci}:
 *
 * <ul>
 *   <li>PUT answers 201 with the group in {@code Pending} and an {@code Azure-AsyncOperation};
 *       provisioning succeeds after {@link #provisionDelay}, or fails with {@code
 *       InaccessibleImage} for an image whose name contains {@code does-not-exist};
 *   <li>containers move Waiting → Running after {@link #startDelay}; a command containing {@code
 *       exit N} ends after {@link #runTime} with code N and, by the restart policy, restarts with a
 *       growing restart count and the previous state kept;
 *   <li>DELETE answers 202 and the group is {@code Deleting} with terminated containers for {@link
 *       #deleteDelay}, then gone (404 {@code ResourceNotFound});
 *   <li>lists hold the groups of one resource group, are paged ({@link #pageSize}) and, as in ARM,
 *       carry no instance view;
 *   <li>subscription token buckets for reads and writes answer 429 with {@code Retry-After};
 *   <li>{@link #maxGroups} answers 409 {@code ContainerGroupQuotaReached};
 *   <li>secrets ({@code secureValue}, storage keys, registry passwords, secret volume contents) are
 *       never echoed, as in ARM;
 *   <li>every request is recorded.
 * </ul>
 */
public final class FakeArm implements AutoCloseable {
  static final String API_VERSION = "2023-05-01";

  private static final Pattern GROUPS =
      Pattern.compile(
          "/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\\.ContainerInstance"
              + "/containerGroups(?:/([^/]+)(?:/containers/([^/]+)/(logs|exec|attach))?)?",
          Pattern.CASE_INSENSITIVE);
  private static final Pattern OPERATIONS =
      Pattern.compile(
          "/subscriptions/([^/]+)/providers/Microsoft\\.ContainerInstance/locations/([^/]+)"
              + "/operations/([^/]+)",
          Pattern.CASE_INSENSITIVE);

  /** One request as the fake saw it. */
  record Request(String method, String path, String query, int status, String kind) {}

  volatile Duration provisionDelay = Duration.ofMillis(300);
  volatile Duration startDelay = Duration.ofMillis(300);
  volatile Duration runTime = Duration.ofSeconds(2);
  volatile Duration deleteDelay = Duration.ofMillis(500);
  volatile int pageSize = 100;
  volatile int maxGroups = Integer.MAX_VALUE;

  /** Answers the next requests with this status (a 5xx, say) before anything else. */
  final java.util.concurrent.ConcurrentLinkedQueue<Integer> failNext =
      new java.util.concurrent.ConcurrentLinkedQueue<>();

  /** When true, lists carry instance views (not ARM's behaviour; for contrast in tests). */
  volatile boolean listWithInstanceView;

  final String token = "fake-arm-token-" + UUID.randomUUID();
  final List<Request> requests = Collections.synchronizedList(new ArrayList<>());

  private final Clock clock;
  private final HttpsServer server;
  private final ExecutorService executor;
  private final SelfSignedCertificate certificate;
  private final Map<String, Group> groups = new ConcurrentHashMap<>();
  private final Map<String, Operation> operations = new ConcurrentHashMap<>();
  private final TokenBucket reads;
  private final TokenBucket writes;
  private final double readsPerSecond;
  private final double writesPerSecond;
  private final AtomicInteger ips = new AtomicInteger(1);
  final FakeExecSocket exec;

  FakeArm(Clock clock, double readsPerSecond, int readBurst, double writesPerSecond, int writeBurst)
      throws Exception {
    this.clock = clock;
    this.reads = new TokenBucket(readsPerSecond, readBurst, System.nanoTime());
    this.writes = new TokenBucket(writesPerSecond, writeBurst, System.nanoTime());
    this.readsPerSecond = readsPerSecond;
    this.writesPerSecond = writesPerSecond;
    this.certificate = SelfSignedCertificate.generate(List.of("localhost"), List.of("127.0.0.1"));
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    char[] password = "fake".toCharArray();
    keys.setKeyEntry(
        "arm", certificate.privateKey(), password, new Certificate[] {certificate.certificate()});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, password);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(kmf.getKeyManagers(), null, null);
    server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    executor = Executors.newFixedThreadPool(8);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
    exec = new FakeExecSocket(certificate.privateKey(), certificate.certificate());
  }

  /** ARM's limits: reads 250 burst and 25 per second, writes 200 and 10. */
  public static FakeArm withArmLimits(Clock clock) throws Exception {
    return new FakeArm(clock, 25, 250, 10, 200);
  }

  public String endpoint() {
    return "https://127.0.0.1:" + server.getAddress().getPort() + "/";
  }

  /** A client context that trusts only this fake's certificate (its own CA). */
  SSLContext clientTls() throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("arm", certificate.certificate());
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, tmf.getTrustManagers(), null);
    return tls;
  }

  /** Names of the groups that exist (including those being deleted). */
  public List<String> groupNames() {
    sweep();
    return new ArrayList<>(groups.keySet());
  }

  /** The group as ARM stores it, secrets included (what a real account would bill and hold). */
  public Map<String, Object> stored(String name) {
    Group g = groups.get(name);
    return g == null ? null : g.body;
  }

  /** Appends a line to a container's log, stamped now. */
  public void log(String group, String container, String line) {
    Group g = groups.get(group);
    g.logs
        .computeIfAbsent(container, c -> Collections.synchronizedList(new ArrayList<>()))
        .add(stamp(clock.instant()) + " " + line);
  }

  /** A group created outside this runner, as another tool or an older runner would have. */
  void put(String resourceGroup, String name, Map<String, Object> body) {
    groups.put(name, new Group(name, body, clock.instant(), "sub", resourceGroup));
  }

  public long count(String method, String kind) {
    synchronized (requests) {
      return requests.stream()
          .filter(r -> r.method().equals(method) && r.kind().equals(kind))
          .count();
    }
  }

  public long throttled() {
    synchronized (requests) {
      return requests.stream().filter(r -> r.status() == 429).count();
    }
  }

  /** The token ARM accepts; a client gets it from {@link FakeManagedIdentity}. */
  public String token() {
    return token;
  }

  /** The group as a GET returns it (what {@code az container show} prints), or null. */
  public Map<String, Object> show(String name) {
    sweep();
    Group g = groups.get(name);
    return g == null ? null : view(g, clock.instant(), true);
  }

  /** The commands exec sessions ran, in order. */
  public List<String> execCommands() {
    return exec.started.stream().map(FakeExecSocket.Session::command).toList();
  }

  /**
   * Writes a PKCS12 trust store that holds this fake's certificate, for a JVM that must trust it
   * ({@code javax.net.ssl.trustStore}); returns the JVM options that select it.
   */
  public List<String> writeTrustStore(java.nio.file.Path file) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("arm", certificate.certificate());
    char[] password = "changeit".toCharArray();
    try (OutputStream out = java.nio.file.Files.newOutputStream(file)) {
      trust.store(out, password);
    }
    return List.of(
        "-Djavax.net.ssl.trustStore=" + file.toAbsolutePath(),
        "-Djavax.net.ssl.trustStoreType=PKCS12",
        "-Djavax.net.ssl.trustStorePassword=" + new String(password));
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    exec.close();
  }

  // ---------------------------------------------------------------------------------------------

  private final class Group {
    final String name;
    final Map<String, Object> body;
    final Instant created;
    final String ip;
    final Map<String, List<String>> logs = new ConcurrentHashMap<>();
    volatile Instant deleted;
    final String subscription;
    final String resourceGroup;

    Group(
        String name,
        Map<String, Object> body,
        Instant created,
        String subscription,
        String resourceGroup) {
      this.name = name;
      this.body = body;
      this.created = created;
      this.subscription = subscription;
      this.resourceGroup = resourceGroup;
      this.ip = "20.48.0." + ips.getAndIncrement();
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> properties() {
      return (Map<String, Object>) body.get("properties");
    }

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> containers() {
      return (List<Map<String, Object>>) properties().get("containers");
    }

    boolean failsToProvision() {
      for (Map<String, Object> c : containers()) {
        Object image = props(c).get("image");
        if (image != null && image.toString().contains("does-not-exist")) {
          return true;
        }
      }
      return false;
    }

    String provisioningState(Instant now) {
      if (deleted != null) {
        return "Deleting";
      }
      if (now.isBefore(created.plus(provisionDelay))) {
        return "Pending";
      }
      return failsToProvision() ? "Failed" : "Succeeded";
    }
  }

  private record Operation(String id, String group, Instant started, boolean delete) {}

  @SuppressWarnings("unchecked")
  private static Map<String, Object> props(Map<String, Object> container) {
    return (Map<String, Object>) container.get("properties");
  }

  private void sweep() {
    Instant now = clock.instant();
    groups.values().removeIf(g -> g.deleted != null && !now.isBefore(g.deleted.plus(deleteDelay)));
  }

  private void handle(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getRawPath();
    String query = exchange.getRequestURI().getRawQuery();
    Answer answer;
    String kind = kind(method, path);
    try {
      answer = answer(exchange, method, path, query == null ? "" : query, kind);
    } catch (RuntimeException e) {
      answer = error(500, "InternalServerError", "the fake failed: " + e);
    }
    requests.add(new Request(method, path, query, answer.status, kind));
    byte[] body =
        answer.body == null ? new byte[0] : json(answer.body).getBytes(StandardCharsets.UTF_8);
    answer.headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
    exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    exchange.getResponseHeaders().set("x-ms-request-id", UUID.randomUUID().toString());
    exchange.sendResponseHeaders(answer.status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
    exchange.close();
  }

  private static String kind(String method, String path) {
    if (OPERATIONS.matcher(path).matches()) {
      return "operation";
    }
    Matcher m = GROUPS.matcher(path);
    if (!m.matches()) {
      return "other";
    }
    if (m.group(5) != null) {
      return m.group(5);
    }
    return m.group(3) == null ? "list" : "group";
  }

  private record Answer(int status, Object body, Map<String, String> headers) {}

  private Answer answer(
      HttpExchange exchange, String method, String path, String query, String kind)
      throws IOException {
    String auth = exchange.getRequestHeaders().getFirst("Authorization");
    if (auth == null || !auth.equals("Bearer " + token)) {
      return error(
          401,
          "AuthenticationFailed",
          "Authentication failed. The 'Authorization' header is missing or invalid.");
    }
    Integer fail = failNext.poll();
    if (fail != null) {
      return error(
          fail, fail == 503 ? "ServiceUnavailable" : "InternalServerError", "injected failure");
    }
    Map<String, String> params = params(query);
    boolean write =
        method.equals("PUT")
            || method.equals("DELETE")
            || method.equals("POST")
            || method.equals("PATCH");
    if (!(write ? writes : reads).tryAcquire(System.nanoTime())) {
      Answer a =
          error(
              429,
              "SubscriptionRequestsThrottled",
              "Number of "
                  + (write ? "write" : "read")
                  + " requests for subscription exceeded the limit.");
      // the time one token takes to come back, in whole seconds as ARM sends it
      double perSecond = write ? writesPerSecond : readsPerSecond;
      a.headers.put("Retry-After", Long.toString(Math.max(1, (long) Math.ceil(1 / perSecond))));
      return a;
    }
    Instant now = clock.instant();
    sweep();
    Matcher op = OPERATIONS.matcher(path);
    if (op.matches() && method.equals("GET")) {
      return operation(op.group(3), now);
    }
    Matcher m = GROUPS.matcher(path);
    if (!m.matches()) {
      return error(404, "NotFound", "no such route: " + path);
    }
    if (m.group(3) != null && !API_VERSION.equals(params.get("api-version"))) {
      return error(400, "InvalidApiVersionParameter", "api-version " + params.get("api-version"));
    }
    String name = m.group(3);
    if (name == null) {
      return method.equals("GET")
          ? list(m.group(1), m.group(2), params, now)
          : error(405, "MethodNotAllowed", method);
    }
    Group g = groups.get(name);
    if (m.group(4) != null) {
      if (g == null || g.deleted != null) {
        return notFound(m.group(2), name);
      }
      return switch (m.group(5)) {
        case "logs" -> logs(g, m.group(4), params);
        case "exec" -> exec(exchange);
        default -> error(400, "BadRequest", "attach is not supported by the fake");
      };
    }
    return switch (method) {
      case "PUT" -> put(exchange, m.group(1), m.group(2), name, now);
      case "GET" ->
          g == null
              ? notFound(m.group(2), name)
              : new Answer(200, view(g, now, true), new HashMap<>());
      case "DELETE" -> delete(g, m.group(1), name, now);
      case "PATCH" -> patch(exchange, g, m.group(2), name, now);
      default -> error(405, "MethodNotAllowed", method);
    };
  }

  @SuppressWarnings("unchecked")
  private Answer put(
      HttpExchange exchange, String subscription, String resourceGroup, String name, Instant now)
      throws IOException {
    Object parsed;
    try (JsonReader r = JsonProviders.createReader(exchange.getRequestBody().readAllBytes())) {
      parsed = r.readUntyped();
    }
    if (!(parsed instanceof Map<?, ?> raw)
        || !(raw.get("properties") instanceof Map<?, ?> p)
        || !(p.get("containers") instanceof List<?> cs)
        || cs.isEmpty()
        || p.get("osType") == null
        || raw.get("location") == null) {
      return error(
          400,
          "InvalidRequestContent",
          "properties.containers, properties.osType and location are required");
    }
    if (!name.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")) {
      return error(
          400, "InvalidContainerGroupName", "The container group name '" + name + "' is invalid.");
    }
    Map<String, Object> body = (Map<String, Object>) raw;
    Group existing = groups.get(name);
    long live = groups.values().stream().filter(x -> x.deleted == null).count();
    if (existing == null && live >= maxGroups) {
      return error(
          409,
          "ContainerGroupQuotaReached",
          "Resource type 'Microsoft.ContainerInstance/containerGroups' container group quota exceeded in region. Limit: '"
              + maxGroups
              + "', Usage: '"
              + live
              + "'.");
    }
    if (existing != null && existing.deleted != null) {
      return error(409, "Conflict", "The container group '" + name + "' is being deleted.");
    }
    double cpu = 0;
    double memory = 0;
    for (Object c : cs) {
      Map<String, Object> requests = requests(c);
      cpu += number(requests.get("cpu"));
      memory += number(requests.get("memoryInGB"));
    }
    if (cpu > 4 || memory > 16) {
      return error(
          400,
          "ResourceRequestsNotSupported",
          "The requested resource with 'CPU: "
              + cpu
              + ", memoryInGB: "
              + memory
              + "' is not supported in location '"
              + body.get("location")
              + "'.");
    }
    Group g;
    if (existing != null && existing.properties().equals(body.get("properties"))) {
      // the same group again (only tags may differ): ARM keeps it running
      existing.body.put("tags", body.get("tags"));
      g = existing;
    } else {
      g = new Group(name, body, now, subscription, resourceGroup);
      if (existing != null) {
        g.logs.putAll(existing.logs);
      }
      groups.put(name, g);
    }
    String id = UUID.randomUUID().toString();
    operations.put(id, new Operation(id, name, now, false));
    Map<String, String> headers = new HashMap<>();
    headers.put(
        "Azure-AsyncOperation", operationUrl(subscription, body.get("location").toString(), id));
    return new Answer(existing == null ? 201 : 200, view(g, now, true), headers);
  }

  /** PATCH changes tags only, as ARM's update of container groups. */
  @SuppressWarnings("unchecked")
  private Answer patch(
      HttpExchange exchange, Group g, String resourceGroup, String name, Instant now)
      throws IOException {
    if (g == null || g.deleted != null) {
      return notFound(resourceGroup, name);
    }
    Object parsed;
    try (JsonReader r = JsonProviders.createReader(exchange.getRequestBody().readAllBytes())) {
      parsed = r.readUntyped();
    }
    if (parsed instanceof Map<?, ?> m && m.get("tags") instanceof Map<?, ?> tags) {
      g.body.put("tags", tags);
    }
    return new Answer(200, view(g, now, true), new HashMap<>());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> requests(Object container) {
    if (container instanceof Map<?, ?> c
        && c.get("properties") instanceof Map<?, ?> p
        && p.get("resources") instanceof Map<?, ?> r
        && r.get("requests") instanceof Map<?, ?> q) {
      return (Map<String, Object>) q;
    }
    return Map.of();
  }

  private static double number(Object o) {
    return o instanceof Number n ? n.doubleValue() : 0;
  }

  private Answer delete(Group g, String subscription, String name, Instant now) {
    if (g == null) {
      return new Answer(204, null, new HashMap<>());
    }
    if (g.deleted == null) {
      g.deleted = now;
    }
    String id = UUID.randomUUID().toString();
    operations.put(id, new Operation(id, name, now, true));
    Map<String, String> headers = new HashMap<>();
    headers.put(
        "Azure-AsyncOperation",
        operationUrl(subscription, String.valueOf(g.body.get("location")), id));
    return new Answer(202, null, headers);
  }

  private String operationUrl(String subscription, String location, String id) {
    return endpoint()
        + "subscriptions/"
        + subscription
        + "/providers/Microsoft.ContainerInstance/locations/"
        + location
        + "/operations/"
        + id
        + "?api-version=2018-06-01";
  }

  private Answer operation(String id, Instant now) {
    Operation o = operations.get(id);
    if (o == null) {
      return error(404, "OperationNotFound", id);
    }
    Group g = groups.get(o.group());
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", o.group());
    body.put("startTime", stamp(o.started()));
    String status;
    if (o.delete()) {
      status = g == null ? "Succeeded" : "InProgress";
    } else if (g == null) {
      status = "Canceled";
    } else {
      String p = g.provisioningState(now);
      status = p.equals("Pending") ? "Pending" : p.equals("Failed") ? "Failed" : "Succeeded";
    }
    body.put("status", status);
    body.put("properties", Map.of("events", List.of()));
    if (status.equals("Failed")) {
      body.put(
          "error",
          Map.of(
              "code",
              "InaccessibleImage",
              "message",
              "The image '"
                  + image(g)
                  + "' in container group '"
                  + g.name
                  + "' is not accessible. Please check the image and registry credential."));
    }
    Map<String, String> headers = new HashMap<>();
    headers.put("Retry-After", "1");
    return new Answer(200, body, headers);
  }

  private static String image(Group g) {
    return String.valueOf(props(g.containers().get(0)).get("image"));
  }

  private Answer list(
      String subscription, String resourceGroup, Map<String, String> params, Instant now) {
    // resource group names are case-insensitive in ARM
    List<Group> all =
        new ArrayList<>(
            groups.values().stream()
                .filter(g -> g.resourceGroup.equalsIgnoreCase(resourceGroup))
                .toList());
    all.sort((a, b) -> a.name.compareTo(b.name));
    int skip = params.containsKey("$skipToken") ? Integer.parseInt(params.get("$skipToken")) : 0;
    List<Object> page = new ArrayList<>();
    for (int i = skip; i < Math.min(all.size(), skip + pageSize); i++) {
      page.add(view(all.get(i), now, listWithInstanceView));
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("value", page);
    if (skip + pageSize < all.size()) {
      body.put(
          "nextLink",
          endpoint()
              + "subscriptions/"
              + subscription
              + "/resourceGroups/"
              + resourceGroup
              + "/providers/Microsoft.ContainerInstance/containerGroups?api-version="
              + API_VERSION
              + "&$skipToken="
              + (skip + pageSize));
    }
    return new Answer(200, body, new HashMap<>());
  }

  private Answer exec(HttpExchange exchange) throws IOException {
    Object parsed;
    try (JsonReader r = JsonProviders.createReader(exchange.getRequestBody().readAllBytes())) {
      parsed = r.readUntyped();
    }
    if (!(parsed instanceof Map<?, ?> body) || !(body.get("command") instanceof String command)) {
      return error(400, "InvalidRequestContent", "command is required");
    }
    int rows = 0;
    int cols = 0;
    if (body.get("terminalSize") instanceof Map<?, ?> size) {
      rows = (int) number(size.get("rows"));
      cols = (int) number(size.get("cols"));
    }
    String[] socket = exec.open(command, rows, cols);
    return new Answer(
        200, Map.of("webSocketUri", socket[0], "password", socket[1]), new HashMap<>());
  }

  private Answer logs(Group g, String container, Map<String, String> params) {
    List<String> lines = new ArrayList<>();
    Instant runningAt = g.created.plus(provisionDelay).plus(startDelay);
    for (Map<String, Object> c : g.containers()) {
      if (container.equals(c.get("name")) && !clock.instant().isBefore(runningAt)) {
        // what the container's command echoes is its first output
        Matcher echo =
            Pattern.compile("echo ([^;&|]+)")
                .matcher(String.join(" ", strings(props(c).get("command"))));
        while (echo.find()) {
          lines.add(stamp(runningAt) + " " + echo.group(1).strip());
        }
      }
    }
    lines.addAll(g.logs.getOrDefault(container, List.of()));
    if (params.containsKey("tail")) {
      int tail = Integer.parseInt(params.get("tail"));
      lines = lines.subList(Math.max(0, lines.size() - tail), lines.size());
    }
    boolean timestamps = "true".equals(params.get("timestamps"));
    StringBuilder text = new StringBuilder();
    for (String l : lines) {
      text.append(timestamps ? l : l.substring(l.indexOf(' ') + 1)).append('\n');
    }
    return new Answer(200, Map.of("content", text.toString()), new HashMap<>());
  }

  /** The group as ARM returns it: read-only fields added, secrets left out. */
  @SuppressWarnings("unchecked")
  private Map<String, Object> view(Group g, Instant now, boolean instanceView) {
    Map<String, Object> out = (Map<String, Object>) copy(g.body);
    out.put(
        "id",
        "/subscriptions/"
            + g.subscription
            + "/resourceGroups/"
            + g.resourceGroup
            + "/providers/Microsoft.ContainerInstance/containerGroups/"
            + g.name);
    out.put("name", g.name);
    out.put("type", "Microsoft.ContainerInstance/containerGroups");
    Map<String, Object> p = (Map<String, Object>) out.get("properties");
    String provisioning = g.provisioningState(now);
    p.put("sku", "Standard");
    p.put("provisioningState", provisioning);
    p.put("provisioningTimeoutInSeconds", 1800);
    p.put("isCustomProvisioningTimeout", false);
    if (p.get("ipAddress") instanceof Map<?, ?> ip && "Public".equals(ip.get("type"))) {
      ((Map<String, Object>) ip).put("ip", g.ip);
    } else if (p.get("ipAddress") instanceof Map<?, ?> ip) {
      ((Map<String, Object>) ip).put("ip", "10.1.0." + g.ip.substring(g.ip.lastIndexOf('.') + 1));
    }
    for (Object v : list(p.get("volumes"))) {
      Map<String, Object> volume = (Map<String, Object>) v;
      if (volume.containsKey("secret")) {
        volume.put("secret", new LinkedHashMap<>());
      }
      if (volume.get("azureFile") instanceof Map<?, ?> f) {
        ((Map<String, Object>) f).remove("storageAccountKey");
      }
    }
    for (Object c : list(p.get("imageRegistryCredentials"))) {
      ((Map<String, Object>) c).remove("password");
    }
    String restartPolicy = String.valueOf(p.getOrDefault("restartPolicy", "Always"));
    boolean failed = provisioning.equals("Failed");
    for (Object c : list(p.get("containers"))) {
      Map<String, Object> cp = props((Map<String, Object>) c);
      cp.putIfAbsent("ports", new ArrayList<>());
      cp.putIfAbsent("environmentVariables", new ArrayList<>());
      for (Object e : list(cp.get("environmentVariables"))) {
        ((Map<String, Object>) e).remove("secureValue");
      }
      if (instanceView) {
        cp.put("instanceView", containerView(g, cp, restartPolicy, now, failed));
      } else {
        cp.remove("instanceView");
      }
    }
    if (instanceView) {
      Map<String, Object> view = new LinkedHashMap<>();
      view.put(
          "state",
          provisioning.equals("Succeeded")
              ? "Running"
              : provisioning.equals("Deleting") ? "Stopped" : "Pending");
      view.put(
          "events",
          failed
              ? List.of(
                  event(
                      "Failed", "Failed to pull image \"" + image(g) + "\"", "Warning", g.created))
              : List.of());
      p.put("instanceView", view);
    } else {
      p.remove("instanceView");
    }
    return out;
  }

  private Map<String, Object> containerView(
      Group g, Map<String, Object> cp, String restartPolicy, Instant now, boolean failed) {
    Map<String, Object> view = new LinkedHashMap<>();
    Instant runningAt = g.created.plus(provisionDelay).plus(startDelay);
    Map<String, Object> current;
    Map<String, Object> previous = null;
    int restarts = 0;
    Integer exit = exitCode(cp);
    if (failed || now.isBefore(runningAt)) {
      current = state("Waiting", g.created, null, null, failed ? "ErrImagePull" : "");
    } else if (exit == null) {
      current = state("Running", runningAt, null, null, "");
    } else {
      long run = Math.max(1, runTime.toMillis());
      long elapsed = Duration.between(runningAt, now).toMillis();
      boolean restarts0 =
          restartPolicy.equals("Always") || (restartPolicy.equals("OnFailure") && exit != 0);
      long cycle = elapsed / run;
      if (!restarts0 && cycle >= 1) {
        current =
            state(
                "Terminated",
                runningAt,
                runningAt.plusMillis(run),
                exit,
                exit == 0 ? "Completed" : "Error");
      } else {
        restarts = (int) cycle;
        Instant start = runningAt.plusMillis(cycle * run);
        current = state("Running", start, null, null, "");
        if (cycle >= 1) {
          previous =
              state(
                  "Terminated",
                  start.minusMillis(run),
                  start,
                  exit,
                  exit == 0 ? "Completed" : "Error");
        }
      }
    }
    if (g.deleted != null && "Running".equals(current.get("state"))) {
      previous = null;
      current =
          state(
              "Terminated",
              Instant.parse(current.get("startTime").toString()),
              g.deleted,
              0,
              "Completed");
    }
    view.put("restartCount", restarts);
    view.put("currentState", current);
    if (previous != null) {
      view.put("previousState", previous);
    }
    List<Object> events = new ArrayList<>();
    events.add(event("Pulling", "pulling image \"" + cp.get("image") + "\"", "Normal", g.created));
    if (!failed && !now.isBefore(runningAt)) {
      events.add(
          event(
              "Pulled",
              "Successfully pulled image \"" + cp.get("image") + "\"",
              "Normal",
              runningAt));
      Map<String, Object> started = event("Started", "Started container", "Normal", runningAt);
      started.put("count", restarts + 1);
      started.put("lastTimestamp", current.get("startTime"));
      events.add(started);
    }
    view.put("events", events);
    return view;
  }

  private static Integer exitCode(Map<String, Object> cp) {
    Matcher m =
        Pattern.compile("exit (\\d+)").matcher(String.join(" ", strings(cp.get("command"))));
    return m.find() ? Integer.parseInt(m.group(1)) : null;
  }

  private static Map<String, Object> state(
      String state, Instant start, Instant finish, Integer exit, String detail) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("state", state);
    s.put("startTime", stamp(start));
    if (exit != null) {
      s.put("exitCode", exit);
    }
    if (finish != null) {
      s.put("finishTime", stamp(finish));
    }
    s.put("detailStatus", detail);
    return s;
  }

  private static Map<String, Object> event(String name, String message, String type, Instant at) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("count", 1);
    e.put("firstTimestamp", stamp(at));
    e.put("lastTimestamp", stamp(at));
    e.put("name", name);
    e.put("message", message);
    e.put("type", type);
    return e;
  }

  private Answer notFound(String resourceGroup, String name) {
    return error(
        404,
        "ResourceNotFound",
        "The Resource 'Microsoft.ContainerInstance/containerGroups/"
            + name
            + "' under resource group '"
            + resourceGroup
            + "' was not found.");
  }

  private static Answer error(int status, String code, String message) {
    return new Answer(
        status, Map.of("error", Map.of("code", code, "message", message)), new HashMap<>());
  }

  private static String stamp(Instant t) {
    return t.toString();
  }

  private static List<?> list(Object o) {
    return o instanceof List<?> l ? l : List.of();
  }

  private static List<String> strings(Object o) {
    List<String> out = new ArrayList<>();
    for (Object x : list(o)) {
      out.add(String.valueOf(x));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Object copy(Object o) {
    if (o instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put((String) k, copy(v)));
      return out;
    }
    if (o instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      l.forEach(v -> out.add(copy(v)));
      return out;
    }
    return o;
  }

  static Map<String, String> params(String query) {
    Map<String, String> out = new HashMap<>();
    for (String pair : query.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.put(k, v);
    }
    return out;
  }

  private static String json(Object tree) {
    try (StringWriter out = new StringWriter();
        JsonWriter w = JsonProviders.createWriter(out)) {
      w.writeUntyped(tree).flush();
      return out.toString();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
