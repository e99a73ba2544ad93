package trader.broker;

import java.math.BigDecimal;
import java.time.Instant;

/** What can be asked of an {@link Order}. Times come with the commands: deciding reads no clock. */
public sealed interface OrderCommand {

  /** Places the order, as the portfolio sent it; a repeat with the same details changes nothing. */
  record PlaceOrder(String orderId, String portfolioId, String symbol, Side side, long quantity, OrderType type,
                    BigDecimal limitPrice, BigDecimal stopPrice, TimeInForce timeInForce, BigDecimal reservePrice)
    implements OrderCommand {

    public static PlaceOrder of(OrderDetails o) {
      return new PlaceOrder(o.orderId(), o.portfolioId(), o.symbol(), o.side(), o.quantity(), o.type(),
        o.limitPrice(), o.stopPrice(), o.timeInForce(), o.reservePrice());
    }

    public OrderDetails details() {
      return new OrderDetails(orderId, portfolioId, symbol, side, quantity, type, limitPrice, stopPrice, timeInForce,
        reservePrice);
    }
  }

  /** The stop price of a STOP or STOP_LIMIT order was reached at {@code time}. */
  record Trigger(Instant time) implements OrderCommand {
  }

  /** The whole order was executed at {@code price} per share. A stop order not yet triggered is triggered by it. */
  record Fill(BigDecimal price, Instant time) implements OrderCommand {
  }

  /**
   * Takes order {@code orderId} of portfolio {@code portfolioId} off the market at the trader's request. A cancel for
   * an order not placed yet cancels it for good: its placement, when it comes, is absorbed.
   */
  record Cancel(String orderId, String portfolioId, String reason) implements OrderCommand {
  }

  /** The session closed; only DAY orders expire. */
  record Expire() implements OrderCommand {
  }

  /** The broker refuses the order, e.g. an unknown symbol. */
  record Reject(String reason) implements OrderCommand {
  }
}
