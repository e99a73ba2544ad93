package trader.eventsourcing.journal;

import io.vertx.core.Future;

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
   * Appends {@code events} to {@code streamId}, which must be at {@code expectedVersion} (0: the stream is new).
   * Fails with {@link ConflictException} when it is not; then nothing was written.
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

  Future<Void> saveSnapshot(Snapshot snapshot);

  Future<Optional<Snapshot>> loadSnapshot(String streamId);
}
