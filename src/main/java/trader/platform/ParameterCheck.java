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
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.openapi.validation.transformer.FormTransformer;
import io.vertx.openapi.validation.transformer.LabelTransformer;
import io.vertx.openapi.validation.transformer.MatrixTransformer;
import io.vertx.openapi.validation.transformer.ParameterTransformer;
import io.vertx.openapi.validation.transformer.SimpleTransformer;

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
    Object transformed = plainString && decodesToItself(raw) ? raw : transformer.transform(parameter, raw);
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
