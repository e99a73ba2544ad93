package trader.eventsourcing.journal;

import io.vertx.core.json.JsonObject;

import java.util.Set;
import java.util.UUID;

/**
 * An event to append. Its type is an explicit, stable name (never a class name).
 *
 * @param eventId       unique id; appending an event id that exists is refused by the journal
 * @param type          stable event type name, e.g. {@code "portfolio.opened"}
 * @param schemaVersion version of the payload's schema for this type (upcasters bring old ones to current)
 * @param payload       the event's JSON
 * @param metadata      correlation, causation, user
 * @param tags          labels readers can select events by (e.g. the entity type)
 */
public record NewEvent(UUID eventId, String type, int schemaVersion, JsonObject payload, EventMetadata metadata,
                       Set<String> tags) {
  public NewEvent {
    if (eventId == null || type == null || type.isBlank() || payload == null || schemaVersion < 1) {
      throw new IllegalArgumentException("An event needs an id, a type, schema version >= 1 and a payload");
    }
    metadata = metadata == null ? EventMetadata.NONE : metadata;
    tags = tags == null ? Set.of() : Set.copyOf(tags);
  }

  public static NewEvent of(String type, JsonObject payload) {
    return new NewEvent(UUID.randomUUID(), type, 1, payload, EventMetadata.NONE, Set.of());
  }
}
