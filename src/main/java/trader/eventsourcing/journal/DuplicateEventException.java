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
  private final Position position;

  public DuplicateEventException(String streamId, List<UUID> eventIds) {
    this(streamId, eventIds, null);
  }

  /** @param position the position of the last event of the append that wrote the ids found (null if none was) */
  public DuplicateEventException(String streamId, List<UUID> eventIds, Position position) {
    super("Append to stream '" + streamId + "' refused: event id(s) " + eventIds + " are already in the journal",
      null, false, false);
    this.streamId = streamId;
    this.eventIds = List.copyOf(eventIds);
    this.position = position;
  }

  public String streamId() {
    return streamId;
  }

  /** The ids found in the journal already (empty if they were gone by the time they were looked up). */
  public List<UUID> eventIds() {
    return eventIds;
  }

  /** The position of the last event of the append that wrote {@link #eventIds}; null if none was found. */
  public Position position() {
    return position;
  }
}
