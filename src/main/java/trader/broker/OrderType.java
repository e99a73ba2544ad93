package trader.broker;

/** How an order is executed. */
public enum OrderType {
  /** At the market price (the latest fresh quote, else the next): buys at the ask, sells at the bid. */
  MARKET,
  /** When the market reaches the limit price, at the market price, which is then the limit or better. */
  LIMIT,
  /** Becomes a market order when the market reaches the stop price (buy: ask ≥ stop; sell: bid ≤ stop). */
  STOP,
  /** Becomes a limit order when the market reaches the stop price. */
  STOP_LIMIT;

  /** Whether the order has a limit price. */
  public boolean limited() {
    return this == LIMIT || this == STOP_LIMIT;
  }

  /** Whether the order waits for a stop price before it works. */
  public boolean stopped() {
    return this == STOP || this == STOP_LIMIT;
  }
}
