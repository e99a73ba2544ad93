package trader.broker;

import java.math.BigDecimal;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One side of an order book's index: orders by trigger price, the price level a market move reaches first at the
 * head, FIFO within a level. The ordering makes "the market reached this level" the same test for every ladder:
 * {@code order.compare(level, market) <= 0} (e.g. buy limits are ordered high to low, and a level is reached when
 * it is at or above the ask). Taking the reached orders therefore walks from the head and stops at the first level
 * not reached: O(log L) per level taken, plus the orders taken, whatever the number of orders further away.
 */
final class PriceLadder {

  private final Comparator<BigDecimal> order;
  /** A LinkedHashMap per level: arrival order, and O(1) removal by id for cancels. */
  private final TreeMap<BigDecimal, LinkedHashMap<String, OrderDetails>> levels;
  /** The head level's price, null if empty: most quotes reach no level, and then this one comparison is all. */
  private BigDecimal head;
  private long levelsChecked;
  private long ordersTaken;

  PriceLadder(Comparator<BigDecimal> order) {
    this.order = order;
    this.levels = new TreeMap<>(order);
  }

  void add(BigDecimal price, OrderDetails o) {
    levels.computeIfAbsent(price, p -> new LinkedHashMap<>()).put(o.orderId(), o);
    if (head == null || order.compare(price, head) < 0) {
      head = price;
    }
  }

  /** Removes the order {@code orderId} resting at {@code price}; false if it is not there. */
  boolean remove(BigDecimal price, String orderId) {
    LinkedHashMap<String, OrderDetails> level = levels.get(price);
    if (level == null || level.remove(orderId) == null) {
      return false;
    }
    if (level.isEmpty()) {
      levels.remove(price);
      head = levels.isEmpty() ? null : levels.firstKey();
    }
    return true;
  }

  /** Whether {@code market} reached {@code level}: the one test of this ladder, for a walk or for a single order. */
  boolean reached(BigDecimal level, BigDecimal market) {
    return order.compare(level, market) <= 0;
  }

  /** Removes the orders of every level {@code market} reached and adds them to {@code into}, best level first. */
  void takeReached(BigDecimal market, List<OrderDetails> into) {
    while (head != null) {
      levelsChecked++;
      if (!reached(head, market)) {
        return;
      }
      Map.Entry<BigDecimal, LinkedHashMap<String, OrderDetails>> level = levels.pollFirstEntry();
      ordersTaken += level.getValue().size();
      into.addAll(level.getValue().values());
      head = levels.isEmpty() ? null : levels.firstKey();
    }
  }

  /** Price levels compared with a market price so far. */
  long levelsChecked() {
    return levelsChecked;
  }

  /** Orders taken out by market moves so far. */
  long ordersTaken() {
    return ordersTaken;
  }
}
