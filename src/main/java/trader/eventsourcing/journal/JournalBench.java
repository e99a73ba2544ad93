package trader.eventsourcing.journal;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import trader.platform.ScratchDatabase;
import trader.platform.Settings;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code trader bench journal}: append throughput and latency of the journal, each rung next to a raw SQL
 * baseline that writes the same rows with the same driver and pool into a table of the same shape
 * ({@code journal_raw}, created {@code LIKE journal INCLUDING ALL}) with the best plain statement for the rung.
 */
@Command(name = "journal",
  description = {
    "Measures journal appends against raw INSERTs of the same rows, in a scratch",
    "database on pg.url (or on an embedded PostgreSQL) with pg.pool-size connections.",
    "Rungs: 1) one event per append, one writer; 2) one event per append,",
    "64 streams at once; 3) 100-event appends, one writer."
  })
public final class JournalBench implements Callable<Integer> {

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  @Option(names = "--config", paramLabel = "FILE", description = "A JSON configuration file over the defaults.")
  Path config;

  @Option(names = "--json", description = "Print one JSON object instead of a table.")
  boolean json;

  @Option(names = "--rounds", defaultValue = "7",
    description = "Measured rounds per rung and side, alternating journal and raw (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--rungs", split = ",", paramLabel = "N",
    description = "Only these rungs, e.g. --rungs 1,3 (default: all).")
  List<Integer> only;

  @Option(names = "--max-batch-events", paramLabel = "N",
    description = "Journal option: events per batch statement (default: ${DEFAULT-VALUE}).")
  int maxBatchEvents = JournalOptions.DEFAULT.maxBatchEvents();

  @Option(names = "--batches-in-flight", paramLabel = "N",
    description = "Journal option: batch statements running at once (default: ${DEFAULT-VALUE}).")
  int batchesInFlight = JournalOptions.DEFAULT.maxBatchesInFlight();

  @Option(names = "--scale", defaultValue = "1.0",
    description = "Multiplies every rung's event count (default: ${DEFAULT-VALUE}).")
  double scale;

  /** One step of the ladder. */
  record Rung(int number, String name, int eventsPerAppend, int writers, int events) {
  }

  /** What one side achieved on one rung, over all its measured rounds. */
  record Result(long events, long nanos, long[] latencies) {
    double eventsPerSecond() {
      return events * 1e9 / nanos;
    }

    double percentileMs(double p) {
      long[] sorted = latencies.clone();
      Arrays.sort(sorted);
      return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
    }

    JsonObject json() {
      return new JsonObject().put("eventsPerSecond", Math.round(eventsPerSecond()))
        .put("p50Ms", round(percentileMs(0.50))).put("p90Ms", round(percentileMs(0.90)))
        .put("p99Ms", round(percentileMs(0.99))).put("p999Ms", round(percentileMs(0.999)))
        .put("maxMs", round(percentileMs(1.0)));
    }
  }

  /** Something that appends {@code events} to {@code stream}, now at {@code version}. */
  interface Writer {
    Future<Void> write(String stream, long version, List<NewEvent> events);
  }

  private static final String RAW_SINGLE = "insert into journal_raw (stream_id, version, event_id, event_type,"
    + " schema_version, payload, metadata, tags) values ($1, $2, $3, $4, $5, $6, $7, $8)";

  private static final String RAW_MULTI = """
    insert into journal_raw (stream_id, version, event_id, event_type, schema_version, payload, metadata, tags)
    select e.stream_id, e.version, e.event_id, e.event_type, e.schema_version, e.payload::jsonb, e.metadata::jsonb,
           e.tags::text[]
    from unnest($1::text[], $2::bigint[], $3::uuid[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[])
      as e(stream_id, version, event_id, event_type, schema_version, payload, metadata, tags)""";

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    if (rounds < 1 || scale <= 0) {
      throw new ParameterException(spec.commandLine(), "--rounds must be at least 1 and --scale above 0");
    }
    PrintStream progress = json ? System.err : System.out;
    Vertx vertx = trader.platform.Cluster.localVertx();
    try {
      Settings settings = Settings.load(vertx, config).await();
      try (ScratchDatabase scratch = ScratchDatabase.create(vertx, settings, "bench")) {
        Pool pool = scratch.database().pool(vertx);
        try {
          pool.query("create table journal_raw (like journal including all)").execute().await();
          JournalOptions options = new JournalOptions(maxBatchEvents, batchesInFlight);
          Journal journal = Journal.create(vertx, pool, Upcasters.none(), options);
          Sides sides = new Sides(vertx.getOrCreateContext(),
            (stream, version, events) -> journal.append(stream, version, events).mapEmpty(),
            (stream, version, events) -> raw(pool, stream, version, events));
          String postgres = scratch.serverVersion();
          int poolSize = settings.integer("pg.pool-size");
          progress.printf("Journal benchmark: PostgreSQL %s, database %s, pool %d, %d round(s) per side%n",
            postgres, scratch.name(), poolSize, rounds);
          JsonArray results = new JsonArray();
          for (Rung rung : rungs()) {
            progress.printf("rung %d: %s, %d events per round ...%n", rung.number(), rung.name(), rung.events());
            results.add(measure(rung, sides));
          }
          JsonObject report = new JsonObject().put("postgres", postgres)
            .put("cores", Runtime.getRuntime().availableProcessors()).put("poolSize", poolSize)
            .put("journalOptions", new JsonObject().put("maxBatchEvents", options.maxBatchEvents())
              .put("maxBatchesInFlight", options.maxBatchesInFlight()))
            .put("rounds", rounds).put("rungs", results);
          if (json) {
            System.out.println(report.encode());
          } else {
            printTable(report);
          }
        } finally {
          pool.close().await();
        }
      }
      return 0;
    } finally {
      vertx.close().await();
    }
  }

  private List<Rung> rungs() {
    return List.of(
        new Rung(1, "1 event/append, 1 writer", 1, 1, scaled(2_000)),
        new Rung(2, "1 event/append, 64 streams", 1, 64, scaled(16_000)),
        new Rung(3, "100 events/append, 1 writer", 100, 1, scaled(50_000)))
      .stream().filter(r -> only == null || only.contains(r.number())).toList();
  }

  /** The journal and its baseline, and the event-loop context both run on. */
  private record Sides(Context context, Writer journal, Writer raw) {
  }

  /** A warm-up of each side, then rounds alternating which side goes first, so drift hits both alike. */
  private JsonObject measure(Rung rung, Sides sides) {
    int warmUp = Math.max(rung.eventsPerAppend() * rung.writers(), rung.events() / 4);
    run(sides.context(), rung, sides.journal(), "warm-j" + rung.number(), warmUp);
    run(sides.context(), rung, sides.raw(), "warm-r" + rung.number(), warmUp);
    List<Result> journalRounds = new ArrayList<>();
    List<Result> rawRounds = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      Result j;
      Result raw;
      if (r % 2 == 0) {
        j = run(sides.context(), rung, sides.journal(), "j" + rung.number() + "-" + r, rung.events());
        raw = run(sides.context(), rung, sides.raw(), "r" + rung.number() + "-" + r, rung.events());
      } else {
        raw = run(sides.context(), rung, sides.raw(), "r" + rung.number() + "-" + r, rung.events());
        j = run(sides.context(), rung, sides.journal(), "j" + rung.number() + "-" + r, rung.events());
      }
      journalRounds.add(j);
      rawRounds.add(raw);
    }
    // the ratio of each round's adjacent runs, then the median: a burst of load on the machine spoils one round
    double[] ratios = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      ratios[r] = journalRounds.get(r).eventsPerSecond() / rawRounds.get(r).eventsPerSecond();
    }
    Arrays.sort(ratios);
    double ratio = rounds % 2 == 1 ? ratios[rounds / 2] : (ratios[rounds / 2 - 1] + ratios[rounds / 2]) / 2;
    Result j = merge(journalRounds);
    Result raw = merge(rawRounds);
    return new JsonObject().put("rung", rung.number()).put("name", rung.name())
      .put("eventsPerAppend", rung.eventsPerAppend()).put("writers", rung.writers())
      .put("events", j.events()).put("journal", j.json()).put("raw", raw.json())
      .put("ratio", round(ratio))
      .put("ratioOfTotals", round(j.eventsPerSecond() / raw.eventsPerSecond()));
  }

  private int scaled(int events) {
    return Math.max(100, (int) Math.round(events * scale));
  }

  /**
   * {@code writers} streams appended to at once, each by appends of {@code eventsPerAppend}, until done. Runs on
   * one event-loop context, as a verticle would: the pool then hands it connections of the same event loop, and
   * neither side pays for hopping between threads.
   */
  private static Result run(Context context, Rung rung, Writer writer, String runId, int events) {
    int appendsPerWriter = Math.max(1, events / rung.eventsPerAppend() / rung.writers());
    long[] latencies = new long[appendsPerWriter * rung.writers()];
    AtomicInteger next = new AtomicInteger();
    Promise<Long> done = Promise.promise();
    context.runOnContext(v -> {
      List<Future<Void>> writers = new ArrayList<>();
      long start = System.nanoTime();
      for (int w = 0; w < rung.writers(); w++) {
        writers.add(appendLoop(writer, runId + "-" + w, 0, appendsPerWriter, rung.eventsPerAppend(), latencies,
          next));
      }
      Future.all(writers).onSuccess(all -> done.complete(System.nanoTime() - start)).onFailure(done::fail);
    });
    long nanos = done.future().await();
    return new Result((long) appendsPerWriter * rung.writers() * rung.eventsPerAppend(), nanos, latencies);
  }

  private static Future<Void> appendLoop(Writer writer, String stream, long version, int remaining,
                                         int eventsPerAppend, long[] latencies, AtomicInteger next) {
    if (remaining == 0) {
      return Future.succeededFuture();
    }
    List<NewEvent> events = new ArrayList<>(eventsPerAppend);
    for (int i = 0; i < eventsPerAppend; i++) {
      events.add(event());
    }
    long start = System.nanoTime();
    return writer.write(stream, version, events).compose(v -> {
      latencies[next.getAndIncrement()] = System.nanoTime() - start;
      return appendLoop(writer, stream, version + eventsPerAppend, remaining - 1, eventsPerAppend, latencies, next);
    });
  }

  /** A typical small event: an order placed. */
  private static NewEvent event() {
    UUID id = UUID.randomUUID();
    return new NewEvent(id, "portfolio.order-placed", 1, new JsonObject()
      .put("orderId", id.toString()).put("symbol", "ACME").put("side", "buy").put("shares", 100)
      .put("limitPrice", "123.45"), EventMetadata.NONE, Set.of());
  }

  /** The baseline: a single-row INSERT per event, or one multi-row unnest INSERT for many. */
  private static Future<Void> raw(Pool pool, String stream, long version, List<NewEvent> events) {
    if (events.size() == 1) {
      NewEvent e = events.getFirst();
      return pool.preparedQuery(RAW_SINGLE).execute(Tuple.of(stream, version + 1, e.eventId(), e.type(),
          e.schemaVersion(), e.payload()).addValue(new JsonObject()).addValue(new String[0]))
        .mapEmpty();
    }
    int n = events.size();
    String[] streams = new String[n];
    Long[] versions = new Long[n];
    UUID[] ids = new UUID[n];
    String[] types = new String[n];
    Integer[] schemaVersions = new Integer[n];
    String[] payloads = new String[n];
    String[] metadata = new String[n];
    String[] tags = new String[n];
    for (int i = 0; i < n; i++) {
      NewEvent e = events.get(i);
      streams[i] = stream;
      versions[i] = version + i + 1;
      ids[i] = e.eventId();
      types[i] = e.type();
      schemaVersions[i] = e.schemaVersion();
      payloads[i] = e.payload().encode();
      metadata[i] = "{}";
      tags[i] = "{}";
    }
    return pool.preparedQuery(RAW_MULTI).execute(Tuple.of(streams, versions, ids, types, schemaVersions, payloads)
      .addValue(metadata).addValue(tags)).mapEmpty();
  }

  private static Result merge(List<Result> rounds) {
    long events = 0;
    long nanos = 0;
    List<long[]> all = new ArrayList<>();
    for (Result r : rounds) {
      events += r.events();
      nanos += r.nanos();
      all.add(r.latencies());
    }
    long[] latencies = all.stream().flatMapToLong(Arrays::stream).toArray();
    return new Result(events, nanos, latencies);
  }

  private static void printTable(JsonObject report) {
    System.out.printf("%n%-30s %8s | %10s %8s %8s | %10s %8s %8s | %6s%n", "rung", "events",
      "journal/s", "p50 ms", "p99 ms", "raw/s", "p50 ms", "p99 ms", "ratio");
    for (Object o : report.getJsonArray("rungs")) {
      JsonObject r = (JsonObject) o;
      JsonObject j = r.getJsonObject("journal");
      JsonObject raw = r.getJsonObject("raw");
      System.out.printf("%-30s %8d | %10d %8.2f %8.2f | %10d %8.2f %8.2f | %6.2f%n",
        r.getInteger("rung") + ". " + r.getString("name"), r.getLong("events"),
        j.getLong("eventsPerSecond"), j.getDouble("p50Ms"), j.getDouble("p99Ms"),
        raw.getLong("eventsPerSecond"), raw.getDouble("p50Ms"), raw.getDouble("p99Ms"), r.getDouble("ratio"));
    }
    System.out.println("events/s over all rounds; ratio: median over rounds of journal/raw events/s");
  }

  private static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }
}
