package trader.security;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.testing.ApiNode;
import trader.testing.ApiNode.User;
import trader.testing.TestDatabase;

import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Text PostgreSQL cannot store (U+0000, lone UTF-16 surrogates) sent by one user, in every place the API takes a
 * string, while many other users open portfolios and place orders on the same node at the same moment: each hostile
 * request is a 400 problem naming its field, every innocent one succeeds, and nothing hostile is stored, changed or
 * not. Before, a NUL in a portfolio name failed the other users' commands of its journal batch with 500s.
 */
class InputSecurityTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase(false);

  static ApiNode node;

  @BeforeAll
  static void start() {
    node = ApiNode.start(db, Map.of());
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  static HttpRequest<Buffer> as(User user, HttpRequest<Buffer> request) {
    return request.bearerTokenAuthentication(user.token());
  }

  static JsonObject order(String symbol) {
    return new JsonObject().put("symbol", symbol).put("side", "BUY").put("quantity", 1).put("type", "LIMIT")
      .put("limitPrice", "1.00").put("timeInForce", "GTC");
  }

  /** A user with a portfolio holding {@code cash}. */
  record Trader(User user, String portfolioId) {
  }

  static Trader funded(String cash) {
    User user = node.signup();
    HttpResponse<Buffer> opened = as(user, node.http().post("/api/portfolios"))
      .sendJsonObject(new JsonObject().put("name", "funds")).await();
    assertThat(opened.statusCode()).as(opened.bodyAsString()).isEqualTo(201);
    String id = opened.bodyAsJsonObject().getString("portfolioId");
    HttpResponse<Buffer> moved = as(user, node.http().post("/api/transfers")).sendJsonObject(new JsonObject()
      .put("from", new JsonObject().put("kind", "savings"))
      .put("to", new JsonObject().put("kind", "portfolio").put("id", id)).put("amount", cash)).await();
    assertThat(moved.statusCode()).as(moved.bodyAsString()).isEqualTo(202);
    return new Trader(user, id);
  }

  static void until(String what, java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  /** A hostile request and what its 400's detail must name. */
  record Hostile(String what, String field, CompletableFuture<Answer> answer) {
  }

  /** Status, content type and body of an answer, whichever client got it. */
  record Answer(int status, String contentType, String body) {
    static Answer of(HttpResponse<Buffer> r) {
      return new Answer(r.statusCode(), r.getHeader("Content-Type"), r.bodyAsString());
    }
  }

  @Test
  void hostileTextIsRefusedNamingItsFieldWhileEveryoneElsesCommandsGoThrough() throws Exception {
    User hostile = node.signup();
    List<Trader> innocents = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      innocents.add(funded("100.00"));
    }
    for (Trader t : innocents) {
      until("cash of " + t.portfolioId(), () -> "100.00".equals(as(t.user(), node.http().get("/api/portfolios/"
        + t.portfolioId())).send().await().bodyAsJsonObject().getString("cash")));
    }
    // orders need the market's quote of their symbol (the simulated market of the node)
    Trader first = innocents.getFirst();
    until("a quote of AAPL", () -> as(first.user(), node.http().post("/api/portfolios/" + first.portfolioId()
      + "/orders")).sendJsonObject(order("AAPL")).await().statusCode() == 202);

    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      List<Hostile> hostiles = new ArrayList<>();
      List<Future<HttpResponse<Buffer>>> innocentCalls = new ArrayList<>();
      Map<String, Set<String>> namesOf = new java.util.HashMap<>();
      for (int round = 0; round < 3; round++) {
        for (int i = 0; i < innocents.size(); i++) {
          Trader t = innocents.get(i);
          // valid Unicode of every kind is taken, and stored exactly
          String name = List.of("N\u00f6v " + i, "e\u0301 " + round + " \uD83D\uDE80", "\u4e2d\u6587 \uFFFF " + round,
            "\uD83D\uDC69\u200D\uD83D\uDCBB " + i).get((i + round) % 4) + " #" + round;
          namesOf.computeIfAbsent(t.user().id(), k -> new HashSet<>(Set.of("funds"))).add(name);
          innocentCalls.add(as(t.user(), node.http().post("/api/portfolios"))
            .sendJsonObject(new JsonObject().put("name", name)));
          innocentCalls.add(as(t.user(), node.http().post("/api/portfolios/" + t.portfolioId() + "/orders"))
            .putHeader("Idempotency-Key", "k-" + UUID.randomUUID()).sendJsonObject(order("AAPL")));
          if (i % 4 == 0) {
            hostiles.addAll(hostileRequests(hostile, first.portfolioId(), threads));
          }
        }
      }
      Future.join(new ArrayList<Future<?>>(innocentCalls)).otherwiseEmpty().await();
      CompletableFuture.allOf(hostiles.stream().map(Hostile::answer).toArray(CompletableFuture[]::new))
        .get(60, TimeUnit.SECONDS);

      for (Future<HttpResponse<Buffer>> call : innocentCalls) {
        assertThat(call.succeeded()).as(String.valueOf(call.cause())).isTrue();
        assertThat(call.result().statusCode()).as(call.result().bodyAsString()).isIn(201, 202);
      }
      for (Hostile h : hostiles) {
        Answer a = h.answer().get();
        assertThat(a.status()).as(h.what() + ": " + a.body()).isEqualTo(400);
        assertThat(a.contentType()).as(h.what()).isEqualTo("application/problem+json");
        assertThat(new JsonObject(a.body()).getString("detail")).as(h.what()).contains(h.field());
      }
      assertThat(hostiles).hasSizeGreaterThan(3 * 3 * 15);

      for (Trader t : innocents) {
        JsonArray listed = as(t.user(), node.http().get("/api/portfolios")).send().await().bodyAsJsonObject()
          .getJsonArray("portfolios");
        Set<String> names = new HashSet<>();
        listed.forEach(p -> names.add(((JsonObject) p).getString("name")));
        assertThat(names).as("the names as sent").isEqualTo(namesOf.get(t.user().id()));
      }
      JsonArray own = as(hostile, node.http().get("/api/portfolios")).send().await().bodyAsJsonObject()
        .getJsonArray("portfolios");
      assertThat(own).as("nothing of the hostile user was stored, not even changed").isEmpty();
    } finally {
      threads.shutdownNow();
    }
  }

  /** One of each hostile request: each is an attempt of its own, sent while the innocent ones are in flight. */
  static List<Hostile> hostileRequests(User user, String portfolioId, ExecutorService threads) {
    List<Hostile> h = new ArrayList<>();
    String orders = "/api/portfolios/" + portfolioId + "/orders";
    // bodies: JSON escapes as a client library writes them, and bytes no valid UTF-8 has
    h.add(web("a NUL in a portfolio name", "/name", as(user, node.http().post("/api/portfolios"))
      .sendJsonObject(new JsonObject().put("name", "a\u0000b"))));
    h.add(web("a lone surrogate in a portfolio name", "/name", as(user, node.http().post("/api/portfolios"))
      .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer("{\"name\":\"a\\ud800b\"}"))));
    h.add(web("a lone surrogate as CESU-8 bytes", "/name", as(user, node.http().post("/api/portfolios"))
      .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer("{\"name\":\"a")
        .appendBytes(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}).appendString("\"}"))));
    h.add(web("an overlong NUL", "/name", as(user, node.http().post("/api/portfolios"))
      .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer("{\"name\":\"a")
        .appendBytes(new byte[] {(byte) 0xC0, (byte) 0x80}).appendString("\"}"))));
    h.add(web("a NUL in a field name", "the name of field /n", as(user, node.http().post("/api/portfolios"))
      .sendJsonObject(new JsonObject().put("name", "fine").put("n\u0000", 1))));
    h.add(web("a NUL in an order symbol", "/symbol", as(user, node.http().post(orders))
      .sendJsonObject(order("AA\u0000PL"))));
    h.add(web("a NUL in a transfer's portfolio id", "/to/id", as(user, node.http().post("/api/transfers"))
      .sendJsonObject(new JsonObject().put("from", new JsonObject().put("kind", "savings"))
        .put("to", new JsonObject().put("kind", "portfolio").put("id", "p\u0000")).put("amount", "1.00"))));
    h.add(web("a NUL in a password", "/password", node.http().post("/api/auth/signup").sendJsonObject(
      new JsonObject().put("username", "u-" + UUID.randomUUID().toString().substring(0, 8))
        .put("password", "correct horse \u0000battery"))));
    h.add(web("a lone surrogate in a password", "/password", node.http().post("/api/auth/login")
      .putHeader("Content-Type", "application/json")
      .sendBuffer(Buffer.buffer("{\"username\":\"nobody\",\"password\":\"correct horse \\udc00battery\"}"))));
    // path parameters, percent-encoded: the server's path check refuses an encoded control character before any
    // route (the contract's own check of path parameters is ContractRequestValidatorTest's); query parameters
    h.add(web("a NUL in a path id", "encoded control character", as(user, node.http().get("/api/portfolios/%00"))
      .send()));
    h.add(web("a NUL in a path id of a command", "encoded control character", as(user,
      node.http().delete("/api/orders/a%00")).send()));
    h.add(web("a NUL in a path id of an order", "encoded control character", as(user,
      node.http().post("/api/portfolios/%00/orders")).sendJsonObject(order("AAPL"))));
    h.add(web("a NUL in a symbol", "encoded control character", as(user, node.http().get("/api/quotes/A%00"))
      .send()));
    h.add(web("a NUL in a query position", "position", as(user, node.http().get("/api/portfolios?position=1-%00"))
      .send()));
    h.add(web("a NUL in a query id", "portfolioId", as(user, node.http().get("/api/transfers?portfolioId=%00"))
      .send()));
    h.add(web("a NUL in a query time", "from", as(user, node.http().get("/api/quotes/AAPL/candles?from=%00"))
      .send()));
    // headers: HTTP/1.1 refuses a NUL before any route (h2c, over which one reached the contract, is off; the
    // contract's own check of header parameters is ContractRequestValidatorTest's)
    h.add(new Hostile("a NUL in an Idempotency-Key over HTTP/1.1", "not valid HTTP", CompletableFuture.supplyAsync(
      () -> http1("POST " + orders + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + user.token()
        + "\r\nIdempotency-Key: k\u0000\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"), threads)));
    return h;
  }

  static Hostile web(String what, String field, Future<HttpResponse<Buffer>> sent) {
    return new Hostile(what, field, sent.map(Answer::of).toCompletionStage().toCompletableFuture());
  }

  /** A request written as bytes (ISO-8859-1) on a socket of its own; the answer read to the end. */
  static Answer http1(String request) {
    try (Socket socket = new Socket("127.0.0.1", node.node().httpPort())) {
      socket.setSoTimeout(15_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      socket.getInputStream().transferTo(all);
      String response = all.toString(StandardCharsets.UTF_8);
      int end = response.indexOf("\r\n\r\n");
      String head = response.substring(0, end).toLowerCase(java.util.Locale.ROOT);
      java.util.regex.Matcher type = java.util.regex.Pattern.compile("content-type: *([^\r\n]+)").matcher(head);
      return new Answer(Integer.parseInt(response.substring(9, 12)), type.find() ? type.group(1) : null,
        response.substring(end + 4));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
