package trader.portfolio;

/** How long an order stays open: until the end of the trading day, or until it is filled or cancelled. */
public enum TimeInForce {
  DAY, GTC
}
