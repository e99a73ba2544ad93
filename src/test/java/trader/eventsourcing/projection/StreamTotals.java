package trader.eventsourcing.projection;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import trader.eventsourcing.journal.StoredEvent;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A test read side: per stream, how many "counted" events and the sum of their amounts; and every applied event
 * id with a primary key, so applying an event twice fails loudly instead of counting twice.
 */
final class StreamTotals implements Projection {

  static final String TYPE = "test.counted";
  final AtomicBoolean poisonFails = new AtomicBoolean(true);
  /** Whether a poisoned event makes apply throw instead of failing its future. */
  volatile boolean poisonThrows;
  /** A pause inside each batch's transaction, so that a test can kill a runner mid-batch. */
  volatile double slowSeconds;
  /** While set, batches wait in {@link #prepare} (before their transaction) until it completes; they say so here. */
  volatile Promise<Void> gate;
  /** What {@link #batchInterval} answers. */
  volatile java.time.Duration interval = java.time.Duration.ZERO;
  /** Batches applied (rolled back ones included). */
  final java.util.concurrent.atomic.AtomicInteger batches = new java.util.concurrent.atomic.AtomicInteger();
  final CompletableFuture<Void> gateReached = new CompletableFuture<>();
  private final String name;
  private final int shards;

  StreamTotals(String name, int shards) {
    this.name = name;
    this.shards = shards;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int shards() {
    return shards;
  }

  @Override
  public boolean handles(StoredEvent event) {
    return event.type().equals(TYPE);
  }

  @Override
  public java.time.Duration batchInterval() {
    return interval;
  }

  @Override
  public List<String> tables() {
    return List.of(name + "_totals", name + "_applied");
  }

  @Override
  public Future<Void> createTables(SqlConnection c) {
    return c.query("create table " + name + "_totals (stream_id text primary key, events bigint not null, "
        + "amount bigint not null)").execute()
      .compose(r -> c.query("create table " + name + "_applied (event_id uuid primary key)").execute())
      .mapEmpty();
  }

  @Override
  public Future<Void> prepare(List<StoredEvent> events) {
    Promise<Void> g = gate;
    if (g == null) {
      return Future.succeededFuture();
    }
    gateReached.complete(null);
    return g.future();
  }

  @Override
  public Future<Void> apply(SqlConnection c, List<StoredEvent> events) {
    batches.incrementAndGet();
    List<Tuple> totals = new ArrayList<>();
    List<Tuple> applied = new ArrayList<>();
    for (StoredEvent e : events) {
      if (e.payload().getBoolean("poison", false) && poisonFails.get() && poisonThrows) {
        throw new IllegalArgumentException("poisoned event (thrown)");
      }
      if (e.payload().getBoolean("poison", false) && poisonFails.get()) {
        return Future.failedFuture(new IllegalStateException("poisoned event"));
      }
      totals.add(Tuple.of(e.streamId(), e.payload().getLong("amount", 0L)));
      applied.add(Tuple.of(e.eventId()));
    }
    Future<?> pause = slowSeconds > 0 ? c.query("select pg_sleep(" + slowSeconds + ")").execute()
      : Future.succeededFuture();
    return pause.compose(x -> c.preparedQuery("insert into " + name + "_applied (event_id) values ($1)")
        .executeBatch(applied))
      .compose(r -> c.preparedQuery("insert into " + name + "_totals (stream_id, events, amount) values ($1, 1, $2) "
        + "on conflict (stream_id) do update set events = " + name + "_totals.events + 1, "
        + "amount = " + name + "_totals.amount + excluded.amount").executeBatch(totals))
      .mapEmpty();
  }
}
