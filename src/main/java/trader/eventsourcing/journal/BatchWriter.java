package trader.eventsourcing.journal;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Writes a batch of appends to distinct streams as one {@code INSERT ... SELECT FROM unnest(...)} statement, run
 * in autocommit: one round trip and one transaction per batch, all of the statement or none of it.
 *
 * <p>Conflict isolation. The primary key refuses a version that exists. On top, rows of an append whose version
 * must be checked carry its expected version, and the statement only inserts them if their stream's current
 * version (as of its snapshot) equals it: an append to a stream that moved on, or that states a version the
 * stream never reached, inserts no row while the rest of the batch commits, and its caller gets a
 * {@link ConflictException}. The filter is per stream and the statement atomic, so an append is never written in
 * part. The check is skipped where it cannot fail but by a conflict the key catches anyway: for a new stream, and
 * for a version this journal saw written ({@link PendingAppend#checkVersion}).
 *
 * <p>A conflict the filter cannot see (a rival transaction, uncommitted when the statement started, commits the
 * same (stream, version); or an unchecked stale append) makes the primary key fail the whole statement. Then the
 * batch is sent again with every append checked: the rival has committed, so the filter now turns that stream
 * away and the rest commits. Whatever still fails (a duplicate event id, repeated races) is bisected until the
 * culprit append fails alone.
 *
 * <p>The statement also notifies the {@code journal} channel, once and only if it wrote rows; PostgreSQL delivers
 * the notification when the transaction commits (cheaper than a trigger, which costs a PL/pgSQL call per statement).
 */
final class BatchWriter {

  private static final String COLUMNS = "stream_id, version, event_id, event_type, schema_version, payload,"
    + " metadata, tags";

  /** Any batch: one row per event, each with its append's expected version and whether to check it. */
  static final String APPEND = notifying("insert into journal (" + COLUMNS + ")"
    + """
     select e.stream_id, e.version, e.event_id, e.event_type, e.schema_version, e.payload::jsonb, e.metadata::jsonb,
            e.tags::text[]
     from unnest($1::text[], $2::bigint[], $3::bigint[], $4::boolean[], $5::uuid[], $6::text[], $7::int[],
                 $8::text[], $9::text[], $10::text[])
       as e(stream_id, version, expected, checked, event_id, event_type, schema_version, payload, metadata, tags)
     where not e.checked
        or coalesce((select max(j.version) from journal j where j.stream_id = e.stream_id), 0) = e.expected""");

  /** The commonest batch, one event of one append, without the cost of unnesting arrays; version checked. */
  static final String APPEND_ONE_CHECKED = notifying("insert into journal (" + COLUMNS + ")"
    + """
     select $1::text, $2::bigint, $4::uuid, $5::text, $6::int, $7::jsonb, $8::jsonb, $9::text[]
     where coalesce((select max(j.version) from journal j where j.stream_id = $1::text), 0) = $3::bigint""");

  /** One event of one append whose version needs no check: a plain single-row insert. */
  static final String APPEND_ONE = notifying("insert into journal (" + COLUMNS + ")"
    + " values ($1, $2, $3, $4, $5, $6, $7, $8)");

    private static final String CURRENT_VERSIONS = """
    select s.stream_id, coalesce((select max(j.version) from journal j where j.stream_id = s.stream_id), 0)
    from unnest($1::text[]) as s(stream_id)""";

  /**
   * Wraps an insert so that it returns what the appends need to know and notifies once per statement: an
   * uncorrelated sub-select is evaluated once, and only if a row is returned.
   */
  private static String notifying(String insert) {
    return "with appended as (" + insert + " returning stream_id, version, transaction_id, position)"
      + " select stream_id, version, transaction_id::text, position, (select pg_notify('journal', ''))::text"
      + " from appended";
  }

  private static final String EXISTING_EVENT_IDS = "select event_id from journal where event_id = any($1::uuid[])";

  private static final String UNIQUE_VIOLATION = "23505";
  private static final String DEADLOCK = "40P01";
  private static final String VERSION_GUARD = "journal_pkey";
  /** Resends after a version race before bisecting; each resend turns away the streams that lost. */
  private static final int MAX_ATTEMPTS = 3;

  private final Pool pool;

  BatchWriter(Pool pool) {
    this.pool = pool;
  }

  /**
   * Writes the appends (each to a different stream) and settles each one's future. The returned future completes
   * when all are settled; it does not fail.
   */
  Future<Void> write(List<PendingAppend> batch) {
    List<PendingAppend> ordered = batch;
    if (batch.size() > 1) {
      // one lock order for every writer: two batches touching the same streams cannot deadlock on the index
      ordered = new ArrayList<>(batch);
      ordered.sort(Comparator.comparing(a -> a.streamId));
    }
    return write(ordered, 1).recover(error -> {
      batch.forEach(a -> a.fail(error));
      return Future.succeededFuture();
    });
  }

  private Future<Void> write(List<PendingAppend> batch, int attempt) {
    boolean recheck = attempt > 1;
    String sql;
    Tuple parameters;
    if (batch.size() == 1 && batch.getFirst().events.size() == 1) {
      PendingAppend append = batch.getFirst();
      boolean checked = recheck || append.checkVersion;
      sql = checked ? APPEND_ONE_CHECKED : APPEND_ONE;
      parameters = parameters(append, checked);
    } else {
      sql = APPEND;
      parameters = parameters(batch, recheck);
    }
    return pool.preparedQuery(sql).execute(parameters)
      .compose(rows -> settle(batch, rows), error -> recover(batch, attempt, error));
  }

  private Future<Void> settle(List<PendingAppend> batch, RowSet<Row> rows) {
    Map<String, Written> written = new HashMap<>();
    for (Row row : rows) {
      written.computeIfAbsent(row.getString(0), s -> new Written())
        .add(row.getLong(1), Long.parseLong(row.getString(2)), row.getLong(3));
    }
    List<PendingAppend> conflicts = new ArrayList<>();
    for (PendingAppend append : batch) {
      Written w = written.get(append.streamId);
      if (w == null) {
        conflicts.add(append);
      } else if (w.count != append.events.size()) {
        // impossible by construction (atomic statement, filter per stream); never report a partial append as done
        append.fail(new IllegalStateException("Stream '" + append.streamId + "': " + w.count + " of "
          + append.events.size() + " events written"));
      } else {
        append.succeed(new Appended(append.streamId, w.version, new Position(w.transactionId, w.position)));
      }
    }
    return conflicts.isEmpty() ? Future.succeededFuture() : failConflicts(conflicts);
  }

  private Future<Void> recover(List<PendingAppend> batch, int attempt, Throwable error) {
    if (!(error instanceof PgException pg)) {
      return Future.failedFuture(error);
    }
    boolean versionRace = UNIQUE_VIOLATION.equals(pg.getSqlState()) && VERSION_GUARD.equals(pg.getConstraint())
      || DEADLOCK.equals(pg.getSqlState());
    if (versionRace && attempt < MAX_ATTEMPTS) {
      return write(batch, attempt + 1);
    }
    boolean isolatable = versionRace || UNIQUE_VIOLATION.equals(pg.getSqlState());
    if (!isolatable) {
      return Future.failedFuture(error);
    }
    if (batch.size() > 1) {
      List<PendingAppend> first = batch.subList(0, batch.size() / 2);
      List<PendingAppend> second = batch.subList(batch.size() / 2, batch.size());
      return write(first, 1).compose(v -> write(second, 1));
    }
    PendingAppend append = batch.getFirst();
    return versionRace ? failConflicts(batch) : failDuplicate(append);
  }

  private Future<Void> failConflicts(List<PendingAppend> conflicts) {
    String[] streams = conflicts.stream().map(a -> a.streamId).toArray(String[]::new);
    return pool.preparedQuery(CURRENT_VERSIONS).execute(Tuple.of(streams))
      .map(rows -> {
        Map<String, Long> versions = new HashMap<>();
        rows.forEach(row -> versions.put(row.getString(0), row.getLong(1)));
        return versions;
      })
      .otherwise(e -> Map.of())
      .map(versions -> {
        conflicts.forEach(a -> a.fail(new ConflictException(a.streamId, a.expectedVersion,
          versions.getOrDefault(a.streamId, -1L))));
        return null;
      });
  }

  private Future<Void> failDuplicate(PendingAppend append) {
    UUID[] ids = append.events.stream().map(NewEvent::eventId).toArray(UUID[]::new);
    return pool.preparedQuery(EXISTING_EVENT_IDS).execute(Tuple.of(ids))
      .map(rows -> {
        List<UUID> existing = new ArrayList<>();
        rows.forEach(row -> existing.add(row.getUUID(0)));
        return existing;
      })
      .otherwise(e -> List.of())
      .map(existing -> {
        append.fail(new DuplicateEventException(append.streamId, existing));
        return null;
      });
  }

  private static Tuple parameters(PendingAppend append, boolean checked) {
    NewEvent event = append.events.getFirst();
    Tuple tuple = Tuple.of(append.streamId, append.expectedVersion + 1);
    if (checked) {
      tuple.addLong(append.expectedVersion);
    }
    return tuple.addUUID(event.eventId()).addString(event.type()).addInteger(event.schemaVersion())
      .addValue(event.payload()).addValue(metadata(event.metadata())).addValue(event.tags().toArray(String[]::new));
  }

  private static Tuple parameters(List<PendingAppend> batch, boolean recheck) {
    int n = batch.stream().mapToInt(a -> a.events.size()).sum();
    String[] streams = new String[n];
    Long[] versions = new Long[n];
    Long[] expected = new Long[n];
    Boolean[] checked = new Boolean[n];
    UUID[] ids = new UUID[n];
    String[] types = new String[n];
    Integer[] schemaVersions = new Integer[n];
    String[] payloads = new String[n];
    String[] metadata = new String[n];
    String[] tags = new String[n];
    int i = 0;
    for (PendingAppend append : batch) {
      long version = append.expectedVersion;
      boolean check = recheck || append.checkVersion;
      for (NewEvent event : append.events) {
        streams[i] = append.streamId;
        versions[i] = ++version;
        expected[i] = append.expectedVersion;
        checked[i] = check;
        ids[i] = event.eventId();
        types[i] = event.type();
        schemaVersions[i] = event.schemaVersion();
        payloads[i] = event.payload().encode();
        metadata[i] = metadataJson(event.metadata());
        tags[i] = arrayLiteral(event.tags());
        i++;
      }
    }
    return Tuple.of(streams, versions, expected, checked, ids, types).addValue(schemaVersions).addValue(payloads)
      .addValue(metadata).addValue(tags);
  }

  static String metadataJson(EventMetadata metadata) {
    return metadata.equals(EventMetadata.NONE) ? "{}" : metadata(metadata).encode();
  }

  static JsonObject metadata(EventMetadata metadata) {
    JsonObject json = new JsonObject();
    if (metadata.correlationId() != null) {
      json.put("correlation_id", metadata.correlationId());
    }
    if (metadata.causationId() != null) {
      json.put("causation_id", metadata.causationId());
    }
    if (metadata.userId() != null) {
      json.put("user_id", metadata.userId());
    }
    return json;
  }

  static EventMetadata metadata(JsonObject json) {
    if (json == null || json.isEmpty()) {
      return EventMetadata.NONE;
    }
    return new EventMetadata(json.getString("correlation_id"), json.getString("causation_id"),
      json.getString("user_id"));
  }

  /** A PostgreSQL array literal ({@code {"a","b"}}): tags travel as one text per row because unnest flattens 2-D arrays. */
  static String arrayLiteral(Iterable<String> values) {
    StringBuilder out = new StringBuilder("{");
    for (String value : values) {
      if (out.length() > 1) {
        out.append(',');
      }
      out.append('"');
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        if (c == '"' || c == '\\') {
          out.append('\\');
        }
        out.append(c);
      }
      out.append('"');
    }
    return out.append('}').toString();
  }

  /** What the statement returned for one stream. */
  private static final class Written {
    int count;
    long version;
    long transactionId;
    long position;

    void add(long version, long transactionId, long position) {
      count++;
      this.version = Math.max(this.version, version);
      this.transactionId = transactionId;
      this.position = Math.max(this.position, position);
    }
  }
}
