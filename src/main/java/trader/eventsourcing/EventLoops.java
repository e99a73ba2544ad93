package trader.eventsourcing;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;

import java.util.function.Supplier;

/**
 * Event-loop placement of the engine's long-running loops (projection runners, topic subscribers). Each gets a
 * context of its own on the next event loop of the instance (round robin), instead of the context of whoever
 * started it: started from one verticle, they would all share its single event loop while the others idle.
 */
public final class EventLoops {

  private EventLoops() {
  }

  /** A new event-loop context; its handlers run on one event-loop thread, never concurrently. */
  public static Context newContext(Vertx vertx) {
    return ((VertxInternal) vertx).createEventLoopContext();
  }

  /**
   * Runs {@code create} at once, on this thread, as if on a new event-loop context: a client built there (a Kafka
   * consumer takes {@code vertx.getOrCreateContext()} when it is built) delivers its results on that context.
   */
  public static <T> T onNewContext(Vertx vertx, Supplier<T> create) {
    Object[] result = new Object[1];
    ((ContextInternal) newContext(vertx)).dispatch(() -> result[0] = create.get());
    @SuppressWarnings("unchecked")
    T created = (T) result[0];
    return created;
  }

  /**
   * {@code future}, completing on {@code context} whichever thread completes it (at once when that is the context's
   * own): for loops whose state is only ever touched on their context.
   */
  public static <T> Future<T> on(Context context, Future<T> future) {
    Promise<T> p = Promise.promise();
    future.onComplete(ar -> {
      if (Vertx.currentContext() == context) {
        p.handle(ar);
      } else {
        context.runOnContext(v -> p.handle(ar));
      }
    });
    return p.future();
  }
}
