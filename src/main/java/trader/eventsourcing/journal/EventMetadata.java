package trader.eventsourcing.journal;

/**
 * Who and what caused an event; stored with it, never interpreted by the journal.
 *
 * @param correlationId the id of the user request or process this event belongs to (may be null)
 * @param causationId   the id of the command or message that caused it (may be null)
 * @param userId        the acting user (may be null for system actions)
 */
public record EventMetadata(String correlationId, String causationId, String userId) {
  public static final EventMetadata NONE = new EventMetadata(null, null, null);
}
