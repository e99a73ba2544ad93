package trader.eventsourcing;

import io.vertx.core.Context;
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
}
