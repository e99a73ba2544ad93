package trader.broker;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.platform.Contexts;
import trader.platform.Node;
import trader.testing.NodeProcess;
import trader.testing.TestDatabase;
import trader.testing.TestInfra;
import trader.testing.TestNodes;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static trader.broker.OrdersHarness.holding;
import static trader.broker.OrdersHarness.until;

/**
 * Orders over REST against a whole node (real PostgreSQL and Kafka); prices are set by producing quotes to
 * {@code market.quotes} directly, so every fill price is known.
 */
class OrdersApiTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase(false);

  static Node node;
  static Vertx client;
  static WebClient http;
  static KafkaProducer<String, String> quotes;
  static int httpPort;
  static int clusterPort;

  @BeforeAll
  static void start() {
    httpPort = NodeProcess.freePort();
    clusterPort = NodeProcess.freePort();
    node = startNode();
    client = Vertx.vertx();
    http = WebClient.create(client, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(httpPort));
    quotes = new KafkaProducer<>(Map.of("bootstrap.servers", TestInfra.kafkaBootstrap()), new StringSerializer(),
      new StringSerializer());
  }

  static Node startNode() {
    return Node.start(TestNodes.settings(db, Map.of("http.port", httpPort, "cluster.port", clusterPort,
      "cluster.members", "127.0.0.1:" + clusterPort)), Contexts.all());
  }

  @AfterAll
  static void stop() {
    if (quotes != null) {
      quotes.close();
    }
    if (client != null) {
      client.close().await();
    }
    if (node != null) {
      node.close();
    }
  }

  record User(String id, String token) {
  }

  static User signup() {
    HttpResponse<Buffer> r = http.post("/api/auth/signup").sendJsonObject(new JsonObject()
      .put("username", "trader-" + UUID.randomUUID().toString().substring(0, 8))
      .put("password", "correct horse battery")).await();
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
    return new User(r.bodyAsJsonObject().getString("userId"), r.bodyAsJsonObject().getString("token"));
  }

  static HttpRequest<Buffer> as(User user, HttpRequest<Buffer> request) {
    return request.bearerTokenAuthentication(user.token());
  }

  /** A new portfolio of a new user, funded with {@code cash} from savings. */
  static Portfolio funded(String cash) {
    User user = signup();
    HttpResponse<Buffer> r = as(user, http.post("/api/portfolios")).sendJsonObject(new JsonObject().put("name", "p"))
      .await();
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
    String id = r.bodyAsJsonObject().getString("portfolioId");
    r = as(user, http.post("/api/transfers")).sendJsonObject(new JsonObject()
      .put("from", new JsonObject().put("kind", "savings"))
      .put("to", new JsonObject().put("kind", "portfolio").put("id", id)).put("amount", cash)).await();
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(202);
    Portfolio p = new Portfolio(user, id);
    until("cash " + cash, () -> cash.equals(p.view().getString("cash")), () -> { });
    return p;
  }

  record Portfolio(User user, String id) {
    JsonObject view() {
      HttpResponse<Buffer> r = as(user, http.get("/api/portfolios/" + id)).send().await();
      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
      return r.bodyAsJsonObject();
    }

    HttpResponse<Buffer> place(JsonObject order) {
      return as(user, http.post("/api/portfolios/" + id + "/orders")).sendJsonObject(order).await();
    }

    String placed(JsonObject order) {
      HttpResponse<Buffer> r = place(order);
      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(202);
      String orderId = r.bodyAsJsonObject().getString("orderId");
      assertThat(r.getHeader("Location")).isEqualTo("/api/orders/" + orderId);
      return orderId;
    }

    JsonObject order(String orderId) {
      HttpResponse<Buffer> r = as(user, http.get("/api/orders/" + orderId)).send().await();
      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
      return r.bodyAsJsonObject();
    }

    /** Waits for the order's status, producing {@code quote} meanwhile (the exchange acts on quotes it sees). */
    JsonObject awaitStatus(String orderId, String status, Runnable quote) {
      until(orderId + " " + status, () -> status.equals(order(orderId).getString("status")), quote);
      return order(orderId);
    }
  }

  static JsonObject order(String symbol, String side, long quantity, String type) {
    return new JsonObject().put("symbol", symbol).put("side", side).put("quantity", quantity).put("type", type)
      .put("timeInForce", "GTC");
  }

  static String symbol() {
    StringBuilder s = new StringBuilder("T");
    for (int i = 0; i < 6; i++) {
      s.append((char) ('A' + ThreadLocalRandom.current().nextInt(26)));
    }
    return s.toString();
  }

  static void quote(String symbol, String bid, String ask) {
    JsonObject q = new JsonObject().put("symbol", symbol).put("bid", bid).put("ask", ask).put("last", bid)
      .put("time", Instant.now().toString()).put("stale", false);
    try {
      quotes.send(new ProducerRecord<>(db.name() + ".market.quotes", symbol, q.encode())).get();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /**
   * Until the portfolio context's quote replica knows {@code sym}: a market sell of a share the portfolio does not
   * hold is then refused for the shares, no longer for a missing quote (and changes nothing).
   */
  private void awaitQuote(Portfolio p, String sym, String bid, String ask) {
    until("the quote replica", () -> {
      HttpResponse<Buffer> r = p.place(order(sym, "SELL", 1, "MARKET"));
      return r.statusCode() == 409 && r.bodyAsJsonObject().getString("detail").contains("shares");
    }, () -> quote(sym, bid, ask));
  }

  /**
   * Each order push names the journal position of its change: a GET at that position sees the change at once
   * (read-your-writes), which is how a client follows its order without polling.
   */
  @Test
  void orderPushesCarryThePositionToReadTheirChangeAt() {
    Portfolio p = funded("1000.00");
    String sym = symbol();
    java.util.concurrent.BlockingQueue<JsonObject> pushes = new java.util.concurrent.LinkedBlockingQueue<>();
    var consumer = node.vertx().eventBus().<JsonObject>consumer("user." + p.user().id() + ".orders",
      m -> pushes.add(m.body()));
    try {
      awaitQuote(p, sym, "9.90", "10.00");
      String orderId = p.placed(order(sym, "BUY", 3, "MARKET"));
      JsonObject filled = null;
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
      while (filled == null && System.nanoTime() < deadline) {
        JsonObject push = pushes.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
        if (push != null && orderId.equals(push.getString("orderId"))) {
          assertThat(push.getString("position")).as(push.encode()).matches("\\d+-\\d+");
          filled = "FILLED".equals(push.getString("status")) ? push : null;
        } else if (push == null) {
          quote(sym, "9.90", "10.00");
        }
      }
      assertThat(filled).as("the FILLED push of " + orderId).isNotNull();
      HttpResponse<Buffer> r = as(p.user(), http.get("/api/orders/" + orderId)
        .addQueryParam("position", filled.getString("position"))).send().await();
      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
      assertThat(r.bodyAsJsonObject().getString("status")).isEqualTo("FILLED");
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    } finally {
      consumer.unregister().await();
    }
  }

  @Test
  void aMarketBuyFillsAtTheAskAndSettlesExactly() {
    Portfolio p = funded("5000.00");
    String sym = symbol();
    assertThat(p.place(order(sym, "BUY", 10, "MARKET")).statusCode()).isEqualTo(409); // no quote yet
    quote(sym, "99.90", "100.00");
    until("the quote replica", () -> p.place(order(sym, "BUY", 0, "MARKET")).statusCode() == 400
      && p.place(order(sym, "SELL", 1, "MARKET")).statusCode() == 409
      && p.place(order(sym, "SELL", 1, "MARKET")).bodyAsJsonObject().getString("detail").contains("shares"), () -> { });
    String orderId = p.placed(order(sym, "BUY", 10, "MARKET"));
    // at once against the latest quote, or (had it aged meanwhile) at the next: the same ask either way
    JsonObject filled = p.awaitStatus(orderId, "FILLED", () -> quote(sym, "99.90", "100.00"));
    assertThat(filled.getString("fillPrice")).isEqualTo("100.00");
    // 10 × 100.00 × 1.05: the collar was reserved at placement (the order keeps what it reserved)
    assertThat(filled.getString("reservedCash")).isEqualTo("1050.00");
    until("settled", () -> "0.00".equals(p.view().getString("reservedCash")), () -> { });
    JsonObject view = p.view();
    assertThat(view.getString("cash")).isEqualTo("4000.00");
    assertThat(holding(view, sym).getLong("shares")).isEqualTo(10);
    assertThat(holding(view, sym).getString("costBasis")).isEqualTo("1000.00");

    // a stop sell of those shares triggers when the bid reaches its stop, and fills there
    String stop = p.placed(order(sym, "SELL", 10, "STOP").put("stopPrice", "90.00"));
    quote(sym, "95.00", "95.10");
    assertThat(p.order(stop).getString("status")).isEqualTo("OPEN");
    JsonObject sold = p.awaitStatus(stop, "FILLED", () -> quote(sym, "89.50", "89.60"));
    assertThat(sold.getString("fillPrice")).isEqualTo("89.50");
    until("sale settled", () -> "4895.00".equals(p.view().getString("cash")), () -> { });
    assertThat(holding(p.view(), sym)).isNull();
  }

  @Test
  void aLimitBuyRestsAboveItsLimitAndFillsWhenTheAskReachesIt() {
    Portfolio p = funded("1000.00");
    String sym = symbol();
    quote(sym, "49.90", "50.00");
    awaitQuote(p, sym, "49.90", "50.00");
    String orderId = null;
    while (orderId == null) {
      HttpResponse<Buffer> r = p.place(order(sym, "BUY", 5, "LIMIT").put("limitPrice", "48.00"));
      orderId = r.statusCode() == 202 ? r.bodyAsJsonObject().getString("orderId") : null;
    }
    String id = orderId;
    for (int i = 0; i < 5; i++) {
      quote(sym, "48.90", "49.00");
    }
    assertThat(p.order(id).getString("status")).isEqualTo("OPEN");
    assertThat(p.view().getString("reservedCash")).isEqualTo("240.00");
    JsonObject filled = p.awaitStatus(id, "FILLED", () -> quote(sym, "47.40", "47.50"));
    assertThat(filled.getString("fillPrice")).isEqualTo("47.50");
    until("settled", () -> "762.50".equals(p.view().getString("cash"))
      && "0.00".equals(p.view().getString("reservedCash")), () -> { });
    HttpResponse<Buffer> list = as(p.user(), http.get("/api/portfolios/" + p.id() + "/orders?status=FILLED")).send()
      .await();
    assertThat(list.bodyAsJsonObject().getJsonArray("orders").size()).isEqualTo(1);
  }

  @Test
  void cancellingReleasesTheReservationAndOnlyTheOwnerMayCancel() {
    Portfolio p = funded("1000.00");
    Portfolio stranger = funded("10.00");
    String sym = symbol();
    quote(sym, "29.90", "30.00");
    awaitQuote(p, sym, "29.90", "30.00");
    String orderId = p.placed(order(sym, "BUY", 10, "LIMIT").put("limitPrice", "20.00"));
    until("reservation", () -> "200.00".equals(p.view().getString("reservedCash")), () -> { });
    assertThat(as(stranger.user(), http.delete("/api/orders/" + orderId)).send().await().statusCode()).isEqualTo(404);
    assertThat(as(stranger.user(), http.get("/api/orders/" + orderId)).send().await().statusCode()).isEqualTo(404);
    // the broker may not have taken the order from Kafka yet: then the cancel is refused, and can be asked again
    until("cancel accepted", () -> as(p.user(), http.delete("/api/orders/" + orderId)).send().await().statusCode()
      == 202, () -> { });
    JsonObject cancelled = p.awaitStatus(orderId, "CANCELLED", () -> { });
    assertThat(cancelled.getString("reason")).isEqualTo("cancelled by the trader");
    until("released", () -> "0.00".equals(p.view().getString("reservedCash")), () -> { });
    assertThat(p.view().getString("cash")).isEqualTo("1000.00");
    assertThat(as(p.user(), http.delete("/api/orders/" + orderId)).send().await().statusCode()).isEqualTo(409);
  }

  @Test
  void concurrentMarketBuysNeverReserveMoreThanTheCash() {
    Portfolio p = funded("1000.00");
    String sym = symbol();
    quote(sym, "9.90", "10.00");
    until("the quote replica", () -> p.place(order(sym, "BUY", 0, "MARKET")).statusCode() == 400
      && p.place(order(sym, "SELL", 1, "MARKET")).statusCode() == 409
      && p.place(order(sym, "SELL", 1, "MARKET")).bodyAsJsonObject().getString("detail").contains("shares"), () -> { });
    List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      all.add(as(p.user(), http.post("/api/portfolios/" + p.id() + "/orders"))
        .sendJsonObject(order(sym, "BUY", 10, "MARKET")));
    }
    Future.join(all).await();
    List<String> accepted = new ArrayList<>();
    int rejected = 0;
    for (Future<HttpResponse<Buffer>> f : all) {
      HttpResponse<Buffer> r = f.result();
      if (r.statusCode() == 202) {
        accepted.add(r.bodyAsJsonObject().getString("orderId"));
      } else {
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(409);
        assertThat(r.bodyAsJsonObject().getString("detail")).containsIgnoringCase("insufficient");
        rejected++;
      }
    }
    // each reserves 10 × 10.50 = 105.00: nine fit in 1000.00
    assertThat(accepted).hasSize(9);
    assertThat(rejected).isEqualTo(41);
    for (String id : accepted) {
      p.awaitStatus(id, "FILLED", () -> quote(sym, "9.90", "10.00"));
    }
    until("settled", () -> "100.00".equals(p.view().getString("cash")), () -> { });
    assertThat(p.view().getString("reservedCash")).isEqualTo("0.00");
    assertThat(holding(p.view(), sym).getLong("shares")).isEqualTo(90);
  }
  @Test
  void duplicatePlacementsAndResultsChangeNothingTwice() {
    Portfolio p = funded("1000.00");
    String sym = symbol();
    quote(sym, "19.90", "20.00");
    awaitQuote(p, sym, "19.90", "20.00");
    String first = p.placed(order(sym, "BUY", 10, "MARKET"));
    JsonObject filled = p.awaitStatus(first, "FILLED", () -> quote(sym, "19.90", "20.00"));
    // a copy of the placement and of the fill, as a redelivery would bring them
    send("portfolio.orders", "portfolio|" + p.id(), "portfolio.order-placed", new JsonObject().put("orderId", first)
      .put("portfolioId", p.id()).put("symbol", sym).put("side", "BUY").put("quantity", 10).put("type", "MARKET")
      .put("timeInForce", "GTC").put("reservePrice", "21.00"));
    send("broker.order-results", "order|" + first, "order.filled", new JsonObject().put("orderId", first)
      .put("portfolioId", p.id()).put("outcome", "FILLED").put("price", filled.getString("fillPrice"))
      .put("quantity", 10).put("time", Instant.now().toString()));
    // a later order goes through the same topics after the copies: once it settles, the copies were handled
    String second = p.placed(order(sym, "BUY", 5, "MARKET"));
    p.awaitStatus(second, "FILLED", () -> quote(sym, "19.90", "20.00"));
    until("settled", () -> "700.00".equals(p.view().getString("cash")), () -> { });
    assertThat(holding(p.view(), sym).getLong("shares")).isEqualTo(15);
    assertThat(p.view().getString("reservedCash")).isEqualTo("0.00");
  }

  static void send(String topic, String key, String type, JsonObject payload) {
    JsonObject envelope = new JsonObject().put("type", type).put("schemaVersion", 1)
      .put("eventId", UUID.randomUUID().toString()).put("streamId", key).put("version", 1).put("payload", payload);
    try {
      quotes.send(new ProducerRecord<>(db.name() + "." + topic, key, envelope.encode())).get();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
