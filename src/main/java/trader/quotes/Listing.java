package trader.quotes;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * A symbol the simulated market trades, with the price it starts from.
 *
 * @param startPrice the simulation's first mid price, in whole cents (kept at scale 2); a simulated starting point, not market data
 * @param volatility annualised standard deviation of log returns, e.g. {@code 0.25} for 25 %
 */
public record Listing(String ticker, String company, BigDecimal startPrice, double volatility) {

  public Listing {
    Objects.requireNonNull(ticker, "ticker");
    Objects.requireNonNull(company, "company");
    Objects.requireNonNull(startPrice, "startPrice");
    if (ticker.isBlank()) {
      throw new IllegalArgumentException("A listing needs a ticker");
    }
    if (startPrice.signum() <= 0 || startPrice.stripTrailingZeros().scale() > 2) {
      throw new IllegalArgumentException(ticker + ": the start price must be positive, in whole cents: " + startPrice);
    }
    if (!(volatility > 0 && volatility <= 5)) {
      throw new IllegalArgumentException(ticker + ": the volatility must be in (0, 5]: " + volatility);
    }
    startPrice = startPrice.setScale(2); // exact: whole cents checked above
  }
}
