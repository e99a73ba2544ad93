package trader.eventsourcing.journal;

import java.util.List;
import java.util.UUID;

/**
 * An append carried an event id the journal already holds (typically a retried append whose acknowledgement was
 * lost). Nothing of that append was written.
 */
public final class DuplicateEventException extends RuntimeException {

  private final String streamId;
  private final List<UUID> eventIds;

  public DuplicateEventException(String streamId, List<UUID> eventIds) {
    super("Append to stream '" + streamId + "' refused: event id(s) " + eventIds + " are already in the journal",
      null, false, false);
    this.streamId = streamId;
    this.eventIds = List.copyOf(eventIds);
  }

  public String streamId() {
    return streamId;
  }

  /** The ids found in the journal already (empty if they were gone by the time they were looked up). */
  public List<UUID> eventIds() {
    return eventIds;
  }
}
