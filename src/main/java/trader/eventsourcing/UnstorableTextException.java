package trader.eventsourcing;

/**
 * Refused before anything was written: a value holds text PostgreSQL cannot store as it is ({@link StorableText}).
 * It is about that value only; sending the same again fails the same way.
 */
public final class UnstorableTextException extends IllegalArgumentException {

  public UnstorableTextException(String message) {
    super(message);
  }
}
