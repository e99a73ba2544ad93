package trader.eventsourcing.entity;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import trader.eventsourcing.journal.Appended;
import trader.eventsourcing.journal.Journal;
import trader.eventsourcing.journal.NewEvent;
import trader.eventsourcing.journal.Position;
import trader.eventsourcing.journal.Snapshot;
import trader.eventsourcing.journal.StoredEvent;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/** Wraps a journal to count what the entity runtime asks of it, and to stall appends on demand. */
final class InstrumentedJournal implements Journal {

  final AtomicLong appends = new AtomicLong();
  final AtomicLong reads = new AtomicLong();
  final AtomicLong eventsRead = new AtomicLong();
  final AtomicLong snapshotLoads = new AtomicLong();
  final AtomicLong snapshotSaves = new AtomicLong();
  final AtomicLong finds = new AtomicLong();
  /** While set, appends never complete (a journal that hangs). */
  volatile boolean stallAppends;
  /**
   * While set, a stream's first snapshot is loaded instead of its latest: as if a newer one was stored between
   * the recovery's snapshot load and its read of the events after the snapshot.
   */
  volatile boolean loadFirstSnapshot;
  /** While set, loaded snapshots claim a newer state schema version than the code's (as after a deploy). */
  volatile boolean outdatedSnapshots;
  private final java.util.Map<String, Snapshot> firstSnapshots = new java.util.concurrent.ConcurrentHashMap<>();

  private final Journal journal;

  InstrumentedJournal(Journal journal) {
    this.journal = journal;
  }

  void reset() {
    appends.set(0);
    reads.set(0);
    eventsRead.set(0);
    snapshotLoads.set(0);
    snapshotSaves.set(0);
    finds.set(0);
  }

  @Override
  public Future<Appended> append(String streamId, long expectedVersion, List<NewEvent> events) {
    appends.incrementAndGet();
    return stallAppends ? Promise.<Appended>promise().future() : journal.append(streamId, expectedVersion, events);
  }

  @Override
  public Future<Optional<Position>> find(java.util.UUID eventId) {
    finds.incrementAndGet();
    return journal.find(eventId);
  }

  @Override
  public Future<List<StoredEvent>> read(String streamId, long fromVersion) {
    reads.incrementAndGet();
    return journal.read(streamId, fromVersion).onSuccess(events -> eventsRead.addAndGet(events.size()));
  }

  @Override
  public Future<List<StoredEvent>> readAfterSnapshot(String streamId) {
    reads.incrementAndGet();
    return journal.readAfterSnapshot(streamId).onSuccess(events -> eventsRead.addAndGet(events.size()));
  }

  @Override
  public Future<List<StoredEvent>> readAll(Position after, int limit) {
    return journal.readAll(after, limit);
  }

  @Override
  public Future<Position> head() {
    return journal.head();
  }

  @Override
  public Future<Void> saveSnapshot(Snapshot snapshot) {
    snapshotSaves.incrementAndGet();
    firstSnapshots.putIfAbsent(snapshot.streamId(), snapshot);
    return journal.saveSnapshot(snapshot);
  }

  @Override
  public Future<Optional<Snapshot>> loadSnapshot(String streamId) {
    snapshotLoads.incrementAndGet();
    Snapshot first = firstSnapshots.get(streamId);
    Future<Optional<Snapshot>> loaded = loadFirstSnapshot && first != null ? Future.succeededFuture(Optional.of(first))
      : journal.loadSnapshot(streamId);
    return !outdatedSnapshots ? loaded : loaded.map(o -> o.map(s -> new Snapshot(s.streamId(), s.version(),
      s.schemaVersion() + 1, s.state())));
  }
}
