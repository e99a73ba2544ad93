package trader.eventsourcing.journal;

import io.vertx.sqlclient.Row;

import java.util.Set;

/** Turns journal rows into {@link StoredEvent}s, upcasting payloads to the current schema version of their type. */
final class EventRows {

  /** The columns {@link #event} reads, in its order. */
  static final String COLUMNS = "transaction_id::text, position, stream_id, version, event_id, event_type, "
    + "schema_version, payload, metadata, tags, created_at";

  private final Upcasters upcasters;

  EventRows(Upcasters upcasters) {
    this.upcasters = upcasters;
  }

  StoredEvent event(Row row) {
    String type = row.getString(5);
    Upcasters.Upcast upcast = upcasters.upcast(type, row.getInteger(6), row.getJsonObject(7));
    return new StoredEvent(new Position(Long.parseLong(row.getString(0)), row.getLong(1)), row.getString(2),
      row.getLong(3), row.getUUID(4), type, upcast.schemaVersion(), upcast.payload(),
      AppendStatement.metadata(row.getJsonObject(8)), Set.of(row.getArrayOfStrings(9)),
      row.getOffsetDateTime(10).toInstant());
  }
}
