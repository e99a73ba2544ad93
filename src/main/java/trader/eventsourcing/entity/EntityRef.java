package trader.eventsourcing.entity;

import io.vertx.core.Future;
import trader.eventsourcing.journal.EventMetadata;

/**
 * Sends commands to the entities of one type, wherever in the cluster they live. Commands for one entity are
 * handled one at a time, in the order they reach its owner; different entities are handled in parallel.
 *
 * @param <C> the type's commands
 */
public interface EntityRef<C> {

  /** The entity type's name. */
  String typeName();

  /** Sends {@code command} to entity {@code entityId}; see {@link #send(String, Object, EventMetadata)}. */
  default Future<Reply> send(String entityId, C command) {
    return send(entityId, command, EventMetadata.NONE);
  }

  /**
   * Sends {@code command} to entity {@code entityId}, with {@code metadata} stored on the events it causes (a missing
   * causation id is set to a fresh command id). The future completes with the entity's {@link Reply}, or fails
   * with a {@link CommandFailedException} ({@link CommandTimeoutException} after the command deadline).
   */
  Future<Reply> send(String entityId, C command, EventMetadata metadata);
}
