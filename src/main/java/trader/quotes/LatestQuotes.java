package trader.quotes;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import trader.platform.BusFailures;
import trader.quotes.contract.QuotesAddresses;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What every node knows of the market: the latest quote per symbol, as published on the event bus by the market
 * node, and the answers of the {@code quotes.latest} and {@code quotes.candles} APIs. A quote older than
 * {@code staleAfter} is answered as stale (the market node or its feed stopped), never dropped or made up.
 */
final class LatestQuotes {

  static final Duration MAX_CANDLE_RANGE = Duration.ofDays(7);

  private final List<String> symbols;
  private final Duration staleAfter;
  private final Clock clock;
  private final CandleStore candles;
  private final Map<String, Quote> latest = new ConcurrentHashMap<>();
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();

  LatestQuotes(List<String> symbols, Duration staleAfter, Clock clock, CandleStore candles) {
    this.symbols = List.copyOf(symbols);
    this.staleAfter = staleAfter;
    this.clock = clock;
    this.candles = candles;
  }

  /** Listens to the market's publications and serves the APIs on this node. */
  Future<Void> start(Vertx vertx) {
    List<Future<Void>> registered = new ArrayList<>();
    for (String symbol : symbols) {
      MessageConsumer<JsonObject> c = vertx.eventBus().consumer(QuotesAddresses.publication(symbol),
        msg -> update(QuoteJson.fromJson(msg.body())));
      consumers.add(c);
      registered.add(c.completion());
    }
    MessageConsumer<JsonObject> latestApi = trader.platform.BusApi.serve(vertx, QuotesAddresses.LATEST, this::latest);
    MessageConsumer<JsonObject> candlesApi = trader.platform.BusApi.serve(vertx, QuotesAddresses.CANDLES, this::candles);
    consumers.add(latestApi);
    consumers.add(candlesApi);
    registered.add(latestApi.completion());
    registered.add(candlesApi.completion());
    return Future.all(registered).mapEmpty();
  }

  Future<Void> stop() {
    return Future.join(consumers.stream().map(MessageConsumer::unregister).toList())
      .transform(ar -> Future.succeededFuture());
  }

  /** Keeps {@code quote} unless a newer one of its symbol is already known. */
  void update(Quote quote) {
    latest.merge(quote.symbol(), quote, (old, q) -> q.time().isBefore(old.time()) ? old : q);
  }

  /** {@code {symbol?}} → one quote, or {@code {quotes: [...]}} in listing order. */
  Future<JsonObject> latest(JsonObject request) {
    String symbol = request.getString("symbol");
    if (symbol != null) {
      return Future.succeededFuture(QuoteJson.toJson(current(known(symbol))));
    }
    JsonArray quotes = new JsonArray();
    for (String s : symbols) {
      Quote q = latest.get(s);
      if (q != null) {
        quotes.add(QuoteJson.toJson(aged(q)));
      }
    }
    return Future.succeededFuture(new JsonObject().put("quotes", quotes));
  }

  /** {@code {symbol, from?, to?}} → {@code {symbol, from, to, candles}}; the range defaults to the last hour. */
  Future<JsonObject> candles(JsonObject request) {
    String symbol = known(request.getString("symbol", ""));
    Instant to = instant(request, "to", clock.instant());
    Instant from = instant(request, "from", to.minus(Duration.ofHours(1)));
    if (!from.isBefore(to)) {
      throw new BusFailures.Refusal(400, "'from' must be before 'to'");
    }
    if (Duration.between(from, to).compareTo(MAX_CANDLE_RANGE) > 0) {
      throw new BusFailures.Refusal(400, "The range from 'from' to 'to' must be at most 7 days");
    }
    return candles.candles(symbol, from, to).map(list -> new JsonObject().put("symbol", symbol)
      .put("from", from.toString()).put("to", to.toString()).put("candles", list));
  }

  private String known(String symbol) {
    String s = symbol.toUpperCase(java.util.Locale.ROOT);
    if (!symbols.contains(s)) {
      throw new BusFailures.Refusal(404, "No symbol " + symbol);
    }
    return s;
  }

  private Quote current(String symbol) {
    Quote q = latest.get(symbol);
    if (q == null) {
      throw new BusFailures.Refusal(503, "No quote for " + symbol + " yet");
    }
    return aged(q);
  }

  private Quote aged(Quote q) {
    return q.time().plus(staleAfter).isBefore(clock.instant()) ? q.asStale() : q;
  }

  private static Instant instant(JsonObject request, String field, Instant otherwise) {
    String text = request.getString(field);
    if (text == null || text.isBlank()) {
      return otherwise;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new BusFailures.Refusal(400, "'" + field + "' must be an ISO-8601 instant such as "
        + "2025-01-02T15:04:05Z: " + text);
    }
  }
}
