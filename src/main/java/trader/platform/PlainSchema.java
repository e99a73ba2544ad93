package trader.platform;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.JsonSchema;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A JSON schema made only of plain keywords, checked directly, so that a valid request does not pay for
 * vertx-json-schema 5.0.8's validator: that compiles a schema's {@code pattern} again on every call, and its
 * validating method (9,290 bytes of bytecode, over HotSpot's 8,000-byte {@code HugeMethodLimit}) is never JIT-compiled.
 * It was an eighth of the node's Java time under {@code bench orders}.
 *
 * <p>{@link #accepts} only ever says yes where the library would: it is stricter where that is simpler (an integer
 * must be an {@code Integer} or {@code Long}, a string with surrogate pairs is not measured). A value it does not
 * accept goes to the library, which gives its own answer and error messages.
 *
 * <p>The keywords: {@code type} (one of string, integer, boolean, object), {@code enum} of strings, {@code pattern},
 * {@code minLength} and {@code maxLength} on strings; {@code minimum} and {@code maximum} on integers;
 * {@code properties}, {@code required} and {@code additionalProperties} (a boolean) on objects; the annotations
 * {@code description}, {@code title}, {@code example} and the contract loader's {@code __absolute_uri__}.
 */
final class PlainSchema {

  private static final Set<String> ANNOTATIONS = Set.of("description", "title", "example", "__absolute_uri__");

  private final String type;
  private final Set<String> values;
  private final Pattern pattern;
  private final int minLength;
  private final int maxLength;
  private final long minimum;
  private final long maximum;
  private final Map<String, PlainSchema> properties;
  private final List<String> required;
  private final boolean additionalProperties;

  private PlainSchema(JsonObject schema, Map<String, PlainSchema> properties) {
    type = schema.getString("type");
    values = schema.containsKey("enum") ? Set.copyOf(strings(schema.getJsonArray("enum"))) : null;
    pattern = schema.containsKey("pattern") ? Pattern.compile(schema.getString("pattern")) : null;
    minLength = schema.getInteger("minLength", 0);
    maxLength = schema.getInteger("maxLength", Integer.MAX_VALUE);
    minimum = schema.getLong("minimum", Long.MIN_VALUE);
    maximum = schema.getLong("maximum", Long.MAX_VALUE);
    this.properties = properties;
    required = schema.containsKey("required") ? strings(schema.getJsonArray("required")) : List.of();
    additionalProperties = schema.getBoolean("additionalProperties", true);
  }

  /** The schema as a plain one; null if it uses anything else (then the library checks every value). */
  static PlainSchema of(JsonSchema schema) {
    return schema == null ? null : of(json(schema));
  }

  /** A schema's keywords as a JSON object (through the public interface, whatever class implements it). */
  static JsonObject json(JsonSchema schema) {
    JsonObject json = new JsonObject();
    for (String name : schema.fieldNames()) {
      json.put(name, (Object) schema.get(name));
    }
    return json;
  }

  private static PlainSchema of(JsonObject schema) {
    Object type = schema.getValue("type");
    if (!(type instanceof String)) {
      return null;
    }
    Map<String, PlainSchema> properties = new HashMap<>();
    for (Map.Entry<String, Object> keyword : schema) {
      String name = keyword.getKey();
      Object value = keyword.getValue();
      boolean plain = ANNOTATIONS.contains(name) || switch (name) {
        case "type" -> Set.of("string", "integer", "boolean", "object").contains(type);
        case "enum" -> type.equals("string") && value instanceof JsonArray list && isStrings(list);
        case "pattern" -> type.equals("string") && value instanceof String;
        case "minLength", "maxLength" -> type.equals("string") && value instanceof Integer n && n >= 0;
        case "minimum", "maximum" -> type.equals("integer") && (value instanceof Integer || value instanceof Long);
        case "required" -> type.equals("object") && value instanceof JsonArray list && isStrings(list);
        case "additionalProperties" -> type.equals("object") && value instanceof Boolean;
        case "properties" -> type.equals("object") && value instanceof JsonObject map && addAll(map, properties);
        default -> false;
      };
      if (!plain) {
        return null;
      }
    }
    return new PlainSchema(schema, properties);
  }

  /** Whether {@code value} certainly meets the schema; false also when only the library can tell. */
  boolean accepts(Object value) {
    return switch (type) {
      case "string" -> value instanceof String s && acceptsString(s);
      case "integer" -> (value instanceof Integer || value instanceof Long)
        && ((Number) value).longValue() >= minimum && ((Number) value).longValue() <= maximum;
      case "boolean" -> value instanceof Boolean;
      case "object" -> value instanceof JsonObject object && acceptsObject(object);
      default -> false;
    };
  }

  private boolean acceptsString(String s) {
    if (minLength > 0 || maxLength < Integer.MAX_VALUE) {
      for (int i = 0; i < s.length(); i++) {
        if (Character.isSurrogate(s.charAt(i))) {
          return false; // the library counts such a pair as one; let it measure
        }
      }
      if (s.length() < minLength || s.length() > maxLength) {
        return false;
      }
    }
    return (values == null || values.contains(s)) && (pattern == null || pattern.matcher(s).find());
  }

  private boolean acceptsObject(JsonObject object) {
    for (String name : required) {
      if (!object.containsKey(name)) {
        return false;
      }
    }
    for (Map.Entry<String, Object> field : object) {
      PlainSchema property = properties.get(field.getKey());
      if (property == null ? !additionalProperties : !property.accepts(field.getValue())) {
        return false;
      }
    }
    return true;
  }

  private static boolean addAll(JsonObject schemas, Map<String, PlainSchema> into) {
    for (Map.Entry<String, Object> property : schemas) {
      PlainSchema schema = property.getValue() instanceof JsonObject json ? of(json) : null;
      if (schema == null) {
        return false;
      }
      into.put(property.getKey(), schema);
    }
    return true;
  }

  private static boolean isStrings(JsonArray list) {
    return list.stream().allMatch(String.class::isInstance);
  }

  private static List<String> strings(JsonArray list) {
    return list.stream().map(String.class::cast).toList();
  }
}
