package dev.vkj.provider.fargate;

import static dev.vkj.provider.fargate.FakeAwsJson.bool;
import static dev.vkj.provider.fargate.FakeAwsJson.integer;
import static dev.vkj.provider.fargate.FakeAwsJson.object;
import static dev.vkj.provider.fargate.FakeAwsJson.objects;
import static dev.vkj.provider.fargate.FakeAwsJson.seconds;
import static dev.vkj.provider.fargate.FakeAwsJson.string;
import static dev.vkj.provider.fargate.FakeAwsJson.strings;
import static dev.vkj.provider.fargate.FakeAwsJson.token;
import static dev.vkj.provider.fargate.FakeAwsJson.untoken;

import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The SSM Parameter Store part of {@link FakeAws}. Every method runs under the fake's lock. */
final class FakeAwsSsm {
  private static final String ARN_PREFIX =
      "arn:aws:ssm:" + FakeAws.REGION + ":" + FakeAws.ACCOUNT + ":parameter";
  private static final Pattern ANY_ARN = Pattern.compile("arn:aws:ssm:[^:]*:[^:]*:parameter/(.+)");
  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_.\\-/]{1,2048}");
  private static final Pattern RESERVED = Pattern.compile("(?i)/?(aws|ssm).*");
  private static final Set<String> TYPES = Set.of("String", "StringList", "SecureString");
  private static final String BAD_NAME =
      "Parameter name: can't be prefixed with \"aws\" or \"ssm\" (case-insensitive). If formed as"
          + " a path, it can consist of sub-paths divided by slash symbol; each sub-path can be"
          + " formed as a mix of letters, numbers and the following 3 symbols .-_";

  private static final class Parameter {
    final String name;
    final Map<String, String> tags = new LinkedHashMap<>();
    String type;
    String value;
    String ciphertext;
    String description;
    String keyId;
    String tier = "Standard";
    long version;
    Instant lastModified;

    Parameter(String name) {
      this.name = name;
    }
  }

  private final Map<String, Parameter> parameters = new TreeMap<>();
  // ciphertext stand-ins need only be opaque, not secure
  private final Random random = new Random(42);

  JsonNode handle(String operation, JsonNode request, Instant now) {
    return switch (operation) {
      case "PutParameter" -> putParameter(request, now);
      case "GetParameter" -> getParameter(request);
      case "GetParameters" -> getParameters(request);
      case "GetParametersByPath" -> getParametersByPath(request);
      case "DeleteParameter" -> deleteParameter(request);
      case "DeleteParameters" -> deleteParameters(request);
      case "AddTagsToResource" -> addTagsToResource(request);
      case "RemoveTagsFromResource" -> removeTagsFromResource(request);
      case "ListTagsForResource" -> listTagsForResource(request);
      default -> throw FakeAws.unknownOperation(operation);
    };
  }

  void reset() {
    parameters.clear();
  }

  Map<String, String> values() {
    Map<String, String> values = new TreeMap<>();
    parameters.forEach((name, p) -> values.put(name, p.value));
    return values;
  }

  /** Whether an ECS secret's {@code valueFrom} (a name or a parameter ARN) names a parameter. */
  boolean exists(String valueFrom) {
    Matcher m = ANY_ARN.matcher(valueFrom);
    if (m.matches()) {
      return parameters.containsKey(m.group(1)) || parameters.containsKey("/" + m.group(1));
    }
    return find(valueFrom) != null;
  }

  private JsonNode putParameter(JsonNode request, Instant now) {
    String name = required(request, "Name");
    checkName(name);
    String value = required(request, "Value");
    String type = string(request, "Type");
    if (type != null && !TYPES.contains(type)) {
      throw invalidEnum(type, "type", TYPES);
    }
    String tier = string(request, "Tier");
    int maxLength = "Advanced".equals(tier) ? 8192 : 4096;
    if (value.length() > maxLength) {
      throw FakeAwsError.ssmValidation(
          "Standard tier parameters support a maximum parameter value of 4096 characters. To"
              + " create a larger parameter value, upgrade the parameter to use the"
              + " advanced-parameter tier.");
    }
    boolean overwrite = bool(request, "Overwrite");
    List<JsonNode> tags = objects(request, "Tags");
    if (overwrite && !tags.isEmpty()) {
      throw FakeAwsError.ssmValidation(
          "Invalid request: tags and overwrite can't be used together. To create a parameter"
              + " with tags, please remove overwrite flag. To update tags for an existing"
              + " parameter, please use AddTagsToResource or RemoveTagsFromResource.");
    }
    Parameter existing = parameters.get(name);
    if (existing != null && !overwrite) {
      throw FakeAwsError.client(
          "ParameterAlreadyExists",
          "The parameter already exists. To overwrite this value, set the overwrite option in the"
              + " request to true.");
    }
    if (existing != null && type != null && !type.equals(existing.type)) {
      throw FakeAwsError.client(
          "HierarchyTypeMismatchException",
          "Parameter Store doesn't support changing a parameter type in a hierarchy. For example,"
              + " you can't change a parameter from a String type to a SecureString type. You must"
              + " create a new, unique parameter.");
    }
    if (existing == null && type == null) {
      throw FakeAwsError.ssmValidation("A parameter type is required when you create a parameter.");
    }
    String effectiveType = type != null ? type : existing.type;
    String keyId = string(request, "KeyId");
    if (keyId != null && !effectiveType.equals("SecureString")) {
      throw FakeAwsError.ssmValidation("KeyId is required for SecureString type parameter only.");
    }
    Parameter p = existing != null ? existing : new Parameter(name);
    p.type = effectiveType;
    p.value = value;
    byte[] blob = new byte[48];
    random.nextBytes(blob);
    p.ciphertext = "AQICAH" + Base64.getEncoder().encodeToString(blob);
    p.keyId = keyId != null ? keyId : p.keyId;
    p.description = request.has("Description") ? string(request, "Description") : p.description;
    p.tier = "Advanced".equals(tier) ? "Advanced" : p.tier;
    p.version++;
    p.lastModified = now;
    for (JsonNode tag : tags) {
      p.tags.put(required(tag, "Key"), string(tag, "Value"));
    }
    parameters.put(name, p);
    return object().put("Version", p.version).put("Tier", p.tier);
  }

  private JsonNode getParameter(JsonNode request) {
    String name = required(request, "Name");
    Parameter p = find(name);
    if (p == null) {
      throw notFound(name);
    }
    ObjectNode answer = object();
    answer.set("Parameter", render(p, bool(request, "WithDecryption")));
    return answer;
  }

  private JsonNode getParameters(JsonNode request) {
    List<String> names = names(request);
    boolean decrypt = bool(request, "WithDecryption");
    ObjectNode answer = object();
    ArrayNode found = answer.putArray("Parameters");
    ArrayNode invalid = answer.putArray("InvalidParameters");
    for (String name : names) {
      Parameter p = find(name);
      if (p == null) {
        invalid.add(name);
      } else {
        found.add(render(p, decrypt));
      }
    }
    return answer;
  }

  private JsonNode getParametersByPath(JsonNode request) {
    String path = required(request, "Path");
    if (!path.startsWith("/") || !NAME.matcher(path).matches()) {
      throw FakeAwsError.ssmValidation(
          "The parameter doesn't meet the parameter name requirements. The parameter name must"
              + " begin with a forward slash \"/\".");
    }
    String prefix = path.endsWith("/") ? path : path + "/";
    boolean recursive = bool(request, "Recursive");
    boolean decrypt = bool(request, "WithDecryption");
    Integer maxResults = integer(request, "MaxResults");
    int max = maxResults == null ? 10 : maxResults;
    if (max < 1 || max > 10) {
      throw FakeAwsError.ssmValidation(
          "1 validation error detected: Value '"
              + max
              + "' at 'maxResults' failed to satisfy constraint: Member must have value less than"
              + " or equal to 10");
    }
    String after = null;
    String token = string(request, "NextToken");
    if (token != null) {
      String state = untoken(token);
      if (state == null || !state.startsWith("p:")) {
        throw FakeAwsError.client("InvalidNextToken", "The specified token isn't valid.");
      }
      after = state.substring(2);
    }
    ObjectNode answer = object();
    ArrayNode out = answer.putArray("Parameters");
    String last = null;
    for (Parameter p : parameters.values()) {
      String rest = p.name.startsWith(prefix) ? p.name.substring(prefix.length()) : null;
      if (rest == null
          || rest.isEmpty()
          || (!recursive && rest.contains("/"))
          || (after != null && p.name.compareTo(after) <= 0)) {
        continue;
      }
      if (out.size() == max) {
        answer.put("NextToken", token("p:" + last));
        break;
      }
      out.add(render(p, decrypt));
      last = p.name;
    }
    return answer;
  }

  private JsonNode deleteParameter(JsonNode request) {
    String name = required(request, "Name");
    Parameter p = find(name);
    if (p == null) {
      throw notFound(name);
    }
    parameters.remove(p.name);
    return object();
  }

  private JsonNode deleteParameters(JsonNode request) {
    ObjectNode answer = object();
    ArrayNode deleted = answer.putArray("DeletedParameters");
    ArrayNode invalid = answer.putArray("InvalidParameters");
    for (String name : names(request)) {
      Parameter p = find(name);
      if (p == null) {
        invalid.add(name);
      } else {
        parameters.remove(p.name);
        deleted.add(name);
      }
    }
    return answer;
  }

  private JsonNode addTagsToResource(JsonNode request) {
    Parameter p = resource(request);
    List<JsonNode> tags = objects(request, "Tags");
    for (JsonNode tag : tags) {
      p.tags.put(required(tag, "Key"), string(tag, "Value"));
    }
    if (p.tags.size() > 50) {
      throw FakeAwsError.client(
          "TooManyTagsError", "The Targets parameter includes too many tags. Remove one or more.");
    }
    return object();
  }

  private JsonNode removeTagsFromResource(JsonNode request) {
    Parameter p = resource(request);
    List<String> keys = strings(request, "TagKeys");
    if (keys != null) {
      keys.forEach(p.tags::remove);
    }
    return object();
  }

  private JsonNode listTagsForResource(JsonNode request) {
    Parameter p = resource(request);
    ObjectNode answer = object();
    ArrayNode list = answer.putArray("TagList");
    p.tags.forEach((key, value) -> list.addObject().put("Key", key).put("Value", value));
    return answer;
  }

  private Parameter resource(JsonNode request) {
    String type = required(request, "ResourceType");
    if (!type.equals("Parameter")) {
      throw FakeAwsError.client(
          "InvalidResourceType", "The resource type isn't supported by this fake: " + type);
    }
    Parameter p = find(required(request, "ResourceId"));
    if (p == null) {
      throw FakeAwsError.client(
          "InvalidResourceId",
          "The resource ID isn't valid. Verify that you entered the correct ID and try again.");
    }
    return p;
  }

  private ObjectNode render(Parameter p, boolean decrypt) {
    boolean hidden = p.type.equals("SecureString") && !decrypt;
    ObjectNode out =
        object()
            .put("Name", p.name)
            .put("Type", p.type)
            .put("Value", hidden ? p.ciphertext : p.value)
            .put("Version", p.version)
            .put("LastModifiedDate", seconds(p.lastModified))
            .put("ARN", arn(p.name))
            .put("DataType", "text");
    return out;
  }

  private static String arn(String name) {
    return ARN_PREFIX + (name.startsWith("/") ? name : "/" + name);
  }

  /** A parameter by name or ARN; an ARN's {@code parameter/a/b} is the name {@code /a/b}. */
  private Parameter find(String nameOrArn) {
    if (nameOrArn.startsWith(ARN_PREFIX + "/")) {
      String rest = nameOrArn.substring(ARN_PREFIX.length() + 1);
      Parameter plain = parameters.get(rest);
      return plain != null ? plain : parameters.get("/" + rest);
    }
    return parameters.get(nameOrArn);
  }

  private static List<String> names(JsonNode request) {
    List<String> names = strings(request, "Names");
    if (names == null || names.isEmpty() || names.size() > 10) {
      throw FakeAwsError.ssmValidation(
          "1 validation error detected: Value at 'names' failed to satisfy constraint: Member"
              + " must have length less than or equal to 10 and greater than or equal to 1");
    }
    return names;
  }

  private static void checkName(String name) {
    boolean valid =
        NAME.matcher(name).matches()
            && !RESERVED.matcher(name).matches()
            && (!name.contains("/") || name.startsWith("/"))
            && !name.contains("//");
    if (!valid) {
      throw FakeAwsError.ssmValidation(BAD_NAME);
    }
    if (name.chars().filter(c -> c == '/').count() > 15) {
      throw FakeAwsError.client(
          "HierarchyLevelLimitExceededException",
          "A hierarchy can have a maximum of 15 levels. For more information, see Requirements"
              + " and constraints for parameter names in the Amazon Web Services Systems Manager"
              + " User Guide.");
    }
  }

  private static String required(JsonNode request, String member) {
    String value = string(request, member);
    if (value == null) {
      throw FakeAwsError.ssmValidation(
          "1 validation error detected: Value null at '"
              + Character.toLowerCase(member.charAt(0))
              + member.substring(1)
              + "' failed to satisfy constraint: Member must not be null");
    }
    return value;
  }

  private static FakeAwsError notFound(String name) {
    return FakeAwsError.client("ParameterNotFound", "Parameter " + name + " not found.");
  }

  private static FakeAwsError invalidEnum(String value, String member, Set<String> allowed) {
    return FakeAwsError.ssmValidation(
        "1 validation error detected: Value '"
            + value
            + "' at '"
            + member
            + "' failed to satisfy constraint: Member must satisfy enum value set: "
            + allowed);
  }
}
