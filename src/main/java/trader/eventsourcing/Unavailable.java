package trader.eventsourcing;

/**
 * Something the work needs (PostgreSQL, Kafka, the node that owns an entity) is not there for the moment, as found
 * by another part of the system (an entity's owner node, a deadline): the same work may succeed later unchanged.
 * Whether it already took effect is not known. See {@link Outages}.
 */
public final class Unavailable extends RuntimeException {

  public Unavailable(String message) {
    super(message, null, false, false);
  }
}
