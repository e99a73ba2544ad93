package trader.eventsourcing.topic;

import io.vertx.core.json.JsonObject;
import trader.eventsourcing.journal.StoredEvent;

/**
 * What goes over a Kafka topic for one journal event: key = the stream id (so a stream's events stay in order on
 * one partition), value = an envelope naming the event and carrying its payload.
 *
 * <pre>{"type": "...", "schemaVersion": 1, "eventId": "...", "streamId": "...", "version": 3, "payload": {...}}</pre>
 */
public record TopicMessage(String key, JsonObject value) {

  /** The standard envelope of {@code event}. */
  public static TopicMessage of(StoredEvent event) {
    return of(event, event.payload());
  }

  /** The standard envelope of {@code event} with a payload of the topic's published contract. */
  public static TopicMessage of(StoredEvent event, JsonObject payload) {
    return new TopicMessage(event.streamId(), new JsonObject()
      .put("type", event.type())
      .put("schemaVersion", event.schemaVersion())
      .put("eventId", event.eventId().toString())
      .put("streamId", event.streamId())
      .put("version", event.version())
      .put("payload", payload));
  }

  public String type() {
    return value.getString("type");
  }

  public String eventId() {
    return value.getString("eventId");
  }

  public JsonObject payload() {
    return value.getJsonObject("payload");
  }
}
