package trader.wiretransfer;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import trader.eventsourcing.journal.StoredEvent;
import trader.eventsourcing.projection.Projection;

import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** The transfers read side: one row per transfer with its status; changes are pushed on {@code user.<id>.transfers}. */
final class TransferViews implements Projection {

  static final String NAME = "transfer_views";
  private static final String PREFIX = Transfer.NAME + "|";
  private final Vertx vertx;
  /** Users of transfers in recent batches, for the pushes after commit. */
  private final java.util.Map<String, String> users = java.util.Collections.synchronizedMap(
    new java.util.LinkedHashMap<>() {
      @Override
      protected boolean removeEldestEntry(java.util.Map.Entry<String, String> eldest) {
        return size() > 100_000;
      }
    });

  TransferViews(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public boolean handles(StoredEvent event) {
    return event.streamId().startsWith(PREFIX);
  }

  @Override
  public List<String> tables() {
    return List.of("transfers");
  }

  @Override
  public Future<Void> createTables(SqlConnection c) {
    return c.query("""
        create table transfers (
          transfer_id   text primary key,
          user_id       text not null,
          from_kind     text not null,
          from_id       text not null,
          to_kind       text not null,
          to_id         text not null,
          amount        numeric(20, 2) not null,
          status        text not null,
          reason        text,
          requested_at  timestamptz not null,
          updated_at    timestamptz not null)""").execute()
      .compose(r -> c.query("create index transfers_user on transfers (user_id, requested_at desc)").execute())
      .mapEmpty();
  }

  @Override
  public Future<Void> apply(SqlConnection c, List<StoredEvent> events) {
    List<Tuple> requested = new ArrayList<>();
    List<Tuple> changed = new ArrayList<>();
    for (StoredEvent e : events) {
      String id = e.streamId().substring(PREFIX.length());
      var at = e.timestamp().atOffset(ZoneOffset.UTC);
      JsonObject p = e.payload();
      switch (e.type()) {
        case "transfer.requested" -> {
          JsonObject from = p.getJsonObject("from");
          JsonObject to = p.getJsonObject("to");
          requested.add(Tuple.from(new Object[] {id, p.getString("userId"), from.getString("kind"), endpointId(from),
            to.getString("kind"), endpointId(to), new java.math.BigDecimal(p.getString("amount")), at}));
        }
        case "transfer.withdrawal-succeeded" -> changed.add(Tuple.of(id, "WITHDRAWN", null, at));
        case "transfer.failed" -> changed.add(Tuple.of(id, "FAILED", p.getString("reason"), at));
        case "transfer.completed" -> changed.add(Tuple.of(id, "COMPLETED", null, at));
        case "transfer.deposit-failed" -> changed.add(Tuple.of(id, "DEPOSIT_FAILED", p.getString("reason"), at));
        case "transfer.refunded" -> changed.add(Tuple.of(id, "REFUNDED", null, at));
        default -> { }
      }
    }
    Future<?> inserts = requested.isEmpty() ? Future.succeededFuture() : c.preparedQuery("insert into transfers "
        + "(transfer_id, user_id, from_kind, from_id, to_kind, to_id, amount, status, requested_at, updated_at) "
        + "values ($1, $2, $3, $4, $5, $6, $7, 'REQUESTED', $8, $8)").executeBatch(requested);
    String[] ids = events.stream().map(e -> e.streamId().substring(PREFIX.length())).distinct().toArray(String[]::new);
    return inserts.compose(r -> changed.isEmpty() ? Future.succeededFuture() : c.preparedQuery("update transfers set "
        + "status = $2, reason = coalesce($3, reason), updated_at = $4 where transfer_id = $1").executeBatch(changed))
      .compose(r -> c.preparedQuery("select transfer_id, user_id, status from transfers where transfer_id = any($1)")
        .execute(Tuple.of(ids)))
      .onSuccess(rows -> rows.forEach(row -> users.put(row.getString(0), row.getString(1))))
      .mapEmpty();
  }

  static String endpointId(JsonObject endpoint) {
    return endpoint.getString("savings".equals(endpoint.getString("kind")) ? "userId" : "portfolioId");
  }

  @Override
  public void committed(List<StoredEvent> events) {
    for (StoredEvent e : events) {
      String id = e.streamId().substring(PREFIX.length());
      String user = users.get(id);
      if (user != null) {
        vertx.eventBus().publish("user." + user + ".transfers", new JsonObject().put("transferId", id)
          .put("event", e.type()).put("position", e.position().toString()));
      }
    }
  }
}
