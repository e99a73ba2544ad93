package trader.broker;

import java.math.BigDecimal;
import java.time.Instant;

/** What a quote did to an order resting in an {@link OrderBook}; the broker turns these into order commands. */
public sealed interface BookEvent {

  OrderDetails order();

  /** A stop or stop-limit order's stop price was reached; {@code price} is the market price that reached it. */
  record Triggered(OrderDetails order, BigDecimal price, Instant time) implements BookEvent {
  }

  /** The whole order was executed at {@code price}. */
  record Filled(OrderDetails order, BigDecimal price, Instant time) implements BookEvent {
  }
}
