package dev.vkj.core.server;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * A request that ends with an error response; the status is the error code. {@code json} selects a
 * Kubernetes {@code Status} body (streaming routes, which kubectl decodes) instead of plain text.
 */
final class HttpError extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient HttpResponseStatus status;
  private final boolean json;

  HttpError(HttpResponseStatus status, String message) {
    this(status, message, false);
  }

  HttpError(HttpResponseStatus status, String message, boolean json) {
    super(requireNonNull(message, "message is null"), null, false, false);
    this.status = requireNonNull(status, "status is null");
    this.json = json;
  }

  HttpResponseStatus status() {
    return status;
  }

  boolean json() {
    return json;
  }

  HttpError asJson() {
    return json ? this : new HttpError(status, getMessage(), true);
  }
}
