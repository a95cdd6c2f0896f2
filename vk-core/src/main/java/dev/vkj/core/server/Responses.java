package dev.vkj.core.server;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** Builds responses the way the kubelet words them. */
final class Responses {
  static final String TEXT = "text/plain; charset=utf-8";
  static final String JSON = "application/json";

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private Responses() {}

  static FullHttpResponse text(HttpResponseStatus status, String body) {
    FullHttpResponse response = body(status, body, TEXT);
    response.headers().set("X-Content-Type-Options", "nosniff");
    return response;
  }

  static FullHttpResponse json(HttpResponseStatus status, String body) {
    return body(status, body, JSON);
  }

  static FullHttpResponse body(HttpResponseStatus status, String body, String contentType) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            status,
            Unpooled.wrappedBuffer(body.getBytes(StandardCharsets.UTF_8)));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
    return response;
  }

  /** A {@code metav1.Status} failure, which kubectl prints as the message. */
  static FullHttpResponse status(HttpResponseStatus status, String message) {
    Status body =
        new StatusBuilder()
            .withApiVersion("v1")
            .withKind("Status")
            .withNewMetadata()
            .endMetadata()
            .withStatus("Failure")
            .withMessage(message)
            .withReason(reason(status))
            .withCode(status.code())
            .build();
    return json(status, SERIALIZATION.asJson(body));
  }

  static FullHttpResponse error(HttpError error) {
    return error.json()
        ? status(error.status(), error.getMessage())
        : text(error.status(), error.getMessage());
  }

  static String toJson(Object object) {
    return SERIALIZATION.asJson(object);
  }

  private static String reason(HttpResponseStatus status) {
    return switch (status.code()) {
      case 400 -> "BadRequest";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "NotFound";
      case 405 -> "MethodNotAllowed";
      case 429 -> "TooManyRequests";
      case 501 -> "NotImplemented";
      case 503 -> "ServiceUnavailable";
      default -> status.code() >= 500 ? "InternalError" : "Unknown";
    };
  }
}
