package trader.portfolio;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import trader.eventsourcing.journal.StoredEvent;
import trader.eventsourcing.projection.Projection;
import trader.portfolio.PortfolioEvent.CashDepositDeclined;
import trader.portfolio.PortfolioEvent.CashDeposited;
import trader.portfolio.PortfolioEvent.CashRefunded;
import trader.portfolio.PortfolioEvent.CashWithdrawalDeclined;
import trader.portfolio.PortfolioEvent.CashWithdrawn;
import trader.portfolio.PortfolioEvent.OrderCancelRequested;
import trader.portfolio.PortfolioEvent.OrderEnded;
import trader.portfolio.PortfolioEvent.OrderFilled;
import trader.portfolio.PortfolioEvent.OrderPlaced;
import trader.portfolio.PortfolioEvent.PortfolioClosed;
import trader.portfolio.PortfolioEvent.PortfolioOpened;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The portfolio read side, in rows: per portfolio its owner, name, cash and reserved cash ({@code portfolios}), a row
 * per holding ({@code portfolio_holdings}) and per open order ({@code portfolio_open_orders}), and a history row per
 * event ({@code portfolio_history}). Each event changes the rows it concerns, as the domain's {@code evolve} changes
 * the state, so a batch costs what its events do, whatever the portfolio's age. Every event moves the portfolio
 * row's version on from the one before it: a row not at that version (an event missed or applied twice) fails the
 * batch. Each committed change is pushed on {@code user.<ownerId>.portfolios}.
 */
final class PortfolioViews implements Projection {

  static final String NAME = "portfolio_views";
  private static final String PREFIX = Portfolio.NAME + "|";

  /** Moves the row on to the event's version; the other statements of an event run after it. */
  private static final String STEP = """
    update portfolios set cash = cash + $3, reserved_cash = reserved_cash + $4, closed = closed or $5,
      version = $2, updated_at = $6
    where portfolio_id = $1 and version = $2 - 1""";
  /** As {@link #STEP}, releasing the reservation of the open order {@code $7} the event ends. */
  private static final String STEP_ENDING = """
    update portfolios p set cash = p.cash + $3, reserved_cash = p.reserved_cash + $4 - o.reserved_cash,
      closed = p.closed or $5, version = $2, updated_at = $6
    from portfolio_open_orders o
    where p.portfolio_id = $1 and p.version = $2 - 1 and o.portfolio_id = $1 and o.order_id = $7""";
  private static final String ADD_SHARES = """
    insert into portfolio_holdings as h (portfolio_id, symbol, shares, reserved_shares, cost_basis)
    values ($1, $2, $3, 0, $4)
    on conflict (portfolio_id, symbol) do update set shares = h.shares + excluded.shares,
      cost_basis = h.cost_basis + excluded.cost_basis""";
  /** Releases the shares the open order {@code $2} reserved, and takes {@code $3} shares and {@code $4} of cost. */
  private static final String ENDING_SHARES = """
    update portfolio_holdings h set reserved_shares = h.reserved_shares - o.reserved_shares,
      shares = h.shares - $3, cost_basis = h.cost_basis + $4
    from portfolio_open_orders o
    where o.portfolio_id = $1 and o.order_id = $2 and h.portfolio_id = $1 and h.symbol = o.symbol
      and (o.reserved_shares > 0 or $3 <> 0)""";
  private static final String RESERVE_SHARES = "update portfolio_holdings set reserved_shares = reserved_shares + $3 "
    + "where portfolio_id = $1 and symbol = $2";
  private static final String DROP_EMPTY_HOLDING = "delete from portfolio_holdings "
    + "where portfolio_id = $1 and symbol = $2 and shares = 0";

  private final Portfolio portfolio = new Portfolio();
  private final Vertx vertx;
  /** Owners of portfolios seen in recent batches, for the pushes after commit. */
  private final Map<String, String> owners = BoundedMap.create(100_000, false);

  PortfolioViews(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int shards() {
    return 2;
  }

  @Override
  public boolean handles(StoredEvent event) {
    return event.streamId().startsWith(PREFIX);
  }

  /**
   * Read by people (pushed to their browsers; a read with a position waits for it): up to 20 ms later is not seen, a
   * transaction per event or two under load is.
   */
  @Override
  public java.time.Duration batchInterval() {
    return java.time.Duration.ofMillis(20);
  }

  @Override
  public List<String> tables() {
    return List.of("portfolios", "portfolio_holdings", "portfolio_open_orders", "portfolio_history");
  }

  @Override
  public Future<Void> createTables(SqlConnection c) {
    return c.query("""
        create table portfolios (
          portfolio_id  text primary key,
          owner_id      text not null,
          name          text not null,
          closed        boolean not null,
          cash          numeric(20, 2) not null,
          reserved_cash numeric(20, 2) not null,
          version       bigint not null,
          opened_at     timestamptz not null,
          updated_at    timestamptz not null)""").execute()
      .compose(r -> c.query("create index portfolios_owner on portfolios (owner_id, opened_at)").execute())
      .compose(r -> c.query("""
        create table portfolio_holdings (
          portfolio_id    text not null,
          symbol          text not null,
          shares          bigint not null,
          reserved_shares bigint not null,
          cost_basis      numeric(20, 2) not null,
          primary key (portfolio_id, symbol))""").execute())
      .compose(r -> c.query("""
        create table portfolio_open_orders (
          portfolio_id     text not null,
          order_id         text not null,
          symbol           text not null,
          reserved_cash    numeric(20, 2) not null,
          reserved_shares  bigint not null,
          placed_version   bigint not null,
          cancel_requested boolean not null default false,
          "order"          jsonb not null,
          primary key (portfolio_id, order_id))""").execute())
      .compose(r -> c.query("""
        create table portfolio_history (
          portfolio_id  text not null,
          version       bigint not null,
          at            timestamptz not null,
          kind          text not null,
          detail        jsonb not null,
          primary key (portfolio_id, version))""").execute())
      .mapEmpty();
  }

  @Override
  public Future<Void> apply(SqlConnection c, List<StoredEvent> events) {
    // sent at once on the batch's connection (pipelined); the server runs them in this order
    List<Future<?>> writes = new ArrayList<>();
    List<Tuple> history = new ArrayList<>(events.size());
    for (StoredEvent e : events) {
      String id = e.streamId().substring(PREFIX.length());
      history.add(Tuple.of(id, e.version(), e.timestamp().atOffset(ZoneOffset.UTC),
        e.type().substring(Portfolio.NAME.length() + 1), e.payload()));
      writes.add(applyOne(c, id, e));
    }
    writes.add(c.preparedQuery("insert into portfolio_history (portfolio_id, version, at, kind, detail) "
      + "values ($1, $2, $3, $4, $5)").executeBatch(history));
    return Future.all(writes).mapEmpty();
  }

  /** The statements of one event; the row's version step is checked (exactly one row moved on). */
  private Future<?> applyOne(SqlConnection c, String id, StoredEvent e) {
    OffsetDateTime at = e.timestamp().atOffset(ZoneOffset.UTC);
    long v = e.version();
    return switch (portfolio.events().decode(e.type(), e.schemaVersion(), e.payload())) {
      case PortfolioOpened opened -> {
        owners.put(id, opened.ownerId());
        yield c.preparedQuery("insert into portfolios (portfolio_id, owner_id, name, closed, cash, reserved_cash, "
            + "version, opened_at, updated_at) values ($1, $2, $3, false, 0, 0, $4, $5, $5)")
          .execute(Tuple.of(id, opened.ownerId(), opened.name(), v, at));
      }
      case PortfolioClosed closed -> step(c, id, v, at, BigDecimal.ZERO, BigDecimal.ZERO, true);
      case CashDeposited d -> step(c, id, v, at, d.amount(), BigDecimal.ZERO, false);
      case CashRefunded r -> step(c, id, v, at, r.amount(), BigDecimal.ZERO, false);
      case CashWithdrawn w -> step(c, id, v, at, w.amount().negate(), BigDecimal.ZERO, false);
      case CashDepositDeclined d -> declined(c, id, v, at);
      case CashWithdrawalDeclined w -> declined(c, id, v, at);
      case OrderPlaced placed -> {
        Order o = placed.order();
        Future<?> row = step(c, id, v, at, BigDecimal.ZERO, o.reservedCash(), false);
        Future<?> order = c.preparedQuery("insert into portfolio_open_orders (portfolio_id, order_id, symbol, "
            + "reserved_cash, reserved_shares, placed_version, \"order\") values ($1, $2, $3, $4, $5, $6, $7)")
          .execute(Tuple.of(id, o.orderId(), o.symbol(), o.reservedCash(), o.reservedShares(), v,
            e.payload().getJsonObject("order")));
        Future<?> shares = o.reservedShares() == 0 ? Future.succeededFuture()
          : c.preparedQuery(RESERVE_SHARES).execute(Tuple.of(id, o.symbol(), o.reservedShares()));
        yield Future.all(row, order, shares);
      }
      case OrderFilled f -> {
        boolean buy = f.side() == Side.BUY;
        Future<?> row = checked(c.preparedQuery(STEP_ENDING).execute(Tuple.from(new Object[] {id, v,
          buy ? f.total().negate() : f.total(), BigDecimal.ZERO, false, at, f.orderId()})), id, v);
        Future<?> shares = buy
          ? Future.all(c.preparedQuery(ENDING_SHARES).execute(Tuple.of(id, f.orderId(), 0L, BigDecimal.ZERO)),
            c.preparedQuery(ADD_SHARES).execute(Tuple.of(id, f.symbol(), f.quantity(), f.costBasisChange())))
          : c.preparedQuery(ENDING_SHARES).execute(Tuple.of(id, f.orderId(), f.quantity(), f.costBasisChange()));
        yield Future.all(row, shares, endOrder(c, id, f.orderId()),
          c.preparedQuery(DROP_EMPTY_HOLDING).execute(Tuple.of(id, f.symbol())));
      }
      case OrderEnded ended -> {
        Future<?> row = checked(c.preparedQuery(STEP_ENDING).execute(Tuple.from(new Object[] {id, v,
          BigDecimal.ZERO, BigDecimal.ZERO, false, at, ended.orderId()})), id, v);
        Future<?> shares = c.preparedQuery(ENDING_SHARES).execute(Tuple.of(id, ended.orderId(), 0L, BigDecimal.ZERO));
        yield Future.all(row, shares, endOrder(c, id, ended.orderId()));
      }
      case OrderCancelRequested requested -> Future.all(step(c, id, v, at, BigDecimal.ZERO, BigDecimal.ZERO, false),
        c.preparedQuery("update portfolio_open_orders set cancel_requested = true "
          + "where portfolio_id = $1 and order_id = $2").execute(Tuple.of(id, requested.orderId())));
    };
  }

  private Future<RowSet<Row>> endOrder(SqlConnection c, String id, String orderId) {
    return c.preparedQuery("delete from portfolio_open_orders where portfolio_id = $1 and order_id = $2")
      .execute(Tuple.of(id, orderId));
  }

  private Future<?> step(SqlConnection c, String id, long version, OffsetDateTime at, BigDecimal cash,
                         BigDecimal reserved, boolean closes) {
    return checked(c.preparedQuery(STEP).execute(Tuple.from(new Object[] {id, version, cash, reserved, closes, at})),
      id, version);
  }

  /**
   * A declined step changes no money. A portfolio that is not open yet declines steps too, and has no row then: the
   * row, if there is one, moves on, and is checked to be at the event's version afterwards.
   */
  private Future<?> declined(SqlConnection c, String id, long version, OffsetDateTime at) {
    Future<?> step = c.preparedQuery(STEP).execute(Tuple.from(new Object[] {id, version, BigDecimal.ZERO,
      BigDecimal.ZERO, false, at}));
    Future<?> check = c.preparedQuery("select version from portfolios where portfolio_id = $1 and version <> $2")
      .execute(Tuple.of(id, version)).compose(rows -> rows.size() == 0 ? Future.succeededFuture()
        : Future.failedFuture(new IllegalStateException("portfolio row " + id + " is not at version " + (version - 1)
          + ": an event was missed or applied twice")));
    return Future.all(step, check);
  }

  private static Future<?> checked(Future<RowSet<Row>> update, String id, long version) {
    return update.compose(rows -> rows.rowCount() == 1 ? Future.succeededFuture()
      : Future.failedFuture(new IllegalStateException("portfolio row " + id + " is not at version " + (version - 1)
        + " (or lacks the order its event ends): an event was missed or applied twice")));
  }

  @Override
  public void committed(List<StoredEvent> events) {
    Map<String, StoredEvent> last = new LinkedHashMap<>();
    events.forEach(e -> last.put(e.streamId().substring(PREFIX.length()), e));
    last.forEach((id, event) -> {
      String owner = owners.get(id);
      if (owner != null) {
        vertx.eventBus().publish("user." + owner + ".portfolios", new JsonObject().put("portfolioId", id)
          .put("event", "changed").put("position", event.position().toString()));
      }
    });
  }

  /**
   * The view of portfolio {@code portfolioId} as its rows hold it, with its version, its owner and its last
   * {@code history} history entries (newest first); null if there is no such portfolio. One statement, so one
   * snapshot: never half of a batch. The state's {@code cashSteps} are not part of the view.
   */
  static Future<View> read(SqlClient client, String portfolioId, int history) {
    return client.preparedQuery("""
        select p.owner_id, p.name, p.closed, p.cash, p.reserved_cash, p.version,
          (select coalesce(json_agg(json_build_object('symbol', h.symbol, 'shares', h.shares,
             'reservedShares', h.reserved_shares, 'costBasis', h.cost_basis::text)), '[]')
           from portfolio_holdings h where h.portfolio_id = p.portfolio_id)::text as holdings,
          (select coalesce(json_agg(o."order"), '[]') from portfolio_open_orders o
           where o.portfolio_id = p.portfolio_id)::text as orders,
          (select coalesce(json_agg(json_build_object('version', e.version, 'at', e.at, 'kind', e.kind,
             'detail', e.detail) order by e.version desc), '[]')
           from (select * from portfolio_history e where e.portfolio_id = p.portfolio_id
                 order by e.version desc limit $2) e)::text as history
        from portfolios p where p.portfolio_id = $1""")
      .execute(Tuple.of(portfolioId, history))
      .map(rows -> rows.size() == 0 ? null : view(portfolioId, rows.iterator().next()));
  }

  private static View view(String portfolioId, Row r) {
    Map<String, Holding> held = new TreeMap<>();
    new JsonArray(r.getString("holdings")).forEach(o -> {
      JsonObject h = (JsonObject) o;
      held.put(h.getString("symbol"), new Holding(h.getLong("shares"), h.getLong("reservedShares"),
        new BigDecimal(h.getString("costBasis")).setScale(2)));
    });
    Map<String, Order> open = new TreeMap<>();
    Portfolio type = new Portfolio();
    new JsonArray(r.getString("orders")).forEach(o -> {
      // the order as its placement stored it (the event's own JSON: money as exact strings)
      Order order = ((OrderPlaced) type.events().decode("portfolio.order-placed",
        new JsonObject().put("order", o))).order();
      open.put(order.orderId(), order);
    });
    JsonArray history = new JsonArray();
    new JsonArray(r.getString("history")).forEach(o -> {
      JsonObject h = (JsonObject) o;
      history.add(h.put("at", OffsetDateTime.parse(h.getString("at")).toInstant().toString()));
    });
    return new View(new PortfolioState.Opened(portfolioId, r.getString("owner_id"), r.getString("name"),
      r.getBoolean("closed"), r.getBigDecimal("cash").setScale(2), r.getBigDecimal("reserved_cash").setScale(2),
      held, open, null), r.getLong("version"), history);
  }

  /** A portfolio as the read side shows it, at {@code version} of its stream, with its latest history entries. */
  record View(PortfolioState.Opened state, long version, JsonArray history) {
  }
}
