package trader.eventsourcing.entity;

import io.vertx.core.Promise;
import trader.eventsourcing.journal.EventMetadata;

/** A command in an entity's mailbox, with the promise of its reply (which the command deadline may fail first). */
record Pending<C>(C command, EventMetadata metadata, Promise<Reply> reply) {

  void complete(Reply r) {
    reply.tryComplete(r);
  }

  void fail(Throwable e) {
    reply.tryFail(e);
  }

  /** The caller stopped waiting (deadline passed); it was told the outcome is unknown. */
  boolean isAbandoned() {
    return reply.future().isComplete();
  }
}
