package trader.eventsourcing.entity;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import trader.eventsourcing.journal.Appended;
import trader.eventsourcing.journal.ConflictException;
import trader.eventsourcing.journal.DuplicateEventException;
import trader.eventsourcing.journal.EventMetadata;
import trader.eventsourcing.journal.NewEvent;
import trader.eventsourcing.journal.Position;
import trader.eventsourcing.journal.Snapshot;
import trader.eventsourcing.journal.StoredEvent;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * One entity in memory on its owner node: its state, its stream version and its mailbox. Commands are taken from
 * the mailbox one at a time; the next starts only when the previous one's events are persisted (or it was rejected),
 * so decisions are always made on the state that includes every earlier command.
 *
 * <p>Confined to the runtime's context: no locks, every journal callback is brought back to that context.
 */
final class LiveEntity<C, E, S> {

  private static final Logger LOG = LoggerFactory.getLogger(LiveEntity.class);

  private final EntitiesImpl runtime;
  private final EntityType<C, E, S> type;
  final String typeName;
  final String entityId;
  final String streamId;
  final int shard;
  private final ArrayDeque<Pending<C>> mailbox = new ArrayDeque<>(2); // most entities hold 0-1 commands

  private S state;
  private long version;
  /** False until state was loaded from the journal, and again after evolve failed (state unknown). */
  private boolean recovered;
  /** The stream may hold events after {@link #version} (after a conflict or a failed append): read them first. */
  private boolean stale;
  /**
   * The state is the initial one, not read: the command starts a new stream ({@link EntityType#startsStream}). The
   * first append's version check (the stream is empty) confirms it; anything else reads the stream first.
   */
  private boolean assumedNew;
  private boolean busy;
  /** Ownership moved to another node while busy: leave memory as soon as the mailbox is empty. */
  boolean passivateWhenIdle;
  long lastUsedNanos;

  LiveEntity(EntitiesImpl runtime, EntityType<C, E, S> type, String entityId, int shard) {
    this.runtime = runtime;
    this.type = type;
    this.typeName = type.name();
    this.entityId = entityId;
    this.streamId = Entities.streamId(type.name(), entityId);
    this.shard = shard;
    this.state = type.initialState();
    this.lastUsedNanos = System.nanoTime();
  }

  void enqueue(Pending<C> command) {
    mailbox.add(command);
    lastUsedNanos = System.nanoTime();
    if (!busy) {
      drain();
    }
  }

  boolean isIdle() {
    return !busy && mailbox.isEmpty();
  }

  /** Whether its type says the recovered state is done, so it need not stay in memory once idle. */
  boolean isFinal() {
    return recovered && type.isFinal(state);
  }

  /** The state in memory (for tests and diagnostics). */
  S state() {
    return state;
  }

  long version() {
    return version;
  }

  /** Handles queued commands in order; loops while steps complete at once, so a long mailbox cannot grow the stack. */
  private void drain() {
    busy = true;
    Pending<C> next;
    while ((next = mailbox.poll()) != null) {
      Future<Void> handled = handle(next);
      if (!handled.isComplete()) {
        handled.onComplete(ar -> drain());
        return;
      }
    }
    busy = false;
    lastUsedNanos = System.nanoTime();
    runtime.active().becameIdle(this);
  }

  /** Completes when the command is done; never fails (failures go to the command's reply). */
  private Future<Void> handle(Pending<C> command) {
    if (command.isAbandoned()) {
      return Future.succeededFuture();
    }
    runtime.countCommand();
    if (!recovered && type.startsStream(command.command())) {
      // no read that would find nothing: decided on the initial state, and not taken as fresh (see decideAndPersist)
      state = type.initialState();
      version = 0;
      recovered = true;
      assumedNew = true;
    }
    boolean fresh = !recovered || stale;
    Future<Void> ready = !recovered ? recover() : stale ? readAgain() : Future.succeededFuture();
    return ready
      .compose(v -> decideAndPersist(command, runtime.options().conflictRetries(), fresh))
      .recover(e -> {
        command.fail(e instanceof CommandFailedException ? e
          : new CommandFailedException(type.name(), entityId, describe(e), e));
        return Future.succeededFuture();
      });
  }

  /** Snapshot and the events after it, read at the same time (one round trip instead of two in turn). */
  private Future<Void> recover() {
    Future<Optional<Snapshot>> snapshot = runtime.journal().loadSnapshot(streamId);
    Future<List<StoredEvent>> after = runtime.journal().readAfterSnapshot(streamId);
    return runtime.onContext(Future.all(snapshot, after)).compose(both -> {
      state = type.initialState();
      version = 0;
      snapshot.result().ifPresent(this::restore);
      List<StoredEvent> events = after.result();
      boolean unused = snapshot.result().isPresent() && version != snapshot.result().get().version();
      if (unused || !events.isEmpty() && events.get(0).version() > version + 1) {
        // the snapshot was not usable (the events read start after it), or a newer one was stored between the
        // reads: read on from the version restored
        return catchUp();
      }
      return apply(events);
    }).onSuccess(v -> {
      recovered = true;
      assumedNew = false;
      runtime.countRecovery();
    });
  }

  private void restore(Snapshot snapshot) {
    RecordCodec<S> states = type.states();
    String name = snapshot.state().getString("type");
    if (name == null || states.schemaVersion(name) != snapshot.schemaVersion()) {
      LOG.info("Ignoring snapshot of {} at version {}: state '{}' v{} is not current, replaying the stream", streamId,
        snapshot.version(), name, snapshot.schemaVersion());
      return;
    }
    try {
      state = states.decode(name, snapshot.state().getJsonObject("state"));
      version = snapshot.version();
    } catch (RuntimeException e) {
      LOG.warn("Ignoring unreadable snapshot of {} at version {}, replaying the stream: {}", streamId,
        snapshot.version(), describe(e));
      state = type.initialState();
    }
  }

  /** The stream read again: from its snapshot if the state was only assumed, else the events after {@link #version}. */
  private Future<Void> readAgain() {
    return assumedNew ? recover() : catchUp();
  }

  /** Applies the stream's events after {@link #version}. */
  private Future<Void> catchUp() {
    return runtime.onContext(runtime.journal().read(streamId, version + 1)).compose(this::apply);
  }

  /** Applies {@code events} past {@link #version} (those at or before it are already in the state). */
  private Future<Void> apply(List<StoredEvent> events) {
    for (StoredEvent stored : events) {
      if (stored.version() <= version) {
        continue;
      }
      if (stored.version() != version + 1) {
        return Future.failedFuture(new IllegalStateException("Stream " + streamId + " jumps from version "
          + version + " to " + stored.version()));
      }
      state = type.evolve(state, type.events().decode(stored.type(), stored.schemaVersion(), stored.payload()));
      version = stored.version();
    }
    stale = false;
    return Future.succeededFuture();
  }

  /**
   * Decides on the state in memory and persists. A refusal writes nothing, so no version check would catch a state
   * that missed events (another node owned the entity meanwhile: a move this node did not see, a pause): unless the
   * state was just read ({@code fresh}), the stream is read again before refusing, and the command decided anew.
   */
  private Future<Void> decideAndPersist(Pending<C> command, int retriesLeft, boolean fresh) {
    return switch (type.decide(state, command.command())) {
      case Decision.Reject<E> rejected when !fresh ->
        readAgain().compose(v -> decideAndPersist(command, retriesLeft, true));
      case Decision.Accept<E> accepted when accepted.events().isEmpty() && assumedNew ->
        recover().compose(v -> decideAndPersist(command, retriesLeft, true));
      case Decision.Reject<E> rejected when type.commandId(command.command()) != null ->
        // refused on today's state, but it may have taken effect long ago (the state need not remember it)
        runtime.onContext(runtime.journal().find(eventId(type.commandId(command.command()), 0))).<Void>map(found -> {
          command.complete(found.<Reply>map(position -> new Reply.Accepted(version, position, 0))
            .orElseGet(() -> new Reply.Rejected(rejected.reason(), rejected.kind())));
          return null;
        });
      case Decision.Reject<E> rejected -> {
        command.complete(new Reply.Rejected(rejected.reason(), rejected.kind()));
        yield Future.succeededFuture();
      }
      case Decision.Accept<E> accepted when accepted.events().isEmpty() -> {
        command.complete(new Reply.Accepted(version, Position.START, 0));
        yield Future.succeededFuture();
      }
      case Decision.Accept<E> accepted -> persist(command, accepted.events(), retriesLeft);
    };
  }

  private Future<Void> persist(Pending<C> command, List<E> events, int retriesLeft) {
    long expected = version;
    String commandId = type.commandId(command.command());
    List<NewEvent> batch = new java.util.ArrayList<>(events.size());
    for (E event : events) {
      batch.add(newEvent(event, command.metadata(), commandId == null ? UUID.randomUUID()
        : eventId(commandId, batch.size())));
    }
    return runtime.onContext(runtime.journal().append(streamId, expected, batch)).transform(ar -> {
      if (ar.succeeded()) {
        return applied(command, events, expected, ar.result());
      }
      // a conflict means another writer appended; any other failure may or may not have written the events
      stale = true;
      if (ar.cause() instanceof DuplicateEventException duplicate && commandId != null) {
        // the command took effect before (its events' ids are in the journal): nothing is written twice
        command.complete(new Reply.Accepted(version, duplicate.position() == null ? Position.START
          : duplicate.position(), 0));
        return Future.succeededFuture();
      }
      if (!(ar.cause() instanceof ConflictException conflict)) {
        return Future.failedFuture(ar.cause());
      }
      if (assumedNew) {
        // the stream existed after all (a command delivered again): not a rival writer, so no retry used up
        return recover().compose(v -> decideAndPersist(command, retriesLeft, true));
      }
      runtime.countConflict();
      if (retriesLeft > 0) {
        return catchUp().compose(v -> decideAndPersist(command, retriesLeft - 1, true));
      }
      return Future.failedFuture(new CommandFailedException(type.name(), entityId, "another writer kept appending to "
        + streamId + "; gave up after " + (runtime.options().conflictRetries() + 1) + " attempts, nothing written",
        conflict));
    });
  }

  private Future<Void> applied(Pending<C> command, List<E> events, long expected, Appended appended) {
    try {
      for (E event : events) {
        state = type.evolve(state, event);
      }
      version = appended.version();
      assumedNew = false; // the append found the stream at the version assumed
    } catch (RuntimeException e) {
      // the events are persisted but this state could not take them: rebuild from the journal next time
      recovered = false;
      LOG.error("evolve failed on {} after appending version {}", streamId, appended.version(), e);
    }
    command.complete(new Reply.Accepted(appended.version(), appended.position(), events.size()));
    return recovered ? saveSnapshotIfDue(expected) : Future.succeededFuture();
  }

  /** Saves a snapshot when the version crossed a multiple of snapshotEvery; the entity stays busy until saved. */
  private Future<Void> saveSnapshotIfDue(long versionBefore) {
    int every = type.snapshotEvery();
    if (every <= 0 || versionBefore / every == version / every) {
      return Future.succeededFuture();
    }
    Snapshot snapshot;
    try {
      RecordCodec<S> states = type.states();
      snapshot = new Snapshot(streamId, version, states.schemaVersion(state),
        new JsonObject().put("type", states.typeName(state)).put("state", states.encode(state)));
    } catch (RuntimeException e) {
      LOG.warn("Cannot encode the state of {} for a snapshot: {}", streamId, describe(e));
      return Future.succeededFuture();
    }
    return runtime.onContext(runtime.journal().saveSnapshot(snapshot)).recover(e -> {
      LOG.warn("Snapshot of {} at version {} not saved: {}", streamId, snapshot.version(), describe(e));
      return Future.succeededFuture();
    });
  }

  private NewEvent newEvent(E event, EventMetadata metadata, UUID eventId) {
    RecordCodec<E> events = type.events();
    return new NewEvent(eventId, events.typeName(event), events.schemaVersion(event), events.encode(event),
      metadata, type.tags(event));
  }

  /** The id of event {@code index} of the command with id {@code commandId}: the same for every delivery of it. */
  private UUID eventId(String commandId, int index) {
    return UUID.nameUUIDFromBytes((streamId + "\n" + commandId + "\n" + index)
      .getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  static String describe(Throwable e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
