package trader.quotes;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.platform.Contexts;
import trader.platform.Node;
import trader.testing.TestDatabase;
import trader.testing.TestInfra;
import trader.testing.TestNodes;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The simulated market on a whole node: ticks on the event bus and Kafka, candles in PostgreSQL, the REST API. */
class QuotesApiTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase(false);

  static Node node;
  static Vertx client;
  static WebClient http;
  static String token;
  static Set<String> symbols;

  @BeforeAll
  static void start() {
    node = Node.start(TestNodes.settings(db, Map.of("quotes.tick-ms", 200, "quotes.seed", 42)), Contexts.all());
    client = Vertx.vertx();
    http = WebClient.create(client, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(node.httpPort()));
    HttpResponse<Buffer> r = http.post("/api/auth/signup").sendJsonObject(new JsonObject().put("username", "quoter")
      .put("password", "correct horse battery")).await();
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
    token = r.bodyAsJsonObject().getString("token");
    symbols = SymbolsFile.read(java.nio.file.Path.of("conf/symbols.json")).stream().map(Listing::ticker)
      .collect(Collectors.toSet());
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

  @Test
  void ticksArePublishedOnTheEventBusOfEveryNode() throws Exception {
    Map<String, JsonObject> seen = new ConcurrentHashMap<>();
    for (String symbol : symbols) {
      node.vertx().eventBus().<JsonObject>consumer("quotes." + symbol, m -> seen.put(symbol, m.body()));
    }
    await(() -> seen.keySet().containsAll(symbols), "a tick of every symbol on the event bus");
    JsonObject aapl = seen.get("AAPL");
    assertThat(aapl.getString("symbol")).isEqualTo("AAPL");
    assertThat(new java.math.BigDecimal(aapl.getString("bid")))
      .isLessThanOrEqualTo(new java.math.BigDecimal(aapl.getString("ask")));
    assertThat(aapl.getBoolean("stale")).isFalse();
  }

  @Test
  void ticksReachTheCompactedKafkaTopicKeyedBySymbol() {
    Map<String, Object> config = new HashMap<>();
    config.put("bootstrap.servers", TestInfra.kafkaBootstrap());
    config.put("group.id", db.name() + ".quotes-test");
    config.put("auto.offset.reset", "earliest");
    Map<String, String> keyed = new HashMap<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
      new StringDeserializer())) {
      consumer.subscribe(List.of(db.name() + ".market.quotes"));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!keyed.keySet().containsAll(symbols) && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
          keyed.put(r.key(), r.value());
        }
      }
    }
    assertThat(keyed.keySet()).containsAll(symbols);
    keyed.forEach((key, value) -> assertThat(new JsonObject(value).getString("symbol")).isEqualTo(key));
    assertThat(new JsonObject(keyed.get("MSFT")).getValue("last")).isInstanceOf(String.class);
  }

  @Test
  void quotesNeedAToken() {
    assertThat(http.get("/api/quotes").send().await().statusCode()).isEqualTo(401);
    assertThat(http.get("/api/quotes/AAPL/candles").send().await().statusCode()).isEqualTo(401);
  }

  @Test
  void latestQuotesOfAllSymbolsAndOfOne() throws Exception {
    await(() -> get("/api/quotes").bodyAsJsonObject().getJsonArray("quotes").size() == symbols.size(),
      "a quote of every symbol");
    JsonArray quotes = get("/api/quotes").bodyAsJsonObject().getJsonArray("quotes");
    assertThat(quotes.stream().map(q -> ((JsonObject) q).getString("symbol")).collect(Collectors.toSet()))
      .isEqualTo(symbols);

    HttpResponse<Buffer> one = get("/api/quotes/NVDA");
    assertThat(one.statusCode()).isEqualTo(200);
    assertThat(one.bodyAsJsonObject().getString("symbol")).isEqualTo("NVDA");
    assertThat(one.bodyAsJsonObject().getBoolean("stale")).isFalse();
    assertThat(Instant.parse(one.bodyAsJsonObject().getString("time"))).isAfter(Instant.now().minusSeconds(5));

    assertThat(get("/api/quotes/NOPE").statusCode()).isEqualTo(404);
  }

  @Test
  void candlesOfTheLastHourAndRangeChecks() throws Exception {
    await(() -> get("/api/quotes/AAPL/candles").bodyAsJsonObject().getJsonArray("candles").size() >= 1,
      "a candle of AAPL");
    JsonObject candle = get("/api/quotes/AAPL/candles").bodyAsJsonObject().getJsonArray("candles").getJsonObject(0);
    java.math.BigDecimal low = new java.math.BigDecimal(candle.getString("low"));
    java.math.BigDecimal high = new java.math.BigDecimal(candle.getString("high"));
    assertThat(low).isLessThanOrEqualTo(high);
    assertThat(new java.math.BigDecimal(candle.getString("close"))).isBetween(low, high);
    assertThat(new java.math.BigDecimal(candle.getString("open"))).isBetween(low, high);

    Instant now = Instant.now();
    assertThat(get("/api/quotes/AAPL/candles?from=" + now.minus(Duration.ofDays(8)) + "&to=" + now).statusCode())
      .isEqualTo(400);
    assertThat(get("/api/quotes/AAPL/candles?from=" + now + "&to=" + now.minusSeconds(60)).statusCode())
      .isEqualTo(400);
    assertThat(get("/api/quotes/AAPL/candles?from=yesterday").statusCode()).isEqualTo(400);
    assertThat(get("/api/quotes/NOPE/candles").statusCode()).isEqualTo(404);
    JsonObject old = get("/api/quotes/AAPL/candles?from=" + now.minus(Duration.ofDays(3)) + "&to="
      + now.minus(Duration.ofDays(2))).bodyAsJsonObject();
    assertThat(old.getJsonArray("candles")).isEmpty();
  }

  static HttpResponse<Buffer> get(String uri) {
    return http.get(uri).bearerTokenAuthentication(token).send().await();
  }

  static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("timed out waiting for " + what);
  }
}
