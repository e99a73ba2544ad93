package trader.eventsourcing.journal;

import io.vertx.core.Future;
import io.vertx.core.json.EncodeException;
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
 * Writes a batch of appends to distinct streams as one insert statement ({@link AppendStatement}), run in
 * autocommit: one round trip and one transaction per batch, all of the statement or none of it.
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
 * <p>Any other error about the rows of the statement ({@link #isAboutAnAppend}: a value the database refuses, a
 * constraint, a limit) is bisected at once, without a resend: the appends that do not cause it commit, and each
 * culprit fails alone with its error, having written nothing. An error that says nothing about any append (the
 * connection closed, the server shutting down, a timeout) fails every append of the batch as it is: whether the
 * statement committed is unknown, and bisecting would only send more statements to a server that is not there.
 * {@code PgJournal} refuses text the database cannot store before it gets here; this is the rest of the defence.
 *
 * <p>The statement also notifies the {@code journal} channel, once and only if it wrote rows; PostgreSQL delivers
 * the notification when the transaction commits (cheaper than a trigger, which costs a PL/pgSQL call per statement).
 */
final class BatchWriter {

  private static final String CURRENT_VERSIONS = """
    select s.stream_id, coalesce((select max(j.version) from journal j where j.stream_id = s.stream_id), 0)
    from unnest($1::text[]) as s(stream_id)""";

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
    Future<RowSet<Row>> written;
    try {
      AppendStatement statement = AppendStatement.of(batch, attempt > 1);
      written = pool.preparedQuery(statement.sql()).execute(statement.parameters());
    } catch (RuntimeException e) {
      written = Future.failedFuture(e); // e.g. the pool is closed: fail the batch, never the caller's thread
    }
    return written.compose(rows -> settle(batch, rows), error -> recover(batch, attempt, error));
  }

  private Future<Void> settle(List<PendingAppend> batch, RowSet<Row> rows) {
    Map<String, Written> written = new HashMap<>();
    for (Row row : rows) {
      written.put(row.getString(0), new Written(row.getInteger(1), row.getLong(2),
        new Position(Long.parseLong(row.getString(4)), row.getLong(3))));
    }
    List<PendingAppend> conflicts = new ArrayList<>();
    for (PendingAppend append : batch) {
      Written w = written.get(append.streamId);
      if (w == null) {
        conflicts.add(append);
      } else if (w.count() != append.events.size()) {
        // impossible by construction (atomic statement, filter per stream); never report a partial append as done
        append.fail(new IllegalStateException("Stream '" + append.streamId + "': " + w.count() + " of "
          + append.events.size() + " events written"));
      } else {
        append.succeed(new Appended(append.streamId, w.version(), w.position()));
      }
    }
    return conflicts.isEmpty() ? Future.succeededFuture() : failConflicts(conflicts);
  }

  private Future<Void> recover(List<PendingAppend> batch, int attempt, Throwable error) {
    String state = error instanceof PgException pg ? pg.getSqlState() : null;
    boolean unique = UNIQUE_VIOLATION.equals(state);
    boolean versionTaken = unique && VERSION_GUARD.equals(((PgException) error).getConstraint());
    boolean deadlock = DEADLOCK.equals(state);
    if ((versionTaken || deadlock) && attempt < MAX_ATTEMPTS) {
      return write(batch, attempt + 1);
    }
    if (!deadlock && !isAboutAnAppend(error)) {
      // the connection, the server, a timeout: nothing tells which append, or whether the statement committed
      return Future.failedFuture(error);
    }
    if (batch.size() > 1) {
      List<PendingAppend> first = batch.subList(0, batch.size() / 2);
      List<PendingAppend> second = batch.subList(batch.size() / 2, batch.size());
      return write(first, 1).compose(v -> write(second, 1));
    }
    if (versionTaken) {
      return failConflicts(batch);
    }
    if (unique) {
      return failDuplicate(batch.getFirst());
    }
    batch.getFirst().fail(error); // the culprit, alone: its statement wrote nothing
    return Future.succeededFuture();
  }

  /**
   * Whether {@code error} is about the rows of the statement, so that it comes from one of its appends (or a few)
   * and bisecting finds them: SQLSTATE class 22 (data exception: a character the encoding refuses, a value out of
   * range), 23 (integrity constraint violation), 54 (program limit exceeded: e.g. an index row too large); or an
   * append whose values could not be encoded. Anything else (the connection lost, the server shutting down, a
   * statement cancelled or timed out, a missing privilege) says nothing about any append.
   */
  static boolean isAboutAnAppend(Throwable error) {
    if (error instanceof PgException pg) {
      String state = pg.getSqlState();
      return state != null && (state.startsWith("22") || state.startsWith("23") || state.startsWith("54"));
    }
    return error instanceof EncodeException;
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
    Future<RowSet<Row>> existing = pool.preparedQuery(EXISTING_EVENT_IDS).execute(Tuple.of(ids));
    Future<RowSet<Row>> written = pool.preparedQuery(PgJournal.FIND_APPEND).execute(Tuple.of(ids));
    return Future.all(existing, written)
      .map(both -> {
        List<UUID> found = new ArrayList<>();
        existing.result().forEach(row -> found.add(row.getUUID(0)));
        Row at = written.result().size() == 0 ? null : written.result().iterator().next();
        return new DuplicateEventException(append.streamId, found,
          at == null ? null : new Position(Long.parseLong(at.getString(0)), at.getLong(1)));
      })
      .otherwise(e -> new DuplicateEventException(append.streamId, List.of()))
      .map(duplicate -> {
        append.fail(duplicate);
        return null;
      });
  }

  /** What the statement returned for one stream: how many rows, the last version and its position. */
  private record Written(int count, long version, Position position) {
  }
}
