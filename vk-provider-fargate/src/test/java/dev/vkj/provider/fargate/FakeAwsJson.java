package dev.vkj.provider.fargate;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Reading awsJson 1.1 requests and writing answers for {@link FakeAws}. */
final class FakeAwsJson {
  static final JsonMapper MAPPER = JsonMapper.builder().build();

  private FakeAwsJson() {}

  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  static ArrayNode array() {
    return MAPPER.createArrayNode();
  }

  static String write(JsonNode node) {
    return MAPPER.writeValueAsString(node);
  }

  /** The request object; an empty body counts as {@code {}}, as for an operation without input. */
  static JsonNode parse(String body) {
    if (body.isBlank()) {
      return object();
    }
    JsonNode node;
    try {
      node = MAPPER.readTree(body);
    } catch (JacksonException e) {
      throw FakeAwsError.serialization("Unable to parse the request body as JSON.");
    }
    if (node == null || !node.isObject()) {
      throw FakeAwsError.serialization("The request body must be a JSON object.");
    }
    return node;
  }

  static String string(JsonNode request, String member) {
    JsonNode node = request.get(member);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isString()) {
      throw FakeAwsError.serialization("Member " + member + " must be a string.");
    }
    return node.stringValue();
  }

  static Integer integer(JsonNode request, String member) {
    JsonNode node = request.get(member);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isIntegralNumber() || !node.canConvertToInt()) {
      throw FakeAwsError.serialization("Member " + member + " must be an integer.");
    }
    return node.intValue();
  }

  static Long longValue(JsonNode request, String member) {
    JsonNode node = request.get(member);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isIntegralNumber() || !node.canConvertToLong()) {
      throw FakeAwsError.serialization("Member " + member + " must be a long.");
    }
    return node.longValue();
  }

  static boolean bool(JsonNode request, String member) {
    JsonNode node = request.get(member);
    if (node == null || node.isNull()) {
      return false;
    }
    if (!node.isBoolean()) {
      throw FakeAwsError.serialization("Member " + member + " must be a boolean.");
    }
    return node.booleanValue();
  }

  /** A list of strings; null when the member is absent. */
  static List<String> strings(JsonNode request, String member) {
    JsonNode node = request.get(member);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isArray()) {
      throw FakeAwsError.serialization("Member " + member + " must be a list.");
    }
    List<String> values = new ArrayList<>();
    for (JsonNode value : node) {
      if (!value.isString()) {
        throw FakeAwsError.serialization("Member " + member + " must be a list of strings.");
      }
      values.add(value.stringValue());
    }
    return values;
  }

  /** A list of structures; empty when the member is absent. */
  static List<JsonNode> objects(JsonNode request, String member) {
    JsonNode node = request.get(member);
    if (node == null || node.isNull()) {
      return List.of();
    }
    if (!node.isArray()) {
      throw FakeAwsError.serialization("Member " + member + " must be a list.");
    }
    List<JsonNode> values = new ArrayList<>();
    for (JsonNode value : node) {
      if (!value.isObject()) {
        throw FakeAwsError.serialization("Member " + member + " must be a list of structures.");
      }
      values.add(value);
    }
    return values;
  }

  /** A structure member; null when absent. */
  static JsonNode structure(JsonNode request, String member) {
    JsonNode node = request.get(member);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      throw FakeAwsError.serialization("Member " + member + " must be a structure.");
    }
    return node;
  }

  static ArrayNode stringArray(List<String> values) {
    ArrayNode array = array();
    values.forEach(array::add);
    return array;
  }

  /** ECS tags: {@code [{"key": .., "value": ..}]}. */
  static ArrayNode ecsTags(Map<String, String> tags) {
    ArrayNode array = array();
    tags.forEach((key, value) -> array.addObject().put("key", key).put("value", value));
    return array;
  }

  /** ECS timestamps: epoch seconds as a JSON number, the awsJson default. */
  static BigDecimal seconds(Instant instant) {
    return BigDecimal.valueOf(instant.toEpochMilli(), 3);
  }

  /** An opaque page token. */
  static String token(String state) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(state.getBytes(StandardCharsets.UTF_8));
  }

  /** The state of a token from {@link #token}; null when it is not one. */
  static String untoken(String token) {
    try {
      return new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
