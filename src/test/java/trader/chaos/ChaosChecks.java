package trader.chaos;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import trader.broker.Order;
import trader.broker.OrderState;
import trader.eventsourcing.entity.EntityType;
import trader.portfolio.Holding;
import trader.portfolio.OrderOutcome;
import trader.portfolio.Portfolio;
import trader.portfolio.PortfolioState;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fault suite's verdict, read from the journal and the read-side tables directly: nothing accepted is missing,
 * nothing is doubled, every saga and order ended (or rests legitimately), money is conserved, nothing is negative,
 * every read side equals the fold of the journal, every projection and topic publisher reached the journal's head.
 * Each broken rule adds a line to {@link #violations()}; {@link #figures()} holds the counts for the report.
 */
final class ChaosChecks {

  private static final Set<String> FINAL_TRANSFER_EVENTS = Set.of("transfer.completed", "transfer.failed",
    "transfer.refunded");

  private final Pool pool;
  private final List<String> violations = new ArrayList<>();
  private final Map<String, Object> figures = new LinkedHashMap<>();

  ChaosChecks(Pool pool) {
    this.pool = pool;
  }

  List<String> violations() {
    return violations;
  }

  Map<String, Object> figures() {
    return figures;
  }

  /**
   * Transfers whose saga has not ended, orders not final at the broker or not settled in their portfolio, and
   * projection shards behind the journal's head; 0 when all is quiet.
   */
  long unsettled() {
    return count("""
      select count(*) from (select distinct on (stream_id) event_type from journal where stream_id like 'transfer|%'
        order by stream_id, version desc) last where event_type not in
        ('transfer.completed', 'transfer.failed', 'transfer.refunded')""") + count("""
      select count(*) from (select distinct on (stream_id) event_type from journal where stream_id like 'order|%'
        order by stream_id, version desc) last where event_type not in
        ('order.filled', 'order.cancelled', 'order.expired', 'order.rejected')""") + count("""
      select count(*) from journal placed where placed.event_type = 'portfolio.order-placed' and not exists
        (select 1 from journal ended where ended.stream_id = placed.stream_id
           and ended.event_type in ('portfolio.order-filled', 'portfolio.order-ended')
           and ended.payload->>'orderId' = placed.payload->'order'->>'orderId')""") + shardsBehind();
  }

  void run(ChaosLoad load, BigDecimal openingBalance) {
    journalIsWhole();
    acceptedCommandsAreJournalled(load);
    transfersEnded();
    Map<String, OrderState> orders = fold(new Order());
    Map<String, PortfolioState> portfolios = fold(new Portfolio());
    ordersEnded(orders, portfolios);
    moneyIsConserved(portfolios, openingBalance);
    readSidesAreFolds(portfolios, orders);
    figures.put("projection shards behind the journal head", shardsBehind());
    if (shardsBehind() > 0) {
      violations.add(shardsBehind() + " projection shard(s) (read sides or topic publishers) behind the journal head");
    }
  }

  private void journalIsWhole() {
    figures.put("journal events", count("select count(*) from journal"));
    figures.put("streams", count("select count(distinct stream_id) from journal"));
    expectZero("streams whose versions are not 1..n", """
      select count(*) from (select stream_id from journal group by stream_id
        having min(version) <> 1 or max(version) <> count(*)) s""");
    expectZero("event ids written twice", "select count(*) - count(distinct event_id) from journal");
  }

  private void acceptedCommandsAreJournalled(ChaosLoad load) {
    figures.put("accepted signups", load.acceptedSignups().size());
    figures.put("accepted transfers", load.acceptedTransfers().size());
    figures.put("accepted orders", load.acceptedOrders().size());
    figures.put("accepted cancels", load.acceptedCancels().size());
    missing("accepted signups without their savings account", "savings-account|", load.acceptedSignups());
    missing("accepted transfers not in the journal", "transfer|", load.acceptedTransfers());
    missing("accepted orders that never reached the broker", "order|", load.acceptedOrders());
    Set<String> placed = strings("select payload->'order'->>'orderId' from journal "
      + "where event_type = 'portfolio.order-placed'");
    long notPlaced = load.acceptedOrders().stream().filter(id -> !placed.contains(id)).count();
    if (notPlaced > 0) {
      violations.add(notPlaced + " accepted orders without their portfolio.order-placed event");
    }
    expectZero("orders placed twice in a portfolio", """
      select count(*) - count(distinct payload->'order'->>'orderId') from journal
      where event_type = 'portfolio.order-placed'""");
    expectZero("transfers requested twice", """
      select count(*) - count(distinct stream_id) from journal where event_type = 'transfer.requested'""");
    expectZero("orders filled twice", """
      select count(*) - count(distinct stream_id) from journal where event_type = 'order.filled'""");
    expectZero("fills recorded twice in a portfolio", """
      select count(*) - count(distinct payload->>'orderId') from journal where event_type = 'portfolio.order-filled'""");
  }

  private void missing(String what, String prefix, Set<String> ids) {
    Set<String> streams = strings("select distinct stream_id from journal where stream_id like '" + prefix + "%'");
    long absent = ids.stream().filter(id -> !streams.contains(prefix + id)).count();
    if (absent > 0) {
      violations.add(absent + " " + what);
    }
  }

  private void transfersEnded() {
    Map<String, Long> outcomes = new LinkedHashMap<>();
    for (Row r : pool.query("""
        select event_type, count(*) from (select distinct on (stream_id) event_type from journal
          where stream_id like 'transfer|%' order by stream_id, version desc) l group by 1 order by 1""")
      .execute().await()) {
      outcomes.put(r.getString(0), r.getLong(1));
      if (!FINAL_TRANSFER_EVENTS.contains(r.getString(0))) {
        violations.add(r.getLong(1) + " transfers stuck at " + r.getString(0));
      }
    }
    figures.put("transfers by outcome", outcomes);
  }

  private void ordersEnded(Map<String, OrderState> orders, Map<String, PortfolioState> portfolios) {
    Map<String, Long> byState = new HashMap<>();
    Map<String, String> portfolioStatus = portfolioOrderStatuses();
    orders.forEach((id, state) -> {
      String status = status(state);
      byState.merge(status, 1L, Long::sum);
      if (state instanceof OrderState.Open open && open.order().type().name().equals("MARKET")
        && !(state instanceof OrderState.Triggered)) {
        violations.add("market order " + id + " still open");
      }
      String seen = portfolioStatus.get(id);
      boolean agrees = seen != null && (seen.equals(status) || seen.equals("OPEN") && status.equals("TRIGGERED"));
      if (!agrees) {
        violations.add("order " + id + ": broker says " + status + ", its portfolio says " + seen);
      }
    });
    long unknownToBroker = portfolioStatus.keySet().stream().filter(id -> !orders.containsKey(id)).count();
    if (unknownToBroker > 0) {
      violations.add(unknownToBroker + " orders placed in a portfolio that the broker never received");
    }
    figures.put("orders by state", new java.util.TreeMap<>(byState));
  }

  private static String status(OrderState state) {
    return switch (state) {
      case OrderState.Unplaced u -> "UNPLACED";
      case OrderState.Pending p -> "OPEN";
      case OrderState.Resting r -> "OPEN";
      case OrderState.Triggered t -> "TRIGGERED";
      case OrderState.Filled f -> OrderOutcome.FILLED.name();
      case OrderState.Cancelled c -> OrderOutcome.CANCELLED.name();
      case OrderState.Expired e -> OrderOutcome.EXPIRED.name();
      case OrderState.Rejected r -> OrderOutcome.REJECTED.name();
      case OrderState.CancelledBeforePlacement c -> OrderOutcome.CANCELLED.name();
    };
  }

  /** How each order placed in a portfolio stands there, by the portfolios' own events: OPEN, or how it ended. */
  private Map<String, String> portfolioOrderStatuses() {
    Map<String, String> statuses = new HashMap<>();
    for (Row r : pool.query("""
        select event_type, coalesce(payload->'order'->>'orderId', payload->>'orderId') as order_id,
               payload->>'outcome' as outcome
        from journal where event_type in ('portfolio.order-placed', 'portfolio.order-filled', 'portfolio.order-ended')
        order by transaction_id, position""").execute().await()) {
      statuses.put(r.getString("order_id"), switch (r.getString("event_type")) {
        case "portfolio.order-placed" -> "OPEN";
        case "portfolio.order-filled" -> OrderOutcome.FILLED.name();
        default -> r.getString("outcome");
      });
    }
    return statuses;
  }

  /**
   * Savings + portfolio cash (reserved cash is part of it) equals the opening balances, less what buys paid, plus
   * what sells received; no balance, reservation or holding is negative or above what it may be.
   */
  private void moneyIsConserved(Map<String, PortfolioState> portfolios, BigDecimal openingBalance) {
    Map<String, BigDecimal> savings = savingsFromJournal();
    BigDecimal savingsTotal = savings.values().stream().reduce(BigDecimal.ZERO, BigDecimal::add);
    BigDecimal cashTotal = BigDecimal.ZERO;
    for (PortfolioState state : portfolios.values()) {
      if (state instanceof PortfolioState.Opened p) {
        cashTotal = cashTotal.add(p.cash());
        if (p.cash().signum() < 0 || p.reservedCash().signum() < 0 || p.availableCash().signum() < 0) {
          violations.add("portfolio " + p.portfolioId() + ": cash " + p.cash() + ", reserved " + p.reservedCash());
        }
        // no reservation without an open order: what is reserved is what the open orders hold, to the cent
        BigDecimal ordersReserve = p.openOrders().values().stream().map(trader.portfolio.Order::reservedCash)
          .reduce(BigDecimal.ZERO, BigDecimal::add);
        if (ordersReserve.compareTo(p.reservedCash()) != 0) {
          violations.add("portfolio " + p.portfolioId() + " reserves " + p.reservedCash() + " but its open orders "
            + ordersReserve);
        }
        for (Map.Entry<String, Holding> h : p.holdings().entrySet()) {
          Holding holding = h.getValue();
          if (holding.shares() < 0 || holding.reservedShares() < 0 || holding.reservedShares() > holding.shares()) {
            violations.add("portfolio " + p.portfolioId() + " holds " + h.getKey() + ": " + holding);
          }
        }
      }
    }
    savings.forEach((id, balance) -> {
      if (balance.signum() < 0) {
        violations.add(id + " balance " + balance);
      }
    });
    BigDecimal opened = openingBalance.multiply(BigDecimal.valueOf(savings.size()));
    BigDecimal paid = decimal("select coalesce(sum((payload->>'total')::numeric), 0) from journal "
      + "where event_type = 'portfolio.order-filled' and payload->>'side' = 'BUY'");
    BigDecimal received = decimal("select coalesce(sum((payload->>'total')::numeric), 0) from journal "
      + "where event_type = 'portfolio.order-filled' and payload->>'side' = 'SELL'");
    BigDecimal expected = opened.subtract(paid).add(received);
    BigDecimal actual = savingsTotal.add(cashTotal);
    figures.put("money", "savings " + savingsTotal + " + portfolio cash " + cashTotal + " = " + actual
      + "; opening " + opened + " - bought " + paid + " + sold " + received + " = " + expected);
    if (actual.compareTo(expected) != 0) {
      violations.add("money not conserved: " + actual + " held, " + expected + " expected");
    }
  }

  /** The read sides against the fold of the journal: portfolios, savings, transfers, both orders views. */
  private void readSidesAreFolds(Map<String, PortfolioState> portfolios, Map<String, OrderState> orders) {
    Portfolio type = new Portfolio();
    int compared = 0;
    Map<String, Row> views = rows("select portfolio_id, name, closed, cash, reserved_cash, version from portfolios",
      "portfolio_id");
    Map<String, Map<String, Holding>> holdings = new HashMap<>();
    for (Row r : pool.query("select * from portfolio_holdings").execute().await()) {
      holdings.computeIfAbsent(r.getString("portfolio_id"), k -> new java.util.TreeMap<>()).put(r.getString("symbol"),
        new Holding(r.getLong("shares"), r.getLong("reserved_shares"), r.getBigDecimal("cost_basis").setScale(2)));
    }
    Map<String, Map<String, String>> openOrders = new HashMap<>();
    for (Row r : pool.query("select portfolio_id, order_id, reserved_cash, reserved_shares from portfolio_open_orders")
      .execute().await()) {
      openOrders.computeIfAbsent(r.getString("portfolio_id"), k -> new java.util.TreeMap<>()).put(r.getString("order_id"),
        r.getBigDecimal("reserved_cash").setScale(2) + "/" + r.getLong("reserved_shares"));
    }
    Map<String, Long> versions = longs("select stream_id, max(version) from journal where stream_id like 'portfolio|%'"
      + " group by 1");
    int openedPortfolios = 0;
    for (Map.Entry<String, PortfolioState> e : portfolios.entrySet()) {
      if (!(e.getValue() instanceof PortfolioState.Opened o)) {
        continue; // declined steps only: no row
      }
      openedPortfolios++;
      Row view = views.get(e.getKey());
      Map<String, String> reservations = new java.util.TreeMap<>();
      o.openOrders().forEach((id, order) -> reservations.put(id, order.reservedCash() + "/" + order.reservedShares()));
      boolean same = view != null && view.getString("name").equals(o.name()) && view.getBoolean("closed") == o.closed()
        && view.getBigDecimal("cash").compareTo(o.cash()) == 0
        && view.getBigDecimal("reserved_cash").compareTo(o.reservedCash()) == 0
        && view.getLong("version") == versions.get("portfolio|" + e.getKey()).longValue()
        && holdings.getOrDefault(e.getKey(), Map.of()).equals(o.holdings())
        && openOrders.getOrDefault(e.getKey(), Map.of()).equals(reservations);
      if (!same) {
        violations.add("portfolios view of " + e.getKey() + " differs from the journal");
      }
      compared++;
    }
    Map<String, BigDecimal> savings = savingsFromJournal();
    Map<String, Row> savingsViews = rows("select user_id, balance from savings_accounts", "user_id");
    for (Map.Entry<String, BigDecimal> e : savings.entrySet()) {
      Row view = savingsViews.get(e.getKey().substring("savings-account|".length()));
      if (view == null || view.getBigDecimal("balance").compareTo(e.getValue()) != 0) {
        violations.add("savings_accounts view of " + e.getKey() + " differs from the journal");
      }
      compared++;
    }
    compared += compareStatuses("transfers", "select transfer_id, status from transfers", "transfer_id",
      lastTransferStatuses());
    compared += compareStatuses("orders", "select order_id, status from orders", "order_id",
      portfolioOrderStatuses());
    Map<String, String> brokerStatuses = new HashMap<>();
    orders.forEach((id, state) -> brokerStatuses.put(id, status(state)));
    compared += compareStatuses("broker_orders", "select order_id, status from broker_orders", "order_id",
      brokerStatuses);
    figures.put("read-side rows compared with the journal's fold", compared);
    if (views.size() != openedPortfolios) {
      violations.add("portfolios view has " + views.size() + " rows, the journal " + openedPortfolios + " portfolios");
    }
  }

  private int compareStatuses(String table, String sql, String idColumn, Map<String, String> expected) {
    Map<String, Row> rows = rows(sql, idColumn);
    int differ = 0;
    for (Map.Entry<String, String> e : expected.entrySet()) {
      Row row = rows.get(e.getKey());
      if (row == null || !e.getValue().equals(row.getString("status"))) {
        differ++;
        if (differ <= 5) {
          violations.add(table + " view of " + e.getKey() + ": " + (row == null ? "missing" : row.getString("status"))
            + ", the journal says " + e.getValue());
        }
      }
    }
    if (rows.size() != expected.size()) {
      violations.add(table + " view has " + rows.size() + " rows, the journal " + expected.size());
    }
    return expected.size();
  }

  private Map<String, String> lastTransferStatuses() {
    Map<String, String> statuses = new HashMap<>();
    for (Row r : pool.query("select distinct on (stream_id) stream_id, event_type from journal "
      + "where stream_id like 'transfer|%' order by stream_id, version desc").execute().await()) {
      statuses.put(r.getString(0).substring("transfer|".length()), switch (r.getString(1)) {
        case "transfer.requested" -> "REQUESTED";
        case "transfer.withdrawal-succeeded" -> "WITHDRAWN";
        case "transfer.failed" -> "FAILED";
        case "transfer.completed" -> "COMPLETED";
        case "transfer.deposit-failed" -> "DEPOSIT_FAILED";
        case "transfer.refunded" -> "REFUNDED";
        default -> r.getString(1);
      });
    }
    return statuses;
  }

  /** Every stream of {@code type}, folded with the domain's own {@code evolve}, by entity id. */
  private <E, S> Map<String, S> fold(EntityType<?, E, S> type) {
    Map<String, S> states = new LinkedHashMap<>();
    String prefix = type.name() + "|";
    for (Row r : pool.preparedQuery("select stream_id, event_type, schema_version, payload from journal "
      + "where stream_id like $1 order by stream_id, version").execute(Tuple.of(prefix + "%")).await()) {
      String id = r.getString("stream_id").substring(prefix.length());
      S state = states.getOrDefault(id, type.initialState());
      states.put(id, type.evolve(state, type.events().decode(r.getString("event_type"),
        r.getInteger("schema_version"), r.getJsonObject("payload"))));
    }
    return states;
  }

  private Map<String, BigDecimal> savingsFromJournal() {
    Map<String, BigDecimal> balances = new HashMap<>();
    for (Row r : pool.query("""
      select stream_id, sum(case
          when event_type = 'savings-account.opened' then (payload->>'openingBalance')::numeric
          when event_type in ('savings-account.deposited', 'savings-account.refunded') then (payload->>'amount')::numeric
          when event_type = 'savings-account.withdrawn' then -(payload->>'amount')::numeric
          else 0 end) as balance
      from journal where stream_id like 'savings-account|%' group by stream_id""").execute().await()) {
      balances.put(r.getString("stream_id"), r.getBigDecimal("balance"));
    }
    return balances;
  }

  /** Shards of active projection versions whose offset is not the journal's last event (or that stopped). */
  long shardsBehind() {
    return count("""
      select count(*) from projection_offsets o join projection_versions v
        on v.name = o.name and v.active_version = o.version
      where o.stopped_reason is not null or (o.transaction_id, o.sequence) <> (
        select transaction_id::text::bigint, position from journal
        order by transaction_id desc, position desc limit 1)""");
  }

  private void expectZero(String what, String sql) {
    long n = count(sql);
    figures.put(what, n);
    if (n != 0) {
      violations.add(n + " " + what);
    }
  }

  private long count(String sql) {
    return pool.query(sql).execute().await().iterator().next().getLong(0);
  }

  private BigDecimal decimal(String sql) {
    return pool.query(sql).execute().await().iterator().next().getBigDecimal(0);
  }

  private Set<String> strings(String sql) {
    Set<String> values = new HashSet<>();
    pool.query(sql).execute().await().forEach(r -> values.add(r.getString(0)));
    return values;
  }

  private Map<String, Long> longs(String sql) {
    Map<String, Long> values = new HashMap<>();
    pool.query(sql).execute().await().forEach(r -> values.put(r.getString(0), r.getLong(1)));
    return values;
  }

  private Map<String, Row> rows(String sql, String idColumn) {
    Map<String, Row> values = new HashMap<>();
    pool.query(sql).execute().await().forEach(r -> values.put(r.getString(idColumn), r));
    return values;
  }
}
