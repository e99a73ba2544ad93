package trader.broker;

import trader.quotes.Quote;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The orders of one symbol waiting for the market, indexed by the price that sets them off, so that a quote only
 * looks at the orders it executes or triggers.
 *
 * <p>Four {@link PriceLadder}s (sorted maps of FIFO price levels) hold the resting orders:
 * <ul>
 *   <li>buy limits, highest first — filled when {@code ask ≤ limit}, at the ask (the limit or better);</li>
 *   <li>sell limits, lowest first — filled when {@code bid ≥ limit}, at the bid;</li>
 *   <li>buy stops, lowest first — triggered when {@code ask ≥ stop};</li>
 *   <li>sell stops, highest first — triggered when {@code bid ≤ stop}.</li>
 * </ul>
 * A triggered STOP becomes a market order and fills at once at the quote that triggered it; a triggered STOP_LIMIT
 * becomes a limit order: filled at once if the triggering quote is marketable for its limit, otherwise it rests in
 * the limit ladder. MARKET orders fill at the ask (buy) or bid (sell). Orders are always filled whole: the simulated
 * market has unlimited depth at its quote, so there are no partial fills.
 *
 * <p>Per quote the cost is O(log L) per price level reached plus the orders executed, with L the number of levels;
 * levels the market did not reach are never visited. Stale quotes execute nothing. An order {@link #add}ed waits
 * for the next quote; one added with {@link #addAt} is first executed alone against the latest quote, by the same
 * rules. Not thread-safe; pure (no clock, no I/O).
 */
public final class OrderBook {

  private final String symbol;
  private final PriceLadder buyLimits = new PriceLadder(Comparator.reverseOrder());
  private final PriceLadder sellLimits = new PriceLadder(Comparator.naturalOrder());
  private final PriceLadder buyStops = new PriceLadder(Comparator.naturalOrder());
  private final PriceLadder sellStops = new PriceLadder(Comparator.reverseOrder());
  /** MARKET orders (and triggered STOPs added on recovery) waiting for a quote, in arrival order. */
  private final LinkedHashMap<String, OrderDetails> marketOrders = new LinkedHashMap<>();
  /** Where every order of the book is, for cancel and expiry; insertion ordered so expiry is in arrival order. */
  private final LinkedHashMap<String, Place> places = new LinkedHashMap<>();
  /** Reused between quotes; the walks add the orders they take here. */
  private final List<OrderDetails> taken = new ArrayList<>();

  /** Where an order rests: in {@code ladder} at {@code price}, or with the market orders if ladder is null. */
  private record Place(OrderDetails order, PriceLadder ladder, BigDecimal price) {
  }

  public OrderBook(String symbol) {
    this.symbol = symbol;
  }

  public String symbol() {
    return symbol;
  }

  /**
   * Adds a placed order to wait for the market; false if an order with its id is already in the book (a redelivered
   * placement). Fails if the order is of another symbol or breaks the {@link PlacementRules}.
   */
  public boolean add(OrderDetails order) {
    return add(order, false);
  }

  /**
   * Adds a placed order and executes it, and only it, against {@code latest} (its symbol's latest quote) by the rules
   * of {@link #onQuote}: the orders already in the book were executed against that quote when it came. An order the
   * quote does not execute waits in the book. An order already in the book is not executed again (a redelivered
   * placement): nothing happens. A stale quote executes nothing.
   */
  public List<BookEvent> addAt(OrderDetails order, Quote latest) {
    checkSymbol(latest);
    if (!add(order) || latest.stale()) {
      return List.of();
    }
    Place place = places.get(order.orderId());
    BigDecimal market = marketPrice(order, latest.bid(), latest.ask());
    if (place.ladder() != null && !place.ladder().reached(place.price(), market)) {
      return List.of();
    }
    cancel(order.orderId()); // out of the book, as a quote's walk takes what it reached
    List<BookEvent> events = new ArrayList<>(2);
    execute(order, place.ladder(), market, latest.time(), events);
    return events;
  }

  /**
   * Adds an order whose stop was already triggered (when rebuilding the book): a STOP waits for the next quote like
   * a market order, a STOP_LIMIT rests as a limit order.
   */
  public boolean addTriggered(OrderDetails order) {
    if (!order.type().stopped()) {
      throw new IllegalArgumentException("Only stop orders are triggered: " + order.orderId());
    }
    return add(order, true);
  }

  private boolean add(OrderDetails order, boolean triggered) {
    if (!symbol.equals(order.symbol())) {
      throw new IllegalArgumentException("Order " + order.orderId() + " is for " + order.symbol() + ", not " + symbol);
    }
    PlacementRules.problemWith(order).ifPresent(problem -> {
      throw new IllegalArgumentException("Order " + order.orderId() + ": " + problem);
    });
    if (places.containsKey(order.orderId())) {
      return false;
    }
    boolean buy = order.side() == Side.BUY;
    switch (order.type()) {
      case MARKET -> queueMarket(order);
      case LIMIT -> rest(order, buy ? buyLimits : sellLimits, order.limitPrice());
      case STOP -> {
        if (triggered) {
          queueMarket(order);
        } else {
          rest(order, buy ? buyStops : sellStops, order.stopPrice());
        }
      }
      case STOP_LIMIT -> {
        if (triggered) {
          rest(order, buy ? buyLimits : sellLimits, order.limitPrice());
        } else {
          rest(order, buy ? buyStops : sellStops, order.stopPrice());
        }
      }
    }
    return true;
  }

  /** Takes {@code orderId} out of the book; false if it was not resting here (already executed, or unknown). */
  public boolean cancel(String orderId) {
    Place place = places.remove(orderId);
    if (place == null) {
      return false;
    }
    unplace(place);
    return true;
  }

  /** The session closed: every DAY order leaves the book; returns them in arrival order. GTC orders stay. */
  public List<OrderDetails> expireDay() {
    List<OrderDetails> expired = new ArrayList<>();
    Iterator<Place> it = places.values().iterator();
    while (it.hasNext()) {
      Place place = it.next();
      if (place.order().timeInForce() == TimeInForce.DAY) {
        it.remove();
        unplace(place);
        expired.add(place.order());
      }
    }
    return expired;
  }

  /**
   * Executes against {@code quote} the orders whose condition it meets, and only those: market orders, then
   * reached limits, then reached stops (each STOP gives a trigger then a fill; a STOP_LIMIT a trigger, then a fill
   * if marketable). Orders executed leave the book. A stale quote executes nothing.
   */
  public List<BookEvent> onQuote(Quote quote) {
    checkSymbol(quote);
    if (quote.stale()) {
      return List.of();
    }
    List<BookEvent> events = new ArrayList<>(0);
    BigDecimal bid = quote.bid();
    BigDecimal ask = quote.ask();
    Instant time = quote.time();
    if (!marketOrders.isEmpty()) {
      for (OrderDetails o : marketOrders.values()) {
        places.remove(o.orderId());
        execute(o, null, marketPrice(o, bid, ask), time, events);
      }
      marketOrders.clear();
    }
    for (OrderDetails o : take(buyLimits, ask)) {
      execute(o, buyLimits, ask, time, events);
    }
    for (OrderDetails o : take(sellLimits, bid)) {
      execute(o, sellLimits, bid, time, events);
    }
    for (OrderDetails o : take(buyStops, ask)) {
      execute(o, buyStops, ask, time, events);
    }
    for (OrderDetails o : take(sellStops, bid)) {
      execute(o, sellStops, bid, time, events);
    }
    return events;
  }

  private void checkSymbol(Quote quote) {
    if (!symbol.equals(quote.symbol())) {
      throw new IllegalArgumentException("A quote of " + quote.symbol() + " reached the book of " + symbol);
    }
  }

  /** The price a quote offers {@code o}'s side: a buy takes the ask, a sell the bid. */
  private static BigDecimal marketPrice(OrderDetails o, BigDecimal bid, BigDecimal ask) {
    return o.side() == Side.BUY ? ask : bid;
  }

  /**
   * What the market at {@code price} does to an order it reached, taken out of {@code from} (null: a market order):
   * a stop triggers, anything else fills at that price.
   */
  private void execute(OrderDetails o, PriceLadder from, BigDecimal price, Instant time, List<BookEvent> events) {
    if (from == buyStops || from == sellStops) {
      PriceLadder limits = o.side() == Side.BUY ? buyLimits : sellLimits;
      trigger(o, price, o.type() == OrderType.STOP || limits.reached(o.limitPrice(), price), limits, time, events);
    } else {
      events.add(new BookEvent.Filled(o, price, time));
    }
  }

  /** A triggered STOP is always marketable; a STOP_LIMIT is if the triggering price is within its limit. */
  private void trigger(OrderDetails o, BigDecimal price, boolean marketable, PriceLadder limits, Instant time,
                       List<BookEvent> events) {
    events.add(new BookEvent.Triggered(o, price, time));
    if (marketable) {
      events.add(new BookEvent.Filled(o, price, time));
    } else {
      rest(o, limits, o.limitPrice()); // a stop-limit whose limit the market is already past: it waits as a limit
    }
  }

  /** Takes the orders {@code market} reached out of {@code ladder} and of the index; valid until the next take. */
  private List<OrderDetails> take(PriceLadder ladder, BigDecimal market) {
    taken.clear();
    ladder.takeReached(market, taken);
    for (OrderDetails o : taken) {
      places.remove(o.orderId());
    }
    return taken;
  }

  private void rest(OrderDetails o, PriceLadder ladder, BigDecimal price) {
    ladder.add(price, o);
    places.put(o.orderId(), new Place(o, ladder, price));
  }

  private void queueMarket(OrderDetails o) {
    marketOrders.put(o.orderId(), o);
    places.put(o.orderId(), new Place(o, null, null));
  }

  private void unplace(Place place) {
    if (place.ladder() == null) {
      marketOrders.remove(place.order().orderId());
    } else {
      place.ladder().remove(place.price(), place.order().orderId());
    }
  }

  /** Whether {@code orderId} is in the book. */
  public boolean contains(String orderId) {
    return places.containsKey(orderId);
  }

  /** How many orders are in the book. */
  public int size() {
    return places.size();
  }

  /** Price levels compared with a quote so far: the index's work, a few per quote plus one per level reached. */
  public long levelsChecked() {
    return buyLimits.levelsChecked() + sellLimits.levelsChecked() + buyStops.levelsChecked()
      + sellStops.levelsChecked();
  }

  /** Resting orders taken out of the index by quotes so far: only those whose price was reached. */
  public long ordersExamined() {
    return buyLimits.ordersTaken() + sellLimits.ordersTaken() + buyStops.ordersTaken() + sellStops.ordersTaken();
  }
}
