package trader.portfolio;

import trader.wiretransfer.contract.TransferSteps;
import trader.portfolio.PortfolioEvent.OrderFilled;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/** A {@link Portfolio} as its events left it. */
public sealed interface PortfolioState {

  /**
   * No portfolio under this id yet. {@code cashSteps} holds the transfer steps it declined meanwhile (never any
   * money), so that they stay declined once it is open.
   */
  record Unopened(TransferSteps cashSteps) implements PortfolioState {

    public Unopened {
      cashSteps = cashSteps == null ? TransferSteps.NONE : cashSteps;
    }
  }

  /**
   * A portfolio (open, or closed if {@code closed}). {@code reservedCash} is the part of {@code cash} that open buy
   * orders hold; {@code completedOrders} remembers how each finished order ended, so that a redelivered result
   * changes nothing. Invariants kept by {@link Portfolio#decide}: cash ≥ reserved cash ≥ 0, shares ≥ reserved
   * shares ≥ 0.
   */
  record Opened(String portfolioId, String ownerId, String name, boolean closed, BigDecimal cash,
                BigDecimal reservedCash, Map<String, Holding> holdings, Map<String, Order> openOrders,
                Map<String, OrderOutcome> completedOrders, TransferSteps cashSteps) implements PortfolioState {

    private static final BigDecimal ZERO = new BigDecimal("0.00");

    public Opened {
      // sorted copies: immutable, and snapshots list them in the same order every time
      holdings = Collections.unmodifiableMap(new TreeMap<>(holdings));
      openOrders = Collections.unmodifiableMap(new TreeMap<>(openOrders));
      completedOrders = Collections.unmodifiableMap(new TreeMap<>(completedOrders));
    }

    /** A new, empty portfolio. */
    static Opened of(String portfolioId, String ownerId, String name) {
      return of(portfolioId, ownerId, name, TransferSteps.NONE);
    }

    /** A new, empty portfolio that declined {@code cashSteps} before it was opened. */
    static Opened of(String portfolioId, String ownerId, String name, TransferSteps cashSteps) {
      return new Opened(portfolioId, ownerId, name, false, ZERO, ZERO, Map.of(), Map.of(), Map.of(), cashSteps);
    }

    /** The cash that withdrawals and new buy orders may use. */
    public BigDecimal availableCash() {
      return cash.subtract(reservedCash);
    }

    /** The holding of {@code symbol}, {@link Holding#NONE} if there is none. */
    public Holding holding(String symbol) {
      return holdings.getOrDefault(symbol, Holding.NONE);
    }

    /** Whether order {@code orderId} was placed here, whether it is still open or has ended. */
    public boolean knowsOrder(String orderId) {
      return openOrders.containsKey(orderId) || completedOrders.containsKey(orderId);
    }

    Opened closing() {
      return new Opened(portfolioId, ownerId, name, true, cash, reservedCash, holdings, openOrders, completedOrders,
        cashSteps);
    }

    Opened withCash(BigDecimal cash, TransferSteps cashSteps) {
      return new Opened(portfolioId, ownerId, name, closed, cash, reservedCash, holdings, openOrders, completedOrders,
        cashSteps);
    }

    Opened placing(Order order) {
      Map<String, Order> orders = new TreeMap<>(openOrders);
      orders.put(order.orderId(), order);
      Map<String, Holding> newHoldings = new TreeMap<>(holdings);
      if (order.reservedShares() > 0) {
        Holding h = holding(order.symbol());
        newHoldings.put(order.symbol(), new Holding(h.shares(), h.reservedShares() + order.reservedShares(),
          h.costBasis()));
      }
      return new Opened(portfolioId, ownerId, name, closed, cash, reservedCash.add(order.reservedCash()),
        newHoldings, orders, completedOrders, cashSteps);
    }

    /** The order is done: its reservation is released and its outcome remembered. */
    Opened ending(String orderId, OrderOutcome outcome) {
      Order order = openOrders.get(orderId);
      Map<String, Order> orders = new TreeMap<>(openOrders);
      orders.remove(orderId);
      Map<String, OrderOutcome> completed = new TreeMap<>(completedOrders);
      completed.put(orderId, outcome);
      Map<String, Holding> newHoldings = new TreeMap<>(holdings);
      if (order.reservedShares() > 0) {
        Holding h = holding(order.symbol());
        newHoldings.put(order.symbol(), new Holding(h.shares(), h.reservedShares() - order.reservedShares(),
          h.costBasis()));
      }
      return new Opened(portfolioId, ownerId, name, closed, cash, reservedCash.subtract(order.reservedCash()),
        newHoldings, orders, completed, cashSteps);
    }

    /** The fill's money and shares change hands, then the order ends as filled. */
    Opened filling(OrderFilled fill) {
      Opened ended = ending(fill.orderId(), OrderOutcome.FILLED);
      Holding h = ended.holding(fill.symbol());
      long sharesDelta = fill.side() == Side.BUY ? fill.quantity() : -fill.quantity();
      BigDecimal cashDelta = fill.side() == Side.BUY ? fill.total().negate() : fill.total();
      Holding after = new Holding(h.shares() + sharesDelta, h.reservedShares(),
        h.costBasis().add(fill.costBasisChange()));
      Map<String, Holding> newHoldings = new TreeMap<>(ended.holdings());
      if (after.shares() == 0) {
        newHoldings.remove(fill.symbol());
      } else {
        newHoldings.put(fill.symbol(), after);
      }
      return new Opened(portfolioId, ownerId, name, closed, cash.add(cashDelta), ended.reservedCash(), newHoldings,
        ended.openOrders(), ended.completedOrders(), cashSteps);
    }
  }
}
