package trader.broker;

/** How long an order works. */
public enum TimeInForce {
  /** Until the session closes; then it expires. */
  DAY,
  /** Good till cancelled: until filled or cancelled. */
  GTC
}
