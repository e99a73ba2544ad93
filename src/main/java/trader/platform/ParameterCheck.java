package trader.platform;

import io.vertx.json.schema.JsonSchemaValidationException;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import io.vertx.json.schema.common.dsl.SchemaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.contract.Style;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.openapi.validation.ValidatorErrorType;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.openapi.validation.transformer.FormTransformer;
import io.vertx.openapi.validation.transformer.LabelTransformer;
import io.vertx.openapi.validation.transformer.MatrixTransformer;
import io.vertx.openapi.validation.transformer.ParameterTransformer;
import io.vertx.openapi.validation.transformer.SimpleTransformer;
import trader.eventsourcing.StorableText;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * One parameter of an operation, checked as vertx-openapi 5.0.8's {@code RequestValidatorImpl.validateParameter} does
 * (same transformers, same schema, same exceptions), but with its schema validator built once: the library asks
 * {@code SchemaRepository.validator(schema)} on every request, which copies the repository's whole lookup map and
 * dereferences the schema each time.
 */
final class ParameterCheck {

  /** The library's own short cut: a string parameter made of word characters is taken as it is. */
  private static final Pattern WORD = Pattern.compile("\\w+");
  /** A complete JSON number (RFC 8259), the only JSON document that starts with '-' or a digit. */
  private static final Pattern JSON_NUMBER = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");

  final Parameter parameter;
  private final ParameterTransformer transformer;
  private final Validator validator;
  /** The schema checked directly, null if only the library can check it. */
  private final PlainSchema plain;
  private final boolean plainString;

  ParameterCheck(OpenAPIContract contract, Parameter parameter) {
    this.parameter = parameter;
    this.transformer = transformer(parameter.getStyle());
    this.validator = contract.getSchemaRepository().validator(parameter.getSchema());
    this.plain = PlainSchema.of(parameter.getSchema());
    // simple and form leave a primitive to ParameterTransformer.transformPrimitive (label and matrix strip a prefix)
    this.plainString = parameter.getSchemaType() == SchemaType.STRING
      && (parameter.getStyle() == Style.SIMPLE || parameter.getStyle() == Style.FORM);
  }

  /** The value, transformed and validated; a {@link ValidatorException} (the library's) when it is not valid. */
  RequestParameter check(RequestParameter value) {
    if (value == null || value.isNull()) {
      if (parameter.isRequired()) {
        throw ValidatorException.createMissingRequiredParameter(parameter);
      }
      return new ContractRequestValidator.Value(null);
    }
    if (transformer == null) {
      throw ValidatorException.createUnsupportedValueFormat(parameter);
    }
    String raw = String.valueOf(value.get());
    refuseUnstorable(raw);
    Object transformed;
    if (plainString && decodesToItself(raw)) {
      transformed = raw;
    } else {
      transformed = transformer.transform(parameter, raw);
      // a JSON escape in the value (a backslash, "u0000") decodes to the character itself
      refuseUnstorable(transformed);
    }
    if (plain != null && plain.accepts(transformed)) {
      return new ContractRequestValidator.Value(transformed);
    }
    OutputUnit result = validator.validate(transformed);
    try {
      result.checkValidity();
    } catch (JsonSchemaValidationException e) {
      throw SchemaValidationException.createErrorFromOutputUnitType(parameter, result, e);
    }
    return new ContractRequestValidator.Value(transformed);
  }

  /** This parameter's value in {@code request}, as extracted; null if it has none. */
  RequestParameter valueIn(ValidatableRequest request) {
    return valueIn(request.getCookies(), request.getHeaders(), request.getPathParameters(), request.getQuery());
  }

  /** This parameter's value in {@code request}, as validated; null if it has none. */
  RequestParameter valueIn(ValidatedRequest request) {
    return valueIn(request.getCookies(), request.getHeaders(), request.getPathParameters(), request.getQuery());
  }

  private RequestParameter valueIn(Map<String, RequestParameter> cookies, Map<String, RequestParameter> headers,
                                   Map<String, RequestParameter> path, Map<String, RequestParameter> query) {
    Map<String, RequestParameter> values = switch (parameter.getIn()) {
      case COOKIE -> cookies;
      case HEADER -> headers;
      case PATH -> path;
      case QUERY -> query;
    };
    return values == null ? null : values.get(parameter.getName());
  }

  /** Refuses {@code value} if it holds text that cannot be stored; for operations the library validates. */
  void refuseUnstorable(RequestParameter value) {
    if (value != null && !value.isNull()) {
      refuseUnstorable(value.get());
    }
  }

  /**
   * Refuses a value holding text PostgreSQL cannot store as it is ({@link StorableText}), whatever the parameter's
   * schema: a handler may store or forward any parameter, and one such value in a batch of writes fails them all.
   */
  private void refuseUnstorable(Object value) {
    StorableText.Flaw flaw = StorableText.flawIn(value);
    if (flaw != null) {
      throw new ValidatorException("The value of " + parameter.getIn().name().toLowerCase(java.util.Locale.ROOT)
        + " parameter " + parameter.getName() + " is invalid. Reason: " + flaw.describe()
        + ", which cannot be stored", ValidatorErrorType.ILLEGAL_VALUE);
    }
  }

  /**
   * Whether the library's transformation of this string value gives the value back unchanged, decided without
   * its cost: for a string it first tries {@code Json.decodeValue(raw)}, and when that throws (as it does for a UUID,
   * a position "12-34", a date-time) it decodes {@code "raw"} instead. Two exceptions with stack traces per value,
   * on every valid request. The answer is true only when that is certain; otherwise the library decides.
   */
  static boolean decodesToItself(String raw) {
    if (WORD.matcher(raw).matches()) {
      return true;
    }
    if (raw.isEmpty()) {
      return false;
    }
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      // quoted, such a value is a JSON string that decodes to itself; '/' could start a comment (Vert.x allows them)
      if (c <= ' ' || c > '~' || c == '"' || c == '\\' || c == '/') {
        return false;
      }
    }
    char first = raw.charAt(0);
    if (first == '-' || (first >= '0' && first <= '9')) {
      return !JSON_NUMBER.matcher(raw).matches();
    }
    if (first == '[' || first == '{') {
      return false;
    }
    // a literal is matched letter by letter: a value not starting with one fails to decode (as a UUID "f3a…" does)
    return !(raw.startsWith("true") || raw.startsWith("false") || raw.startsWith("null"));
  }

  /** The transformers {@code RequestValidatorImpl} uses; other styles are refused as they are there. */
  private static ParameterTransformer transformer(Style style) {
    return switch (style) {
      case SIMPLE -> new SimpleTransformer();
      case LABEL -> new LabelTransformer();
      case MATRIX -> new MatrixTransformer();
      case FORM -> new FormTransformer();
      default -> null;
    };
  }
}
