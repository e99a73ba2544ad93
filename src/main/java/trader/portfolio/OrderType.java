package trader.portfolio;

import java.util.Locale;

/** How an order's price is set: at the market, at a limit, or once a stop price is reached (then either). */
public enum OrderType {
  MARKET, LIMIT, STOP, STOP_LIMIT;

  /** Whether the order carries a limit price (the worst price it accepts). */
  public boolean hasLimitPrice() {
    return this == LIMIT || this == STOP_LIMIT;
  }

  /** Whether the order carries a stop price (the price that activates it). */
  public boolean hasStopPrice() {
    return this == STOP || this == STOP_LIMIT;
  }

  /** The type in a sentence: "market", "stop-limit". */
  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
