package trader.eventsourcing.entity;

/**
 * No reply came within the command deadline. The outcome is unknown: the owner may have persisted the command's
 * events after the caller stopped waiting (read the entity again, or resend a command that is idempotent by its
 * business id).
 */
public final class CommandTimeoutException extends CommandFailedException {

  public CommandTimeoutException(String entityType, String entityId, String detail) {
    super(entityType, entityId, detail, new trader.eventsourcing.Unavailable(detail));
  }
}
