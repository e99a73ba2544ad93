package trader.eventsourcing.journal;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

import java.util.List;
import java.util.Optional;

/**
 * The event journal on PostgreSQL: the source of truth. Streams are sequences of events with contiguous versions
 * from 1; the whole journal has one global, commit-safe order ({@link Position}).
 *
 * <p>Appends arriving concurrently are written together (one multi-row statement in one transaction), but each
 * stream's append succeeds or fails on its own: all of its events or none.
 */
public interface Journal {

  /**
   * The journal in the database behind {@code pool} (migrated with {@code db/migration}), with default batching.
   * {@code vertx} is the instance {@code pool} belongs to; results are delivered on the caller's context.
   */
  static Journal create(Vertx vertx, Pool pool, Upcasters upcasters) {
    return create(vertx, pool, upcasters, JournalOptions.DEFAULT);
  }

  /** As {@link #create(Vertx, Pool, Upcasters)}, with explicit batching limits. */
  static Journal create(Vertx vertx, Pool pool, Upcasters upcasters, JournalOptions options) {
    return new PgJournal(pool, upcasters, options);
  }

  /**
   * Appends {@code events} to {@code streamId}, which must be at {@code expectedVersion} (0: the stream is new).
   * Fails with {@link ConflictException} when it is not, with {@link DuplicateEventException} when an event id is
   * already in the journal; then nothing of this append was written (other appends of its batch are unaffected).
   * The result arrives on the caller's Vert.x context.
   */
  Future<Appended> append(String streamId, long expectedVersion, List<NewEvent> events);

  /** The events of {@code streamId} with version >= {@code fromVersion}, in version order. */
  Future<List<StoredEvent>> read(String streamId, long fromVersion);

  /**
   * Up to {@code limit} events after {@code after}, in commit-safe order: only events of transactions that every
   * reader can already see in full, so that a later call never returns an event before one it already returned.
   */
  Future<List<StoredEvent>> readAll(Position after, int limit);

  /** The position of the last event {@link #readAll} can return now ({@link Position#START} if none). */
  Future<Position> head();

  /**
   * If the event with id {@code eventId} is in the journal, the position of the last event of the append that wrote
   * it. Entities use it to tell a command that took effect long ago (its events have ids derived from the command's
   * id) from a new one, and to answer it with the position its effect is visible at.
   */
  Future<Optional<Position>> find(java.util.UUID eventId);

  /** Stores {@code snapshot} as its stream's latest, unless a snapshot of a later version is stored already. */
  Future<Void> saveSnapshot(Snapshot snapshot);

  /** The latest snapshot of {@code streamId}, if any. */
  Future<Optional<Snapshot>> loadSnapshot(String streamId);

  /**
   * The events of {@code streamId} after the version of its latest snapshot (all of them if it has none), so that
   * recovery can read them together with {@link #loadSnapshot} instead of after it. The two reads are separate: a
   * snapshot stored between them makes this start later than the loaded snapshot ends, and the caller then reads on.
   */
  default Future<List<StoredEvent>> readAfterSnapshot(String streamId) {
    return read(streamId, 1);
  }
}
