package dev.vkj.core.server;

import static io.netty.handler.codec.http.HttpResponseStatus.BAD_REQUEST;
import static io.netty.handler.codec.http.HttpResponseStatus.FORBIDDEN;
import static io.netty.handler.codec.http.HttpResponseStatus.INTERNAL_SERVER_ERROR;
import static io.netty.handler.codec.http.HttpResponseStatus.METHOD_NOT_ALLOWED;
import static io.netty.handler.codec.http.HttpResponseStatus.NOT_FOUND;
import static io.netty.handler.codec.http.HttpResponseStatus.NOT_IMPLEMENTED;
import static io.netty.handler.codec.http.HttpResponseStatus.OK;
import static io.netty.handler.codec.http.HttpResponseStatus.TOO_MANY_REQUESTS;
import static io.netty.handler.codec.http.HttpResponseStatus.UNAUTHORIZED;
import static java.util.Objects.requireNonNull;

import dev.vkj.core.server.auth.AuthException;
import dev.vkj.core.server.auth.Authenticator;
import dev.vkj.core.server.auth.Authorizer;
import dev.vkj.core.server.auth.Decision;
import dev.vkj.core.server.auth.RequestAttributes;
import dev.vkj.core.server.auth.RequestCredentials;
import dev.vkj.core.server.auth.UserInfo;
import dev.vkj.core.server.stream.StreamRequest;
import dev.vkj.core.server.stream.StreamRequest.Kind;
import dev.vkj.spi.ContainerExec;
import dev.vkj.spi.ContainerLogs;
import dev.vkj.spi.LogOptions;
import dev.vkj.spi.PortForward;
import dev.vkj.spi.Provider;
import dev.vkj.spi.ProviderException;
import dev.vkj.spi.StatsProvider;
import dev.vkj.spi.stats.StatsSummary;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.io.InputStream;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request logic of the kubelet API: authentication, authorization, routing, parameters and
 * provider calls. Runs on a worker thread (it may block); the router does the network I/O.
 */
final class KubeletApi {
  private static final Logger LOG = LoggerFactory.getLogger(KubeletApi.class);

  private final String nodeName;
  private final boolean anonymousAuth;
  private final Provider provider;
  private final Supplier<List<Pod>> apiPods;
  private final Authenticator authenticator;
  private final Authorizer authorizer;
  private final Clock clock;

  KubeletApi(
      String nodeName,
      boolean anonymousAuth,
      Provider provider,
      Supplier<List<Pod>> apiPods,
      Authenticator authenticator,
      Authorizer authorizer,
      Clock clock) {
    this.nodeName = requireNonNull(nodeName, "nodeName is null");
    this.anonymousAuth = anonymousAuth;
    this.provider = requireNonNull(provider, "provider is null");
    this.apiPods = requireNonNull(apiPods, "apiPods is null");
    this.authenticator = requireNonNull(authenticator, "authenticator is null");
    this.authorizer = requireNonNull(authorizer, "authorizer is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  Reply handle(
      HttpMethod method, HttpHeaders headers, RequestPath path, RequestCredentials credentials) {
    Route route = Route.match(path);
    String label = route == null ? "unknown" : route.label();
    if (route == null && !Route.isKnownPrefix(path)) {
      return new Reply.Full(label, Responses.text(NOT_FOUND, "404 page not found"));
    }
    try {
      UserInfo user = authenticate(credentials);
      authorize(user, RequestAttributes.of(method.name(), path.path(), nodeName));
      if (route == null) {
        throw new HttpError(NOT_FOUND, "404: Page Not Found");
      }
      if (!route.allows(method)) {
        throw new HttpError(METHOD_NOT_ALLOWED, "405: Method Not Allowed");
      }
      return switch (route) {
        case HEALTHZ -> new Reply.Full(label, Responses.text(OK, "ok"));
        case PODS -> new Reply.Full(label, podList(apiPods.get()));
        case RUNNING_PODS -> new Reply.Full(label, podList(runningPods(provider.listPods())));
        case STATS_SUMMARY -> new Reply.Full(label, statsSummary());
        case METRICS_RESOURCE -> new Reply.Full(label, resourceMetrics());
        case CONTAINER_LOGS -> containerLogs(label, path);
        case EXEC, ATTACH -> execOrAttach(label, route, path);
        case PORT_FORWARD -> portForward(label, path, headers);
      };
    } catch (HttpError e) {
      return new Reply.Full(label, Responses.error(e));
    } catch (ProviderException e) {
      boolean json = route == Route.EXEC || route == Route.ATTACH || route == Route.PORT_FORWARD;
      return new Reply.Full(label, providerError(e, json));
    } catch (RuntimeException e) {
      LOG.error("kubelet API request {} {} failed", method, path.path(), e);
      return new Reply.Full(
          label,
          Responses.text(
              INTERNAL_SERVER_ERROR,
              "Internal Error: unexpected " + e.getClass().getSimpleName() + ", see the log"));
    }
  }

  private UserInfo authenticate(RequestCredentials credentials) throws HttpError {
    Optional<UserInfo> user;
    try {
      user = authenticator.authenticate(credentials);
    } catch (AuthException e) {
      if (e.code() == AuthException.Code.TOKEN_REVIEW_FAILED) {
        LOG.warn("unable to authenticate the request: {}", e.getMessage());
      } else {
        // rejected credentials are the caller's problem; keep floods out of the log
        LOG.debug("unable to authenticate the request: {} ({})", e.getMessage(), e.code());
      }
      throw new HttpError(UNAUTHORIZED, "Unauthorized");
    }
    if (user.isPresent()) {
      return user.get().withGroup(UserInfo.AUTHENTICATED);
    }
    if (anonymousAuth) {
      return UserInfo.anonymous();
    }
    throw new HttpError(UNAUTHORIZED, "Unauthorized");
  }

  private void authorize(UserInfo user, RequestAttributes attributes) throws HttpError {
    Decision decision;
    try {
      decision = authorizer.authorize(user, attributes);
    } catch (AuthException | RuntimeException e) {
      String message = "Authorization error (" + attributes.describe(user) + ")";
      LOG.warn("{}: {}", message, e.getMessage());
      throw new HttpError(INTERNAL_SERVER_ERROR, message);
    }
    if (decision != Decision.ALLOW) {
      String message = "Forbidden (" + attributes.describe(user) + ")";
      LOG.debug(message);
      throw new HttpError(FORBIDDEN, message);
    }
  }

  /**
   * What the kubelet shows of a runtime pod: identity and container names and images. The
   * provider's pods carry resolved environments (Secret values included), never served here.
   */
  static List<Pod> runningPods(List<Pod> pods) {
    List<Pod> out = new java.util.ArrayList<>();
    for (Pod p : pods) {
      io.fabric8.kubernetes.api.model.ObjectMeta meta = p.getMetadata();
      PodBuilder b =
          new PodBuilder()
              .withNewMetadata()
              .withNamespace(meta == null ? null : meta.getNamespace())
              .withName(meta == null ? null : meta.getName())
              .withUid(meta == null ? null : meta.getUid())
              .endMetadata()
              .withNewSpec()
              .endSpec();
      if (p.getSpec() != null && p.getSpec().getContainers() != null) {
        for (io.fabric8.kubernetes.api.model.Container c : p.getSpec().getContainers()) {
          b.editSpec()
              .addNewContainer()
              .withName(c.getName())
              .withImage(c.getImage())
              .endContainer()
              .endSpec();
        }
      }
      out.add(b.build());
    }
    return out;
  }

  private static FullHttpResponse podList(List<Pod> pods) {
    PodList list =
        new PodListBuilder()
            .withApiVersion("v1")
            .withKind("PodList")
            .withNewMetadata()
            .endMetadata()
            .withItems(pods)
            .build();
    return Responses.json(OK, Responses.toJson(list));
  }

  private FullHttpResponse statsSummary() throws HttpError {
    StatsProvider stats = statsProvider();
    try {
      return Responses.json(OK, StatsJson.render(stats.statsSummary()));
    } catch (ProviderException e) {
      LOG.warn("stats summary failed: {} ({})", e.getMessage(), e.code());
      return Responses.text(INTERNAL_SERVER_ERROR, "Internal Error: " + e.getMessage());
    }
  }

  private FullHttpResponse resourceMetrics() throws HttpError {
    StatsProvider stats = statsProvider();
    String body;
    try {
      StatsSummary summary = stats.statsSummary();
      body = ResourceMetrics.render(summary);
    } catch (ProviderException | RuntimeException e) {
      // like the kubelet: still 200, with scrape_error 1 and no usage samples
      LOG.warn("resource metrics failed: {}", shortMessage(e));
      body = ResourceMetrics.renderScrapeError();
    }
    return Responses.body(OK, body, ResourceMetrics.CONTENT_TYPE);
  }

  private StatsProvider statsProvider() throws HttpError {
    if (provider instanceof StatsProvider stats) {
      return stats;
    }
    throw new HttpError(NOT_IMPLEMENTED, "this node's provider does not report resource usage");
  }

  private Reply containerLogs(String label, RequestPath path) throws HttpError, ProviderException {
    List<String> s = path.segments();
    String namespace = s.get(1);
    String podName = s.get(2);
    String container = s.get(3);
    LogOptions options = LogParameters.parse(path.query(), clock);
    Pod pod =
        findPod(namespace, podName)
            .orElseThrow(() -> new HttpError(NOT_FOUND, "pod \"" + podName + "\" does not exist"));
    if (!containerNames(pod).contains(container)) {
      throw new HttpError(
          NOT_FOUND, "container \"" + container + "\" not found in pod \"" + podName + "\"");
    }
    if (!(provider instanceof ContainerLogs logs)) {
      throw new HttpError(NOT_IMPLEMENTED, "this node's provider does not support container logs");
    }
    InputStream body = logs.containerLogs(namespace, podName, container, options);
    if (body == null) {
      throw new IllegalStateException("the provider returned no log stream");
    }
    return new Reply.Logs(label, body, options.limitBytes());
  }

  private Reply execOrAttach(String label, Route route, RequestPath path) throws HttpError {
    List<String> s = path.segments();
    String namespace = s.get(1);
    String podName = s.get(2);
    Optional<String> uid = s.size() == 5 ? Optional.of(s.get(3)) : Optional.empty();
    String containerName = s.get(s.size() - 1);
    StreamParameters.checkStreams(path);
    Pod pod = streamPod(namespace, podName, uid);
    Container container =
        containers(pod)
            .filter(c -> containerName.equals(c.getName()))
            .findFirst()
            .orElseThrow(
                () ->
                    new HttpError(
                        NOT_FOUND,
                        "container " + containerName + " not found in pod " + podName,
                        true));
    Kind kind = route == Route.EXEC ? Kind.EXEC : Kind.ATTACH;
    StreamRequest request =
        StreamParameters.execOrAttach(
            kind, namespace, podName, containerName, path, Boolean.TRUE.equals(container.getTty()));
    if (!(provider instanceof ContainerExec)) {
      throw new HttpError(
          NOT_IMPLEMENTED,
          "this node's provider does not support " + (kind == Kind.EXEC ? "exec" : "attach"),
          true);
    }
    return new Reply.Stream(label, request);
  }

  private Reply portForward(String label, RequestPath path, HttpHeaders headers) throws HttpError {
    List<String> s = path.segments();
    String namespace = s.get(1);
    String podName = s.get(2);
    Optional<String> uid = s.size() == 4 ? Optional.of(s.get(3)) : Optional.empty();
    StreamRequest request = StreamParameters.portForward(namespace, podName, path, headers);
    streamPod(namespace, podName, uid);
    if (!(provider instanceof PortForward)) {
      throw new HttpError(
          NOT_IMPLEMENTED, "this node's provider does not support port forwarding", true);
    }
    return new Reply.Stream(label, request);
  }

  private Pod streamPod(String namespace, String podName, Optional<String> uid) throws HttpError {
    Pod pod =
        findPod(namespace, podName)
            .orElseThrow(() -> new HttpError(NOT_FOUND, "pod does not exist", true));
    if (uid.isPresent() && !uid.get().equals(pod.getMetadata().getUid())) {
      throw new HttpError(NOT_FOUND, "pod not found", true);
    }
    return pod;
  }

  private Optional<Pod> findPod(String namespace, String name) {
    List<Pod> pods = apiPods.get();
    if (pods == null) {
      return Optional.empty();
    }
    return pods.stream()
        .filter(Objects::nonNull)
        .filter(p -> p.getMetadata() != null)
        .filter(p -> namespace.equals(p.getMetadata().getNamespace()))
        .filter(p -> name.equals(p.getMetadata().getName()))
        .findFirst();
  }

  private static Stream<Container> containers(Pod pod) {
    if (pod.getSpec() == null) {
      return Stream.empty();
    }
    Stream<Container> regular =
        Stream.concat(
            Optional.ofNullable(pod.getSpec().getContainers()).orElse(List.of()).stream(),
            Optional.ofNullable(pod.getSpec().getInitContainers()).orElse(List.of()).stream());
    Stream<Container> ephemeral =
        Optional.ofNullable(pod.getSpec().getEphemeralContainers()).orElse(List.of()).stream()
            .map(KubeletApi::asContainer);
    return Stream.concat(regular, ephemeral).filter(Objects::nonNull);
  }

  private static Container asContainer(EphemeralContainer e) {
    Container c = new Container();
    c.setName(e.getName());
    c.setTty(e.getTty());
    return c;
  }

  private static List<String> containerNames(Pod pod) {
    return containers(pod).map(Container::getName).collect(Collectors.toList());
  }

  private static FullHttpResponse providerError(ProviderException e, boolean json) {
    String message = e.getMessage();
    FullHttpResponse response =
        switch (e.code()) {
          case NOT_FOUND -> respond(NOT_FOUND, message, json);
          case INVALID_INPUT -> respond(BAD_REQUEST, message, json);
          case UNSUPPORTED -> respond(NOT_IMPLEMENTED, message, json);
          case THROTTLED -> respond(TOO_MANY_REQUESTS, message, json);
          default -> {
            LOG.warn("provider call failed: {} ({})", message, e.code());
            yield respond(INTERNAL_SERVER_ERROR, "Internal Error: " + message, json);
          }
        };
    e.retryAfter()
        .ifPresent(
            d ->
                response
                    .headers()
                    .set(HttpHeaderNames.RETRY_AFTER, Math.max(1, (d.toMillis() + 999) / 1000)));
    return response;
  }

  private static FullHttpResponse respond(
      io.netty.handler.codec.http.HttpResponseStatus status, String message, boolean json) {
    return json ? Responses.status(status, message) : Responses.text(status, message);
  }

  static String shortMessage(Throwable e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : ": " + firstLine(message));
  }

  private static String firstLine(String message) {
    int newline = message.indexOf('\n');
    String line = newline < 0 ? message : message.substring(0, newline);
    return line.length() > 200 ? line.substring(0, 200) : line;
  }
}
