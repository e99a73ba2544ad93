package trader.portfolio;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import trader.eventsourcing.journal.StoredEvent;
import trader.eventsourcing.projection.Projection;
import trader.portfolio.PortfolioEvent.OrderCancelRequested;
import trader.portfolio.PortfolioEvent.OrderEnded;
import trader.portfolio.PortfolioEvent.OrderFilled;
import trader.portfolio.PortfolioEvent.OrderPlaced;
import trader.portfolio.PortfolioEvent.PortfolioOpened;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/**
 * The orders read side of the portfolio context, from the portfolio's own events: one row per order with its status
 * (OPEN, then FILLED, CANCELLED, EXPIRED or REJECTED; an open order the trader asked to cancel says so), and the owner
 * of each portfolio (from its opening) so that rows carry it. Each committed change is pushed on
 * {@code user.<ownerId>.orders}.
 */
final class OrderViews implements Projection {

  static final String NAME = "portfolio_orders";

  private final Portfolio portfolio = new Portfolio();
  private final Vertx vertx;
  /** Owners of portfolios seen in recent batches, for the pushes after commit. */
  private final Map<String, String> owners = BoundedMap.create(100_000, false);

  OrderViews(Vertx vertx) {
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
  public boolean handles(StoredEvent e) {
    return switch (e.type()) {
      case "portfolio.opened", "portfolio.order-placed", "portfolio.order-filled", "portfolio.order-ended",
           "portfolio.order-cancel-requested" -> true;
      default -> false;
    };
  }

  @Override
  public List<String> tables() {
    return List.of("order_owners", "orders");
  }

  @Override
  public Future<Void> createTables(SqlConnection c) {
    return c.query("create table order_owners (portfolio_id text primary key, owner_id text not null)").execute()
      .compose(r -> c.query("""
        create table orders (
          order_id      text primary key,
          portfolio_id  text not null,
          owner_id      text not null,
          symbol        text not null,
          side          text not null,
          quantity      bigint not null,
          type          text not null,
          limit_price   numeric(20, 2),
          stop_price    numeric(20, 2),
          time_in_force text not null,
          reserved_cash numeric(20, 2) not null,
          status        text not null,
          fill_price    numeric(20, 2),
          reason        text,
          cancel_requested_at timestamptz,
          placed_at     timestamptz not null,
          updated_at    timestamptz not null,
          position      text not null)""").execute())
      .compose(r -> c.query("create index orders_portfolio on orders (portfolio_id, placed_at desc)").execute())
      .mapEmpty();
  }

  @Override
  public Future<Void> apply(SqlConnection c, List<StoredEvent> events) {
    // all sent at once on the batch's one connection (pipelined): the server still runs them in this order, and
    // one round trip per event in turn capped the read side at a few hundred events a second
    List<Future<Void>> applied = new java.util.ArrayList<>(events.size());
    for (StoredEvent e : events) {
      applied.add(applyOne(c, e));
    }
    return Future.all(applied).mapEmpty();
  }

  private Future<Void> applyOne(SqlConnection c, StoredEvent e) {
    String portfolioId = e.streamId().substring(Portfolio.NAME.length() + 1);
    OffsetDateTime at = e.timestamp().atOffset(ZoneOffset.UTC);
    String position = e.position().toString();
    return switch (portfolio.events().decode(e.type(), e.payload())) {
      case PortfolioOpened opened -> c.preparedQuery("insert into order_owners values ($1, $2) on conflict do nothing")
        .execute(Tuple.of(portfolioId, opened.ownerId())).mapEmpty();
      case OrderPlaced placed -> {
        Order o = placed.order();
        yield c.preparedQuery("""
            insert into orders (order_id, portfolio_id, owner_id, symbol, side, quantity, type, limit_price, stop_price,
                                time_in_force, reserved_cash, status, placed_at, updated_at, position)
            select $1, $2, owner_id, $3, $4, $5, $6, $7, $8, $9, $10, 'OPEN', $11, $11, $12
            from order_owners where portfolio_id = $2
            on conflict (order_id) do nothing returning owner_id""")
          .execute(Tuple.from(new Object[] {o.orderId(), portfolioId, o.symbol(), o.side().name(), o.quantity(),
            o.type().name(), o.limitPrice(), o.stopPrice(), o.timeInForce().name(), o.reservedCash(), at, position}))
          .map(rows -> {
            rows.forEach(r -> owners.put(portfolioId, r.getString(0)));
            return null;
          });
      }
      case OrderFilled filled -> update(c, portfolioId, filled.orderId(), "FILLED", filled.price(), null, at,
        position);
      case OrderEnded ended -> update(c, portfolioId, ended.orderId(), ended.outcome().name(), null, ended.reason(), at,
        position);
      case OrderCancelRequested requested -> c.preparedQuery("update orders set cancel_requested_at = $2, "
          + "updated_at = $2, position = $3 where order_id = $1 returning owner_id")
        .execute(Tuple.of(requested.orderId(), at, position)).map(rows -> {
          rows.forEach(r -> owners.put(portfolioId, r.getString(0)));
          return null;
        });
      default -> Future.succeededFuture();
    };
  }

  private Future<Void> update(SqlConnection c, String portfolioId, String orderId, String status, java.math.BigDecimal price,
                              String reason, OffsetDateTime at, String position) {
    return c.preparedQuery("update orders set status = $2, fill_price = $3, reason = $4, updated_at = $5, "
        + "position = $6 where order_id = $1 returning owner_id")
      .execute(Tuple.of(orderId, status, price, reason, at, position))
      .map(rows -> {
        rows.forEach(r -> owners.put(portfolioId, r.getString(0)));
        return null;
      });
  }

  @Override
  public void committed(List<StoredEvent> events) {
    for (StoredEvent e : events) {
      String owner = owners.get(e.streamId().substring(Portfolio.NAME.length() + 1));
      JsonObject push = switch (portfolio.events().decode(e.type(), e.payload())) {
        case OrderPlaced placed -> new JsonObject().put("orderId", placed.order().orderId()).put("status", "OPEN");
        case OrderFilled filled -> new JsonObject().put("orderId", filled.orderId()).put("status", "FILLED");
        case OrderEnded ended -> new JsonObject().put("orderId", ended.orderId()).put("status", ended.outcome().name());
        case OrderCancelRequested requested -> new JsonObject().put("orderId", requested.orderId())
          .put("status", "OPEN").put("cancelRequested", true);
        default -> null;
      };
      if (owner != null && push != null) {
        // the event's position: a GET with it sees this change (read-your-writes) without waiting for later ones
        vertx.eventBus().publish("user." + owner + ".orders", push.put("position", e.position().toString()));
      }
    }
  }
}
