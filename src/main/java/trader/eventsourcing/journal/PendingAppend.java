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
  /**
   * Whether the statement must check that the stream is at {@link #expectedVersion}. Not needed when that version
   * is known to exist (then a stale one violates the primary key) or is 0; set by {@link GroupCommit}.
   */
  volatile boolean checkVersion = true;
  private final Context callerContext;
  private final Promise<Appended> promise = Promise.promise();
  private final AtomicBoolean settled = new AtomicBoolean();
  private volatile AsyncResult<Appended> outcome;

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

  /** The outcome as soon as it is decided (the future may complete later, on the caller's context); or null. */
  AsyncResult<Appended> outcome() {
    return outcome;
  }

  /** The first outcome wins; later ones (a safety net after an unexpected error) are ignored. */
  private void deliver(AsyncResult<Appended> result) {
    if (!settled.compareAndSet(false, true)) {
      return;
    }
    outcome = result;
    if (callerContext == null || callerContext == Vertx.currentContext()) {
      promise.handle(result);
    } else {
      callerContext.runOnContext(v -> promise.handle(result));
    }
  }
}
