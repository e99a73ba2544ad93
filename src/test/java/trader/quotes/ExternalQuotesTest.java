package trader.quotes;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.testing.TestDatabase;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The external feed against a local HTTP server answering in Alpha Vantage's GLOBAL_QUOTE format (the accepted fake
 * of the third-party service), failing on demand.
 */
class ExternalQuotesTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase();

  Vertx vertx;
  HttpServer server;
  final AtomicBoolean failing = new AtomicBoolean();
  final AtomicInteger requests = new AtomicInteger();
  final Map<String, String> prices = new ConcurrentHashMap<>(Map.of("IBM", "137.5400", "KO", "63.4000"));
  ExternalQuotes feed;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    server = vertx.createHttpServer().requestHandler(req -> {
      requests.incrementAndGet();
      if (failing.get()) {
        req.response().setStatusCode(503).end("down");
        return;
      }
      assertThat(req.getParam("function")).isEqualTo("GLOBAL_QUOTE");
      if (!"test-key".equals(req.getParam("apikey"))) {
        req.response().end(new JsonObject().put("Error Message", "invalid key").encode());
        return;
      }
      String symbol = req.getParam("symbol");
      req.response().putHeader("Content-Type", "application/json").end(new JsonObject().put("Global Quote",
        new JsonObject().put("01. symbol", symbol).put("02. open", "1.0").put("05. price", prices.get(symbol))
          .put("07. latest trading day", "2025-01-02")).encode());
    }).listen(0, "127.0.0.1").await();
    feed = new ExternalQuotes(vertx, "http://127.0.0.1:" + server.actualPort() + "/query", "test-key", 10,
      List.of("IBM", "KO"));
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  @Test
  void pricesComeFromTheFeedWithTheSpreadAroundThem() {
    List<Quote> quotes = feed.next(Instant.now()).await();
    assertThat(quotes).extracting(Quote::symbol).containsExactly("IBM", "KO");
    Quote ibm = quotes.get(0);
    assertThat(ibm.last()).isEqualByComparingTo("137.54");
    // 10 bp of 137.54 = 0.1375; half of it, to the cent: 0.07
    assertThat(ibm.bid()).isEqualByComparingTo("137.47");
    assertThat(ibm.ask()).isEqualByComparingTo("137.61");
    assertThat(ibm.stale()).isFalse();
  }

  @Test
  void whenTheFeedFailsTheLastKnownQuotesAreStaleAndNothingIsInvented() {
    Instant first = Instant.now();
    feed.next(first).await();
    failing.set(true);
    prices.put("IBM", "999.0000"); // must not show up: the feed is down

    List<Quote> quotes = feed.next(first.plusSeconds(60)).await();
    assertThat(quotes).allMatch(Quote::stale);
    assertThat(quotes.get(0).last()).isEqualByComparingTo("137.54");
    assertThat(quotes.get(0).time()).isEqualTo(first);

    // the breaker opens after 3 failures: later polls do not even reach the feed
    feed.next(first.plusSeconds(120)).await();
    int before = requests.get();
    List<Quote> again = feed.next(first.plusSeconds(180)).await();
    assertThat(requests.get()).isEqualTo(before);
    assertThat(again).allMatch(Quote::stale).extracting(Quote::last)
      .allMatch(p -> p.compareTo(new BigDecimal("999")) != 0);
  }

  /**
   * A third party's price that is not a plain decimal is not taken: not with a NUL, not in another script's digits,
   * not as "1e200000" (a number no numeric column holds: the one statement that stores a tick's candles would fail
   * for every symbol). That symbol keeps its last known quote, stale; the others' candles are stored.
   */
  @Test
  void aPriceThatIsNotAPlainDecimalIsNotTakenAndTheOtherSymbolsCandlesAreStored() {
    var pool = db.database().pool(vertx);
    CandleStore candles = new CandleStore(pool);
    Instant now = Instant.parse("2026-03-02T10:00:00Z");
    for (String hostile : new String[] {"1e200000", "137.54\u0000", "\u0661\u0663\u0667", "1E+2", "-5",
      "1234567890123.00", "137.123456789", " 137.54", "0x10", "Infinity"}) {
      // a feed of its own each time: its circuit breaker has not counted the earlier failures
      ExternalQuotes fresh = new ExternalQuotes(vertx, "http://127.0.0.1:" + server.actualPort() + "/query",
        "test-key", 10, List.of("IBM", "KO"));
      prices.put("IBM", "137.5400");
      candles.add(fresh.next(now).await()).await();
      prices.put("IBM", hostile);
      now = now.plusSeconds(60);
      List<Quote> quotes = fresh.next(now).await();
      Quote ibm = quotes.stream().filter(q -> q.symbol().equals("IBM")).findFirst().orElseThrow();
      assertThat(ibm.stale()).as(hostile).isTrue();
      assertThat(ibm.last()).as(hostile).isEqualByComparingTo("137.54");
      candles.add(quotes).await();
      assertThat(pool.preparedQuery("select count(*) from quote_candles where symbol = 'KO' and minute = $1")
        .execute(io.vertx.sqlclient.Tuple.of(now.atOffset(java.time.ZoneOffset.UTC))).await().iterator().next()
        .getLong(0)).as("KO's candle in the tick of IBM's " + hostile).isEqualTo(1);
      fresh.close().await();
      now = now.plusSeconds(60);
    }
    assertThat(pool.query("select max(high) from quote_candles where symbol = 'IBM'").execute().await().iterator()
      .next().getBigDecimal(0)).isEqualByComparingTo("137.54");
  }

  @Test
  void aSymbolNeverFetchedHasNoQuoteAtAll() {
    failing.set(true);
    assertThat(feed.next(Instant.now()).await()).isEmpty();
  }

  @Test
  void anAnswerWithoutAQuoteIsAFailure() {
    ExternalQuotes wrongKey = new ExternalQuotes(vertx, "http://127.0.0.1:" + server.actualPort() + "/query",
      "wrong", 10, List.of("IBM"));
    assertThat(wrongKey.next(Instant.now()).await()).isEmpty();
  }
}
