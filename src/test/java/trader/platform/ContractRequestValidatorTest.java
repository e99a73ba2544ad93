package trader.platform;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.json.schema.JsonSchema;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.openapi.validation.transformer.SimpleTransformer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ContractRequestValidator} against vertx-openapi's own validator on the same contract and requests: the same
 * values or the same exception (class, type, message); and, mounted on a router, 400 problem answers for bad input.
 */
class ContractRequestValidatorTest {

  static final String ORDER = "0f8e2a7c-3b1d-4e5f-9a6b-7c8d9e0f1a2b";
  static final String ORDER_WITH_DIGITS_FIRST = "12345678-1234-4234-8234-123456789abc";

  static Vertx vertx;
  static OpenAPIContract contract;
  static RequestValidator library;
  static ContractRequestValidator ours;

  @BeforeAll
  static void load() {
    vertx = Vertx.vertx();
    contract = OpenAPIContract.from(vertx, HttpVerticle.CONTRACT).await();
    library = RequestValidator.create(vertx, contract);
    ours = new ContractRequestValidator(vertx, contract);
  }

  @AfterAll
  static void close() {
    vertx.close().await();
  }

  @Test
  void answersAsTheLibraryDoes() {
    List<Case> cases = new ArrayList<>();
    for (String id : new String[] {ORDER, ORDER_WITH_DIGITS_FIRST, "not-an-id", "12345678", "-5", "1.5", "1e5",
      "\"quoted\"", "[1]", "true", "/*x*/1", " 5", "a b", "é", "%", ""}) {
      cases.add(new Case("getOrder", Map.of("orderId", id), Map.of(), Map.of(), null));
      cases.add(new Case("getOrder", Map.of("orderId", ORDER), Map.of("position", id), Map.of(), null));
    }
    cases.add(new Case("getOrder", Map.of(), Map.of(), Map.of(), null));
    cases.add(new Case("getOrder", Map.of("orderId", ORDER), Map.of("position", "12-34"), Map.of(), null));
    cases.add(new Case("getOrder", Map.of("orderId", ORDER), Map.of("position", "99999999999999999999-1"), Map.of(),
      null));
    for (String status : new String[] {"OPEN", "open", "FILLED,OPEN"}) {
      cases.add(new Case("listOrders", Map.of("portfolioId", ORDER), Map.of("status", status), Map.of(), null));
    }
    for (String id : new String[] {"1", "0", "abc", "1.5", "-3", "9223372036854775808"}) {
      cases.add(new Case("getProjectionRebuild", Map.of("id", id), Map.of(), Map.of(), null));
    }
    for (String name : new String[] {"ok_name", "Not-A-Name", "x".repeat(50)}) {
      cases.add(new Case("rebuildProjection", Map.of("name", name), Map.of(), Map.of(), null));
    }
    for (String symbol : new String[] {"AAPL", "BRK.B", "BF-B", "bad symbol!!"}) {
      cases.add(new Case("getCandles", Map.of("symbol", symbol), Map.of("from", "2026-01-02T03:04:05Z"), Map.of(),
        null));
    }
    cases.add(new Case("getCandles", Map.of("symbol", "AAPL"), Map.of("from", "yesterday"), Map.of(), null));
    String order = "{\"symbol\":\"AAPL\",\"side\":\"BUY\",\"quantity\":10,\"type\":\"MARKET\",\"timeInForce\":\"DAY\"}";
    for (String body : new String[] {order, order.replace("10", "0"), order.replace("}", ",\"admin\":true}"),
      order.replace("\"BUY\"", "\"HOLD\""), "{", "[]", "", null}) {
      cases.add(new Case("placeOrder", Map.of("portfolioId", ORDER), Map.of(), Map.of(), body));
    }
    for (String key : new String[] {ORDER, "not a key!", "k:1.2_3"}) {
      cases.add(new Case("placeOrder", Map.of("portfolioId", ORDER), Map.of(), Map.of("Idempotency-Key", key), order));
    }
    cases.add(new Case("placeOrder", Map.of("portfolioId", ORDER), Map.of(), Map.of(), order, "text/plain"));
    cases.add(new Case("requestTransfer", Map.of(), Map.of(), Map.of(),
      "{\"from\":{\"kind\":\"savings\"},\"to\":{\"kind\":\"portfolio\",\"id\":\"p\"},\"amount\":\"1.001\"}"));
    cases.add(new Case("signup", Map.of(), Map.of(), Map.of(), "{\"username\":\"no spaces\",\"password\":\"x\"}"));
    cases.add(new Case("getInfo", Map.of(), Map.of(), Map.of(), null));
    cases.add(new Case("noSuchOperation", Map.of(), Map.of(), Map.of(), null));

    int failures = 0;
    for (Case c : cases) {
      String expected = outcome(library.validate(c.request(), c.operation()));
      assertThat(outcome(ours.validate(c.request(), c.operation()))).as(c.toString()).isEqualTo(expected);
      failures += expected.startsWith("ok") ? 0 : 1;
    }
    assertThat(failures).as("bad inputs among the cases").isGreaterThan(cases.size() / 3);
  }

  /** A value each parameter of the contract takes, by name, so that a request fails only by the value under test. */
  static final Map<String, String> VALID = Map.ofEntries(Map.entry("orderId", ORDER), Map.entry("portfolioId", ORDER),
    Map.entry("transferId", ORDER), Map.entry("position", "12-34"), Map.entry("status", "OPEN"),
    Map.entry("symbol", "AAPL"), Map.entry("from", "2026-01-02T03:04:05Z"), Map.entry("to", "2026-01-02T04:04:05Z"),
    Map.entry("name", "ok_name"), Map.entry("id", "1"), Map.entry("subscriber", "broker"), Map.entry("topic", "t"),
    Map.entry("key", "k"), Map.entry("all", "true"), Map.entry("limit", "10"), Map.entry("action", "redrive"));
  static final String[] UNSTORABLE = {"a\u0000b", "\uD800", "x\uDC00", "\uD83D\uDE00\uDBFF"};

  /**
   * Every parameter of every operation of the contract (path, query, header), whatever its schema, refuses text
   * PostgreSQL cannot store, naming the parameter; raw, or once decoded from a JSON escape.
   */
  @Test
  void everyParameterRefusesTextThatCannotBeStored() {
    int checked = 0;
    for (Operation op : contract.operations()) {
      for (Parameter hostile : op.getParameters()) {
        List<String> values = new ArrayList<>(List.of(UNSTORABLE));
        values.add("\"\\u0000\""); // a JSON string whose escape the library's transformation decodes
        for (String value : values) {
          Map<String, Map<String, String>> in = Map.of("path", new HashMap<>(), "query", new HashMap<>(),
            "header", new HashMap<>());
          for (Parameter p : op.getParameters()) {
            String location = p.getIn().name().toLowerCase(java.util.Locale.ROOT);
            assertThat(VALID).as("a valid value for " + p.getName()).containsKey(p.getName().equals(
              "Idempotency-Key") ? "id" : p.getName());
            in.get(location).put(p.getName(), p == hostile ? value : p.getName().equals("Idempotency-Key") ? "k-1"
              : VALID.get(p.getName()));
          }
          String body = op.getRequestBody() == null ? null : "{}";
          Case c = new Case(op.getOperationId(), in.get("path"), in.get("query"), in.get("header"), body);
          String outcome = outcome(ours.validate(c.request(), c.operation()));
          if (value.startsWith("\"")) {
            // decoded only where the library transforms the value (not a plain string, or not a plain word)
            if (!outcome.startsWith("ok")) {
              assertThat(outcome).as(c.toString()).contains(hostile.getName());
            }
            continue;
          }
          assertThat(outcome).as(c.toString()).startsWith("ValidatorException ILLEGAL_VALUE The value of "
            + hostile.getIn().name().toLowerCase(java.util.Locale.ROOT) + " parameter " + hostile.getName()
            + " is invalid. Reason: the value holds ").endsWith(", which cannot be stored");
          checked++;
        }
      }
    }
    assertThat(checked).as("parameters of the contract, four values each").isGreaterThan(4 * 20);
    Case escaped = new Case("getProjectionRebuild", Map.of("id", "\"\\u0000\""), Map.of(), Map.of(), null);
    assertThat(outcome(ours.validate(escaped.request(), escaped.operation()))).as("an integer parameter, decoded")
      .contains("parameter id is invalid. Reason: the value holds U+0000 at character 0");
  }

  /**
   * Every JSON body refuses text PostgreSQL cannot store in any string value or field name at any depth, whatever
   * the schema says of that field (even one it does not know), naming where it is; the library's validation alone
   * takes a portfolio name with a NUL.
   */
  @Test
  void everyBodyRefusesTextThatCannotBeStoredAnywhere() {
    List<String> bodies = List.of("{\"name\":\"%s\"}", "{\"symbol\":\"AA%sPL\",\"side\":\"BUY\"}",
      "{\"from\":{\"kind\":\"savings\"},\"to\":{\"kind\":\"portfolio\",\"id\":\"p%s\"}}",
      "{\"username\":\"ann\",\"x%s\":1}", "{\"a\":[1,{\"b\":[\"%s\"]}]}", "\"%s\"");
    List<String> pointers = List.of("field /name", "field /symbol", "field /to/id", "the name of field /x",
      "field /a/1/b/0", "the value");
    // as a client sends them: JSON escapes, and the bytes of a lone surrogate (CESU-8) or of an overlong NUL
    Map<String, byte[]> encodings = new java.util.LinkedHashMap<>();
    encodings.put("\\u0000", null);
    encodings.put("\\ud800", null);
    encodings.put("\\udc00x", null);
    encodings.put("CESU-8 ED A0 80", new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80});
    encodings.put("overlong C0 80", new byte[] {(byte) 0xC0, (byte) 0x80});
    int checked = 0;
    for (Operation op : contract.operations()) {
      if (op.getRequestBody() == null) {
        continue;
      }
      for (int b = 0; b < bodies.size(); b++) {
        for (Map.Entry<String, byte[]> bad : encodings.entrySet()) {
          String[] around = bodies.get(b).split("%s");
          Buffer body = Buffer.buffer(around[0]);
          body = bad.getValue() == null ? body.appendString(bad.getKey()) : body.appendBytes(bad.getValue());
          body.appendString(around[1]);
          Map<String, String> path = new HashMap<>();
          op.getParameters().stream().filter(p -> p.getIn().name().equals("PATH"))
            .forEach(p -> path.put(p.getName(), VALID.get(p.getName())));
          ValidatableRequest request = new Request(Map.of(), Map.of(), wrap(path), Map.of(),
            new ContractRequestValidator.Value(body), "application/json");
          String outcome = outcome(ours.validate(request, op.getOperationId()));
          assertThat(outcome).as(op.getOperationId() + " " + body).startsWith("ValidatorException ILLEGAL_VALUE"
            + " The value of the request body is invalid. Reason: " + pointers.get(b)).contains(" holds ")
            .endsWith(", which cannot be stored");
          checked++;
        }
      }
    }
    assertThat(checked).as("5 operations with a body").isGreaterThanOrEqualTo(5 * 6 * 5);
    ValidatableRequest nul = new Request(Map.of(), Map.of(), Map.of(), Map.of(), new ContractRequestValidator.Value(
      Buffer.buffer("{\"name\":\"a\\u0000b\"}")), "application/json");
    assertThat(outcome(library.validate(nul, "openPortfolio"))).as("the contract alone").startsWith("ok");
    assertThat(outcome(ours.validate(nul, "openPortfolio")))
      .endsWith("field /name holds U+0000 at character 1, which cannot be stored");
  }

  private static Map<String, RequestParameter> wrap(Map<String, String> values) {
    Map<String, RequestParameter> wrapped = new HashMap<>();
    values.forEach((name, value) -> wrapped.put(name, new ContractRequestValidator.Value(value)));
    return wrapped;
  }

  /**
   * An operation the library validates itself (here a multipart form, a media type the direct checks leave to it)
   * gets the same text check: its parameters before, the values it decodes after.
   */
  @Test
  void anOperationLeftToTheLibraryRefusesTextThatCannotBeStoredToo() {
    JsonObject spec = new JsonObject("""
      {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/upload": {"post": {
        "operationId": "upload",
        "parameters": [{"name": "note", "in": "query", "required": false, "schema": {"type": "string"}}],
        "requestBody": {"required": true, "content": {"multipart/form-data": {"schema": {"type": "object",
          "properties": {"title": {"type": "object"}}}}}},
        "responses": {"200": {"description": "ok"}}}}}}""");
    OpenAPIContract multipart = OpenAPIContract.from(vertx, spec).await();
    ContractRequestValidator validator = new ContractRequestValidator(vertx, multipart);
    String form = "--b\r\nContent-Disposition: form-data; name=\"title\"\r\nContent-Type: application/json\r\n\r\n%s\r\n--b--\r\n";
    java.util.function.BiFunction<String, String, String> upload = (note, title) -> outcome(validator.validate(
      new Request(Map.of(), Map.of(), Map.of(), note == null ? Map.of() : wrap(Map.of("note", note)),
        new ContractRequestValidator.Value(Buffer.buffer(form.formatted(title))), "multipart/form-data; boundary=b"),
      "upload"));

    assertThat(upload.apply("fine", "{\"text\":\"a title\"}")).startsWith("ok");
    assertThat(upload.apply("n\u0000", "{}"))
      .contains("query parameter note is invalid. Reason: the value holds U+0000 at character 1");
    assertThat(upload.apply(null, "{\"text\":\"a\\u0000title\"}"))
      .contains("request body is invalid. Reason: field /title/text holds U+0000 at character 1");
  }

  /** The short cut for string values must agree with the library's transformation wherever it is taken. */
  @Test
  void takesAStringAsItIsOnlyWhereTheLibraryWould() {
    Parameter orderId = contract.operation("getOrder").getParameters().stream()
      .filter(p -> p.getName().equals("orderId")).findFirst().orElseThrow();
    SimpleTransformer transformer = new SimpleTransformer();
    String alphabet = "-+.eE0123456789aZ_\"\\/*[]{}truefalsn :é";
    Random random = new Random(7);
    int taken = 0;
    for (int i = 0; i < 20_000; i++) {
      StringBuilder s = new StringBuilder();
      for (int n = random.nextInt(8); n > 0; n--) {
        s.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String raw = s.toString();
      if (ParameterCheck.decodesToItself(raw)) {
        taken++;
        assertThat(transformer.transform(orderId, raw)).as(raw).isEqualTo(raw);
      }
    }
    assertThat(taken).isGreaterThan(1000);
    assertThat(ParameterCheck.decodesToItself(ORDER)).isTrue();
    assertThat(ParameterCheck.decodesToItself(ORDER_WITH_DIGITS_FIRST)).isTrue();
    assertThat(ParameterCheck.decodesToItself("12-34")).isTrue();
    assertThat(ParameterCheck.decodesToItself("f6afb2d4-5e1c-4d6a-9b1e-0c2d3e4f5a6b")).isTrue();
    assertThat(ParameterCheck.decodesToItself("null-1")).isFalse();
    for (String raw : new String[] {"nul-", "tru:", "f-1", "fals:", "true-1", "false:x", "null", "n"}) {
      if (ParameterCheck.decodesToItself(raw)) {
        assertThat(transformer.transform(orderId, raw)).as(raw).isEqualTo(raw);
      }
    }
  }

  /**
   * Over every parameter and JSON body schema of the contract: {@link PlainSchema} accepts a value only if the
   * library's validator finds it valid; the values are random, and mutations of valid ones.
   */
  @Test
  void thePlainSchemaAcceptsOnlyWhatTheLibraryDoes() {
    Map<String, JsonSchema> schemas = new TreeMap<>();
    for (Operation op : contract.operations()) {
      op.getParameters().forEach(p -> schemas.put(op.getOperationId() + " " + p.getName(), p.getSchema()));
      if (op.getRequestBody() != null) {
        op.getRequestBody().getContent().forEach((type, media) -> schemas.put(op.getOperationId() + " body",
          media.getSchema()));
      }
    }
    Random random = new Random(11);
    int plain = 0;
    int accepted = 0;
    for (Map.Entry<String, JsonSchema> entry : schemas.entrySet()) {
      PlainSchema ours = PlainSchema.of(entry.getValue());
      if (ours == null) {
        continue;
      }
      plain++;
      io.vertx.json.schema.Validator theirs = contract.getSchemaRepository().validator(entry.getValue());
      for (int i = 0; i < 3000; i++) {
        Object built = randomValue(PlainSchema.json(entry.getValue()), random, 0);
        // as built, and as a request body decodes (nested objects then are maps inside the JsonObject)
        for (Object value : new Object[] {built, Json.decodeValue(Json.encode(built))}) {
          boolean valid = theirs.validate(value).getValid();
          if (ours.accepts(value)) {
            accepted++;
            assertThat(valid).as(entry.getKey() + " " + value).isTrue();
          } else if (valid) {
            // stricter than the library only where it says so: a string with a surrogate pair, a number like 1.0
            assertThat(Json.encode(value).chars().anyMatch(c -> Character.isSurrogate((char) c)) || hasDouble(value))
              .as("left to the library: " + entry.getKey() + " " + value).isTrue();
          }
        }
      }
    }
    assertThat(plain).as("plain schemas among " + schemas.keySet()).isGreaterThan(15);
    assertThat(accepted).isGreaterThan(10_000);
    PlainSchema order = PlainSchema.of(contract.operation("placeOrder").getRequestBody().getContent()
      .get("application/json").getSchema());
    assertThat(order.accepts(new JsonObject("{\"symbol\":\"AAPL\",\"side\":\"BUY\",\"quantity\":10,"
      + "\"type\":\"LIMIT\",\"limitPrice\":\"10.05\",\"timeInForce\":\"DAY\"}"))).isTrue();
    assertThat(order.accepts(new JsonObject("{\"symbol\":\"AAPL\",\"side\":\"BUY\",\"quantity\":10,"
      + "\"type\":\"LIMIT\",\"limitPrice\":\"10.055\",\"timeInForce\":\"DAY\"}"))).isFalse();
  }

  private static boolean hasDouble(Object value) {
    return value instanceof Double || value instanceof JsonObject object
      && object.stream().anyMatch(field -> hasDouble(field.getValue()))
      || value instanceof Map<?, ?> map && map.values().stream().anyMatch(v -> hasDouble(v));
  }

  private static final String[] SEEDS = {ORDER, ORDER_WITH_DIGITS_FIRST, "12-34", "AAPL", "BRK.B", "10.50", "0.01",
    "k:1.2_3", "user.name", "BUY", "SELL", "MARKET", "LIMIT", "STOP_LIMIT", "DAY", "GTC", "savings", "portfolio",
    "OPEN", "FILLED", "a-long-enough-password", "2026-01-02T03:04:05Z", "ab", "abc", "x".repeat(9), "x".repeat(10),
    "x".repeat(30), "x".repeat(31), "x".repeat(60), "x".repeat(61), "x".repeat(64), "x".repeat(65), "x".repeat(128),
    "x".repeat(129)};
  private static final String ALPHABET = "aAzZ09.-_:/ \"é\uD83D\uDE00";

  /**
   * A random JSON value; for a schema (not null), half the time one near its valid values, and then its properties
   * mostly so, so that whole objects are valid often enough.
   */
  private static Object randomValue(JsonObject schema, Random random, int depth) {
    if (schema != null && (depth == 0 ? random.nextBoolean() : random.nextInt(16) > 0)) {
      if (schema.getValue("enum") instanceof JsonArray values) {
        return values.getValue(random.nextInt(values.size()));
      }
      if (schema.getValue("properties") instanceof JsonObject properties) {
        JsonObject object = new JsonObject();
        for (String name : properties.fieldNames()) {
          if (random.nextInt(8) > 0) {
            object.put(name, randomValue(properties.getJsonObject(name), random, depth + 1));
          }
        }
        if (random.nextInt(10) == 0) {
          object.put("extra", randomValue(null, random, depth + 1));
        }
        return object;
      }
      if ("integer".equals(schema.getValue("type"))) {
        long bound = random.nextBoolean() ? schema.getLong("minimum", 0L) : schema.getLong("maximum", 100L);
        return bound + random.nextInt(3) - 1;
      }
      if (schema.getValue("pattern") instanceof String pattern) {
        List<String> matching = Arrays.stream(SEEDS).filter(seed -> Pattern.compile(pattern).matcher(seed).find())
          .toList();
        if (!matching.isEmpty()) {
          String seed = matching.get(random.nextInt(matching.size()));
          return depth == 0 || random.nextInt(4) == 0 ? mutated(seed, random) : seed;
        }
      }
    }
    return switch (random.nextInt(12)) {
      case 0 -> random.nextBoolean();
      case 1 -> null;
      case 2 -> new long[] {0, 1, -1, 1_000_000_000, 1_000_000_001, Long.MAX_VALUE}[random.nextInt(6)];
      case 3 -> new int[] {0, 1, -1, 2, 1_000_000_000, 1_000_000_001, 3, 127}[random.nextInt(8)];
      case 4 -> random.nextBoolean() ? 1.0 : 2.5;
      case 5 -> depth > 1 ? "x" : new JsonObject().put("kind", randomValue(null, random, depth + 1));
      case 6 -> {
        StringBuilder s = new StringBuilder();
        for (int n = random.nextInt(12); n > 0; n--) {
          s.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        yield s.toString();
      }
      default -> mutated(SEEDS[random.nextInt(SEEDS.length)], random);
    };
  }

  /** {@code seed}, or with up to two characters replaced, inserted or deleted. */
  private static String mutated(String seed, Random random) {
    StringBuilder s = new StringBuilder(seed);
    for (int n = random.nextInt(3); n > 0 && !s.isEmpty(); n--) {
      int at = random.nextInt(s.length());
      char c = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
      switch (random.nextInt(3)) {
        case 0 -> s.setCharAt(at, c);
        case 1 -> s.insert(at, c);
        default -> s.deleteCharAt(at);
      }
    }
    return s.toString();
  }

  @Test
  void onARouterBadInputIsA400ProblemAndGoodInputReachesTheHandler() {
    RouterBuilder builder = RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler())
      .rootHandler(BodyHandler.create(false));
    ours.replaceValidationOf(builder);
    builder.getRoutes().forEach(route -> route.setDoSecurity(false));
    for (String operation : new String[] {"getOrder", "placeOrder"}) {
      OpenAPIRoute route = builder.getRoute(operation);
      route.addHandler(rc -> {
        ValidatedRequest validated = rc.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
        rc.json(new JsonObject().put("orderId", validated.getPathParameters().get("orderId").get()));
      });
    }
    ContractRequestValidator.answerUnserved(builder);
    Router router = builder.createRouter();
    router.route().failureHandler(Problems::handleFailure);
    HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
    WebClient http = WebClient.create(vertx);
    Function<String, HttpResponse<Buffer>> get = path -> http.get(server.actualPort(), "127.0.0.1", path).send()
      .await();
    try {
      HttpResponse<Buffer> good = get.apply("/api/orders/" + ORDER + "?position=12-34");
      assertThat(good.statusCode()).as(good.bodyAsString()).isEqualTo(200);
      assertThat(good.bodyAsJsonObject().getString("orderId")).isEqualTo(ORDER);

      assertProblem(get.apply("/api/orders/not-an-id"), "orderId");
      assertProblem(get.apply("/api/orders/" + ORDER + "?position=abc"), "position");
      HttpResponse<Buffer> badBody = http.post(server.actualPort(), "127.0.0.1", "/api/portfolios/" + ORDER + "/orders")
        .sendJsonObject(new JsonObject().put("symbol", "AAPL").put("side", "BUY").put("quantity", 0)
          .put("type", "MARKET").put("timeInForce", "DAY")).await();
      assertProblem(badBody, "quantity");
      HttpResponse<Buffer> notJson = http.post(server.actualPort(), "127.0.0.1", "/api/portfolios/" + ORDER + "/orders")
        .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer("{")).await();
      assertProblem(notJson, "decoded");

      assertThat(get.apply("/api/info").statusCode()).as("an operation no handler serves").isEqualTo(503);
    } finally {
      server.close().await();
    }
  }

  private static void assertProblem(HttpResponse<Buffer> response, String detail) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(400);
    assertThat(response.getHeader("Content-Type")).isEqualTo(Problems.CONTENT_TYPE);
    assertThat(response.bodyAsJsonObject().getString("detail")).contains(detail);
  }

  /** What a validation gave: the values of the request as validated, or the exception. */
  private static String outcome(Future<ValidatedRequest> validation) {
    try {
      ValidatedRequest r = validation.await();
      return "ok " + values(r.getPathParameters()) + values(r.getQuery()) + values(r.getHeaders())
        + (r.getBody() == null ? null : r.getBody().get());
    } catch (ValidatorException e) {
      return e.getClass().getSimpleName() + " " + e.type() + " " + e.getMessage();
    }
  }

  private static Map<String, Object> values(Map<String, RequestParameter> parameters) {
    Map<String, Object> values = new TreeMap<>();
    parameters.forEach((name, value) -> values.put(name, value.get()));
    return values;
  }

  /** A request as {@code RequestUtils.extract} would give it: strings and the body's bytes. */
  record Case(String operation, Map<String, String> path, Map<String, String> query, Map<String, String> headers,
              String body, String contentType) {

    Case(String operation, Map<String, String> path, Map<String, String> query, Map<String, String> headers,
         String body) {
      this(operation, path, query, headers, body, "application/json");
    }

    ValidatableRequest request() {
      return new Request(Map.of(), wrap(headers), wrap(path), wrap(query),
        new ContractRequestValidator.Value(body == null ? null : Buffer.buffer(body)), contentType);
    }

    private static Map<String, RequestParameter> wrap(Map<String, String> values) {
      Map<String, RequestParameter> wrapped = new HashMap<>();
      values.forEach((name, value) -> wrapped.put(name, new ContractRequestValidator.Value(value)));
      return wrapped;
    }
  }

  record Request(Map<String, RequestParameter> getCookies, Map<String, RequestParameter> getHeaders,
                 Map<String, RequestParameter> getPathParameters, Map<String, RequestParameter> getQuery,
                 RequestParameter getBody, String getContentType) implements ValidatableRequest {
  }
}
