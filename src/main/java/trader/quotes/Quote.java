package trader.quotes;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

/**
 * The market for one symbol at one instant: the best price a seller gets ({@code bid}), the best price a buyer pays
 * ({@code ask}) and the last traded price. Prices are in dollars, exact decimals.
 *
 * @param stale true when the price is not current (e.g. the feed stopped); nothing should be executed against it
 */
public record Quote(String symbol, BigDecimal bid, BigDecimal ask, BigDecimal last, Instant time, boolean stale) {

  public Quote {
    Objects.requireNonNull(symbol, "symbol");
    Objects.requireNonNull(bid, "bid");
    Objects.requireNonNull(ask, "ask");
    Objects.requireNonNull(last, "last");
    Objects.requireNonNull(time, "time");
    if (bid.compareTo(ask) > 0) {
      throw new IllegalArgumentException("A quote's bid " + bid + " is above its ask " + ask + " for " + symbol);
    }
  }

  /** This quote marked as no longer current. */
  public Quote asStale() {
    return stale ? this : new Quote(symbol, bid, ask, last, time, true);
  }
}
