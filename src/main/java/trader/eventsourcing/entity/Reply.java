package trader.eventsourcing.entity;

import trader.eventsourcing.journal.Position;

/**
 * The answer to a command sent to an entity. A command that could not be handled (timeout, journal down) fails
 * the future with a {@link CommandFailedException} instead.
 */
public sealed interface Reply {

  /**
   * The command was accepted and its events are in the journal.
   *
   * @param version  the entity's stream version after the command
   * @param position the journal position of the command's last event: a read side that has passed it reflects the
   *                 command; {@link Position#START} when the command caused no events
   * @param events   how many events the command caused
   */
  record Accepted(long version, Position position, int events) implements Reply {
  }

  /** The entity refused the command; nothing changed. {@code kind} says what kind of refusal it is. */
  record Rejected(String reason, RejectionKind kind) implements Reply {
    /** A {@link RejectionKind#CONFLICT conflict}. */
    public Rejected(String reason) {
      this(reason, RejectionKind.CONFLICT);
    }
  }
}
