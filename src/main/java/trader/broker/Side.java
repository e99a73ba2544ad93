package trader.broker;

/** Whether an order buys or sells. */
public enum Side {
  BUY, SELL
}
