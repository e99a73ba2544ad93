package trader.portfolio;

import trader.eventsourcing.entity.Decision;
import trader.money.Money;
import trader.portfolio.PortfolioCommand.RecordFill;
import trader.portfolio.PortfolioCommand.RecordOrderEnd;
import trader.portfolio.PortfolioEvent.OrderEnded;
import trader.portfolio.PortfolioEvent.OrderFilled;
import trader.portfolio.PortfolioState.Opened;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Decides what the broker's result for an open order does to the portfolio. An order has one result: a fill of its
 * whole quantity, or an end without a fill. The first result recorded wins; any later result for that order id is
 * accepted without events (see {@link Portfolio#decide}).
 */
final class OrderResults {

  private OrderResults() {
  }

  static Decision<PortfolioEvent> fill(Order order, Opened portfolio, RecordFill fill) {
    String problem = Money.positiveProblem("Fill price", fill.price());
    if (problem != null) {
      return Decision.reject(problem);
    }
    if (fill.quantity() != order.quantity()) {
      return Decision.reject("Order " + order.orderId() + " is for " + order.quantity() + " shares; a fill of "
        + fill.quantity() + " is refused because partial fills are not supported");
    }
    if (fill.filledAt() == null) {
      return Decision.reject("The time of the fill is required");
    }
    BigDecimal price = Money.cents(fill.price());
    BigDecimal total = price.multiply(BigDecimal.valueOf(order.quantity()));
    return switch (order.side()) {
      case BUY -> {
        // the buy pays from its own reservation only: other orders' reservations and free cash stay untouched
        if (total.compareTo(order.reservedCash()) > 0) {
          yield Decision.reject("A fill of order " + order.orderId() + " at " + Money.format(price) + " costs "
            + Money.format(total) + ", more than the " + Money.format(order.reservedCash()) + " reserved for it");
        }
        yield Decision.accept(new OrderFilled(order.orderId(), order.symbol(), order.side(), order.quantity(), price,
          total, total, fill.filledAt()));
      }
      case SELL -> {
        if (order.limitPrice() != null && price.compareTo(order.limitPrice()) < 0) {
          yield Decision.reject("A fill of sell order " + order.orderId() + " at " + Money.format(price)
            + " is below its limit price " + Money.format(order.limitPrice()));
        }
        yield Decision.accept(new OrderFilled(order.orderId(), order.symbol(), order.side(), order.quantity(), price,
          total, costOfSharesSold(portfolio.holding(order.symbol()), order.quantity()).negate(), fill.filledAt()));
      }
    };
  }

  /**
   * The average cost of {@code sold} of the holding's shares, rounded half-even to the cent; selling the last share
   * takes the whole remaining cost basis, so rounding never leaves a basis on an empty holding.
   */
  static BigDecimal costOfSharesSold(Holding holding, long sold) {
    if (sold == holding.shares()) {
      return holding.costBasis();
    }
    return holding.costBasis().multiply(BigDecimal.valueOf(sold))
      .divide(BigDecimal.valueOf(holding.shares()), Money.DECIMALS, RoundingMode.HALF_EVEN);
  }

  static Decision<PortfolioEvent> end(Order order, RecordOrderEnd end) {
    if (end.outcome() == null || end.outcome() == OrderOutcome.FILLED) {
      return Decision.reject("An order ends as REJECTED, CANCELLED or EXPIRED; a fill is recorded as a fill");
    }
    if (end.reason() == null || end.reason().isBlank()) {
      return Decision.reject("An ended order needs a reason");
    }
    return Decision.accept(new OrderEnded(order.orderId(), end.outcome(), end.reason()));
  }
}
