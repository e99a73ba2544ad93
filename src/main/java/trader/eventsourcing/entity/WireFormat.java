package trader.eventsourcing.entity;

import io.vertx.core.json.JsonObject;
import trader.eventsourcing.journal.EventMetadata;
import trader.eventsourcing.journal.Position;

/**
 * The JSON of commands forwarded to their owner node over the event bus, and of the replies. Failures travel as
 * event-bus failures with one of the codes below.
 */
final class WireFormat {

  /** The receiving node does not own the entity's shard (membership changed); the sender re-reads it and retries. */
  static final int NOT_OWNER = 409;
  /** The command failed at the owner; the message says why. */
  static final int FAILED = 500;
  /** The request could not be read (unknown command type, missing field). */
  static final int BAD_REQUEST = 400;
  /** The command failed at the owner because something it needs is not available (see {@code Outages}). */
  static final int UNAVAILABLE = 503;

  private WireFormat() {
  }

  /** Where every node hosting {@code typeName} listens, so that the cluster's registrations say who hosts it. */
  static String presenceAddress(String typeName) {
    return "entity." + typeName;
  }

  /** The event-bus address where {@code nodeId} takes commands for entities of {@code typeName}. */
  static String address(String typeName, String nodeId) {
    return "entity." + typeName + ".node." + nodeId;
  }

  /**
   * A forwarded command.
   *
   * @param timeoutMs how long the sender still waits; the owner drops the command if it cannot start it by then
   */
  record Request(String entityId, String commandType, JsonObject command, EventMetadata metadata, long timeoutMs) {

    JsonObject toJson() {
      return new JsonObject().put("entityId", entityId).put("commandType", commandType).put("command", command)
        .put("correlationId", metadata.correlationId()).put("causationId", metadata.causationId())
        .put("userId", metadata.userId()).put("timeoutMs", timeoutMs);
    }

    static Request fromJson(JsonObject json) {
      String entityId = json.getString("entityId");
      String commandType = json.getString("commandType");
      JsonObject command = json.getJsonObject("command");
      Long timeoutMs = json.getLong("timeoutMs");
      if (entityId == null || commandType == null || command == null || timeoutMs == null) {
        throw new IllegalArgumentException("A command request needs entityId, commandType, command and timeoutMs");
      }
      return new Request(entityId, commandType, command, new EventMetadata(json.getString("correlationId"),
        json.getString("causationId"), json.getString("userId")), timeoutMs);
    }
  }

  static JsonObject toJson(Reply reply) {
    return switch (reply) {
      case Reply.Accepted a -> new JsonObject().put("outcome", "accepted").put("version", a.version())
        .put("position", a.position().toString()).put("events", a.events());
      case Reply.Rejected r -> new JsonObject().put("outcome", "rejected").put("reason", r.reason())
        .put("kind", r.kind().name());
    };
  }

  static Reply replyFromJson(JsonObject json) {
    return switch (json.getString("outcome", "")) {
      case "accepted" -> new Reply.Accepted(json.getLong("version"), Position.parse(json.getString("position")),
        json.getInteger("events"));
      case "rejected" -> new Reply.Rejected(json.getString("reason"), kind(json.getString("kind")));
      default -> throw new IllegalArgumentException("Not a command reply: " + json.encode());
    };
  }

  /** A node of an older version sends no kind: a conflict, as every rejection was. */
  private static RejectionKind kind(String name) {
    if (name == null) {
      return RejectionKind.CONFLICT;
    }
    try {
      return RejectionKind.valueOf(name);
    } catch (IllegalArgumentException newer) {
      return RejectionKind.CONFLICT; // a kind from a newer node
    }
  }
}
