package dev.vkj.provider.fargate;

import dev.vkj.spi.ErrorCode;
import dev.vkj.spi.ProviderException;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * AWS answers as {@link ProviderException}s, so that the core retries, paces and reports them. The
 * SDK's own retries are off: a throttled or failed call is retried once, by the core, through the
 * shared limiter. Throttling is {@code THROTTLED}, 5xx and I/O failures are {@code TRANSIENT},
 * credential and permission errors are {@code AUTH}, capacity and limit errors are {@code
 * QUOTA_EXCEEDED}, and other client errors are {@code INVALID_INPUT} with AWS's code and message.
 */
final class AwsErrors {
  /** When AWS throttles: it sends no Retry-After, and its own SDK backs off about a second. */
  static final Duration THROTTLE_WAIT = Duration.ofSeconds(1);

  private static final Set<String> AUTH_CODES =
      Set.of(
          "accessdeniedexception",
          "accessdenied",
          "unrecognizedclientexception",
          "invalidclienttokenid",
          "expiredtokenexception",
          "expiredtoken",
          "invalidsignatureexception",
          "signaturedoesnotmatch",
          "missingauthenticationtokenexception",
          "incompletesignature");

  private static final Set<String> QUOTA_CODES =
      Set.of("limitexceededexception", "servicequotaexceededexception");

  private AwsErrors() {}

  static ProviderException map(String what, SdkException e) {
    if (e instanceof AwsServiceException aws) {
      String code =
          aws.awsErrorDetails() == null || aws.awsErrorDetails().errorCode() == null
              ? ""
              : aws.awsErrorDetails().errorCode();
      String message =
          aws.awsErrorDetails() == null || aws.awsErrorDetails().errorMessage() == null
              ? String.valueOf(aws.getMessage())
              : aws.awsErrorDetails().errorMessage();
      int status = aws.statusCode();
      String text =
          what + " failed: " + (code.isEmpty() ? "HTTP " + status : code) + ": " + message;
      String lower = code.toLowerCase(Locale.ROOT);
      if (aws.isThrottlingException()) {
        return ProviderException.throttled(text, THROTTLE_WAIT);
      }
      if (AUTH_CODES.contains(lower) || status == 401 || status == 403) {
        return new ProviderException(ErrorCode.AUTH, text, e);
      }
      if (QUOTA_CODES.contains(lower)) {
        return ProviderException.quotaExceeded(text, Duration.ofSeconds(10));
      }
      if (status >= 500 || aws.retryable()) {
        return new ProviderException(ErrorCode.TRANSIENT, text, e);
      }
      return new ProviderException(ErrorCode.INVALID_INPUT, text, e);
    }
    if (e instanceof SdkClientException client
        && String.valueOf(client.getMessage()).contains("Unable to load credentials")) {
      return new ProviderException(
          ErrorCode.AUTH, what + " failed: no AWS credentials: " + firstLine(client), e);
    }
    return new ProviderException(
        ErrorCode.TRANSIENT,
        what + " failed: " + e.getClass().getSimpleName() + ": " + firstLine(e),
        e);
  }

  /** The AWS error code of an answer, or "". */
  static String code(SdkException e) {
    if (e instanceof AwsServiceException aws
        && aws.awsErrorDetails() != null
        && aws.awsErrorDetails().errorCode() != null) {
      return aws.awsErrorDetails().errorCode();
    }
    return "";
  }

  /** The AWS error message of an answer, or the exception's. */
  static String message(SdkException e) {
    if (e instanceof AwsServiceException aws
        && aws.awsErrorDetails() != null
        && aws.awsErrorDetails().errorMessage() != null) {
      return aws.awsErrorDetails().errorMessage();
    }
    return String.valueOf(e.getMessage());
  }

  private static String firstLine(Exception e) {
    String m = String.valueOf(e.getMessage());
    int newline = m.indexOf('\n');
    return newline < 0 ? m : m.substring(0, newline);
  }
}
