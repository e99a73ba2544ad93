package trader.eventsourcing.journal;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One caller's append while it waits for its batch. Its result is delivered on the caller's Vert.x context (if it
 * had one), so an entity's callbacks never run on the thread of whichever connection happened to write the batch.
 */
final class PendingAppend {

  final String streamId;
  final long expectedVersion;
  final List<NewEvent> events;
  private final Context callerContext;
  private final Promise<Appended> promise = Promise.promise();
  private final AtomicBoolean settled = new AtomicBoolean();

  PendingAppend(String streamId, long expectedVersion, List<NewEvent> events) {
    this.streamId = streamId;
    this.expectedVersion = expectedVersion;
    this.events = events;
    this.callerContext = Vertx.currentContext();
  }

  Future<Appended> future() {
    return promise.future();
  }

  void succeed(Appended appended) {
    deliver(Future.succeededFuture(appended));
  }

  void fail(Throwable error) {
    deliver(Future.failedFuture(error));
  }

  boolean isSettled() {
    return settled.get();
  }

  /** The first outcome wins; later ones (a safety net after an unexpected error) are ignored. */
  private void deliver(AsyncResult<Appended> result) {
    if (!settled.compareAndSet(false, true)) {
      return;
    }
    if (callerContext == null || callerContext == Vertx.currentContext()) {
      promise.handle(result);
    } else {
      callerContext.runOnContext(v -> promise.handle(result));
    }
  }
}
