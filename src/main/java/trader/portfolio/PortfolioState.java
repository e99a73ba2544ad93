package trader.portfolio;

import trader.wiretransfer.contract.TransferSteps;
import trader.portfolio.PortfolioEvent.OrderFilled;

import java.math.BigDecimal;
import java.util.AbstractMap;
import java.util.Collections;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/** A {@link Portfolio} as its events left it. */
public sealed interface PortfolioState {

  /**
   * No portfolio under this id yet. {@code cashSteps} holds the transfer steps it declined meanwhile before step
   * commands had ids (never any money), so that they stay declined once it is open.
   */
  record Unopened(TransferSteps cashSteps) implements PortfolioState {

    public Unopened {
      cashSteps = cashSteps == null ? TransferSteps.NONE : cashSteps;
    }
  }

  /**
   * A portfolio (open, or closed if {@code closed}). {@code reservedCash} is the part of {@code cash} that open buy
   * orders hold. Nothing in it grows with the portfolio's history: ended orders leave it (a repeated result or
   * placement is recognised by its command id, see {@link Portfolio#commandId}), and {@code cashSteps} holds only
   * the transfer steps decided before step commands had ids. Invariants kept by {@link Portfolio#decide}: cash ≥
   * reserved cash ≥ 0, shares ≥ reserved shares ≥ 0.
   */
  record Opened(String portfolioId, String ownerId, String name, boolean closed, BigDecimal cash,
                BigDecimal reservedCash, Map<String, Holding> holdings, Map<String, Order> openOrders,
                TransferSteps cashSteps) implements PortfolioState {

    private static final BigDecimal ZERO = new BigDecimal("0.00");

    public Opened {
      // sorted and immutable, so snapshots list them in the same order every time; copied unless already so
      holdings = Sorted.of(holdings);
      openOrders = Sorted.of(openOrders);
      cashSteps = cashSteps == null ? TransferSteps.NONE : cashSteps;
    }

    /** A new, empty portfolio. */
    static Opened of(String portfolioId, String ownerId, String name) {
      return of(portfolioId, ownerId, name, TransferSteps.NONE);
    }

    /** A new, empty portfolio that declined {@code cashSteps} before it was opened. */
    static Opened of(String portfolioId, String ownerId, String name, TransferSteps cashSteps) {
      return new Opened(portfolioId, ownerId, name, false, ZERO, ZERO, Map.of(), Map.of(), cashSteps);
    }

    /** The cash that withdrawals and new buy orders may use. */
    public BigDecimal availableCash() {
      return cash.subtract(reservedCash);
    }

    /** The holding of {@code symbol}, {@link Holding#NONE} if there is none. */
    public Holding holding(String symbol) {
      return holdings.getOrDefault(symbol, Holding.NONE);
    }

    Opened closing() {
      return new Opened(portfolioId, ownerId, name, true, cash, reservedCash, holdings, openOrders, cashSteps);
    }

    Opened withCash(BigDecimal cash, TransferSteps cashSteps) {
      return new Opened(portfolioId, ownerId, name, closed, cash, reservedCash, holdings, openOrders, cashSteps);
    }

    Opened placing(Order order) {
      TreeMap<String, Order> orders = new TreeMap<>(openOrders);
      orders.put(order.orderId(), order);
      TreeMap<String, Holding> newHoldings = new TreeMap<>(holdings);
      if (order.reservedShares() > 0) {
        Holding h = holding(order.symbol());
        newHoldings.put(order.symbol(), new Holding(h.shares(), h.reservedShares() + order.reservedShares(),
          h.costBasis()));
      }
      return new Opened(portfolioId, ownerId, name, closed, cash, reservedCash.add(order.reservedCash()),
        Sorted.owning(newHoldings), Sorted.owning(orders), cashSteps);
    }

    /** The order is done: it leaves the open orders and its reservation is released. */
    Opened ending(String orderId) {
      Order order = openOrders.get(orderId);
      TreeMap<String, Order> orders = new TreeMap<>(openOrders);
      orders.remove(orderId);
      TreeMap<String, Holding> newHoldings = new TreeMap<>(holdings);
      if (order.reservedShares() > 0) {
        Holding h = holding(order.symbol());
        newHoldings.put(order.symbol(), new Holding(h.shares(), h.reservedShares() - order.reservedShares(),
          h.costBasis()));
      }
      return new Opened(portfolioId, ownerId, name, closed, cash, reservedCash.subtract(order.reservedCash()),
        Sorted.owning(newHoldings), Sorted.owning(orders), cashSteps);
    }

    /** The fill's money and shares change hands, then the order ends as filled. */
    Opened filling(OrderFilled fill) {
      Opened ended = ending(fill.orderId());
      Holding h = ended.holding(fill.symbol());
      long sharesDelta = fill.side() == Side.BUY ? fill.quantity() : -fill.quantity();
      BigDecimal cashDelta = fill.side() == Side.BUY ? fill.total().negate() : fill.total();
      Holding after = new Holding(h.shares() + sharesDelta, h.reservedShares(),
        h.costBasis().add(fill.costBasisChange()));
      TreeMap<String, Holding> newHoldings = new TreeMap<>(ended.holdings());
      if (after.shares() == 0) {
        newHoldings.remove(fill.symbol());
      } else {
        newHoldings.put(fill.symbol(), after);
      }
      return new Opened(portfolioId, ownerId, name, closed, cash.add(cashDelta), ended.reservedCash(),
        Sorted.owning(newHoldings), ended.openOrders(), cashSteps);
    }
  }

  /**
   * The read-only sorted map an {@link Opened} holds. Only this file makes them, each over a TreeMap nobody else
   * references, so the constructor can keep one as it is instead of copying it (an order ending would otherwise copy
   * the portfolio's open orders twice). A {@link SortedMap}, so that {@code new TreeMap<>(it)} copies it in
   * linear time.
   */
  final class Sorted<K, V> extends AbstractMap<K, V> implements SortedMap<K, V> {
    private final SortedMap<K, V> map;

    private Sorted(TreeMap<K, V> map) {
      this.map = Collections.unmodifiableSortedMap(map);
    }

    /** {@code map} itself if it is one of these, else a sorted copy. */
    private static <K, V> Sorted<K, V> of(Map<K, V> map) {
      return map instanceof Sorted<K, V> sorted ? sorted : new Sorted<>(new TreeMap<>(map));
    }

    /** Takes over {@code fresh}: the caller must not keep or change it afterwards. */
    private static <K, V> Sorted<K, V> owning(TreeMap<K, V> fresh) {
      return new Sorted<>(fresh);
    }

    @Override
    public Set<Entry<K, V>> entrySet() {
      return map.entrySet();
    }

    @Override
    public int size() {
      return map.size();
    }

    @Override
    public V get(Object key) {
      return map.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
      return map.containsKey(key);
    }

    @Override
    public Comparator<? super K> comparator() {
      return map.comparator();
    }

    @Override
    public SortedMap<K, V> subMap(K fromKey, K toKey) {
      return map.subMap(fromKey, toKey);
    }

    @Override
    public SortedMap<K, V> headMap(K toKey) {
      return map.headMap(toKey);
    }

    @Override
    public SortedMap<K, V> tailMap(K fromKey) {
      return map.tailMap(fromKey);
    }

    @Override
    public K firstKey() {
      return map.firstKey();
    }

    @Override
    public K lastKey() {
      return map.lastKey();
    }
  }
}
