package trader.broker;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * What happened to an order. Every event names the order and its portfolio, so that the portfolio can settle from
 * the event alone.
 */
public sealed interface OrderEvent {

  String orderId();

  String portfolioId();

  /** The order is valid and working. */
  record OrderAccepted(String orderId, String portfolioId, String symbol, Side side, long quantity, OrderType type,
                       BigDecimal limitPrice, BigDecimal stopPrice, TimeInForce timeInForce, BigDecimal reservePrice)
    implements OrderEvent {

    public static OrderAccepted of(OrderDetails o) {
      return new OrderAccepted(o.orderId(), o.portfolioId(), o.symbol(), o.side(), o.quantity(), o.type(),
        o.limitPrice(), o.stopPrice(), o.timeInForce(), o.reservePrice());
    }

    public OrderDetails details() {
      return new OrderDetails(orderId, portfolioId, symbol, side, quantity, type, limitPrice, stopPrice, timeInForce,
        reservePrice);
    }
  }

  /** A stop order's stop price was reached; it now works as a market (STOP) or limit (STOP_LIMIT) order. */
  record OrderTriggered(String orderId, String portfolioId, Instant time) implements OrderEvent {
  }

  /** The whole order was executed: {@code quantity} shares at {@code price} each. */
  record OrderFilled(String orderId, String portfolioId, BigDecimal price, long quantity, Instant time)
    implements OrderEvent {
  }

  record OrderCancelled(String orderId, String portfolioId, String reason) implements OrderEvent {
  }

  /** A DAY order was still open when the session closed. */
  record OrderExpired(String orderId, String portfolioId) implements OrderEvent {
  }

  /** The order was refused, at placement or later (e.g. the price moved beyond what was reserved). */
  record OrderRejected(String orderId, String portfolioId, String reason) implements OrderEvent {
  }
}
