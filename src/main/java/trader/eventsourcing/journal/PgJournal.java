package trader.eventsourcing.journal;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.EncodeException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import trader.eventsourcing.StorableText;
import trader.eventsourcing.UnstorableTextException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The journal on PostgreSQL (schema: {@code db/migration/V2__journal.sql} and {@code V6__...}). Appends go through {@link GroupCommit};
 * reads are single statements on the pool.
 */
final class PgJournal implements Journal {

  /**
   * Commit-safe tail: only rows of transactions below the snapshot's xmin (all of which have ended), in
   * (transaction, position) order. A transaction still running has an id at or above xmin, so everything it
   * commits later sorts after whatever a reader has already been given.
   */
  static final String READ_ALL = "select " + EventRows.COLUMNS + " from journal"
    + " where transaction_id < pg_snapshot_xmin(pg_current_snapshot())"
    + " and (transaction_id, position) > ($1::text::xid8, $2)"
    + " order by journal.transaction_id, journal.position limit $3";

  static final String HEAD = "select transaction_id::text, position from journal"
    + " where transaction_id < pg_snapshot_xmin(pg_current_snapshot())"
    + " order by journal.transaction_id desc, journal.position desc limit 1";

  private static final String READ_STREAM = "select " + EventRows.COLUMNS + " from journal"
    + " where stream_id = $1 and version >= $2 order by version";

  private static final String READ_AFTER_SNAPSHOT = "select " + EventRows.COLUMNS + " from journal"
    + " where stream_id = $1 and version > coalesce((select s.version from snapshots s where s.stream_id = $1), 0)"
    + " order by version";

  /** Keeps the newest: a slow writer of an older snapshot never replaces a newer one. */
  private static final String SAVE_SNAPSHOT = """
    insert into snapshots (stream_id, version, schema_version, state) values ($1, $2, $3, $4)
    on conflict (stream_id) do update
      set version = excluded.version, schema_version = excluded.schema_version, state = excluded.state,
          taken_at = now()
      where snapshots.version <= excluded.version""";

  /**
   * An event's transaction and the position of the last event of the append that wrote it: the same stream and
   * transaction (a batch holds one append per stream), at most the largest append later in version order.
   */
  static final String FIND_APPEND = """
    select j.transaction_id::text, (select max(w.position) from journal w where w.stream_id = j.stream_id
      and w.version between j.version and j.version + 999 and w.transaction_id = j.transaction_id)
    from journal j where j.event_id = any($1::uuid[])
    order by j.transaction_id desc, j.position desc limit 1""";

  private static final String LOAD_SNAPSHOT =
    "select stream_id, version, schema_version, state from snapshots where stream_id = $1";

  private final Pool pool;
  private final EventRows rows;
  private final GroupCommit groupCommit;
  /** The latest pages read, for callers a little behind the others (see {@link RecentEvents}). */
  private final RecentEvents recent = new RecentEvents(2_000);
  /** {@link #readAll} queries running now, shared by every caller asking the same. */
  private final java.util.concurrent.ConcurrentMap<ReadAll, Future<List<StoredEvent>>> readsInFlight =
    new java.util.concurrent.ConcurrentHashMap<>();

  PgJournal(Pool pool, Upcasters upcasters, JournalOptions options) {
    this.pool = pool;
    this.rows = new EventRows(upcasters);
    this.groupCommit = new GroupCommit(new BatchWriter(pool), options);
  }

  @Override
  public Future<Appended> append(String streamId, long expectedVersion, List<NewEvent> events) {
    String problem = validate(streamId, expectedVersion, events);
    if (problem != null) {
      return Future.failedFuture(new IllegalArgumentException(problem));
    }
    // before the batch: in it, a value the database refuses would fail every append it holds until bisected
    String unstorable = unstorable(streamId, events);
    if (unstorable != null) {
      return Future.failedFuture(new UnstorableTextException(unstorable));
    }
    PendingAppend append = new PendingAppend(streamId, expectedVersion, List.copyOf(events));
    groupCommit.submit(append);
    return append.future();
  }

  private static String validate(String streamId, long expectedVersion, List<NewEvent> events) {
    if (streamId == null || streamId.isBlank()) {
      return "An append needs a stream id";
    }
    if (expectedVersion < 0) {
      return "Expected version of stream '" + streamId + "' must be >= 0, got " + expectedVersion;
    }
    if (events == null || events.isEmpty()) {
      return "An append to stream '" + streamId + "' needs at least one event";
    }
    Set<UUID> ids = events.size() > 1 ? new HashSet<>() : null;
    for (NewEvent event : events) {
      if (event == null) {
        return "An append to stream '" + streamId + "' contains a null event";
      }
      if (ids != null && !ids.add(event.eventId())) {
        return "Event id " + event.eventId() + " appears twice in one append to stream '" + streamId + "'";
      }
    }
    return null;
  }

  /** What of the append the database cannot store as it is ({@link StorableText}); null if it can store it all. */
  private static String unstorable(String streamId, List<NewEvent> events) {
    StorableText.Flaw flaw = StorableText.flawIn(streamId);
    if (flaw != null) {
      return "The stream id '" + StorableText.printable(streamId) + "' of an append holds " + flaw.what()
        + ", which cannot be stored";
    }
    for (int i = 0; i < events.size(); i++) {
      NewEvent event = events.get(i);
      String what = unstorable(event);
      if (what != null) {
        return "Event " + (i + 1) + " of " + events.size() + " (" + StorableText.printable(event.type())
          + ") of an append to stream '" + streamId + "': " + what;
      }
    }
    return null;
  }

  private static String unstorable(NewEvent event) {
    EventMetadata md = event.metadata();
    String[] named = {"type", event.type(), "correlation id", md.correlationId(), "causation id", md.causationId(),
      "user id", md.userId()};
    for (int i = 0; i < named.length; i += 2) {
      StorableText.Flaw flaw = StorableText.flawIn(named[i + 1]);
      if (flaw != null) {
        return "its " + named[i] + " holds " + flaw.what() + ", which cannot be stored";
      }
    }
    for (String tag : event.tags()) {
      StorableText.Flaw flaw = StorableText.flawIn(tag);
      if (flaw != null) {
        return "its tag '" + StorableText.printable(tag) + "' holds " + flaw.what() + ", which cannot be stored";
      }
    }
    StorableText.Flaw flaw;
    try {
      flaw = StorableText.flawIn(event.payload());
    } catch (EncodeException e) {
      return "its payload cannot be encoded as JSON: " + StorableText.printable(String.valueOf(e.getMessage()));
    }
    return flaw == null ? null : "in its payload, " + flaw.describe() + ", which cannot be stored";
  }

  @Override
  public Future<List<StoredEvent>> read(String streamId, long fromVersion) {
    return pool.preparedQuery(READ_STREAM).execute(Tuple.of(streamId, fromVersion)).map(this::events);
  }

  @Override
  public Future<List<StoredEvent>> readAfterSnapshot(String streamId) {
    return pool.preparedQuery(READ_AFTER_SNAPSHOT).execute(Tuple.of(streamId)).map(this::events);
  }

  @Override
  public Future<List<StoredEvent>> readAll(Position after, int limit) {
    if (limit < 1) {
      return Future.failedFuture(new IllegalArgumentException("limit must be at least 1, got " + limit));
    }
    // a node's projection runners read the same pages at slightly different offsets: those already read come from
    // memory; those at the head share one query (and one decoding) with every reader that asks while it runs.
    // Joining a read that started before a commit may miss that commit; a reader then looks again (see ShardRunner),
    // as after any read that saw nothing.
    List<StoredEvent> held = recent.after(after, limit);
    if (held != null) {
      return Future.succeededFuture(held);
    }
    ReadAll key = new ReadAll(after, limit);
    Promise<List<StoredEvent>> promise = Promise.promise();
    Future<List<StoredEvent>> running = readsInFlight.putIfAbsent(key, promise.future());
    if (running != null) {
      return running;
    }
    pool.preparedQuery(READ_ALL)
      .execute(Tuple.of(Long.toString(after.transactionId()), after.sequence(), limit))
      .map(rows -> {
        List<StoredEvent> page = java.util.Collections.unmodifiableList(events(rows));
        recent.read(after, page);
        return page;
      })
      .onComplete(ar -> {
        // complete first: a reader asking between the two joins the finished read rather than starting another
        promise.handle(ar);
        readsInFlight.remove(key, promise.future());
      });
    return promise.future();
  }

  private record ReadAll(Position after, int limit) {
  }

  @Override
  public Future<Position> head() {
    return pool.query(HEAD).execute().map(result -> {
      if (result.size() == 0) {
        return Position.START;
      }
      Row row = result.iterator().next();
      return new Position(Long.parseLong(row.getString(0)), row.getLong(1));
    });
  }

  @Override
  public Future<Optional<Position>> find(UUID eventId) {
    return pool.preparedQuery(FIND_APPEND).execute(Tuple.of((Object) new UUID[] {eventId})).map(result ->
      result.size() == 0
      ? Optional.<Position>empty()
      : Optional.of(new Position(Long.parseLong(result.iterator().next().getString(0)),
        result.iterator().next().getLong(1))));
  }

  @Override
  public Future<Void> saveSnapshot(Snapshot snapshot) {
    return pool.preparedQuery(SAVE_SNAPSHOT)
      .execute(Tuple.of(snapshot.streamId(), snapshot.version(), snapshot.schemaVersion(), snapshot.state()))
      .mapEmpty();
  }

  @Override
  public Future<Optional<Snapshot>> loadSnapshot(String streamId) {
    return pool.preparedQuery(LOAD_SNAPSHOT).execute(Tuple.of(streamId)).map(result -> {
      if (result.size() == 0) {
        return Optional.empty();
      }
      Row row = result.iterator().next();
      return Optional.of(new Snapshot(row.getString(0), row.getLong(1), row.getInteger(2), row.getJsonObject(3)));
    });
  }

  private List<StoredEvent> events(RowSet<Row> result) {
    List<StoredEvent> events = new ArrayList<>(result.size());
    for (Row row : result) {
      events.add(rows.event(row));
    }
    return events;
  }
}
