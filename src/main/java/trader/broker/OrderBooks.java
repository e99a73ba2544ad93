package trader.broker;

import trader.quotes.Quote;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The {@link OrderBook}s of every symbol, with cancels by order id alone. Not thread-safe; pure. */
public final class OrderBooks {

  private final Map<String, OrderBook> bySymbol = new HashMap<>();
  private final Map<String, OrderBook> byOrder = new HashMap<>();

  /** Adds a placed order to its symbol's book; false if it is already there. See {@link OrderBook#add}. */
  public boolean add(OrderDetails order) {
    return track(order, book(order.symbol()).add(order));
  }

  /**
   * Adds a placed order and executes it at once against {@code latest}, its symbol's latest usable quote, if that
   * meets its condition (see {@link OrderBook#addAt}); with no such quote (null) it just waits in the book.
   */
  public List<BookEvent> addAt(OrderDetails order, Quote latest) {
    if (latest == null) {
      add(order);
      return List.of();
    }
    OrderBook book = book(order.symbol());
    List<BookEvent> events = book.addAt(order, latest);
    track(order, book.contains(order.orderId()));
    return events;
  }

  /** Adds an already triggered stop order (rebuilding); see {@link OrderBook#addTriggered}. */
  public boolean addTriggered(OrderDetails order) {
    return track(order, book(order.symbol()).addTriggered(order));
  }

  private boolean track(OrderDetails order, boolean added) {
    if (added) {
      byOrder.put(order.orderId(), bySymbol.get(order.symbol()));
    }
    return added;
  }

  /** Takes {@code orderId} out of its book; false if it was not resting. */
  public boolean cancel(String orderId) {
    OrderBook book = byOrder.remove(orderId);
    return book != null && book.cancel(orderId);
  }

  /** Executes the orders of {@code quote}'s symbol that it reaches; see {@link OrderBook#onQuote}. */
  public List<BookEvent> onQuote(Quote quote) {
    OrderBook book = bySymbol.get(quote.symbol());
    if (book == null) {
      return List.of();
    }
    List<BookEvent> events = book.onQuote(quote);
    for (BookEvent e : events) {
      if (e instanceof BookEvent.Filled filled) {
        byOrder.remove(filled.order().orderId());
      }
    }
    return events;
  }

  /** The session closed: every DAY order of every book leaves; returns them. */
  public List<OrderDetails> expireDay() {
    List<OrderDetails> expired = new ArrayList<>();
    for (OrderBook book : bySymbol.values()) {
      expired.addAll(book.expireDay());
    }
    expired.forEach(o -> byOrder.remove(o.orderId()));
    return expired;
  }

  /** How many orders rest in all books. */
  public int size() {
    return byOrder.size();
  }

  /** The book of {@code symbol}, created empty if it has none. */
  public OrderBook book(String symbol) {
    return bySymbol.computeIfAbsent(symbol, OrderBook::new);
  }
}
