package trader.broker;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.broker.OrdersHarness.Portfolio;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static trader.broker.OrdersHarness.as;
import static trader.broker.OrdersHarness.order;
import static trader.broker.OrdersHarness.until;

/**
 * Clients retrying commands with an {@code Idempotency-Key} (the IETF draft's rules): the same key and request get the
 * first answer and change nothing more; the same key on another target, operation or body is a 422 and changes
 * nothing; keys are each user's own. And a cancel reaches only the order of the portfolio it belongs to.
 */
class RetriedCommandsTest {

  @RegisterExtension
  static final OrdersHarness h = new OrdersHarness();

  private static HttpResponse<Buffer> placeWithKey(Portfolio p, String key, JsonObject order) {
    return as(p.user, h.http.post("/api/portfolios/" + p.id + "/orders")).putHeader("Idempotency-Key", key)
      .sendJsonObject(order).await();
  }

  private static JsonObject restingBuy(String symbol) {
    return order(symbol, "BUY", 2, "LIMIT", "GTC").put("limitPrice", "10.00");
  }

  @Test
  void aRetriedOrderGetsTheFirstAnswerAndIsPlacedOnce() {
    Portfolio p = h.funded("1000.00");
    String sym = OrdersHarness.symbol();
    h.awaitQuoted(p, sym, () -> h.quote(sym, "49.90", "50.00"));
    String key = UUID.randomUUID().toString();

    HttpResponse<Buffer> first = placeWithKey(p, key, restingBuy(sym));
    // retried with the same request, its fields in another order: the same answer, replayed
    HttpResponse<Buffer> again = placeWithKey(p, key, new JsonObject().put("limitPrice", "10.00")
      .put("timeInForce", "GTC").put("type", "LIMIT").put("quantity", 2).put("side", "BUY").put("symbol", sym));

    assertThat(first.statusCode()).as(first.bodyAsString()).isEqualTo(202);
    assertThat(again.statusCode()).as(again.bodyAsString()).isEqualTo(202);
    assertThat(again.bodyAsJsonObject()).isEqualTo(first.bodyAsJsonObject());
    assertThat(again.getHeader("Location")).isEqualTo(first.getHeader("Location"));
    assertThat(again.getHeader("Idempotent-Replayed")).isEqualTo("true");
    until("reserved once", () -> "20.00".equals(p.view().getString("reservedCash")), () -> { });
    assertThat(p.view().getJsonArray("openOrders")).hasSize(1);
  }

  @Test
  void theSameKeyOnAnotherPortfolioOrWithAnotherBodyIsRefusedAndChangesNothing() {
    Portfolio a = h.funded("1000.00");
    String sym = OrdersHarness.symbol();
    h.awaitQuoted(a, sym, () -> h.quote(sym, "49.90", "50.00"));
    HttpResponse<Buffer> second = as(a.user, h.http.post("/api/portfolios")).sendJsonObject(new JsonObject()
      .put("name", "second")).await();
    Portfolio b = h.new Portfolio(a.user, second.bodyAsJsonObject().getString("portfolioId"));
    String key = UUID.randomUUID().toString();
    String orderId = placeWithKey(a, key, restingBuy(sym)).bodyAsJsonObject().getString("orderId");

    HttpResponse<Buffer> otherPortfolio = placeWithKey(b, key, restingBuy(sym));
    HttpResponse<Buffer> otherBody = placeWithKey(a, key, restingBuy(sym).put("quantity", 3));
    HttpResponse<Buffer> otherOperation = as(a.user, h.http.post("/api/transfers")).putHeader("Idempotency-Key", key)
      .sendJsonObject(new JsonObject().put("from", new JsonObject().put("kind", "savings"))
        .put("to", new JsonObject().put("kind", "portfolio").put("id", b.id)).put("amount", "5.00")).await();

    for (HttpResponse<Buffer> refused : List.of(otherPortfolio, otherBody, otherOperation)) {
      assertThat(refused.statusCode()).as(refused.bodyAsString()).isEqualTo(422);
      assertThat(refused.getHeader("Content-Type")).startsWith("application/problem+json");
      assertThat(refused.bodyAsJsonObject().getString("detail")).contains("Idempotency-Key '" + key + "'");
    }
    assertThat(otherPortfolio.bodyAsJsonObject().getString("detail")).contains("portfolios/" + a.id + "/orders");
    until("a's order reserved", () -> "20.00".equals(a.view().getString("reservedCash")), () -> { });
    assertThat(b.view().getJsonArray("openOrders")).isEmpty();
    assertThat(b.view().getString("cash")).isEqualTo("0.00");
    assertThat(a.view().getJsonArray("openOrders")).extracting(o -> ((JsonObject) o).getString("orderId"))
      .containsExactly(orderId);
    // the order is a's: cancelling it works, and it ends in a only
    assertThat(as(a.user, h.http.delete("/api/orders/" + orderId)).send().await().statusCode()).isEqualTo(202);
    a.awaitStatus(orderId, "CANCELLED", () -> { });
    until("released", () -> "0.00".equals(a.view().getString("reservedCash")), () -> { });
  }

  @Test
  void concurrentRetriesWithOneKeyPlaceOneOrderAndAgree() {
    Portfolio p = h.funded("1000.00");
    String sym = OrdersHarness.symbol();
    h.awaitQuoted(p, sym, () -> h.quote(sym, "49.90", "50.00"));
    String key = UUID.randomUUID().toString();
    List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      sent.add(as(p.user, h.http.post("/api/portfolios/" + p.id + "/orders")).putHeader("Idempotency-Key", key)
        .sendJsonObject(restingBuy(sym)));
    }
    Future.join(sent).await();

    assertThat(sent).allSatisfy(r -> assertThat(r.result().statusCode()).as(r.result().bodyAsString())
      .isEqualTo(202));
    assertThat(sent.stream().map(r -> r.result().bodyAsJsonObject().getString("orderId")).distinct()).hasSize(1);
    until("reserved once", () -> "20.00".equals(p.view().getString("reservedCash")), () -> { });
    assertThat(p.view().getJsonArray("openOrders")).hasSize(1);
  }

  @Test
  void aRefusedOrderIsRefusedAgainWhenRetriedWithItsKey() {
    Portfolio p = h.funded("10.00");
    String sym = OrdersHarness.symbol();
    h.awaitQuoted(p, sym, () -> h.quote(sym, "49.90", "50.00"));
    String key = UUID.randomUUID().toString();
    HttpResponse<Buffer> refused = placeWithKey(p, key, restingBuy(sym));
    assertThat(refused.statusCode()).as(refused.bodyAsString()).isEqualTo(409);

    // money arrives, but the key names the request that was refused: its answer stays
    JsonObject transfer = new JsonObject().put("from", new JsonObject().put("kind", "savings"))
      .put("to", new JsonObject().put("kind", "portfolio").put("id", p.id)).put("amount", "100.00");
    assertThat(as(p.user, h.http.post("/api/transfers")).sendJsonObject(transfer).await().statusCode()).isEqualTo(202);
    until("funded", () -> "110.00".equals(p.view().getString("cash")), () -> { });
    HttpResponse<Buffer> again = placeWithKey(p, key, restingBuy(sym));

    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(again.bodyAsJsonObject().getString("detail")).isEqualTo(refused.bodyAsJsonObject().getString("detail"));
    assertThat(again.getHeader("Idempotent-Replayed")).isEqualTo("true");
    assertThat(p.view().getString("reservedCash")).isEqualTo("0.00");
    // a new key is a new request
    assertThat(placeWithKey(p, UUID.randomUUID().toString(), restingBuy(sym)).statusCode()).isEqualTo(202);
  }

  @Test
  void aRetriedOpeningOpensOnePortfolioAndKeysAreEachUsersOwn() {
    OrdersHarness.User user = h.signup();
    OrdersHarness.User other = h.signup();
    String key = UUID.randomUUID().toString();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      HttpResponse<Buffer> r = as(user, h.http.post("/api/portfolios")).putHeader("Idempotency-Key", key)
        .sendJsonObject(new JsonObject().put("name", "retried")).await();
      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
      ids.add(r.bodyAsJsonObject().getString("portfolioId"));
    }
    HttpResponse<Buffer> theirs = as(other, h.http.post("/api/portfolios")).putHeader("Idempotency-Key", key)
      .sendJsonObject(new JsonObject().put("name", "retried")).await();

    assertThat(ids).containsOnly(ids.getFirst());
    assertThat(theirs.statusCode()).isEqualTo(201);
    assertThat(theirs.bodyAsJsonObject().getString("portfolioId")).isNotEqualTo(ids.getFirst());
    HttpResponse<Buffer> list = as(user, h.http.get("/api/portfolios")).addQueryParam("position",
      theirs.bodyAsJsonObject().getString("position")).send().await();
    assertThat(list.bodyAsJsonObject().getJsonArray("portfolios")).hasSize(1);
    HttpResponse<Buffer> renamed = as(user, h.http.post("/api/portfolios")).putHeader("Idempotency-Key", key)
      .sendJsonObject(new JsonObject().put("name", "another name")).await();
    assertThat(renamed.statusCode()).isEqualTo(422);
  }

  @Test
  void anotherUsersOrderCannotBeCancelledNorSeen() {
    Portfolio owner = h.funded("1000.00");
    Portfolio stranger = h.funded("1000.00");
    String sym = OrdersHarness.symbol();
    h.awaitQuoted(owner, sym, () -> h.quote(sym, "49.90", "50.00"));
    String orderId = owner.placed(restingBuy(sym));

    HttpResponse<Buffer> cancel = as(stranger.user, h.http.delete("/api/orders/" + orderId)).send().await();
    HttpResponse<Buffer> read = as(stranger.user, h.http.get("/api/orders/" + orderId)).send().await();

    assertThat(cancel.statusCode()).isEqualTo(404);
    assertThat(read.statusCode()).isEqualTo(404);
    assertThat(owner.order(orderId).getString("status")).isEqualTo("OPEN");
  }
}
