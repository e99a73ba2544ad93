package trader.security;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.testing.ApiNode;
import trader.testing.TestDatabase;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static trader.testing.Eventually.until;

/**
 * Quotas (here 2 open portfolios per user, 3 open orders per portfolio): beyond them a 429 with {@code Retry-After}
 * and a detail, nothing changed; the same request with the same Idempotency-Key passes once there is room again (a
 * 429 is not the key's answer for good); other users are not held back.
 */
class QuotasTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase();

  static final Duration WAIT = Duration.ofSeconds(30);
  static ApiNode node;

  @BeforeAll
  static void start() {
    node = ApiNode.start(db, Map.of("portfolios.max-per-user", 2, "orders.max-open-per-portfolio", 3));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void aUserOpensAtMostTheirQuotaOfPortfolios() {
    ApiNode.User user = node.signup();
    String firstKey = UUID.randomUUID().toString();
    String first = open(user, firstKey).bodyAsJsonObject().getString("portfolioId");
    String secondKey = UUID.randomUUID().toString();
    assertThat(open(user, secondKey).statusCode()).isEqualTo(201);
    String key = UUID.randomUUID().toString();
    HttpResponse<Buffer> third = open(user, key);
    assertThat(third.statusCode()).as(third.bodyAsString()).isEqualTo(429);
    assertThat(third.getHeader("Retry-After")).isEqualTo("60");
    assertThat(third.bodyAsJsonObject().getString("detail")).contains("2 open portfolios");
    assertThat(portfolios(user)).isEqualTo(2);
    // a retry of an opening is no new portfolio: answered as the first time, not refused
    HttpResponse<Buffer> again = open(user, secondKey);
    assertThat(again.statusCode()).isEqualTo(201);
    assertThat(again.getHeader("Idempotent-Replayed")).isEqualTo("true");

    assertThat(as(user, node.http().delete("/api/portfolios/" + first)).send().await().statusCode()).isEqualTo(202);
    until(() -> portfolios(user) == 1, WAIT);
    HttpResponse<Buffer> retried = open(user, key);
    assertThat(retried.statusCode()).as(retried.bodyAsString()).isEqualTo(201);
    assertThat(portfolios(user)).isEqualTo(2);

    // another user is not held back by this one's quota
    assertThat(open(node.signup(), UUID.randomUUID().toString()).statusCode()).isEqualTo(201);
  }

  @Test
  void aPortfolioRestsAtMostItsQuotaOfOpenOrders() {
    ApiNode.User user = node.signup();
    String portfolioId = open(user, UUID.randomUUID().toString()).bodyAsJsonObject().getString("portfolioId");
    HttpResponse<Buffer> funded = as(user, node.http().post("/api/transfers")).sendJsonObject(new JsonObject()
      .put("from", new JsonObject().put("kind", "savings"))
      .put("to", new JsonObject().put("kind", "portfolio").put("id", portfolioId)).put("amount", "100.00")).await();
    assertThat(funded.statusCode()).as(funded.bodyAsString()).isEqualTo(202);
    until(() -> "100.00".equals(view(user, portfolioId).getString("cash")), WAIT);

    String firstOrder = null;
    for (int i = 0; i < 3; i++) {
      HttpResponse<Buffer> placed = place(user, portfolioId, UUID.randomUUID().toString());
      assertThat(placed.statusCode()).as(placed.bodyAsString()).isEqualTo(202);
      firstOrder = firstOrder == null ? placed.bodyAsJsonObject().getString("orderId") : firstOrder;
    }
    String key = UUID.randomUUID().toString();
    HttpResponse<Buffer> fourth = place(user, portfolioId, key);
    assertThat(fourth.statusCode()).as(fourth.bodyAsString()).isEqualTo(429);
    assertThat(fourth.getHeader("Retry-After")).isEqualTo("60");
    assertThat(fourth.bodyAsJsonObject().getString("detail")).contains("3 open orders");
    assertThat(view(user, portfolioId).getString("reservedCash")).isEqualTo("3.00");

    String cancelled = firstOrder;
    assertThat(as(user, node.http().delete("/api/orders/" + cancelled)).send().await().statusCode()).isEqualTo(202);
    until(() -> "CANCELLED".equals(as(user, node.http().get("/api/orders/" + cancelled)).send().await()
      .bodyAsJsonObject().getString("status")), WAIT);
    HttpResponse<Buffer> retried = place(user, portfolioId, key);
    assertThat(retried.statusCode()).as(retried.bodyAsString()).isEqualTo(202);
    assertThat(retried.getHeader("Idempotent-Replayed")).isNull();
    until(() -> "3.00".equals(view(user, portfolioId).getString("reservedCash")), WAIT);
  }

  private static HttpRequest<Buffer> as(ApiNode.User user, HttpRequest<Buffer> request) {
    return request.bearerTokenAuthentication(user.token());
  }

  private static HttpResponse<Buffer> open(ApiNode.User user, String key) {
    return as(user, node.http().post("/api/portfolios")).putHeader("Idempotency-Key", key)
      .sendJsonObject(new JsonObject().put("name", "quota")).await();
  }

  private static HttpResponse<Buffer> place(ApiNode.User user, String portfolioId, String key) {
    return as(user, node.http().post("/api/portfolios/" + portfolioId + "/orders")).putHeader("Idempotency-Key", key)
      .sendJsonObject(new JsonObject().put("symbol", "AAPL").put("side", "BUY").put("quantity", 1)
        .put("type", "LIMIT").put("limitPrice", "1.00").put("timeInForce", "GTC")).await();
  }

  private static long portfolios(ApiNode.User user) {
    return as(user, node.http().get("/api/portfolios")).send().await().bodyAsJsonObject().getJsonArray("portfolios")
      .stream().filter(p -> "OPEN".equals(((JsonObject) p).getString("status"))).count();
  }

  private static JsonObject view(ApiNode.User user, String portfolioId) {
    return as(user, node.http().get("/api/portfolios/" + portfolioId)).send().await().bodyAsJsonObject();
  }
}
