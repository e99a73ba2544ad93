package trader.eventsourcing.entity;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import trader.eventsourcing.journal.Appended;
import trader.eventsourcing.journal.ConflictException;
import trader.eventsourcing.journal.EventMetadata;
import trader.eventsourcing.journal.Journal;
import trader.eventsourcing.journal.NewEvent;
import trader.eventsourcing.journal.Position;
import trader.eventsourcing.journal.Snapshot;
import trader.eventsourcing.journal.StoredEvent;
import trader.eventsourcing.journal.Upcasters;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;

/**
 * STAND-IN, TESTS ONLY. A small {@link Journal} over a real PostgreSQL table, so that the entity runtime's tests run
 * against real optimistic concurrency before the product's {@code PgJournal} (branch {@code journal}) is merged.
 * When it is, replace {@code SimplePgJournal.create(pool, upcasters)} in the tests by
 * {@code Journal.create(vertx, pool, upcasters)} and delete this class.
 *
 * <p>Honest but simple: one single-statement insert per append (no batching across streams). The insert only
 * proceeds when the stream is at the expected version, and the primary key {@code (stream_id, version)} refuses
 * the loser of two concurrent appends at the same version: both end as {@link ConflictException}. Tables
 * {@code entity_test_journal} and {@code entity_test_snapshots} are created in the test's own database.
 */
public final class SimplePgJournal implements Journal {

  private static final String TABLES = """
    create table if not exists entity_test_journal (
      seq bigserial not null unique,
      xid xid8 not null default pg_current_xact_id(),
      stream_id text not null,
      version bigint not null,
      event_id uuid not null unique,
      type text not null,
      schema_version int not null,
      payload jsonb not null,
      metadata jsonb not null,
      tags text[] not null,
      ts timestamptz not null default now(),
      primary key (stream_id, version));
    create table if not exists entity_test_snapshots (
      stream_id text primary key,
      version bigint not null,
      schema_version int not null,
      state jsonb not null)
    """;

  private static final String APPEND = """
    insert into entity_test_journal (stream_id, version, event_id, type, schema_version, payload, metadata, tags)
    select $1, $2 + e.n, (e.x->>'id')::uuid, e.x->>'type', (e.x->>'schemaVersion')::int, e.x->'payload',
           e.x->'metadata', array(select jsonb_array_elements_text(e.x->'tags'))
    from jsonb_array_elements($3::jsonb) with ordinality as e(x, n)
    where (select coalesce(max(version), 0) from entity_test_journal where stream_id = $1) = $2
    returning xid::text::bigint as xid, seq, version
    """;

  private static final String COLUMNS = "xid::text::bigint as xid, seq, stream_id, version, event_id, type, "
    + "schema_version, payload, metadata, tags, ts";

  private final Pool pool;
  private final Upcasters upcasters;

  private SimplePgJournal(Pool pool, Upcasters upcasters) {
    this.pool = pool;
    this.upcasters = upcasters;
  }

  /** The journal, after creating its tables if needed. */
  public static Future<Journal> create(Pool pool, Upcasters upcasters) {
    return pool.query(TABLES).execute().map(r -> new SimplePgJournal(pool, upcasters));
  }

  @Override
  public Future<Appended> append(String streamId, long expectedVersion, List<NewEvent> events) {
    if (events.isEmpty()) {
      return Future.failedFuture(new IllegalArgumentException("An append needs at least one event"));
    }
    JsonArray rows = new JsonArray();
    for (NewEvent e : events) {
      rows.add(new JsonObject().put("id", e.eventId().toString()).put("type", e.type())
        .put("schemaVersion", e.schemaVersion()).put("payload", e.payload()).put("metadata", metadata(e.metadata()))
        .put("tags", new JsonArray(List.copyOf(e.tags()))));
    }
    return pool.preparedQuery(APPEND).execute(Tuple.of(streamId, expectedVersion, rows))
      .recover(e -> Future.failedFuture(translate(e, streamId, expectedVersion)))
      .compose(inserted -> {
        if (inserted.size() == 0) {
          return Future.failedFuture(new ConflictException(streamId, expectedVersion, -1));
        }
        long xid = 0;
        long seq = 0;
        long version = 0;
        for (Row r : inserted) {
          xid = r.getLong("xid");
          seq = Math.max(seq, r.getLong("seq"));
          version = Math.max(version, r.getLong("version"));
        }
        return Future.succeededFuture(new Appended(streamId, version, new Position(xid, seq)));
      });
  }

  private static Throwable translate(Throwable e, String streamId, long expectedVersion) {
    if (e instanceof PgException pg && "23505".equals(pg.getSqlState())) {
      if (String.valueOf(pg.getConstraint()).endsWith("_pkey")) {
        return new ConflictException(streamId, expectedVersion, -1);
      }
      return new IllegalArgumentException("An event id of this append is already in the journal");
    }
    return e;
  }

  @Override
  public Future<List<StoredEvent>> read(String streamId, long fromVersion) {
    return pool.preparedQuery("select " + COLUMNS + " from entity_test_journal where stream_id = $1 and version >= $2"
      + " order by version").execute(Tuple.of(streamId, fromVersion)).map(this::events);
  }

  @Override
  public Future<List<StoredEvent>> readAll(Position after, int limit) {
    return pool.preparedQuery("select " + COLUMNS + " from entity_test_journal"
        + " where (xid::text::bigint, seq) > ($1, $2) and xid < pg_snapshot_xmin(pg_current_snapshot())"
        + " order by xid, seq limit $3")
      .execute(Tuple.of(after.transactionId(), after.sequence(), limit)).map(this::events);
  }

  @Override
  public Future<Position> head() {
    return pool.query("select xid::text::bigint as xid, seq from entity_test_journal"
        + " where xid < pg_snapshot_xmin(pg_current_snapshot()) order by xid desc, seq desc limit 1").execute()
      .map(rows -> rows.size() == 0 ? Position.START
        : new Position(rows.iterator().next().getLong("xid"), rows.iterator().next().getLong("seq")));
  }

  @Override
  public Future<Void> saveSnapshot(Snapshot s) {
    return pool.preparedQuery("insert into entity_test_snapshots (stream_id, version, schema_version, state)"
        + " values ($1, $2, $3, $4) on conflict (stream_id) do update set version = excluded.version,"
        + " schema_version = excluded.schema_version, state = excluded.state"
        + " where entity_test_snapshots.version < excluded.version")
      .execute(Tuple.of(s.streamId(), s.version(), s.schemaVersion(), s.state())).mapEmpty();
  }

  @Override
  public Future<Optional<Snapshot>> loadSnapshot(String streamId) {
    return pool.preparedQuery("select version, schema_version, state from entity_test_snapshots where stream_id = $1")
      .execute(Tuple.of(streamId)).map(rows -> {
        if (rows.size() == 0) {
          return Optional.empty();
        }
        Row r = rows.iterator().next();
        return Optional.of(new Snapshot(streamId, r.getLong("version"), r.getInteger("schema_version"),
          (JsonObject) r.getValue("state")));
      });
  }

  private List<StoredEvent> events(RowSet<Row> rows) {
    List<StoredEvent> events = new ArrayList<>(rows.size());
    for (Row r : rows) {
      String type = r.getString("type");
      Upcasters.Upcast upcast = upcasters.upcast(type, r.getInteger("schema_version"), (JsonObject) r.getValue("payload"));
      JsonObject md = (JsonObject) r.getValue("metadata");
      events.add(new StoredEvent(new Position(r.getLong("xid"), r.getLong("seq")), r.getString("stream_id"),
        r.getLong("version"), r.getUUID("event_id"), type, upcast.schemaVersion(), upcast.payload(),
        new EventMetadata(md.getString("correlationId"), md.getString("causationId"), md.getString("userId")),
        new HashSet<>(List.of(r.getArrayOfStrings("tags"))), r.getOffsetDateTime("ts").toInstant()));
    }
    return events;
  }

  private static JsonObject metadata(EventMetadata m) {
    return new JsonObject().put("correlationId", m.correlationId()).put("causationId", m.causationId())
      .put("userId", m.userId());
  }
}
