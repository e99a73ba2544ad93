package trader.portfolio;

/** Whether an order buys or sells shares. */
public enum Side {
  BUY, SELL
}
