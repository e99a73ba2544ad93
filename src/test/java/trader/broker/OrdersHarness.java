package trader.broker;

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
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import trader.platform.Contexts;
import trader.platform.Node;
import trader.testing.NodeProcess;
import trader.testing.TestDatabase;
import trader.testing.TestInfra;
import trader.testing.TestNodes;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A whole node over a test database of its own, restartable, with an HTTP client and a producer of quotes (the helpers
 * of {@link OrdersApiTest} as instance methods, for tests that stop and start nodes). A test class registers it as an
 * extension: the database and the node are there for the class's tests, and gone after them.
 */
final class OrdersHarness implements AutoCloseable, BeforeAllCallback, AfterAllCallback {

  final TestDatabase db = new TestDatabase(false);
  final int httpPort = NodeProcess.freePort();
  final int clusterPort = NodeProcess.freePort();
  final Map<String, Object> extra = new HashMap<>();
  final Vertx client = Vertx.vertx();
  final WebClient http;
  final KafkaProducer<String, String> quotes;
  Node node;

  OrdersHarness() {
    http = WebClient.create(client, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(httpPort));
    quotes = new KafkaProducer<>(Map.of("bootstrap.servers", TestInfra.kafkaBootstrap()), new StringSerializer(),
      new StringSerializer());
  }

  /** A setting of the node over the tests' defaults, for the starts to come. */
  OrdersHarness with(String key, Object value) {
    extra.put(key, value);
    return this;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    db.beforeAll(context);
    startNode();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    try {
      close();
    } finally {
      db.afterAll(context);
    }
  }

  /** Starts a node on the database and topic prefix (the same each time). */
  Node startNode() {
    Map<String, Object> settings = new HashMap<>(Map.of("http.port", httpPort, "cluster.port", clusterPort,
      "cluster.members", "127.0.0.1:" + clusterPort));
    settings.putAll(extra);
    node = Node.start(TestNodes.settings(db, settings), Contexts.all());
    return node;
  }

  void stopNode() {
    if (node != null) {
      node.close();
      node = null;
    }
  }

  @Override
  public void close() {
    quotes.close();
    client.close().await();
    stopNode();
  }

  record User(String id, String token) {
  }

  User signup() {
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
  Portfolio funded(String cash) {
    User user = signup();
    HttpResponse<Buffer> r = as(user, http.post("/api/portfolios")).sendJsonObject(new JsonObject().put("name", "p"))
      .await();
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
    String id = r.bodyAsJsonObject().getString("portfolioId");
    JsonObject transfer = new JsonObject().put("from", new JsonObject().put("kind", "savings"))
      .put("to", new JsonObject().put("kind", "portfolio").put("id", id)).put("amount", cash);
    // a freshly started node's read sides may still be catching up: 504, ask again
    for (int i = 0; i < 10; i++) {
      r = as(user, http.post("/api/transfers")).sendJsonObject(transfer).await();
      if (r.statusCode() != 504) {
        break;
      }
    }
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(202);
    Portfolio p = new Portfolio(user, id);
    until("cash " + cash, () -> cash.equals(p.view().getString("cash")), () -> { });
    return p;
  }

  final class Portfolio {
    final User user;
    final String id;

    Portfolio(User user, String id) {
      this.user = user;
      this.id = id;
    }

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
      return r.bodyAsJsonObject().getString("orderId");
    }

    JsonObject order(String orderId) {
      HttpResponse<Buffer> r = as(user, http.get("/api/orders/" + orderId)).send().await();
      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
      return r.bodyAsJsonObject();
    }

    JsonObject awaitStatus(String orderId, String status, Runnable quote) {
      until(orderId + " " + status, () -> status.equals(order(orderId).getString("status")), quote);
      return order(orderId);
    }
  }

  static JsonObject order(String symbol, String side, long quantity, String type, String timeInForce) {
    return new JsonObject().put("symbol", symbol).put("side", side).put("quantity", quantity).put("type", type)
      .put("timeInForce", timeInForce);
  }

  /** A symbol the simulated market does not quote. */
  static String symbol() {
    StringBuilder s = new StringBuilder("T");
    for (int i = 0; i < 6; i++) {
      s.append((char) ('A' + ThreadLocalRandom.current().nextInt(26)));
    }
    return s.toString();
  }

  void quote(String symbol, String bid, String ask) {
    quote(symbol, bid, ask, Instant.now(), false);
  }

  /** A quote of {@code time}, as the market would publish it, or republish it {@code stale}. */
  void quote(String symbol, String bid, String ask, Instant time, boolean stale) {
    JsonObject q = new JsonObject().put("symbol", symbol).put("bid", bid).put("ask", ask).put("last", bid)
      .put("time", time.toString()).put("stale", stale);
    try {
      quotes.send(new ProducerRecord<>(db.name() + ".market.quotes", symbol, q.encode())).get();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /**
   * Until the portfolio context's quote replica knows {@code symbol}, running {@code quote} meanwhile: a market sell
   * of a share the portfolio does not hold is then refused for the shares, no longer for a missing quote.
   */
  void awaitQuoted(Portfolio p, String symbol, Runnable quote) {
    until("the quote replica", () -> {
      HttpResponse<Buffer> r = p.place(order(symbol, "SELL", 1, "MARKET", "GTC"));
      return r.statusCode() == 409 && r.bodyAsJsonObject().getString("detail").contains("shares");
    }, quote);
  }

  /** Until {@code p}'s cash is {@code cash} and nothing is reserved any more: every order settled. */
  static void awaitSettled(Portfolio p, String cash) {
    until("settled at " + cash, () -> {
      JsonObject view = p.view();
      return cash.equals(view.getString("cash")) && "0.00".equals(view.getString("reservedCash"));
    }, () -> { });
  }

  /** The broker's read-side status of an order (null before the broker has it). */
  String brokerStatus(String orderId) {
    var rows = node.pool().preparedQuery("select status from broker_orders where order_id = $1")
      .execute(io.vertx.sqlclient.Tuple.of(orderId)).await();
    return rows.size() == 0 ? null : rows.iterator().next().getString("status");
  }

  static void until(String what, BooleanSupplier condition, Runnable meanwhile) {
    until(what, Duration.ofSeconds(30), condition, meanwhile);
  }

  static void until(String what, Duration within, BooleanSupplier condition, Runnable meanwhile) {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      meanwhile.run();
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  static JsonObject holding(JsonObject view, String symbol) {
    return view.getJsonArray("holdings").stream().map(JsonObject.class::cast)
      .filter(h -> symbol.equals(h.getString("symbol"))).findFirst().orElse(null);
  }
}
