package trader.eventsourcing.journal;

import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/**
 * An event as read from the journal, its payload already upcast to the current schema version of its type.
 */
public record StoredEvent(Position position, String streamId, long version, UUID eventId, String type,
                          int schemaVersion, JsonObject payload, EventMetadata metadata, Set<String> tags,
                          Instant timestamp) {
}
