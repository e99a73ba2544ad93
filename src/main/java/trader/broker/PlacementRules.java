package trader.broker;

import java.math.BigDecimal;
import java.util.Optional;

/**
 * The rules an order must follow to be placed, the same as the portfolio applies before reserving: a symbol, a side,
 * a type, a time in force, a positive whole quantity; a limit price exactly for LIMIT and STOP_LIMIT, a stop price
 * exactly for STOP and STOP_LIMIT; prices positive and in whole cents; a buy has a reserve price, and its limit and
 * stop prices are not above it (the portfolio reserved only that much). A sell's reserve price is not used.
 */
public final class PlacementRules {

  private PlacementRules() {
  }

  /** What is wrong with {@code order}, or empty if it may be placed. */
  public static Optional<String> problemWith(OrderDetails order) {
    return Optional.ofNullable(problem(order));
  }

  private static String problem(OrderDetails o) {
    if (o.symbol() == null || o.symbol().isBlank()) {
      return "the symbol is missing";
    }
    if (o.side() == null || o.type() == null || o.timeInForce() == null) {
      return "side, type and time in force are required";
    }
    if (o.quantity() <= 0) {
      return "the quantity must be a positive whole number of shares";
    }
    String limit = price("limit", o.limitPrice(), o.type().limited(), o.type());
    if (limit != null) {
      return limit;
    }
    String stop = price("stop", o.stopPrice(), o.type().stopped(), o.type());
    if (stop != null) {
      return stop;
    }
    if (o.side() == Side.BUY) {
      if (o.reservePrice() == null || o.reservePrice().signum() <= 0) {
        return "a buy order needs a positive reserve price";
      }
      if (o.limitPrice() != null && o.limitPrice().compareTo(o.reservePrice()) > 0) {
        return "the limit price is above the reserved price";
      }
      if (o.stopPrice() != null && o.stopPrice().compareTo(o.reservePrice()) > 0) {
        return "the stop price is above the reserved price";
      }
    }
    return null;
  }

  private static String price(String name, BigDecimal price, boolean required, OrderType type) {
    if (!required) {
      return price == null ? null : "a " + type + " order takes no " + name + " price";
    }
    if (price == null || price.signum() <= 0) {
      return "a " + type + " order needs a positive " + name + " price";
    }
    if (price.stripTrailingZeros().scale() > 2) {
      return "the " + name + " price must be in whole cents";
    }
    return null;
  }
}
