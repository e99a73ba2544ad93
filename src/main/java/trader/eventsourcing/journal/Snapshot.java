package trader.eventsourcing.journal;

import io.vertx.core.json.JsonObject;

/**
 * An entity's state as of a stream version; recovery loads it and applies only the later events.
 *
 * @param streamId      the stream
 * @param version       the stream version the state includes
 * @param schemaVersion the version of the state's JSON schema (a mismatch means: ignore the snapshot, replay)
 * @param state         the state's JSON
 */
public record Snapshot(String streamId, long version, int schemaVersion, JsonObject state) {
}
