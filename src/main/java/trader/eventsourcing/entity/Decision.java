package trader.eventsourcing.entity;

import java.util.List;

/**
 * What an entity decided about a command: accept it with the events it causes (possibly none), or reject it with
 * a reason the caller can show. Deciding is pure: no I/O, no clock, no randomness that is not in the command.
 *
 * @param <E> the entity's event type
 */
public sealed interface Decision<E> {

  /** The command is valid; {@code events} (in order, possibly none) are to be persisted atomically. */
  record Accept<E>(List<E> events) implements Decision<E> {
    public Accept {
      events = List.copyOf(events);
    }
  }

  /** The command is refused and changes nothing; {@code reason} says why, for the caller, {@code kind} what it is. */
  record Reject<E>(String reason, RejectionKind kind) implements Decision<E> {
    public Reject {
      if (reason == null || reason.isBlank()) {
        throw new IllegalArgumentException("A rejection needs a reason");
      }
      if (kind == null) {
        throw new IllegalArgumentException("A rejection needs a kind");
      }
    }
  }

  @SafeVarargs
  static <E> Decision<E> accept(E... events) {
    return new Accept<>(List.of(events));
  }

  static <E> Decision<E> accept(List<E> events) {
    return new Accept<>(events);
  }

  /** A {@link RejectionKind#CONFLICT conflict} with the entity's state. */
  static <E> Decision<E> reject(String reason) {
    return new Reject<>(reason, RejectionKind.CONFLICT);
  }

  /** A refusal because the command would go beyond a limit the entity keeps ({@link RejectionKind#LIMIT}). */
  static <E> Decision<E> overLimit(String reason) {
    return new Reject<>(reason, RejectionKind.LIMIT);
  }
}
