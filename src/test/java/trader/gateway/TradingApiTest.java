package trader.gateway;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.platform.Contexts;
import trader.platform.Node;
import trader.testing.TestDatabase;
import trader.testing.TestNodes;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The REST API of accounts, portfolios and transfers, over real HTTP against a whole node. */
class TradingApiTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase(false);

  static Node node;
  static Vertx client;
  static WebClient http;

  @BeforeAll
  static void start() {
    node = Node.start(TestNodes.settings(db, Map.of("auth.login-max-failures", 3, "money.max-amount", "50000.00")),
      Contexts.all());
    client = Vertx.vertx();
    http = WebClient.create(client, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(node.httpPort()));
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close().await();
    }
    if (node != null) {
      node.close();
    }
  }

  record User(String id, String token) {
  }

  static User signup(String name) {
    HttpResponse<Buffer> r = http.post("/api/auth/signup").sendJsonObject(new JsonObject().put("username", name)
      .put("password", "correct horse battery")).await();
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
    return new User(r.bodyAsJsonObject().getString("userId"), r.bodyAsJsonObject().getString("token"));
  }

  static HttpRequest<Buffer> as(User user, HttpRequest<Buffer> request) {
    return request.bearerTokenAuthentication(user.token());
  }

  static String openPortfolio(User user, String name) {
    HttpResponse<Buffer> r = as(user, http.post("/api/portfolios")).sendJsonObject(new JsonObject().put("name", name))
      .await();
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
    assertThat(r.getHeader("Location")).isEqualTo("/api/portfolios/" + r.bodyAsJsonObject().getString("portfolioId"));
    return r.bodyAsJsonObject().getString("portfolioId");
  }

  static JsonObject transfer(User user, JsonObject from, JsonObject to, String amount) {
    HttpResponse<Buffer> r = as(user, http.post("/api/transfers")).sendJsonObject(new JsonObject().put("from", from)
      .put("to", to).put("amount", amount)).await();
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(202);
    return awaitFinal(user, r.bodyAsJsonObject().getString("transferId"));
  }

  static JsonObject awaitFinal(User user, String transferId) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      HttpResponse<Buffer> r = as(user, http.get("/api/transfers/" + transferId)).send().await();
      if (r.statusCode() == 200) {
        String status = r.bodyAsJsonObject().getString("status");
        if (status.equals("COMPLETED") || status.equals("FAILED") || status.equals("REFUNDED")) {
          return r.bodyAsJsonObject();
        }
      }
      sleep(100);
    }
    throw new AssertionError("transfer " + transferId + " did not finish");
  }

  static JsonObject savings() {
    return new JsonObject().put("kind", "savings");
  }

  static JsonObject portfolio(String id) {
    return new JsonObject().put("kind", "portfolio").put("id", id);
  }

  static JsonObject view(User user, String portfolioId) {
    HttpResponse<Buffer> r = as(user, http.get("/api/portfolios/" + portfolioId)).send().await();
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject();
  }

  static String balance(User user) {
    return as(user, http.get("/api/me")).send().await().bodyAsJsonObject().getJsonObject("savings")
      .getString("balance");
  }

  @Test
  void signupLoginAndTheRulesOfCredentials() {
    User alice = signup("alice-" + suffix());
    assertThat(as(alice, http.get("/api/me")).send().await().bodyAsJsonObject().getJsonObject("savings")
      .getString("balance")).isEqualTo("10000.00");

    String name = "bob-" + suffix();
    signup(name);
    HttpResponse<Buffer> again = http.post("/api/auth/signup").sendJsonObject(new JsonObject().put("username", name)
      .put("password", "another long password")).await();
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(again.bodyAsJsonObject().getString("detail")).containsIgnoringCase("taken");

    HttpResponse<Buffer> shortPassword = http.post("/api/auth/signup").sendJsonObject(new JsonObject()
      .put("username", "carol-" + suffix()).put("password", "short")).await();
    assertThat(shortPassword.statusCode()).isEqualTo(400);
    assertThat(shortPassword.bodyAsJsonObject().getString("detail")).contains("password");
    HttpResponse<Buffer> badName = http.post("/api/auth/signup").sendJsonObject(new JsonObject()
      .put("username", "no spaces allowed").put("password", "correct horse battery")).await();
    assertThat(badName.statusCode()).isEqualTo(400);
    assertThat(badName.bodyAsJsonObject().getString("detail")).contains("username");
    HttpResponse<Buffer> extra = http.post("/api/auth/signup").sendJsonObject(new JsonObject()
      .put("username", "dave-" + suffix()).put("password", "correct horse battery").put("admin", true)).await();
    assertThat(extra.statusCode()).isEqualTo(400);

    HttpResponse<Buffer> login = http.post("/api/auth/login").sendJsonObject(new JsonObject().put("username", name)
      .put("password", "correct horse battery")).await();
    assertThat(login.statusCode()).isEqualTo(200);
    assertThat(login.bodyAsJsonObject().getString("token")).isNotBlank();
  }

  @Test
  void repeatedFailedLoginsAreRefusedForAWhile() {
    String name = "eve-" + suffix();
    signup(name);
    for (int i = 0; i < 3; i++) {
      assertThat(http.post("/api/auth/login").sendJsonObject(new JsonObject().put("username", name)
        .put("password", "wrong password " + i)).await().statusCode()).isEqualTo(401);
    }
    HttpResponse<Buffer> locked = http.post("/api/auth/login").sendJsonObject(new JsonObject().put("username", name)
      .put("password", "correct horse battery")).await();
    assertThat(locked.statusCode()).isEqualTo(429);
    assertThat(locked.getHeader("Retry-After")).isNotNull();
    assertThat(http.post("/api/auth/login").sendJsonObject(new JsonObject().put("username", "nobody-" + suffix())
      .put("password", "whatever password")).await().statusCode()).isEqualTo(401);
  }

  @Test
  void parallelGuessesCannotPassTheLimit() {
    String name = "mallory-" + suffix();
    signup(name);
    List<Future<HttpResponse<Buffer>>> guesses = new java.util.ArrayList<>();
    for (int i = 0; i < 10; i++) {
      guesses.add(http.post("/api/auth/login").sendJsonObject(new JsonObject().put("username", name)
        .put("password", "guess number " + i)));
    }
    Future.join(guesses).transform(done -> Future.succeededFuture()).await();
    long wrong = guesses.stream().filter(g -> g.result().statusCode() == 401).count();
    long refused = guesses.stream().filter(g -> g.result().statusCode() == 429).count();
    // the limit is 3 attempts: only 3 passwords were checked, however many guesses ran at once
    assertThat(wrong).isEqualTo(3);
    assertThat(refused).isEqualTo(7);
  }

  @Test
  void everyOtherRouteNeedsAValidToken() {
    assertThat(http.get("/api/me").send().await().statusCode()).isEqualTo(401);
    assertThat(http.get("/api/portfolios").send().await().statusCode()).isEqualTo(401);
    assertThat(http.post("/api/transfers").sendJsonObject(new JsonObject()).await().statusCode()).isEqualTo(401);
    User user = signup("frank-" + suffix());
    String[] parts = user.token().split("\\.");
    String none = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + parts[1] + ".";
    assertThat(http.get("/api/me").bearerTokenAuthentication(none).send().await().statusCode()).isEqualTo(401);
    String tampered = parts[0] + "." + b64(new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]),
      StandardCharsets.UTF_8)).put("sub", UUID.randomUUID().toString()).encode()) + "." + parts[2];
    assertThat(http.get("/api/me").bearerTokenAuthentication(tampered).send().await().statusCode()).isEqualTo(401);
    UserTokens foreign = UserTokens.create(client, "some-other-secret-0123456789abcdefgh", 60);
    assertThat(http.get("/api/me").bearerTokenAuthentication(foreign.issue(user.id(), "frank")).send().await()
      .statusCode()).isEqualTo(401);
  }

  @Test
  void fundAPortfolioFromSavingsAndSeeItInTheView() {
    User user = signup("gina-" + suffix());
    String portfolioId = openPortfolio(user, "Growth");
    JsonObject done = transfer(user, savings(), portfolio(portfolioId), "2500.50");
    assertThat(done.getString("status")).isEqualTo("COMPLETED");
    JsonObject view = view(user, portfolioId);
    assertThat(view.getString("cash")).isEqualTo("2500.50");
    assertThat(view.getString("availableCash")).isEqualTo("2500.50");
    assertThat(balance(user)).isEqualTo("7499.50");

    JsonObject back = transfer(user, portfolio(portfolioId), savings(), "0.50");
    assertThat(back.getString("status")).isEqualTo("COMPLETED");
    assertThat(view(user, portfolioId).getString("cash")).isEqualTo("2500.00");

    HttpResponse<Buffer> list = as(user, http.get("/api/transfers")).addQueryParam("portfolioId", portfolioId).send()
      .await();
    assertThat(list.bodyAsJsonObject().getJsonArray("transfers")).hasSize(2);
    assertThat(list.bodyAsJsonObject().getJsonArray("transfers").getJsonObject(0).getString("amount")).isEqualTo("0.50");

    HttpResponse<Buffer> close = as(user, http.delete("/api/portfolios/" + portfolioId)).send().await();
    assertThat(close.statusCode()).isEqualTo(409);
    assertThat(close.bodyAsJsonObject().getString("detail")).contains("cash");
    transfer(user, portfolio(portfolioId), savings(), "2500.00");
    assertThat(as(user, http.delete("/api/portfolios/" + portfolioId)).send().await().statusCode()).isEqualTo(202);
    assertThat(balance(user)).isEqualTo("10000.00");
  }

  @Test
  void amountsAreValidatedAndNamed() {
    User user = signup("hank-" + suffix());
    String portfolioId = openPortfolio(user, "Income");
    for (String bad : new String[] {"1.001", "0", "0.00", "-5", "abc", "60000.00"}) {
      HttpResponse<Buffer> r = as(user, http.post("/api/transfers")).sendJsonObject(new JsonObject()
        .put("from", savings()).put("to", portfolio(portfolioId)).put("amount", bad)).await();
      assertThat(r.statusCode()).as(bad + ": " + r.bodyAsString()).isEqualTo(400);
      assertThat(r.getHeader("Content-Type")).isEqualTo("application/problem+json");
      assertThat(r.bodyAsJsonObject().getString("detail")).as(bad).contains("amount");
    }
    HttpResponse<Buffer> number = as(user, http.post("/api/transfers")).sendJsonObject(new JsonObject()
      .put("from", savings()).put("to", portfolio(portfolioId)).put("amount", 10.5)).await();
    assertThat(number.statusCode()).isEqualTo(400);
    HttpResponse<Buffer> huge = as(user, http.post("/api/transfers")).putHeader("Content-Type", "application/json")
      .sendBuffer(Buffer.buffer("{\"amount\":\"" + "9".repeat(200_000) + "\"}")).await();
    assertThat(huge.statusCode()).isEqualTo(413);
  }

  @Test
  void insufficientFundsFailTheTransferAndMoveNothing() {
    User user = signup("ivy-" + suffix());
    String portfolioId = openPortfolio(user, "Small");
    JsonObject failed = transfer(user, savings(), portfolio(portfolioId), "10000.01");
    assertThat(failed.getString("status")).isEqualTo("FAILED");
    assertThat(failed.getString("reason")).contains("Insufficient funds");
    assertThat(balance(user)).isEqualTo("10000.00");
    assertThat(view(user, portfolioId).getString("cash")).isEqualTo("0.00");
  }

  @Test
  void anotherUsersPortfolioIsNotFound() {
    User owner = signup("jack-" + suffix());
    User other = signup("kate-" + suffix());
    String portfolioId = openPortfolio(owner, "Private");
    assertThat(as(other, http.get("/api/portfolios/" + portfolioId)).send().await().statusCode()).isEqualTo(404);
    assertThat(as(other, http.delete("/api/portfolios/" + portfolioId)).send().await().statusCode()).isEqualTo(404);
    HttpResponse<Buffer> steal = as(other, http.post("/api/transfers")).sendJsonObject(new JsonObject()
      .put("from", portfolio(portfolioId)).put("to", savings()).put("amount", "1.00")).await();
    assertThat(steal.statusCode()).isEqualTo(404);
    HttpResponse<Buffer> foreignSavings = as(other, http.post("/api/transfers")).sendJsonObject(new JsonObject()
      .put("from", savings().put("id", owner.id())).put("to", savings()).put("amount", "1.00")).await();
    assertThat(foreignSavings.statusCode()).isEqualTo(404);
    assertThat(as(other, http.get("/api/portfolios")).send().await().bodyAsJsonObject().getJsonArray("portfolios"))
      .isEmpty();
  }

  @Test
  void readYourWritesWithThePositionOfTheCommand() {
    User user = signup("liam-" + suffix());
    HttpResponse<Buffer> open = as(user, http.post("/api/portfolios")).sendJsonObject(new JsonObject()
      .put("name", "Fresh")).await();
    String position = open.bodyAsJsonObject().getString("position");
    HttpResponse<Buffer> list = as(user, http.get("/api/portfolios")).addQueryParam("position", position).send()
      .await();
    assertThat(list.bodyAsJsonObject().getJsonArray("portfolios")).hasSize(1);
    assertThat(as(user, http.get("/api/portfolios")).addQueryParam("position", "not-a-position").send().await()
      .statusCode()).isEqualTo(400);
    // matches the pattern of the contract, but is no position the journal could have given
    assertThat(as(user, http.get("/api/portfolios")).addQueryParam("position", "99999999999999999999-1").send()
      .await().statusCode()).isEqualTo(400);
  }

  @Test
  void aTransferSentAgainWithItsIdempotencyKeyIsDoneOnce() {
    User user = signup("ivy-" + suffix());
    User other = signup("ike-" + suffix());
    String portfolioId = openPortfolio(user, "keyed");
    JsonObject body = new JsonObject().put("from", savings()).put("to", portfolio(portfolioId)).put("amount", "100.00");
    String key = UUID.randomUUID().toString();
    List<String> ids = new java.util.ArrayList<>();
    for (int attempt = 0; attempt < 3; attempt++) {
      HttpResponse<Buffer> r = as(user, http.post("/api/transfers")).putHeader("Idempotency-Key", key)
        .sendJsonObject(body).await();
      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(202);
      ids.add(r.bodyAsJsonObject().getString("transferId"));
    }
    assertThat(ids).as("the same key names the same transfer").containsOnly(ids.getFirst());
    awaitFinal(user, ids.getFirst());
    assertThat(balance(user)).as("moved once").isEqualTo("9900.00");
    assertThat(view(user, portfolioId).getString("cash")).isEqualTo("100.00");

    String otherPortfolio = openPortfolio(other, "keyed");
    HttpResponse<Buffer> theirs = as(other, http.post("/api/transfers")).putHeader("Idempotency-Key", key)
      .sendJsonObject(body.copy().put("to", portfolio(otherPortfolio))).await();
    assertThat(theirs.statusCode()).as(theirs.bodyAsString()).isEqualTo(202);
    assertThat(theirs.bodyAsJsonObject().getString("transferId")).as("another user's same key").isNotEqualTo(ids.getFirst());

    HttpResponse<Buffer> bad = as(user, http.post("/api/transfers")).putHeader("Idempotency-Key", "not a key!")
      .sendJsonObject(body).await();
    assertThat(bad.statusCode()).as(bad.bodyAsString()).isEqualTo(400);
  }

  private static String suffix() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  private static String b64(String json) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
