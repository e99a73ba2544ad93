package trader.quotes;

import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import trader.eventsourcing.StorableText;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Quotes from an HTTP feed speaking Alpha Vantage's {@code GLOBAL_QUOTE} format
 * ({@code GET url?function=GLOBAL_QUOTE&symbol=IBM&apikey=...} → {@code {"Global Quote": {"05. price": ...}}}),
 * one request per symbol per poll, all behind one circuit breaker.
 *
 * <p>The feed gives one price; bid and ask are that price ∓ half the configured spread. Only a plain decimal of
 * ASCII digits is taken as a price (at most 12 digits before the point and 8 after): whatever else a third party
 * answers never reaches a quote, the topic or {@code quote_candles}. A symbol whose request
 * fails (or is refused while the breaker is open) is NOT invented: its last known quote is returned marked stale;
 * a symbol never fetched has no quote at all.
 */
final class ExternalQuotes implements QuoteSource {

  private static final Logger LOG = LoggerFactory.getLogger(ExternalQuotes.class);
  private static final BigDecimal CENT = new BigDecimal("0.01");
  /** What the feed's prices look like ("137.5400"); anything else from the third party is not taken. */
  private static final Pattern PRICE = Pattern.compile("[0-9]{1,12}(\\.[0-9]{1,8})?");

  private final HttpClient http;
  private final CircuitBreaker breaker;
  private final String url;
  private final String apiKey;
  private final int spreadBps;
  private final List<String> symbols;
  // completions may come on the breaker's timer context, hence a concurrent map
  private final Map<String, Quote> lastKnown = new ConcurrentHashMap<>();

  ExternalQuotes(Vertx vertx, String url, String apiKey, int spreadBps, List<String> symbols) {
    this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(5000));
    this.breaker = CircuitBreaker.create("quotes-feed", vertx, new CircuitBreakerOptions()
      .setMaxFailures(3).setTimeout(10_000).setResetTimeout(30_000));
    this.url = url;
    this.apiKey = apiKey;
    this.spreadBps = spreadBps;
    this.symbols = List.copyOf(symbols);
  }

  @Override
  public Future<List<Quote>> next(Instant now) {
    List<Future<Quote>> fetches = new ArrayList<>();
    for (String symbol : symbols) {
      fetches.add(breaker.<Quote>execute(() -> fetch(symbol, now))
        .map(q -> {
          lastKnown.put(symbol, q);
          return q;
        })
        .recover(e -> {
          LOG.debug("Feed failed for {}: {}", symbol, e.getMessage());
          Quote last = lastKnown.get(symbol);
          return Future.succeededFuture(last == null ? null : last.asStale());
        }));
    }
    return Future.join(fetches).transform(ar -> Future.succeededFuture(
      fetches.stream().map(Future::result).filter(q -> q != null).toList()));
  }

  private Future<Quote> fetch(String symbol, Instant now) {
    String query = (url.contains("?") ? "&" : "?") + "function=GLOBAL_QUOTE&symbol=" + encode(symbol)
      + "&apikey=" + encode(apiKey);
    return http.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url + query)
        .setIdleTimeout(10_000))
      .compose(req -> req.send().compose(resp -> resp.body().compose(body -> resp.statusCode() == 200
        ? Future.succeededFuture(body)
        : Future.failedFuture("HTTP " + resp.statusCode()))))
      .map(body -> parse(symbol, body, now));
  }

  /** The quote in a GLOBAL_QUOTE answer; anything else (e.g. a rate-limit "Note") is a failure. */
  Quote parse(String symbol, Buffer body, Instant now) {
    JsonObject quote = new JsonObject(body).getJsonObject("Global Quote");
    String price = quote == null ? null : quote.getString("05. price");
    if (price == null || !symbol.equalsIgnoreCase(quote.getString("01. symbol", symbol))) {
      throw new IllegalStateException("no quote for " + symbol + " in the feed's answer");
    }
    if (!PRICE.matcher(price).matches()) {
      // BigDecimal would take "1e200000" (a number no numeric column holds: the tick's candles of every symbol
      // fail) or "1e999999999" (setScale would build a billion-digit number), and digits of any script
      throw new IllegalStateException("price '" + StorableText.printable(price.length() > 40
        ? price.substring(0, 40) + "..." : price) + "' for " + symbol + " is not a plain decimal");
    }
    BigDecimal last = new BigDecimal(price).setScale(2, RoundingMode.HALF_EVEN);
    if (last.signum() <= 0) {
      throw new IllegalStateException("price " + price + " for " + symbol + " is not positive");
    }
    BigDecimal half = last.multiply(BigDecimal.valueOf(spreadBps)).movePointLeft(4)
      .divide(BigDecimal.valueOf(2), 2, RoundingMode.HALF_UP);
    BigDecimal bid = last.subtract(half).max(CENT);
    return new Quote(symbol, bid, last.add(half), last, now, false);
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  @Override
  public Future<Void> close() {
    breaker.close();
    return http.close();
  }
}
