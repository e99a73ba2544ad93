package trader.eventsourcing.entity;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import trader.eventsourcing.journal.EventMetadata;

import java.util.UUID;

import static trader.eventsourcing.entity.LiveEntity.describe;

/**
 * The {@link EntityRef} of one registered type on one node: sends each command to the owner of its entity's shard,
 * here (straight into the entity's mailbox) or on another node (event-bus request), and takes the commands other
 * nodes forward to this one.
 *
 * <p>A forward that provably did not reach an owner (no handler at the address yet or any more, or the receiver no
 * longer owns the shard) is retried after re-reading the membership, with growing pauses, until the command
 * deadline. A forward that got no reply is not retried: its outcome is unknown, and a second try could apply the
 * command twice.
 */
final class ShardedEntityRef<C, E, S> implements EntityRef<C> {

  private static final long FIRST_BACKOFF_MS = 20;
  private static final long MAX_BACKOFF_MS = 500;

  private final EntitiesImpl runtime;
  private final EntityType<C, E, S> type;
  private MessageConsumer<JsonObject> consumer;
  private MessageConsumer<JsonObject> presence;

  ShardedEntityRef(EntitiesImpl runtime, EntityType<C, E, S> type) {
    this.runtime = runtime;
    this.type = type;
  }

  /**
   * Listens for forwarded commands and announces that this node hosts the type (clustered only), then reads the
   * type's hosts, so that the first commands are routed on a current view. On the runtime's context.
   */
  Future<Void> start() {
    Membership membership = runtime.membership();
    if (!membership.isClustered()) {
      return membership.track(type.name());
    }
    consumer = runtime.vertx().eventBus().consumer(WireFormat.address(type.name(), runtime.nodeId()), this::receive);
    // nothing is ever sent here: the registration itself is the announcement
    presence = runtime.vertx().eventBus().consumer(WireFormat.presenceAddress(type.name()), message -> { });
    return Future.all(consumer.completion(), presence.completion()).compose(v -> membership.track(type.name()));
  }

  /** Stops taking forwarded commands; the other nodes take over this node's shards of the type. */
  Future<Void> stop() {
    if (consumer == null) {
      return Future.succeededFuture();
    }
    return Future.join(presence.unregister(), consumer.unregister()).mapEmpty();
  }

  @Override
  public String typeName() {
    return type.name();
  }

  @Override
  public Future<Reply> send(String entityId, C command, EventMetadata metadata) {
    if (entityId == null || entityId.isEmpty() || command == null) {
      return Future.failedFuture(new IllegalArgumentException("A command needs an entity id and a command"));
    }
    EventMetadata md = metadata == null ? EventMetadata.NONE : metadata;
    if (md.causationId() == null) {
      md = new EventMetadata(md.correlationId(), UUID.randomUUID().toString(), md.userId());
    }
    long start = System.nanoTime();
    Promise<Reply> reply = runtime.callerPromise();
    long timeoutMs = runtime.options().commandTimeout().toMillis();
    Attempt attempt = new Attempt(entityId, command, md, reply, System.nanoTime() + timeoutMs * 1_000_000);
    runtime.context().runOnContext(v -> {
      long timer = runtime.vertx().setTimer(timeoutMs, t -> reply.tryFail(timeout(entityId,
        "no reply within " + timeoutMs + " ms" + attempt.lastTried() + "; the command may or may not have been applied")));
      reply.future().onComplete(ar -> {
        runtime.vertx().cancelTimer(timer);
        runtime.metrics().record(type.name(), start, ar);
      });
      route(attempt);
    });
    return reply.future();
  }

  /** Sends the attempt to the shard's current owner; on the runtime's context. */
  private void route(Attempt a) {
    if (a.reply.future().isComplete()) {
      return;
    }
    if (runtime.isClosed()) {
      a.reply.tryFail(new CommandFailedException(type.name(), a.entityId,
        "the entity runtime of node " + runtime.nodeId() + " is closed", null));
      return;
    }
    String streamId = Entities.streamId(type.name(), a.entityId);
    int shard = Sharding.shardOf(streamId, runtime.options().shards());
    Ownership ownership = runtime.membership().current(type.name());
    if (ownership.isLocal(shard)) {
      deliverHere(streamId, a.entityId, shard, new Pending<>(a.command, a.metadata, a.reply));
    } else {
      forward(a, ownership.ownerOf(shard));
    }
  }

  private void deliverHere(String streamId, String entityId, int shard, Pending<C> command) {
    runtime.active().deliver(streamId, () -> new LiveEntity<>(runtime, type, entityId, shard), command);
  }

  private void forward(Attempt a, String owner) {
    long remainingMs = a.remainingMs();
    if (remainingMs <= 0) {
      return; // the deadline timer fails it
    }
    JsonObject request;
    try {
      request = new WireFormat.Request(a.entityId, type.commands().typeName(a.command),
        type.commands().encode(a.command), a.metadata, remainingMs).toJson();
    } catch (RuntimeException e) {
      a.reply.tryFail(new CommandFailedException(type.name(), a.entityId, "cannot encode the command: "
        + describe(e), e));
      return;
    }
    a.lastNode = owner;
    runtime.countForwarded();
    Future<Message<JsonObject>> sent = runtime.vertx().eventBus().request(WireFormat.address(type.name(), owner),
      request, new DeliveryOptions().setSendTimeout(remainingMs));
    runtime.onContext(sent).onComplete(ar -> {
      if (ar.succeeded()) {
        try {
          a.reply.tryComplete(WireFormat.replyFromJson(ar.result().body()));
        } catch (RuntimeException e) {
          a.reply.tryFail(new CommandFailedException(type.name(), a.entityId, describe(e), e));
        }
      } else {
        forwardFailed(a, owner, ar.cause());
      }
    });
  }

  private void forwardFailed(Attempt a, String owner, Throwable cause) {
    if (!(cause instanceof ReplyException failure)) {
      a.reply.tryFail(new CommandFailedException(type.name(), a.entityId, "forwarding to node " + owner
        + " failed: " + describe(cause), cause));
      return;
    }
    switch (failure.failureType()) {
      case NO_HANDLERS -> retryLater(a, "node " + owner + " does not take commands for " + type.name());
      case RECIPIENT_FAILURE -> {
        if (failure.failureCode() == WireFormat.NOT_OWNER) {
          retryLater(a, failure.getMessage());
        } else {
          String detail = failure.getMessage() + " (on node " + owner + ")";
          a.reply.tryFail(new CommandFailedException(type.name(), a.entityId, detail,
            failure.failureCode() == WireFormat.UNAVAILABLE ? new trader.eventsourcing.Unavailable(detail) : null));
        }
      }
      case TIMEOUT -> a.reply.tryFail(timeout(a.entityId, "no reply from node " + owner + " before the deadline;"
        + " the command may or may not have been applied"));
      default -> a.reply.tryFail(new CommandFailedException(type.name(), a.entityId, "forwarding to node " + owner
        + " failed: " + describe(failure), failure));
    }
  }

  /** The command reached no owner: nothing was applied, so it is safe to try again after a pause. */
  private void retryLater(Attempt a, String why) {
    a.lastFailure = why;
    long delay = a.nextBackoffMs();
    if (a.remainingMs() <= delay) {
      a.reply.tryFail(timeout(a.entityId, "no node took the command before the deadline (last: " + why
        + "); nothing was applied"));
      return;
    }
    runtime.vertx().setTimer(delay, t -> runtime.membership().refresh(type.name()).onComplete(v -> route(a)));
  }

  /** A command forwarded by another node; on the runtime's context. */
  private void receive(Message<JsonObject> message) {
    WireFormat.Request request;
    C command;
    try {
      request = WireFormat.Request.fromJson(message.body());
      command = type.commands().decode(request.commandType(), request.command());
    } catch (RuntimeException e) {
      message.fail(WireFormat.BAD_REQUEST, "Cannot read a command for entity type " + type.name() + ": "
        + describe(e));
      return;
    }
    String streamId = Entities.streamId(type.name(), request.entityId());
    int shard = Sharding.shardOf(streamId, runtime.options().shards());
    Ownership ownership = runtime.membership().current(type.name());
    if (runtime.isClosed() || !ownership.isLocal(shard)) {
      // the sender may have seen a membership change this node has not seen yet: look again for the next one
      runtime.membership().refresh(type.name());
      message.fail(WireFormat.NOT_OWNER, "node " + runtime.nodeId() + " does not own shard " + shard + " of "
        + streamId + (runtime.isClosed() ? " (closing)" : "; its owner is " + ownership.ownerOf(shard)));
      return;
    }
    Promise<Reply> reply = Promise.promise();
    long timer = runtime.vertx().setTimer(Math.max(1, request.timeoutMs()), t -> reply.tryFail(
      timeout(request.entityId(), "not handled within " + request.timeoutMs() + " ms on node " + runtime.nodeId())));
    reply.future().onComplete(ar -> {
      runtime.vertx().cancelTimer(timer);
      if (ar.succeeded()) {
        message.reply(WireFormat.toJson(ar.result()));
      } else {
        message.fail(trader.eventsourcing.Outages.isOutage(ar.cause()) ? WireFormat.UNAVAILABLE : WireFormat.FAILED,
          ar.cause() instanceof CommandFailedException f ? f.detail()
          : describe(ar.cause()));
      }
    });
    deliverHere(streamId, request.entityId(), shard, new Pending<>(command, request.metadata(), reply));
  }

  private CommandTimeoutException timeout(String entityId, String detail) {
    return new CommandTimeoutException(type.name(), entityId, detail);
  }

  /** One command on its way to its owner, across retries. */
  private final class Attempt {
    final String entityId;
    final C command;
    final EventMetadata metadata;
    final Promise<Reply> reply;
    final long deadlineNanos;
    long backoffMs;
    String lastNode;
    String lastFailure;

    Attempt(String entityId, C command, EventMetadata metadata, Promise<Reply> reply, long deadlineNanos) {
      this.entityId = entityId;
      this.command = command;
      this.metadata = metadata;
      this.reply = reply;
      this.deadlineNanos = deadlineNanos;
    }

    long remainingMs() {
      return (deadlineNanos - System.nanoTime()) / 1_000_000;
    }

    long nextBackoffMs() {
      backoffMs = backoffMs == 0 ? FIRST_BACKOFF_MS : Math.min(MAX_BACKOFF_MS, backoffMs * 2);
      return backoffMs;
    }

    String lastTried() {
      return lastNode == null ? "" : " (last sent to node " + lastNode
        + (lastFailure == null ? "" : ", which answered: " + lastFailure) + ")";
    }
  }
}
