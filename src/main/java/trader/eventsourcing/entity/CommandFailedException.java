package trader.eventsourcing.entity;

/**
 * A command could not be handled: the entity's outcome is an error, not a {@link Reply}. The message names the entity
 * type and id. Unless it is a {@link CommandTimeoutException}, nothing was written for the command.
 */
public class CommandFailedException extends RuntimeException {

  private final String entityType;
  private final String entityId;
  private final String detail;

  public CommandFailedException(String entityType, String entityId, String detail, Throwable cause) {
    super("Entity " + entityType + "/" + entityId + ": " + detail, cause, false, false);
    this.entityType = entityType;
    this.entityId = entityId;
    this.detail = detail;
  }

  public String entityType() {
    return entityType;
  }

  public String entityId() {
    return entityId;
  }

  /** What went wrong, without the entity's name. */
  public String detail() {
    return detail;
  }
}
