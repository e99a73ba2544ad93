package trader.platform;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * {@code vertx.eventloop.delay}: how late a timer fires on each event loop. A loop that something blocks (or that has
 * more work than it can do) runs its timers late, so this shows a stalled loop before requests time out; Vert.x
 * itself only logs blocked threads.
 */
final class EventLoopDelay {

  private static final long INTERVAL_MS = 100;

  private final Vertx vertx;
  private final Timer delay;
  private volatile boolean closed;

  private EventLoopDelay(Vertx vertx, MeterRegistry registry) {
    this.vertx = vertx;
    this.delay = Timer.builder("vertx.eventloop.delay")
      .description("how late a " + INTERVAL_MS + " ms timer fired on an event loop")
      .serviceLevelObjectives(Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(20),
        Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(2))
      .register(registry);
  }

  /** Samples {@code loops} event loops (contexts are handed out round robin over the loops). */
  static EventLoopDelay start(Vertx vertx, MeterRegistry registry, int loops) {
    EventLoopDelay sampler = new EventLoopDelay(vertx, registry);
    for (int i = 0; i < loops; i++) {
      ContextInternal context = ((VertxInternal) vertx).createEventLoopContext();
      context.runOnContext(v -> sampler.schedule());
    }
    return sampler;
  }

  private void schedule() {
    if (closed) {
      return;
    }
    long due = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(INTERVAL_MS);
    vertx.setTimer(INTERVAL_MS, id -> {
      delay.record(Math.max(0, System.nanoTime() - due), TimeUnit.NANOSECONDS);
      schedule();
    });
  }

  void close() {
    closed = true;
  }
}
