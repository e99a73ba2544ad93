package trader.eventsourcing.entity;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.AsyncResult;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The entity runtime's meters: {@code entity.commands} (a timer per entity type and outcome, measured where the
 * command was sent, so routing, recovery and the journal commit are in it) and gauges of the entities in memory.
 * The timer publishes a few fixed histogram buckets, enough for latency quantiles across nodes in Prometheus.
 */
final class EntityMetrics {

  static final String COMMANDS = "entity.commands";
  private static final Duration[] BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
    Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
    Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
    Duration.ofSeconds(5), Duration.ofSeconds(10)};

  private final MeterRegistry registry;
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();

  EntityMetrics(MeterRegistry registry, EntitiesImpl runtime) {
    this.registry = registry;
    Gauge.builder("entity.active", runtime, r -> r.stats().active())
      .description("entities in memory on this node").register(registry);
    FunctionCounter.builder("entity.recoveries", runtime, r -> r.stats().recoveries())
      .description("entities loaded from the journal (snapshot and events)").register(registry);
    FunctionCounter.builder("entity.conflicts", runtime, r -> r.stats().conflicts())
      .description("appends refused because another writer appended first").register(registry);
  }

  /** Records one command of {@code type} sent at {@code startNanos}, by how it ended. */
  void record(String type, long startNanos, AsyncResult<Reply> result) {
    String outcome = result.failed() ? result.cause() instanceof CommandTimeoutException ? "timeout" : "failed"
      : result.result() instanceof Reply.Rejected ? "rejected" : "accepted";
    timers.computeIfAbsent(type + '|' + outcome, k -> Timer.builder(COMMANDS)
        .description("commands sent to entities, from send to reply (routing, recovery and journal commit included)")
        .tag("type", type).tag("outcome", outcome)
        .serviceLevelObjectives(BUCKETS)
        .register(registry))
      .record(System.nanoTime() - startNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }
}
