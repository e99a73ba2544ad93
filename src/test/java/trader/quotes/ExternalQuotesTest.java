package trader.quotes;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

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
