package trader.chaos;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import trader.platform.Contexts;
import trader.platform.Database;
import trader.platform.EmbeddedPostgresServer;
import trader.platform.Node;
import trader.platform.Settings;
import trader.testing.NodeProcess;
import trader.testing.TestInfra;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static trader.testing.Eventually.until;

/**
 * The side paths of money, end to end on two nodes of one cluster over a PostgreSQL of the test's own: clients
 * retrying with keys reused across portfolios and bodies, cancels racing their placements, a poison message held in
 * front of a trader's orders until an operator discards it, the exchange's notifications lost, and PostgreSQL stopped
 * under a mixed load across the session close (commands answer 503 with {@code Retry-After}; the day's orders still
 * expire). It ends with the fault suite's own checks ({@link ChaosChecks}): money conserved to the cent, no
 * reservation without an open order, every order and transfer final, every read side the fold of the journal.
 */
class SidePathsTest {

  static final BigDecimal OPENING = new BigDecimal("10000.00");
  static final String ADMIN = "side-paths-admin-token-0123456789";
  /** When the session closes, from the start: the paths before the outage take well under that. */
  static final Duration TO_SESSION_CLOSE = Duration.ofSeconds(150);

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final List<Node> nodes = new ArrayList<>();
  private final List<String> events = new ArrayList<>();
  private final List<ChaosPhase> phases = new ArrayList<>();
  private volatile boolean dropping;
  private final AtomicInteger dropped = new AtomicInteger();
  private Path dir;
  private PgCtl pgCtl;
  private EmbeddedPostgresServer postgres;
  private ChaosLoad load;
  private Pool pool;

  @Test
  void everySidePathEndsWithTheMoneyWhereItBelongs() throws Exception {
    dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "side-paths")), "run-");
    pgCtl = new PgCtl(dir);
    String prefix = "side_" + UUID.randomUUID().toString().substring(0, 8) + ".";
    Instant sessionClose = Instant.now().plus(TO_SESSION_CLOSE).truncatedTo(ChronoUnit.SECONDS);
    Vertx vertx = Vertx.vertx();
    KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
      TestInfra.kafkaBootstrap()), new StringSerializer(), new StringSerializer());
    try {
      postgres = EmbeddedPostgresServer.start(dir, NodeProcess.freePort());
      startNodes(prefix, sessionClose);
      pool = Database.create(PgConnectOptions.fromUri(postgres.url()), 2).pool(vertx);
      load = new ChaosLoad(nodes.size(), i -> base(i));
      phase("setup");
      load.setUp(6, new BigDecimal("5000.00"));
      for (ChaosLoad.Trader t : load.traders()) { // a transfer is accepted before the money arrives
        until(() -> new BigDecimal(send(0, "GET", "/api/portfolios/" + t.portfolioId(), t, null, null)
          .getString("cash", "0")).signum() > 0, Duration.ofSeconds(30));
      }

      phase("keys reused across portfolios and bodies");
      reusedKeys(load.traders().get(0));
      phase("cancels racing placements");
      cancelsRacingPlacements(load.traders().get(1));
      phase("a poison message in front of a trader's orders");
      poison(producer, prefix, load.traders().get(2));

      phase("exchange notifications lost, under load");
      load.start(3, 200);
      dropping = true;
      Thread.sleep(8000);
      dropping = false;
      events.add("exchange notifications dropped: " + dropped.get());
      assertThat(dropped.get()).as("notifications lost").isPositive();

      phase("PostgreSQL stopped across the session close, under load");
      load.setAside(load.traders().get(3));
      List<String> day = dayOrders(load.traders().get(3));
      long untilStop = Duration.between(Instant.now(), sessionClose.minusSeconds(3)).toMillis();
      assertThat(untilStop).as("the paths before the outage ran past the session close: the machine is too slow")
        .isPositive();
      Thread.sleep(untilStop);
      pgCtl.run("stop", "-m", "fast");
      JsonObject outage = placeDuringOutage(load.traders().get(3));
      Thread.sleep(Math.max(0, Duration.between(Instant.now(), sessionClose.plusSeconds(4)).toMillis()));
      pgCtl.run("start");
      long back = System.nanoTime();
      events.add("PostgreSQL was stopped from 3 s before the session close to 4 s after it; a command then got "
        + outage.encode());
      for (String orderId : day) {
        until(() -> "EXPIRED".equals(status(load.traders().get(3), orderId)), Duration.ofSeconds(90),
          () -> "DAY order " + orderId + " " + status(load.traders().get(3), orderId) + ", at the broker "
            + brokerRow(orderId) + journal(orderId));
      }
      events.add(String.format("the DAY orders across the outage expired %d ms after PostgreSQL was back",
        (System.nanoTime() - back) / 1_000_000));
      Thread.sleep(5_000);
      load.close();
      load.phase().end();

      phase("settling");
      ChaosChecks checks = new ChaosChecks(pool);
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while (checks.unsettled() > 0 && System.nanoTime() < deadline) {
        load.cancelResting();
        Thread.sleep(500);
      }
      checks.run(load, OPENING);
      phases.getLast().end();
      String report = ChaosReport.render(phases, events, checks);
      System.out.println(report);
      Files.writeString(Path.of("target", "side-paths-report.txt"), report);
      assertThat(checks.violations()).as("lost, doubled or inconsistent effects").isEmpty();
      assertThat(phases).allSatisfy(p -> assertThat(p.unexpected.get()).as(p.name() + ": client errors").isZero());
    } finally {
      if (load != null) {
        load.close();
      }
      producer.close();
      nodes.forEach(Node::close);
      if (postgres != null) {
        try {
          postgres.close();
        } catch (RuntimeException e) {
          // stopped by pg_ctl already
        }
      }
      vertx.close().await();
    }
  }

  /**
   * A key used again on another portfolio, with another body, on another node, and by several clients at once: the
   * first request's answer, a 422 for the others, one order in all.
   */
  private void reusedKeys(ChaosLoad.Trader t) {
    String second = send(1, "POST", "/api/portfolios", t, new JsonObject().put("name", "second"), null)
      .getString("portfolioId");
    String key = UUID.randomUUID().toString();
    JsonObject order = restingBuy("5.00");
    JsonObject first = send(0, "POST", "/api/portfolios/" + t.portfolioId() + "/orders", t, order, key);
    assertThat(first.getInteger("httpStatus")).as(first.encode()).isEqualTo(202);
    JsonObject again = send(1, "POST", "/api/portfolios/" + t.portfolioId() + "/orders", t, order, key);
    assertThat(again.getString("orderId")).isEqualTo(first.getString("orderId"));
    assertThat(again.getInteger("httpStatus")).isEqualTo(202);
    for (JsonObject refused : List.of(
      send(0, "POST", "/api/portfolios/" + second + "/orders", t, order, key),
      send(1, "POST", "/api/portfolios/" + t.portfolioId() + "/orders", t, order.copy().put("quantity", 9), key),
      send(0, "POST", "/api/transfers", t, new JsonObject().put("from", ChaosLoad.savings())
        .put("to", ChaosLoad.portfolio(second)).put("amount", "1.00"), key))) {
      assertThat(refused.getInteger("httpStatus")).as(refused.encode()).isEqualTo(422);
    }
    String concurrentKey = UUID.randomUUID().toString();
    List<CompletableFuture<JsonObject>> together = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      int node = i % 2;
      together.add(CompletableFuture.supplyAsync(() -> send(node, "POST", "/api/portfolios/" + t.portfolioId()
        + "/orders", t, restingBuy("4.00"), concurrentKey)));
    }
    assertThat(together.stream().map(CompletableFuture::join).map(r -> r.getString("orderId")).distinct()).hasSize(1);
    events.add("a key reused: 1 order placed and 3 requests refused with 422; 6 concurrent retries placed 1 order");
  }

  /** Orders cancelled at once, on the other node than the one that placed them: each ends cancelled. */
  private void cancelsRacingPlacements(ChaosLoad.Trader t) throws InterruptedException {
    List<String> orders = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      String orderId = send(i % 2, "POST", "/api/portfolios/" + t.portfolioId() + "/orders", t,
        restingBuy("3.00"), UUID.randomUUID().toString()).getString("orderId");
      orders.add(orderId);
      until(() -> send((orderIdHash(orderId) + 1) % 2, "DELETE", "/api/orders/" + orderId, t, null, null)
        .getInteger("httpStatus") == 202, Duration.ofSeconds(20));
    }
    for (String orderId : orders) {
      try {
        until(() -> "CANCELLED".equals(status(t, orderId)), Duration.ofSeconds(30));
      } catch (AssertionError e) {
        throw new AssertionError("order " + orderId + " is " + status(t, orderId) + "; journal: " + journal(orderId)
          + "; dead letters: " + deadLetters("?all=true").encode(), e);
      }
    }
    events.add("8 orders cancelled right after their placement, on the other node: all CANCELLED");
  }

  /**
   * A message that cannot be handled, on the key of a trader's portfolio: the trader's order (and its cancel) wait
   * behind it, reserved; an operator finds it and discards it, and they go on in order.
   */
  private void poison(KafkaProducer<String, String> producer, String prefix, ChaosLoad.Trader t) throws Exception {
    producer.send(new ProducerRecord<>(prefix + "portfolio.orders", "portfolio|" + t.portfolioId(),
      "{\"type\":\"portfolio.order-placed\",\"eventId\":\"poison\",\"payload\":{\"garbage\":true}}")).get();
    String orderId = send(0, "POST", "/api/portfolios/" + t.portfolioId() + "/orders", t, restingBuy("2.00"),
      UUID.randomUUID().toString()).getString("orderId");
    until(() -> deadLetters("?key=portfolio%7C" + t.portfolioId()).size() == 2, Duration.ofSeconds(60));
    JsonArray held = deadLetters("?key=portfolio%7C" + t.portfolioId());
    assertThat(held.getJsonObject(0).getString("status")).isEqualTo("waiting");
    assertThat(held.getJsonObject(1).getString("status")).isEqualTo("dead");
    assertThat(send(1, "DELETE", "/api/orders/" + orderId, t, null, null).getInteger("httpStatus")).isEqualTo(202);
    until(() -> deadLetters("?key=portfolio%7C" + t.portfolioId()).size() == 3, Duration.ofSeconds(30));
    assertThat(status(t, orderId)).as("held back: the broker has not seen it").isEqualTo("OPEN");

    HttpResponse<String> discard = request(1, "POST", "/api/admin/dead-letters/" + held.getJsonObject(1).getLong("id")
      + "/discard", null, null, null, true);
    assertThat(discard.statusCode()).as(discard.body()).isEqualTo(202);
    until(() -> "CANCELLED".equals(status(t, orderId)), Duration.ofSeconds(30));
    until(() -> deadLetters("?key=portfolio%7C" + t.portfolioId()).isEmpty(), Duration.ofSeconds(30));
    events.add("a poison message held a trader's order and cancel; discarded by an operator, they went on: CANCELLED");
  }

  /** Resting DAY buys that the session close must expire, whatever PostgreSQL does meanwhile. */
  private List<String> dayOrders(ChaosLoad.Trader t) {
    List<String> day = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      day.add(send(i % 2, "POST", "/api/portfolios/" + t.portfolioId() + "/orders", t,
        restingBuy("1.00").put("timeInForce", "DAY"), UUID.randomUUID().toString()).getString("orderId"));
    }
    return day;
  }

  /** A command sent while PostgreSQL is down: a 503 that says when to try again and that a retry is safe. */
  private JsonObject placeDuringOutage(ChaosLoad.Trader t) throws Exception {
    HttpResponse<String> r = request(0, "POST", "/api/portfolios/" + t.portfolioId() + "/orders", t.token(),
      restingBuy("1.00"), UUID.randomUUID().toString(), false);
    JsonObject problem = new JsonObject(r.body());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
    assertThat(r.headers().firstValue("Retry-After")).isPresent();
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
    assertThat(problem.getString("detail")).containsAnyOf("try again", "same Idempotency-Key");
    return new JsonObject().put("status", r.statusCode()).put("retryAfter", r.headers().firstValue("Retry-After")
      .orElse(null)).put("detail", problem.getString("detail"));
  }

  /** The journal's events of an order, in both its streams, for a failure's message. */
  private String journal(String orderId) {
    StringBuilder out = new StringBuilder();
    pool.preparedQuery("select stream_id, version, event_type, payload from journal where stream_id = $1 "
        + "or payload->>'orderId' = $2 or payload->'order'->>'orderId' = $2 order by transaction_id, position")
      .execute(io.vertx.sqlclient.Tuple.of("order|" + orderId, orderId)).await()
      .forEach(r -> out.append("\n  ").append(r.getString(0)).append(" v").append(r.getLong(1)).append(' ')
        .append(r.getString(2)).append(' ').append(r.getValue(3)));
    return out.toString();
  }

  private String brokerRow(String orderId) {
    StringBuilder out = new StringBuilder();
    for (Row schema : pool.query("select nspname from pg_namespace where nspname like 'broker_orders_v%'")
        .execute().await()) {
      pool.preparedQuery("select status, accepted_at from " + schema.getString(0) + ".broker_orders where order_id = $1")
        .execute(io.vertx.sqlclient.Tuple.of(orderId)).await()
        .forEach(r -> out.append(r.getString(0)).append(" accepted ").append(r.getValue(1)));
    }
    return out.toString();
  }

  private static JsonObject restingBuy(String limit) {
    return new JsonObject().put("symbol", "AAPL").put("side", "BUY").put("quantity", 1).put("type", "LIMIT")
      .put("limitPrice", limit).put("timeInForce", "GTC");
  }

  private String status(ChaosLoad.Trader t, String orderId) {
    JsonObject order = send(0, "GET", "/api/orders/" + orderId, t, null, null);
    return order.getString("status");
  }

  private JsonArray deadLetters(String query) {
    try {
      HttpResponse<String> r = request(0, "GET", "/api/admin/dead-letters" + query, null, null, null, true);
      return new JsonObject(r.body()).getJsonArray("deadLetters");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** A request to node {@code node}; the answer's JSON with its status as {@code httpStatus}. */
  private JsonObject send(int node, String method, String path, ChaosLoad.Trader t, JsonObject body, String key) {
    try {
      HttpResponse<String> r = request(node, method, path, t.token(), body, key, false);
      JsonObject json = r.body().isBlank() ? new JsonObject() : new JsonObject(r.body());
      return json.put("httpStatus", r.statusCode());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private HttpResponse<String> request(int node, String method, String path, String token, JsonObject body,
                                       String key, boolean admin) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base(node) + path))
      .timeout(Duration.ofSeconds(20)).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body.encode()));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    if (key != null) {
      request.header("Idempotency-Key", key);
    }
    if (admin) {
      request.header("X-Admin-Token", ADMIN);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private String base(int node) {
    return "http://127.0.0.1:" + nodes.get(node).httpPort();
  }

  private static int orderIdHash(String orderId) {
    return Math.abs(orderId.hashCode() % 2);
  }

  private void phase(String name) {
    if (!phases.isEmpty()) {
      phases.getLast().end();
    }
    ChaosPhase phase = new ChaosPhase(name);
    phases.add(phase);
    if (load != null) {
      load.phase(phase);
    }
  }

  /** Two nodes of one cluster, each losing the exchange's notifications while {@link #dropping}. */
  private void startNodes(String prefix, Instant sessionClose) {
    int portA = NodeProcess.freePort();
    int portB = NodeProcess.freePort();
    String members = "127.0.0.1:" + portA + ",127.0.0.1:" + portB;
    for (int clusterPort : List.of(portA, portB)) {
      Map<String, Object> values = new HashMap<>();
      values.put("pg.url", postgres.url());
      values.put("kafka.bootstrap-servers", TestInfra.kafkaBootstrap());
      values.put("kafka.topic-prefix", prefix);
      values.put("http.host", "127.0.0.1");
      values.put("http.port", NodeProcess.freePort());
      values.put("cluster.port", clusterPort);
      values.put("cluster.members", members);
      values.put("auth.jwt-secret", "side-paths-jwt-secret-0123456789abcdefgh");
      values.put("auth.pbkdf2-iterations", 10_000);
      values.put("admin.token", ADMIN);
      values.put("accounts.opening-balance", OPENING.toPlainString());
      values.put("orders.session-close", LocalTime.ofInstant(sessionClose, ZoneOffset.UTC)
        .format(DateTimeFormatter.ofPattern("HH:mm:ss")));
      values.put("quotes.tick-ms", 500);
      values.put("infra.retry-max-delay-ms", 1000);
      Node node = Node.start(Settings.of(values), Contexts.all());
      node.vertx().eventBus().addOutboundInterceptor((DeliveryContext<Object> delivery) -> {
        String address = delivery.message().address();
        if (dropping && (address.equals("broker.exchange.orders") || address.equals("broker.exchange.accepted"))) {
          dropped.incrementAndGet();
          return;
        }
        delivery.next();
      });
      nodes.add(node);
    }
  }
}
