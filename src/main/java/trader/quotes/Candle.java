package trader.quotes;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * Open, high, low and close of one symbol's last price over one minute.
 *
 * @param start  the first instant of the minute (UTC)
 * @param quotes how many quotes went into it
 */
public record Candle(String symbol, Instant start, BigDecimal open, BigDecimal high, BigDecimal low,
                     BigDecimal close, int quotes) {

  /** A candle of one quote. */
  static Candle of(Instant start, Quote quote) {
    return new Candle(quote.symbol(), start, quote.last(), quote.last(), quote.last(), quote.last(), 1);
  }

  /** This candle with {@code price} as its latest price. */
  Candle with(BigDecimal price) {
    return new Candle(symbol, start, open, high.max(price), low.min(price), price, quotes + 1);
  }
}
