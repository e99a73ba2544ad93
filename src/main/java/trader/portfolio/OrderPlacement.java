package trader.portfolio;

import trader.eventsourcing.entity.Decision;
import trader.money.Money;
import trader.portfolio.PortfolioCommand.PlaceOrder;
import trader.portfolio.PortfolioEvent.OrderPlaced;
import trader.portfolio.PortfolioState.Opened;

import java.math.BigDecimal;
import java.util.regex.Pattern;

/**
 * Decides whether an order can be placed, and reserves what it needs at placement: cash for a buy, shares for a
 * sell. Because the portfolio handles one command at a time and each placement sees the earlier reservations, no
 * sequence of orders can reserve more cash or shares than there is.
 */
final class OrderPlacement {

  private static final Pattern SYMBOL = Pattern.compile("[A-Z0-9.-]{1,10}");

  private OrderPlacement() {
  }

  /** Decides a placement of an order the portfolio does not know yet. */
  static Decision<PortfolioEvent> place(Opened portfolio, PlaceOrder place) {
    String problem = orderProblem(place);
    if (problem != null) {
      return Decision.reject(problem);
    }
    return switch (place.side()) {
      case BUY -> reserveCash(portfolio, place);
      case SELL -> reserveShares(portfolio, place);
    };
  }

  /** What is wrong with the order in itself, whatever the portfolio holds; null if nothing. */
  private static String orderProblem(PlaceOrder place) {
    if (place.symbol() == null || !SYMBOL.matcher(place.symbol()).matches()) {
      return "Symbol must be 1 to 10 upper-case letters, digits, dots or hyphens";
    }
    if (place.side() == null) {
      return "Side is required (BUY or SELL)";
    }
    if (place.quantity() <= 0) {
      return "Quantity must be a whole number of shares greater than zero, not " + place.quantity();
    }
    if (place.type() == null) {
      return "Order type is required (MARKET, LIMIT, STOP or STOP_LIMIT)";
    }
    if (place.timeInForce() == null) {
      return "Time in force is required (DAY or GTC)";
    }
    String limitProblem = priceProblem(place.type(), place.type().hasLimitPrice(), "limit price", place.limitPrice());
    String problem = limitProblem != null ? limitProblem
      : priceProblem(place.type(), place.type().hasStopPrice(), "stop price", place.stopPrice());
    if (problem == null && place.type() == OrderType.STOP_LIMIT && place.side() == Side.BUY
      && place.stopPrice().compareTo(place.limitPrice()) > 0) {
      // it reserves at its limit, and the broker never fills a buy beyond what it reserved
      return "A stop-limit buy's stop price (" + Money.format(place.stopPrice()) + ") must not be above its limit "
        + "price (" + Money.format(place.limitPrice()) + ")";
    }
    return problem;
  }

  private static String priceProblem(OrderType type, boolean expected, String what, BigDecimal price) {
    if (!expected) {
      return price == null ? null : "A " + type.label() + " order has no " + what;
    }
    return price == null ? "A " + type.label() + " order needs a " + what
      : Money.positiveProblem(Character.toUpperCase(what.charAt(0)) + what.substring(1), price);
  }

  private static Decision<PortfolioEvent> reserveCash(Opened portfolio, PlaceOrder place) {
    BigDecimal reservePrice;
    if (place.type().hasLimitPrice()) {
      // the broker never pays more than the limit, so the limit is what to reserve
      if (place.reservePrice() != null && place.reservePrice().compareTo(place.limitPrice()) != 0) {
        return Decision.reject("A " + place.type().label() + " buy reserves at its limit price "
          + Money.format(place.limitPrice()) + ", not " + Money.format(place.reservePrice()));
      }
      reservePrice = place.limitPrice();
    } else {
      // the market price is not the portfolio's to know: the caller passes the last ask plus a collar
      if (place.reservePrice() == null) {
        return Decision.reject("A " + place.type().label() + " buy needs a reserve price (the most it may pay per "
          + "share)");
      }
      String problem = Money.positiveProblem("Reserve price", place.reservePrice());
      if (problem != null) {
        return Decision.reject(problem);
      }
      reservePrice = place.reservePrice();
    }
    BigDecimal needed = Money.cents(reservePrice).multiply(BigDecimal.valueOf(place.quantity()));
    if (portfolio.availableCash().compareTo(needed) < 0) {
      return Decision.reject(Portfolio.insufficientFunds(portfolio, needed));
    }
    return Decision.accept(new OrderPlaced(order(place, needed, 0)));
  }

  private static Decision<PortfolioEvent> reserveShares(Opened portfolio, PlaceOrder place) {
    long available = portfolio.holding(place.symbol()).unreservedShares();
    if (available < place.quantity()) {
      return Decision.reject("Insufficient shares of " + place.symbol() + ": available " + available + ", needed "
        + place.quantity());
    }
    return Decision.accept(new OrderPlaced(order(place, new BigDecimal("0.00"), place.quantity())));
  }

  private static Order order(PlaceOrder place, BigDecimal reservedCash, long reservedShares) {
    return new Order(place.orderId(), place.symbol(), place.side(), place.quantity(), place.type(),
      place.limitPrice() == null ? null : Money.cents(place.limitPrice()),
      place.stopPrice() == null ? null : Money.cents(place.stopPrice()),
      place.timeInForce(), reservedCash, reservedShares);
  }
}
