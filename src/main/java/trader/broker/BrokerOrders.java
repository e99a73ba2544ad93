package trader.broker;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import trader.eventsourcing.journal.StoredEvent;
import trader.eventsourcing.projection.Projection;

import java.time.ZoneOffset;
import java.util.List;

/**
 * The broker's read side: each order with its status (OPEN, TRIGGERED, then FILLED, CANCELLED, EXPIRED or REJECTED)
 * and its details as accepted. The exchange rebuilds its books from the open ones when it starts; each committed
 * change is announced on {@link #CHANGES} so that the running exchange, on whichever node, follows it.
 */
final class BrokerOrders implements Projection {

  static final String NAME = "broker_orders";
  /** Published {@code {orderId, status, details?}} after commit; details (the accepted event) for OPEN only. */
  static final String CHANGES = "broker.exchange.orders";
  private static final String PREFIX = Order.NAME + "|";

  private final Vertx vertx;

  BrokerOrders(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public boolean handles(StoredEvent e) {
    return e.streamId().startsWith(PREFIX);
  }

  /**
   * Read when an exchange starts or a session closes (both wait for it to catch up); its commits also tell the running
   * exchange of cancels and expiries (see {@link #committed}), which reach the book up to this much later.
   */
  @Override
  public java.time.Duration batchInterval() {
    return java.time.Duration.ofMillis(20);
  }

  @Override
  public List<String> tables() {
    return List.of("broker_orders");
  }

  @Override
  public Future<Void> createTables(SqlConnection c) {
    return c.query("""
        create table broker_orders (
          order_id      text primary key,
          symbol        text not null,
          time_in_force text not null,
          status        text not null,
          details       jsonb not null,
          accepted_at   timestamptz not null,
          updated_at    timestamptz not null)""").execute()
      .compose(r -> c.query("create index broker_orders_open on broker_orders (status) "
        + "where status in ('OPEN', 'TRIGGERED')").execute())
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
    String orderId = e.streamId().substring(PREFIX.length());
    var at = e.timestamp().atOffset(ZoneOffset.UTC);
    if (e.type().equals("order.accepted")) {
      return c.preparedQuery("insert into broker_orders values ($1, $2, $3, 'OPEN', $4, $5, $5) "
          + "on conflict (order_id) do nothing")
        .execute(Tuple.of(orderId, e.payload().getString("symbol"), e.payload().getString("timeInForce"), e.payload(),
          at)).mapEmpty();
    }
    // an order rejected at placement has no row: nothing to update
    return c.preparedQuery("update broker_orders set status = $2, updated_at = $3 where order_id = $1")
      .execute(Tuple.of(orderId, status(e.type()), at)).mapEmpty();
  }

  static String status(String eventType) {
    return switch (eventType) {
      case "order.accepted" -> "OPEN";
      case "order.triggered" -> "TRIGGERED";
      case "order.filled" -> "FILLED";
      case "order.cancelled" -> "CANCELLED";
      case "order.expired" -> "EXPIRED";
      case "order.rejected" -> "REJECTED";
      default -> throw new IllegalArgumentException("not an order event: " + eventType);
    };
  }

  @Override
  public void committed(List<StoredEvent> events) {
    for (StoredEvent e : events) {
      JsonObject change = new JsonObject().put("orderId", e.streamId().substring(PREFIX.length()))
        .put("status", status(e.type()));
      if (e.type().equals("order.accepted")) {
        change.put("details", e.payload());
      }
      vertx.eventBus().publish(CHANGES, change);
    }
  }
}
