package trader.platform;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.handler.InputTrustHandler;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaValidationException;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.RequestBody;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.openapi.validation.ValidationContext;
import io.vertx.openapi.validation.ValidatorErrorType;
import io.vertx.openapi.validation.ValidatorException;
import trader.eventsourcing.StorableText;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Validates requests against the OpenAPI contract as vertx-openapi 5.0.8's own {@link RequestValidator} does (same
 * checks, same exceptions and messages), without its per-request cost: the library builds a schema validator for
 * every parameter and body of every request and runs the validation on a worker thread ({@code executeBlocking},
 * ordered per context). Here the validators are built once per operation and a request is validated on the calling
 * thread (the event loop: the contract's values and bodies are small, the body size is limited).
 *
 * <p>Request bodies are checked for the JSON media types, the only ones {@code openapi.yaml} uses; an operation with
 * another media type is left to the library's validator.
 */
public final class ContractRequestValidator implements RequestValidator {

  private static final RequestExtractor EXTRACTOR = RequestExtractor.withBodyHandler();

  private final OpenAPIContract contract;
  private final Map<String, OperationCheck> operations = new HashMap<>();
  /** The library's validator, for the operations left to it; null if there are none. */
  private final RequestValidator library;

  /** Builds the validators of every operation of {@code contract}, once. */
  public ContractRequestValidator(Vertx vertx, OpenAPIContract contract) {
    this.contract = contract;
    contract.operations().forEach(op -> operations.put(op.getOperationId(), OperationCheck.of(contract, op)));
    library = operations.values().stream().anyMatch(check -> check.body == null)
      ? RequestValidator.create(vertx, contract) : null;
  }

  /**
   * Validates every operation of {@code builder} with this validator instead of the library's one. Call it before
   * handlers are added, as the validation must run first; {@link #answerUnserved} afterwards.
   */
  public void replaceValidationOf(RouterBuilder builder) {
    for (OpenAPIRoute route : builder.getRoutes()) {
      route.setDoValidation(false).addHandler(handler(route.getOperation()));
    }
  }

  /**
   * Lets an operation no handler serves answer 503, as {@link RouterBuilder} does for a route without handlers (ours
   * counts as one). Unlike there, its security and validation still run first.
   */
  public static void answerUnserved(RouterBuilder builder) {
    builder.getRoutes().stream().filter(route -> route.getHandlers().size() == 1)
      .forEach(route -> route.addHandler(rc -> rc.response().setStatusCode(503).end()));
  }

  /**
   * The route handler: what {@code RouterBuilderImpl} installs for a validated operation (the validated request in
   * the context under {@link RouterBuilder#KEY_META_DATA_VALIDATED_REQUEST}, a {@link ValidatorException} as a 400
   * {@link HttpException} with its message), with this validator. An {@link InputTrustHandler}, like the library's,
   * so that it has the same place among the route's handlers.
   */
  public InputTrustHandler handler(Operation operation) {
    String operationId = operation.getOperationId();
    return rc -> EXTRACTOR.extractValidatableRequest(rc, operation)
      .compose(request -> validate(request, operationId))
      .onSuccess(validated -> {
        rc.put(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST, validated);
        rc.next();
      })
      .onFailure(e -> rc.fail(e instanceof ValidatorException ? new HttpException(400, e.getMessage(), e) : e));
  }

  @Override
  public Future<ValidatedRequest> validate(HttpServerRequest request) {
    Operation operation = contract.findOperation(request.path(), request.method());
    return operation == null
      ? Future.failedFuture(ValidatorException.createOperationNotFound(request.method(), request.path()))
      : validate(request, operation.getOperationId());
  }

  @Override
  public Future<ValidatedRequest> validate(HttpServerRequest request, String operationId) {
    Operation operation = contract.operation(operationId);
    return operation == null
      ? Future.failedFuture(ValidatorException.createOperationIdInvalid(operationId))
      : ValidatableRequest.of(request, operation).compose(r -> validate(r, operationId));
  }

  /** Completes at once (no thread hop), but for an operation left to the library. */
  @Override
  public Future<ValidatedRequest> validate(ValidatableRequest request, String operationId) {
    OperationCheck check = operations.get(operationId);
    if (check == null) {
      return Future.failedFuture(ValidatorException.createOperationIdInvalid(operationId));
    }
    try {
      if (check.body == null) {
        // the library validates, and the same text check runs on what it takes: every parameter, and the body
        check.parameters.forEach(p -> p.refuseUnstorable(p.valueIn(request)));
        return library.validate(request, operationId).map(validated -> {
          check.parameters.forEach(p -> p.refuseUnstorable(p.valueIn(validated)));
          refuseUnstorableBody(validated.getBody() == null ? null : validated.getBody().get());
          return validated;
        });
      }
      return Future.succeededFuture(check.validate(request));
    } catch (ValidatorException e) {
      return Future.failedFuture(e);
    }
  }

  /**
   * Refuses a body holding text PostgreSQL cannot store as it is ({@link StorableText}): in any string value or
   * field name, at any depth, whatever the schema says, so that a field added later is covered too.
   */
  static void refuseUnstorableBody(Object body) {
    StorableText.Flaw flaw = body instanceof Buffer ? null : StorableText.flawIn(body);
    if (flaw != null) {
      throw new ValidatorException("The value of the " + ValidationContext.REQUEST + " body is invalid. Reason: "
        + flaw.describe() + ", which cannot be stored", ValidatorErrorType.ILLEGAL_VALUE);
    }
  }

  /** An operation's parameters and body, each with its validator; {@code body} null if left to the library. */
  private record OperationCheck(List<ParameterCheck> parameters, RequestBody requestBody, Map<String, BodyCheck> body) {

    static OperationCheck of(OpenAPIContract contract, Operation operation) {
      List<ParameterCheck> parameters = operation.getParameters().stream()
        .map(p -> new ParameterCheck(contract, p)).toList();
      RequestBody requestBody = operation.getRequestBody();
      Map<String, BodyCheck> body = new HashMap<>();
      for (MediaType type : requestBody == null ? List.<MediaType>of() : requestBody.getContent().values()) {
        if (!isJson(type.getIdentifier())) {
          return new OperationCheck(parameters, requestBody, null);
        }
        JsonSchema schema = type.getSchema();
        body.put(type.getIdentifier(), schema == null || isBinaryString(schema) ? new BodyCheck(null, null)
          : new BodyCheck(contract.getSchemaRepository().validator(schema), PlainSchema.of(schema)));
      }
      return new OperationCheck(parameters, requestBody, body);
    }

    /** {@code RequestValidatorImpl.validate}'s loop, without {@code executeBlocking}. */
    ValidatedRequest validate(ValidatableRequest request) {
      Map<String, RequestParameter> cookies = new HashMap<>();
      Map<String, RequestParameter> headers = new HashMap<>();
      Map<String, RequestParameter> path = new HashMap<>();
      Map<String, RequestParameter> query = new HashMap<>();
      for (ParameterCheck check : parameters) {
        String name = check.parameter.getName();
        RequestParameter value = check.check(check.valueIn(request));
        switch (check.parameter.getIn()) {
          case COOKIE -> cookies.put(name, value);
          case HEADER -> headers.put(name, value);
          case PATH -> path.put(name, value);
          case QUERY -> query.put(name, value);
        }
      }
      return new Validated(cookies, headers, path, query, validateBody(request));
    }

    /** {@code RequestValidatorImpl.validateBody} and {@code BaseValidator.validate} for the JSON media types. */
    private RequestParameter validateBody(ValidatableRequest request) {
      if (requestBody == null) {
        return new Value(null);
      }
      if (request.getBody() == null || request.getBody().isEmpty()) {
        if (requestBody.isRequired()) {
          throw new ValidatorException("The related request does not contain the required body.",
            ValidatorErrorType.MISSING_REQUIRED_PARAMETER);
        }
        return new Value(null);
      }
      MediaType type = requestBody.determineContentType(request.getContentType());
      BodyCheck check = type == null ? null : body.get(type.getIdentifier());
      if (check == null) {
        throw new ValidatorException("The format of the " + ValidationContext.REQUEST + " body is not supported",
          ValidatorErrorType.UNSUPPORTED_VALUE_FORMAT);
      }
      Buffer content = request.getBody().getBuffer(Buffer.buffer());
      Object json;
      try {
        json = Json.decodeValue(content);
      } catch (DecodeException e) {
        throw new ValidatorException("The " + ValidationContext.REQUEST + " body can't be decoded",
          ValidatorErrorType.ILLEGAL_VALUE);
      }
      refuseUnstorableBody(json);
      if (check.validator == null) {
        return new Value(content);
      }
      if (check.plain != null && check.plain.accepts(json)) {
        return new Value(json);
      }
      OutputUnit result = check.validator.validate(json);
      try {
        result.checkValidity();
      } catch (JsonSchemaValidationException e) {
        throw SchemaValidationException.createInvalidValueBody(result, ValidationContext.REQUEST, e);
      }
      return new Value(json);
    }

    /** The media types the library reads with its {@code ApplicationJsonAnalyser}. */
    private static boolean isJson(String identifier) {
      return identifier.equals(MediaType.APPLICATION_JSON) || identifier.equals(MediaType.APPLICATION_JSON_UTF8)
        || identifier.equals(MediaType.APPLICATION_HAL_JSON) || MediaType.isVendorSpecificJson(identifier);
    }

    /** {@code BaseValidator.isSchemaValidationRequired}, negated: the schema is exactly a binary string. */
    private static boolean isBinaryString(JsonSchema schema) {
      return "string".equalsIgnoreCase((String) schema.get("type"))
        && "binary".equalsIgnoreCase((String) schema.get("format")) && schema.fieldNames().size() == 2;
    }
  }

  /**
   * A media type's schema validator, null when the library would not validate the body against the schema; and the
   * schema checked directly, null if only the library can check it.
   */
  private record BodyCheck(Validator validator, PlainSchema plain) {
  }

  /** A checked value, as the library's {@code RequestParameterImpl}. */
  record Value(Object get) implements RequestParameter {
  }

  private record Validated(Map<String, RequestParameter> getCookies, Map<String, RequestParameter> getHeaders,
                           Map<String, RequestParameter> getPathParameters, Map<String, RequestParameter> getQuery,
                           RequestParameter getBody) implements ValidatedRequest {
  }
}
