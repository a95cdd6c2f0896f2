package dev.vkj.provider.azure;

import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpResponse;
import com.azure.core.management.exception.ManagementException;
import dev.vkj.spi.ErrorCode;
import dev.vkj.spi.ProviderException;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * ARM answers as {@link ProviderException}s, so that the core retries, paces and reports them: 429
 * is {@code THROTTLED} with the answer's {@code Retry-After}, 5xx and I/O failures are {@code
 * TRANSIENT}, quota codes are {@code QUOTA_EXCEEDED}, other 4xx are {@code INVALID_INPUT} with
 * ARM's code and message.
 */
final class ArmErrors {
  /** ACI's answers when a subscription has no room left in a region. */
  private static final Set<String> QUOTA_CODES =
      Set.of(
          "containergroupquotareached",
          "standardcoresquotaexceeded",
          "quotaexceeded",
          "servicequotaexceeded",
          "resourcerequestsexceedquota");

  /** When ARM asks for no particular wait. */
  static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(10);

  private ArmErrors() {}

  static ProviderException map(String what, RuntimeException e) {
    HttpResponseException http = answer(e);
    if (http == null) {
      return new ProviderException(
          ErrorCode.TRANSIENT,
          what + " failed: " + e.getClass().getSimpleName() + ": " + e.getMessage(),
          e);
    }
    HttpResponse response = http.getResponse();
    int status = response.getStatusCode();
    String code = "";
    String message = http.getMessage();
    if (http instanceof ManagementException m && m.getValue() != null) {
      code = m.getValue().getCode() == null ? "" : m.getValue().getCode();
      message = m.getValue().getMessage() == null ? message : m.getValue().getMessage();
    }
    String text =
        what + " failed: HTTP " + status + (code.isEmpty() ? "" : " " + code) + ": " + message;
    if (status == 429) {
      return ProviderException.throttled(text, retryAfter(response));
    }
    if (QUOTA_CODES.contains(code.toLowerCase(Locale.ROOT))) {
      return ProviderException.quotaExceeded(text, retryAfter(response));
    }
    if (status == 401 || status == 403) {
      return new ProviderException(ErrorCode.AUTH, text, e);
    }
    if (status == 404) {
      return new ProviderException(ErrorCode.NOT_FOUND, text, e);
    }
    if (status == 409) {
      return new ProviderException(ErrorCode.TRANSIENT, text, e); // another operation is running
    }
    if (status >= 500 || status == 408) {
      return new ProviderException(ErrorCode.TRANSIENT, text, retryAfter(response), e);
    }
    return new ProviderException(ErrorCode.INVALID_INPUT, text, e);
  }

  static boolean notFound(RuntimeException e) {
    HttpResponseException http = answer(e);
    return http != null && http.getResponse().getStatusCode() == 404;
  }

  /** ARM's answer in the cause chain (the SDK wraps it in reactive exceptions), or null. */
  private static HttpResponseException answer(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof HttpResponseException http && http.getResponse() != null) {
        return http;
      }
    }
    return null;
  }

  static Duration retryAfter(HttpResponse response) {
    String value = response.getHeaderValue("Retry-After");
    if (value != null) {
      try {
        return Duration.ofSeconds(Math.max(0, Long.parseLong(value.strip())));
      } catch (NumberFormatException e) {
        return DEFAULT_RETRY_AFTER; // an HTTP date: rare from ARM
      }
    }
    return DEFAULT_RETRY_AFTER;
  }
}
