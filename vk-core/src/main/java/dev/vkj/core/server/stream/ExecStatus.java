package dev.vkj.core.server.stream;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The outcome of an exec or attach session as a {@code metav1.Status}, written on the error stream
 * (SPDY) or channel 3 (WebSocket). Protocol v4 and later carry JSON; v1 to v3 carry the message as
 * plain text, and nothing on success.
 *
 * @param success whether the status is {@code Success}
 * @param message the message, empty on success
 * @param reason the Kubernetes reason, empty on success
 * @param exitCode the exit code for {@code NonZeroExitCode}, or -1
 * @param code the HTTP-like code, or 0 when absent
 * @param causeMessage the message of the one cause of an {@code InternalError}, or null
 */
record ExecStatus(
    boolean success, String message, String reason, int exitCode, int code, String causeMessage) {

  static ExecStatus ok() {
    return new ExecStatus(true, "", "", -1, 0, null);
  }

  /** The kubelet's status for a command that ended with a non-zero exit code. */
  static ExecStatus nonZeroExit(List<String> command, int exitCode) {
    String message =
        "command terminated with non-zero exit code: error executing command ["
            + String.join(" ", command)
            + "], exit code "
            + exitCode;
    return new ExecStatus(false, message, "NonZeroExitCode", exitCode, 0, null);
  }

  static ExecStatus notFound(String message) {
    return new ExecStatus(false, message, "NotFound", -1, 404, null);
  }

  /** {@code apierrors.NewInternalError}: the cause message is prefixed for the status message. */
  static ExecStatus internalError(String cause) {
    return new ExecStatus(
        false, "Internal error occurred: " + cause, "InternalError", -1, 500, cause);
  }

  /** The JSON of protocol v4 and later, field order as the kubelet writes it. */
  String toJson() {
    if (success) {
      return "{\"metadata\":{},\"status\":\"Success\"}";
    }
    StringBuilder json = new StringBuilder("{\"metadata\":{},\"status\":\"Failure\",\"message\":");
    quote(json, message);
    json.append(",\"reason\":");
    quote(json, reason);
    if (exitCode >= 0) {
      json.append(",\"details\":{\"causes\":[{\"reason\":\"ExitCode\",\"message\":\"")
          .append(exitCode)
          .append("\"}]}");
    } else if (causeMessage != null) {
      json.append(",\"details\":{\"causes\":[{\"message\":");
      quote(json, causeMessage);
      json.append("}]}");
    }
    if (code != 0) {
      json.append(",\"code\":").append(code);
    }
    return json.append('}').toString();
  }

  /** The bytes for the error stream of the given protocol version; empty means write nothing. */
  byte[] payload(int protocolVersion) {
    if (protocolVersion >= 4) {
      return toJson().getBytes(StandardCharsets.UTF_8);
    }
    return success ? new byte[0] : message.getBytes(StandardCharsets.UTF_8);
  }

  private static void quote(StringBuilder out, String value) {
    out.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
