package trader.eventsourcing.projection;

/** A read side has not reached a position in the time a query was willing to wait. */
public final class ProjectionLagException extends RuntimeException {
  public ProjectionLagException(String message) {
    super(message, null, false, false);
  }
}
