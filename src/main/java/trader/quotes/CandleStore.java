package trader.quotes;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The quotes context's table {@code quote_candles}: one-minute OHLC of every symbol's last price. */
final class CandleStore {

  /**
   * One statement for a whole tick: each quote's last price opens its minute's candle or moves its high, low and
   * close. Arrays are passed as text and cast in SQL, which keeps the decimals exact.
   */
  private static final String UPSERT = """
    insert into quote_candles (symbol, minute, open, high, low, close)
    select t.symbol, t.minute::timestamptz, t.price::numeric, t.price::numeric, t.price::numeric, t.price::numeric
    from unnest($1::text[], $2::text[], $3::text[]) as t(symbol, minute, price)
    on conflict (symbol, minute) do update set
      high = greatest(quote_candles.high, excluded.high),
      low = least(quote_candles.low, excluded.low),
      close = excluded.close""";

  private final Pool pool;

  CandleStore(Pool pool) {
    this.pool = pool;
  }

  /** Adds the fresh quotes of one tick to their candles (stale ones are not prices, they are skipped). */
  Future<Void> add(List<Quote> quotes) {
    List<Quote> fresh = quotes.stream().filter(q -> !q.stale()).toList();
    if (fresh.isEmpty()) {
      return Future.succeededFuture();
    }
    String[] symbols = new String[fresh.size()];
    String[] minutes = new String[fresh.size()];
    String[] prices = new String[fresh.size()];
    for (int i = 0; i < fresh.size(); i++) {
      Quote q = fresh.get(i);
      symbols[i] = q.symbol();
      minutes[i] = q.time().truncatedTo(ChronoUnit.MINUTES).toString();
      prices[i] = q.last().toPlainString();
    }
    return pool.preparedQuery(UPSERT).execute(Tuple.of(symbols, minutes, prices)).mapEmpty();
  }

  /** The latest close of every symbol that has a candle: where a market taking over starts from. */
  Future<Map<String, BigDecimal>> latestCloses() {
    return pool.query("select distinct on (symbol) symbol, close from quote_candles order by symbol, minute desc")
      .execute().map(rows -> {
        Map<String, BigDecimal> closes = new HashMap<>();
        for (Row row : rows) {
          closes.put(row.getString("symbol"), row.getBigDecimal("close"));
        }
        return closes;
      });
  }

  /** The candles of {@code symbol} whose minute starts in [from, to), oldest first. */
  Future<JsonArray> candles(String symbol, Instant from, Instant to) {
    return pool.preparedQuery("select minute, open, high, low, close from quote_candles "
        + "where symbol = $1 and minute >= $2 and minute < $3 order by minute")
      .execute(Tuple.of(symbol, from.atOffset(ZoneOffset.UTC), to.atOffset(ZoneOffset.UTC)))
      .map(rows -> {
        JsonArray candles = new JsonArray();
        for (Row row : rows) {
          candles.add(new JsonObject()
            .put("minute", row.getOffsetDateTime("minute").toInstant().toString())
            .put("open", row.getBigDecimal("open").toPlainString())
            .put("high", row.getBigDecimal("high").toPlainString())
            .put("low", row.getBigDecimal("low").toPlainString())
            .put("close", row.getBigDecimal("close").toPlainString()));
        }
        return candles;
      });
  }
}
