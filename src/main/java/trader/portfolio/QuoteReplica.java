package trader.portfolio;

import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's copy of the latest ask per symbol, fed from {@code market.quotes}: the market price is not the
 * portfolio's to know, but a market buy must reserve enough cash, so it reserves the last ask plus a collar.
 */
final class QuoteReplica {

  private final Map<String, BigDecimal> asks = new ConcurrentHashMap<>();

  /** A quote message {@code {symbol, bid, ask, last, time, stale}}; malformed ones are ignored. */
  void onQuote(JsonObject quote) {
    String symbol = quote.getString("symbol");
    String ask = quote.getString("ask");
    if (symbol != null && ask != null) {
      try {
        asks.put(symbol, new BigDecimal(ask));
      } catch (NumberFormatException ignored) {
        // not a price: keep the last good one
      }
    }
  }

  Optional<BigDecimal> lastAsk(String symbol) {
    return Optional.ofNullable(asks.get(symbol));
  }
}
