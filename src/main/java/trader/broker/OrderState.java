package trader.broker;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * Where an order is in its life: unplaced, then open (pending, resting or triggered), then closed for good (filled,
 * cancelled, expired or rejected).
 */
public sealed interface OrderState {

  /** No order has been placed under this id. */
  record Unplaced() implements OrderState {
  }

  /** Accepted and working. */
  sealed interface Open extends OrderState {
    OrderDetails order();
  }

  /** Finished; only idempotent repeats are accepted. */
  sealed interface Closed extends OrderState {
    /** The order; null for an order rejected at placement or cancelled before it, whose details were never accepted. */
    OrderDetails order();
  }

  /** A MARKET order waiting for the exchange to fill it at a quote. */
  record Pending(OrderDetails order) implements Open {
  }

  /** A LIMIT order waiting for its price, or a stop order waiting for its stop price. */
  record Resting(OrderDetails order) implements Open {
  }

  /** A stop order whose stop price was reached, now working as a market or limit order. */
  record Triggered(OrderDetails order, Instant time) implements Open {
  }

  record Filled(OrderDetails order, BigDecimal price, Instant time) implements Closed {
  }

  record Cancelled(OrderDetails order, String reason) implements Closed {
  }

  record Expired(OrderDetails order) implements Closed {
  }

  record Rejected(OrderDetails order, String reason) implements Closed {
  }

  /**
   * Portfolio {@code portfolioId} cancelled the order before the broker had its placement (a placement held back,
   * say, behind a dead letter): the placement, when it comes, changes nothing.
   */
  record CancelledBeforePlacement(String portfolioId, String reason) implements Closed {
    @Override
    public OrderDetails order() {
      return null;
    }
  }
}
