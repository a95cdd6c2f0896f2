package dev.vkj.provider.fargate;

/**
 * An error answer of {@link FakeAws}: an HTTP status and the awsJson {@code __type} code the SDK
 * maps to its exception classes. Client mistakes are 400s with a modelled code.
 */
final class FakeAwsError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  final int status;
  final String code;

  FakeAwsError(int status, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
  }

  static FakeAwsError client(String code, String message) {
    return new FakeAwsError(400, code, message);
  }

  /** A member of the wrong JSON type: the SDK never sends one, a hand-written request might. */
  static FakeAwsError serialization(String message) {
    return client("SerializationException", message);
  }

  // ECS codes

  static FakeAwsError ecsClient(String message) {
    return client("ClientException", message);
  }

  static FakeAwsError ecsInvalid(String message) {
    return client("InvalidParameterException", message);
  }

  static FakeAwsError clusterNotFound() {
    return client("ClusterNotFoundException", "Cluster not found.");
  }

  // CloudWatch Logs codes

  static FakeAwsError logsInvalid(String message) {
    return client("InvalidParameterException", message);
  }

  static FakeAwsError logsNotFound(String message) {
    return client("ResourceNotFoundException", message);
  }

  // SSM codes

  static FakeAwsError ssmValidation(String message) {
    return client("ValidationException", message);
  }
}
