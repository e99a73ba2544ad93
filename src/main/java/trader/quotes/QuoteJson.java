package trader.quotes;

import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.time.Instant;

/** A quote on the wire: {@code {symbol, bid, ask, last, time, stale}}, prices as exact decimal strings. */
public final class QuoteJson {

  private QuoteJson() {
  }

  public static JsonObject toJson(Quote q) {
    return new JsonObject().put("symbol", q.symbol()).put("bid", q.bid().toPlainString())
      .put("ask", q.ask().toPlainString()).put("last", q.last().toPlainString()).put("time", q.time().toString())
      .put("stale", q.stale());
  }

  public static Quote fromJson(JsonObject json) {
    return new Quote(json.getString("symbol"), new BigDecimal(json.getString("bid")),
      new BigDecimal(json.getString("ask")), new BigDecimal(json.getString("last")),
      Instant.parse(json.getString("time")), json.getBoolean("stale", false));
  }
}
