package trader.broker;

import trader.quotes.Quote;

import java.math.BigDecimal;
import java.time.Instant;

/** Orders and quotes for the broker's tests, prices as strings. */
final class Orders {

  static final Instant T0 = Instant.parse("2025-03-03T14:30:00Z");
  static final String SYMBOL = "ACME";

  private Orders() {
  }

  static BigDecimal p(String price) {
    return price == null ? null : new BigDecimal(price);
  }

  static OrderDetails market(String id, Side side) {
    return order(id, side, OrderType.MARKET, null, null, TimeInForce.DAY);
  }

  static OrderDetails limit(String id, Side side, String limit) {
    return order(id, side, OrderType.LIMIT, limit, null, TimeInForce.DAY);
  }

  static OrderDetails stop(String id, Side side, String stop) {
    return order(id, side, OrderType.STOP, null, stop, TimeInForce.DAY);
  }

  static OrderDetails stopLimit(String id, Side side, String stop, String limit) {
    return order(id, side, OrderType.STOP_LIMIT, limit, stop, TimeInForce.DAY);
  }

  /** A buy reserves generously (1000.00 a share) unless a test says otherwise. */
  static OrderDetails order(String id, Side side, OrderType type, String limit, String stop, TimeInForce tif) {
    return new OrderDetails(id, "portfolio-1", SYMBOL, side, 10, type, p(limit), p(stop), tif,
      side == Side.BUY ? p("1000.00") : null);
  }

  static OrderDetails gtc(OrderDetails o) {
    return new OrderDetails(o.orderId(), o.portfolioId(), o.symbol(), o.side(), o.quantity(), o.type(),
      o.limitPrice(), o.stopPrice(), TimeInForce.GTC, o.reservePrice());
  }

  static Quote quote(String bid, String ask) {
    return quote(SYMBOL, bid, ask, 0);
  }

  static Quote quote(String symbol, String bid, String ask, int second) {
    return new Quote(symbol, p(bid), p(ask), p(bid), T0.plusSeconds(second), false);
  }
}
