package trader.eventsourcing.entity;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import trader.eventsourcing.journal.Journal;
import trader.platform.Database;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Benchmarks the entity runtime over a real journal: (a) rung 4 of the journal benchmark, entity commands with one
 * event each, many in flight; (b) heap per active entity; (c) the active-entity cap under a stream of distinct
 * entities. Streams are named per run, so runs do not disturb each other.
 */
@Command(name = "entities", mixinStandardHelpOptions = true,
  description = "Entity runtime: command throughput and latency, heap per active entity, LRU cap under churn.")
public final class EntityBench implements Callable<Integer> {

  /** Makes the journal under test, e.g. {@code (vertx, pool) -> Journal.create(vertx, pool, Upcasters.none())}. */
  @FunctionalInterface
  public interface JournalFactory {
    Journal create(Vertx vertx, Pool pool);
  }

  @Option(names = "--config", paramLabel = "FILE", description = "A JSON configuration file over the defaults.")
  java.nio.file.Path config;

  @Option(names = "--entities", defaultValue = "10000", description = "Entities commanded in (a) (default: ${DEFAULT-VALUE}).")
  int entities;

  @Option(names = "--commands", defaultValue = "100000", description = "Commands measured in (a) (default: ${DEFAULT-VALUE}).")
  int commands;

  @Option(names = "--in-flight", defaultValue = "256", description = "Commands in flight (default: ${DEFAULT-VALUE}).")
  int inFlight;

  @Option(names = "--heap-entities", defaultValue = "100000",
    description = "Entities activated to measure heap in (b) (default: ${DEFAULT-VALUE}).")
  int heapEntities;

  @Option(names = "--touch", defaultValue = "1000000",
    description = "Distinct entities touched in (c) (default: ${DEFAULT-VALUE}).")
  int touch;

  @Option(names = "--max-active", defaultValue = "10000",
    description = "Active-entity cap in (c) (default: ${DEFAULT-VALUE}).")
  int maxActive;

  @Option(names = "--json", description = "Print one JSON object instead of a table.")
  boolean json;

  @Spec
  CommandSpec spec;

  private final JournalFactory journals;

  /** The product's journal, in a scratch database of the configured PostgreSQL. */
  public EntityBench() {
    this((vertx, pool) -> Journal.create(vertx, pool, trader.eventsourcing.journal.Upcasters.none()));
  }

  public EntityBench(JournalFactory journals) {
    this.journals = journals;
  }

  @Override
  public Integer call() {
    Vertx vertx = trader.platform.Cluster.localVertx();
    try (trader.platform.ScratchDatabase scratch = trader.platform.ScratchDatabase.create(vertx,
      trader.platform.BenchReport.settings(config), "bench_entities")) {
      Pool pool = scratch.database().pool(vertx);
      Journal journal = journals.create(vertx, pool);
      String run = UUID.randomUUID().toString().substring(0, 8);
      JsonObject result = new JsonObject()
        .put("journal", journal.getClass().getSimpleName())
        .put("commands", commands(vertx, journal, run))
        .put("heap", heap(vertx, journal, run))
        .put("churn", churn(vertx, journal, run));
      print(result);
      return 0;
    } finally {
      vertx.close().await();
    }
  }

  /** (a) One event per command over {@code entities} entities, {@code inFlight} at a time. */
  private JsonObject commands(Vertx vertx, Journal journal, String run) {
    Entities runtime = Entities.create(vertx, journal, EntitiesOptions.defaults()
      .withMaxActive(Math.max(entities, 1)).withCommandTimeout(Duration.ofSeconds(60)));
    try {
      EntityRef<Counter.Command> counters = runtime.register(new Counter()).await();
      // warm-up, not measured: each entity recovered once and its stream created
      drive(vertx, entities, inFlight, i -> counters.send(run + "-c" + i, new Counter.Command.Increment()));
      long[] latencies = new long[commands];
      long start = System.nanoTime();
      drive(vertx, commands, inFlight, i -> {
        long sent = System.nanoTime();
        return counters.send(run + "-c" + (i % entities), new Counter.Command.Increment())
          .onSuccess(r -> latencies[i] = System.nanoTime() - sent);
      });
      double seconds = (System.nanoTime() - start) / 1e9;
      Arrays.sort(latencies);
      return new JsonObject().put("entities", entities).put("commands", commands).put("inFlight", inFlight)
        .put("eventsPerSecond", Math.round(commands / seconds))
        .put("p50Ms", millis(latencies[(int) (commands * 0.50)]))
        .put("p99Ms", millis(latencies[Math.min(commands - 1, (int) (commands * 0.99))]));
    } finally {
      runtime.close().await();
    }
  }

  /** (b) Used heap after GC, before and after activating {@code heapEntities} entities with a one-field state. */
  private JsonObject heap(Vertx vertx, Journal journal, String run) {
    Entities runtime = Entities.create(vertx, journal, EntitiesOptions.defaults().withMaxActive(heapEntities)
      .withIdleTimeout(Duration.ofHours(1)).withCommandTimeout(Duration.ofSeconds(60)));
    try {
      EntityRef<Counter.Command> counters = runtime.register(new Counter()).await();
      long before = usedHeapAfterGc();
      drive(vertx, heapEntities, inFlight, i -> counters.send(run + "-h" + i, new Counter.Command.Touch()));
      long after = usedHeapAfterGc();
      int active = runtime.stats().active();
      return new JsonObject().put("entities", active)
        .put("bytesPerEntity", active == 0 ? 0 : (after - before) / active);
    } finally {
      runtime.close().await();
    }
  }

  /** (c) {@code touch} distinct entities through a cap of {@code maxActive}; the largest active count seen. */
  private JsonObject churn(Vertx vertx, Journal journal, String run) {
    Entities runtime = Entities.create(vertx, journal, EntitiesOptions.defaults().withMaxActive(maxActive)
      .withCommandTimeout(Duration.ofSeconds(60)));
    try {
      EntityRef<Counter.Command> counters = runtime.register(new Counter()).await();
      AtomicInteger maxSeen = new AtomicInteger();
      long start = System.nanoTime();
      drive(vertx, touch, inFlight, i -> counters.send(run + "-t" + i, new Counter.Command.Touch())
        .onSuccess(r -> maxSeen.accumulateAndGet(runtime.stats().active(), Math::max)));
      double seconds = (System.nanoTime() - start) / 1e9;
      EntityStats stats = runtime.stats();
      return new JsonObject().put("touched", touch).put("maxActive", maxActive)
        .put("maxActiveSeen", Math.max(maxSeen.get(), stats.peakActive()))
        .put("touchesPerSecond", Math.round(touch / seconds)).put("passivations", stats.passivations());
    } finally {
      runtime.close().await();
    }
  }

  /** Sends {@code total} commands, keeping {@code window} in flight; fails on the first failed command. */
  private static void drive(Vertx vertx, int total, int window, IntFunction<Future<?>> send) {
    Promise<Void> done = Promise.promise();
    AtomicInteger next = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    Runnable[] pump = new Runnable[1];
    pump[0] = () -> {
      int i = next.getAndIncrement();
      if (i >= total) {
        return;
      }
      send.apply(i).onComplete(ar -> {
        if (ar.failed()) {
          done.tryFail(ar.cause());
        } else if (finished.incrementAndGet() == total) {
          done.tryComplete();
        } else {
          pump[0].run();
        }
      });
    };
    if (total == 0) {
      return;
    }
    vertx.runOnContext(v -> {
      for (int k = 0; k < Math.min(window, total); k++) {
        pump[0].run();
      }
    });
    done.future().await();
  }

  private static long usedHeapAfterGc() {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return rt.totalMemory() - rt.freeMemory();
  }

  private static double millis(long nanos) {
    return Math.round(nanos / 10_000.0) / 100.0;
  }

  private void print(JsonObject r) {
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(r.encode());
    } else {
      JsonObject c = r.getJsonObject("commands");
      JsonObject h = r.getJsonObject("heap");
      JsonObject t = r.getJsonObject("churn");
      out.printf("Entity runtime over %s%n", r.getString("journal"));
      out.printf("%-28s %-48s %s%n", "measure", "setup", "result");
      out.printf("%-28s %-48s %,d events/s, p50 %.2f ms, p99 %.2f ms%n", "(a) rung 4: entity commands",
        String.format("%,d entities, %,d commands, %d in flight", c.getInteger("entities"), c.getInteger("commands"),
          c.getInteger("inFlight")), c.getLong("eventsPerSecond"), c.getDouble("p50Ms"), c.getDouble("p99Ms"));
      out.printf("%-28s %-48s %,d bytes%n", "(b) heap per active entity",
        String.format("%,d active entities", h.getInteger("entities")), h.getLong("bytesPerEntity"));
      out.printf("%-28s %-48s max active seen %,d (%,d touches/s)%n", "(c) cap under churn",
        String.format("%,d distinct entities, cap %,d", t.getInteger("touched"), t.getInteger("maxActive")),
        t.getInteger("maxActiveSeen"), t.getLong("touchesPerSecond"));
    }
    out.flush();
  }

  /** The benchmark's entity: a counter with a one-field state. */
  static final class Counter implements EntityType<Counter.Command, Counter.Event, Counter.State> {

    sealed interface Command {
      record Increment() implements Command {
      }

      /** Accepted without events: activates the entity. */
      record Touch() implements Command {
      }
    }

    sealed interface Event {
      record Incremented() implements Event {
      }
    }

    record State(long count) {
    }

    private static final RecordCodec<Command> COMMANDS = RecordCodec.of(Command.class)
      .add("bench-counter.increment", Command.Increment.class).add("bench-counter.touch", Command.Touch.class).build();
    private static final RecordCodec<Event> EVENTS = RecordCodec.of(Event.class)
      .add("bench-counter.incremented", Event.Incremented.class).build();
    private static final RecordCodec<State> STATES = RecordCodec.of(State.class)
      .add("bench-counter.state", State.class).build();

    @Override
    public String name() {
      return "bench-counter";
    }

    @Override
    public State initialState() {
      return new State(0);
    }

    @Override
    public Decision<Event> decide(State state, Command command) {
      return switch (command) {
        case Command.Increment increment -> Decision.accept(new Event.Incremented());
        case Command.Touch touch -> Decision.accept();
      };
    }

    @Override
    public State evolve(State state, Event event) {
      return switch (event) {
        case Event.Incremented incremented -> new State(state.count() + 1);
      };
    }

    @Override
    public RecordCodec<Command> commands() {
      return COMMANDS;
    }

    @Override
    public RecordCodec<Event> events() {
      return EVENTS;
    }

    @Override
    public RecordCodec<State> states() {
      return STATES;
    }
  }
}
