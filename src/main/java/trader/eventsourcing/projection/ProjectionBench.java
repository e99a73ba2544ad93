package trader.eventsourcing.projection;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import trader.eventsourcing.journal.Journal;
import trader.eventsourcing.journal.JournalNotifications;
import trader.eventsourcing.journal.NewEvent;
import trader.eventsourcing.journal.Position;
import trader.eventsourcing.journal.StoredEvent;
import trader.eventsourcing.journal.Upcasters;
import trader.platform.BenchReport;
import trader.platform.ScratchDatabase;
import trader.platform.Settings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code trader bench projection}: how fast a read side catches up over the journal compared with a raw tail scan of
 * the same rows in the same database, and how soon a committed event is visible in a live read side.
 */
@Command(name = "projection", mixinStandardHelpOptions = true,
  description = "Projection catch-up vs a raw tail scan, and commit-to-visible latency under a steady write rate.")
public final class ProjectionBench implements Callable<Integer> {

  @Option(names = "--config", paramLabel = "FILE", description = "A JSON configuration file over the defaults.")
  Path config;

  @Option(names = "--events", defaultValue = "1000000", description = "journal events to catch up over")
  int events;

  @Option(names = "--batch", defaultValue = "2000", description = "events per projection transaction")
  int batch;

  @Option(names = "--rate", defaultValue = "5000", description = "events/s written during the latency run")
  int rate;

  @Option(names = "--seconds", defaultValue = "20", description = "length of the latency run")
  int seconds;

  @Option(names = "--json", description = "print one JSON object instead of a table")
  boolean json;

  @Override
  public Integer call() throws Exception {
    Settings settings = BenchReport.settings(config);
    Vertx vertx = trader.platform.Cluster.localVertx();
    try (ScratchDatabase scratch = ScratchDatabase.create(vertx, settings, "bench_projection")) {
      Pool pool = scratch.database().pool(vertx);
      BenchReport report = new BenchReport("projection", scratch.serverVersion());
      fill(pool, events);

      double rawRate = rawScan(pool);
      report.row("raw tail scan", "events/s", rawRate, null);

      Journal journal = Journal.create(vertx, pool, Upcasters.none());
      JournalNotifications notifications = JournalNotifications.start(vertx, scratch.database().connectOptions());
      Projections runtime = Projections.create(vertx, scratch.database().connectOptions(), journal, notifications,
        new SimpleMeterRegistry(), ProjectionOptions.DEFAULT.withBatchSize(batch)).register(new UpsertPerEvent());
      long start = System.nanoTime();
      while (applied(pool) < events) {
        Thread.sleep(20);
      }
      double catchUp = events / ((System.nanoTime() - start) / 1e9);
      report.row("projection catch-up (1 upsert per event)", "events/s", catchUp, catchUp / rawRate);

      List<Long> latencies = latency(vertx, journal);
      report.latency("commit-to-visible at " + rate + " events/s", latencies);
      runtime.close().await();
      notifications.close().await();
      report.print(json, System.out);
    } finally {
      vertx.close().await();
    }
    return 0;
  }

  /** {@code count} events over 10,000 streams, written by SQL in chunks of 100,000 (one transaction each). */
  public static void fill(Pool pool, long count) {
    for (long from = 0; from < count; from += 100_000) {
      long to = Math.min(count, from + 100_000) - 1;
      pool.query("insert into journal (stream_id, version, event_id, event_type, schema_version, payload) "
        + "select 'stream-' || (i % 10000), (i / 10000) + 1, gen_random_uuid(), 'bench.counted', 1, "
        + "jsonb_build_object('amount', i % 1000) from generate_series(" + from + ", " + to + ") i").execute().await();
    }
    pool.query("analyze journal").execute().await();
  }

  /** Reads every row in commit-safe order with the journal's own page size and columns, decoding each payload. */
  private double rawScan(Pool pool) {
    long start = System.nanoTime();
    long tx = 0;
    long seq = 0;
    long rows = 0;
    while (true) {
      RowSet<Row> page = pool.preparedQuery("select position, transaction_id::text as tx, stream_id, version, "
          + "event_id, event_type, schema_version, payload, metadata, tags, created_at from journal "
          + "where transaction_id < pg_snapshot_xmin(pg_current_snapshot()) "
          + "and (transaction_id, position) > ($1::text::xid8, $2) order by journal.transaction_id, journal.position limit $3")
        .execute(Tuple.of(String.valueOf(tx), seq, batch)).await();
      if (page.size() == 0) {
        break;
      }
      for (Row r : page) {
        r.getJsonObject("payload");
        tx = Long.parseLong(r.getString("tx"));
        seq = r.getLong("position");
        rows++;
      }
    }
    return rows / ((System.nanoTime() - start) / 1e9);
  }

  private static long applied(Pool pool) {
    return pool.query("select coalesce(sum(events_applied), 0) from projection_offsets where name = 'bench_rows'")
      .execute().await().iterator().next().getLong(0);
  }

  /**
   * Appends single events at {@link #rate} per second; an event is visible when a progress message of the read side
   * (published after its commit) covers its position. Latency = that moment minus the append's acknowledgement.
   */
  private List<Long> latency(Vertx vertx, Journal journal) throws InterruptedException {
    record Pending(Position position, long ackedAt) { }
    ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();
    List<Long> latencies = new ArrayList<>();
    vertx.eventBus().<JsonObject>consumer(ShardRunner.PROGRESS_ADDRESS, msg -> {
      Position passed = Position.parse(msg.body().getString("position"));
      long now = System.nanoTime();
      synchronized (latencies) {
        pending.removeIf(p -> {
          if (!p.position().isAfter(passed)) {
            latencies.add((now - p.ackedAt()) / 1000);
            return true;
          }
          return false;
        });
      }
    });
    long[] versions = new long[1000];
    int perTick = Math.max(1, rate / 100);
    long timer = vertx.setPeriodic(10, t -> {
      for (int i = 0; i < perTick; i++) {
        int stream = (int) (Math.random() * versions.length);
        long expected = versions[stream];
        versions[stream]++;
        journal.append("live-" + stream, expected, List.of(new NewEvent(UUID.randomUUID(), "bench.counted", 1,
            new JsonObject().put("amount", 1), null, null)))
          .onSuccess(a -> pending.add(new Pending(a.position(), System.nanoTime())));
      }
    });
    Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
    vertx.cancelTimer(timer);
    Thread.sleep(1000);
    synchronized (latencies) {
      return new ArrayList<>(latencies);
    }
  }

  /** The benchmark's read side: one row per event, upserted by event id. */
  static final class UpsertPerEvent implements Projection {
    @Override
    public String name() {
      return "bench_rows";
    }

    @Override
    public boolean handles(StoredEvent event) {
      return event.type().equals("bench.counted");
    }

    @Override
    public List<String> tables() {
      return List.of("bench_rows");
    }

    @Override
    public Future<Void> createTables(SqlConnection connection) {
      // keyed by journal position: one row per event, as a history or audit read side is
      return connection.query("create table bench_rows (position bigint primary key, event_id uuid not null, "
        + "stream_id text not null, amount bigint not null)").execute().mapEmpty();
    }

    @Override
    public Future<Void> apply(SqlConnection connection, List<StoredEvent> events) {
      Long[] positions = new Long[events.size()];
      UUID[] ids = new UUID[events.size()];
      String[] streams = new String[events.size()];
      Long[] amounts = new Long[events.size()];
      for (int i = 0; i < ids.length; i++) {
        StoredEvent e = events.get(i);
        positions[i] = e.position().sequence();
        ids[i] = e.eventId();
        streams[i] = e.streamId();
        amounts[i] = e.payload().getLong("amount", 0L);
      }
      return connection.preparedQuery("insert into bench_rows (position, event_id, stream_id, amount) "
          + "select * from unnest($1::bigint[], $2::uuid[], $3::text[], $4::bigint[]) "
          + "on conflict (position) do update set amount = excluded.amount")
        .execute(Tuple.of(positions, ids, streams, amounts)).mapEmpty();
    }
  }
}
