package trader.eventsourcing.entity;

import java.util.Set;

/**
 * The definition of one kind of event-sourced entity (a "decider"): how it decides on commands and how its events
 * change its state. Implementations are pure domain code; the entity runtime ({@link Entities}) does the I/O:
 * it routes commands to the entity's owner node, recovers state from the journal, persists events and replies.
 *
 * <p>Commands, events and states are meant to be sealed interfaces of records, handled by exhaustive {@code switch},
 * so that adding a case without handling it does not compile.
 *
 * @param <C> commands
 * @param <E> events
 * @param <S> states
 */
public interface EntityType<C, E, S> {

  /**
   * The stable name of this type, e.g. {@code "portfolio"}: letters, digits, {@code . _ -}. It is part of stream ids
   * ({@link Entities#streamId}) and event-bus addresses, so it must never change.
   */
  String name();

  /** The state of an entity that has no events yet. */
  S initialState();

  /** Accepts {@code command} with the events it causes, or rejects it; must not change anything. */
  Decision<E> decide(S state, C command);

  /** The state after {@code event}; must accept every event {@link #decide} can produce from that state. */
  S evolve(S state, E event);

  /** Commands cross the event bus between nodes as JSON under these stable names. */
  RecordCodec<C> commands();

  /** Events are stored under these stable type names and schema versions. */
  RecordCodec<E> events();

  /** States are stored in snapshots under these names; a snapshot of an older schema version is ignored. */
  RecordCodec<S> states();

  /**
   * Whether an entity in {@code state} is done (a filled order, say): it then leaves memory as soon as it is idle
   * instead of after the idle timeout. A later command still reaches it, recovered from the journal. Kept for
   * minutes, such entities were most of what each young collection copied again and again.
   */
  default boolean isFinal(S state) {
    return false;
  }

  /**
   * Whether {@code command} normally starts a new stream (placing an order under a new id, say). An entity not in
   * memory then decides it on {@link #initialState} without reading the journal, which would find nothing: one read
   * fewer on the command's path. Its append expects an empty stream; if the stream existed after all (the command
   * delivered again), the conflict has the stream read and the command decided anew, as does a refusal or a
   * decision without events on the state assumed.
   */
  default boolean startsStream(C command) {
    return false;
  }

  /**
   * The id that names {@code command} for good (a transfer's id for one of its steps, an order's id for its
   * placement), or null if it has none. A command with an id takes effect at most once, however often and however
   * late it is sent again, without the state remembering the ids it has seen:
   * <ul>
   *   <li>its events get ids derived from the entity and the command id, so the journal refuses them a second time
   *       (the command is then answered as accepted, with the position of its first taking effect);</li>
   *   <li>a command the entity would refuse now (its state has moved on) is looked up first: if its first event is
   *       in the journal, it is answered as accepted, not refused.</li>
   * </ul>
   * So a command with an id must always decide at least one event when it takes effect, and the id must name one
   * command only: two commands of an entity with the same id are one command.
   */
  default String commandId(C command) {
    return null;
  }

  /** A snapshot is saved each time the stream's version crosses a multiple of this; 0 saves none. */
  default int snapshotEvery() {
    return 0;
  }

  /** Labels stored with {@code event} that read sides can select by; by default the type name. */
  default Set<String> tags(E event) {
    return Set.of(name());
  }
}
