package trader.broker;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import trader.eventsourcing.journal.Position;
import trader.eventsourcing.journal.StoredEvent;
import trader.eventsourcing.projection.Projection;

import java.time.ZoneOffset;
import java.util.List;

/**
 * The broker's read side: each order with its status (OPEN, TRIGGERED, then FILLED, CANCELLED, EXPIRED or REJECTED),
 * its details as accepted, and the journal position of the event that last changed it. The exchange rebuilds its
 * books from the open ones when it starts, and follows the changes: each committed batch is announced on
 * {@link #CHANGES} with the position of the change before it, so that the running exchange, on whichever node, sees
 * a lost announcement as a gap and reads the rows changed since ({@link #CHANGED_SINCE}). One shard, so that rows
 * change in the order of their positions.
 */
final class BrokerOrders implements Projection {

  static final String NAME = "broker_orders";
  /**
   * Published after each commit: {@code {after: position?, changes: [{orderId, status, details?, position}]}}, with
   * details (the accepted event) for OPEN only; {@code after} is the position of the latest change committed before
   * the batch, read in the batch's own transaction ({@code 0-0} if none; absent if unknown): an exchange that has not
   * seen that one missed an announcement, and reads what changed since it last looked.
   */
  static final String CHANGES = "broker.exchange.orders";
  /** Rows changed after a position, in the order they changed: {@code $1} transaction, {@code $2} sequence. */
  static final String CHANGED_SINCE = "select order_id, status, details, changed_tx, changed_seq from broker_orders "
    + "where (changed_tx, changed_seq) > ($1, $2) order by changed_tx, changed_seq limit $3";
  private static final String PREFIX = Order.NAME + "|";

  private final Vertx vertx;
  /** The latest change before the batch last applied (by identity of its events), for its announcement. */
  private final java.util.concurrent.atomic.AtomicReference<Before> before =
    new java.util.concurrent.atomic.AtomicReference<>();

  private record Before(List<StoredEvent> batch, Position position) {
  }

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
          updated_at    timestamptz not null,
          changed_tx    bigint not null,
          changed_seq   bigint not null)""").execute()
      .compose(r -> c.query("create index broker_orders_open on broker_orders (status) "
        + "where status in ('OPEN', 'TRIGGERED')").execute())
      .compose(r -> c.query("create index broker_orders_changed on broker_orders (changed_tx, changed_seq)").execute())
      .mapEmpty();
  }

  @Override
  public Future<Void> apply(SqlConnection c, List<StoredEvent> events) {
    // all sent at once on the batch's one connection (pipelined): the server still runs them in this order, and
    // one round trip per event in turn capped the read side at a few hundred events a second
    List<Future<Void>> applied = new java.util.ArrayList<>(events.size() + 1);
    applied.add(c.query("select changed_tx, changed_seq from broker_orders order by changed_tx desc, changed_seq desc "
      + "limit 1").execute().map(rows -> {
        before.set(new Before(events, rows.size() == 0 ? null : new Position(rows.iterator().next().getLong(0),
          rows.iterator().next().getLong(1))));
        return null;
      }));
    for (StoredEvent e : events) {
      applied.add(applyOne(c, e));
    }
    return Future.all(applied).mapEmpty();
  }

  private Future<Void> applyOne(SqlConnection c, StoredEvent e) {
    String orderId = e.streamId().substring(PREFIX.length());
    var at = e.timestamp().atOffset(ZoneOffset.UTC);
    long tx = e.position().transactionId();
    long seq = e.position().sequence();
    if (e.type().equals("order.accepted")) {
      return c.preparedQuery("insert into broker_orders values ($1, $2, $3, 'OPEN', $4, $5, $5, $6, $7) "
          + "on conflict (order_id) do nothing")
        .execute(Tuple.from(new Object[] {orderId, e.payload().getString("symbol"),
          e.payload().getString("timeInForce"), e.payload(), at, tx, seq})).mapEmpty();
    }
    // an order rejected at placement, or cancelled before it, has no row: nothing to update
    return c.preparedQuery("update broker_orders set status = $2, updated_at = $3, changed_tx = $4, changed_seq = $5 "
        + "where order_id = $1")
      .execute(Tuple.of(orderId, status(e.type()), at, tx, seq)).mapEmpty();
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
    JsonArray changes = new JsonArray();
    for (StoredEvent e : events) {
      JsonObject change = new JsonObject().put("orderId", e.streamId().substring(PREFIX.length()))
        .put("status", status(e.type())).put("position", e.position().toString());
      if (e.type().equals("order.accepted")) {
        change.put("details", e.payload());
      }
      changes.add(change);
    }
    JsonObject batch = new JsonObject().put("changes", changes);
    Before previous = before.get();
    // unknown if another batch (a rebuild's) was applied since: the exchange then reads the rows
    if (previous != null && previous.batch() == events) {
      batch.put("after", (previous.position() == null ? Position.START : previous.position()).toString());
    }
    vertx.eventBus().publish(CHANGES, batch);
  }
}
