package trader.eventsourcing.projection;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.eventsourcing.journal.Appended;
import trader.eventsourcing.journal.Journal;
import trader.eventsourcing.journal.NewEvent;
import trader.eventsourcing.journal.Position;
import trader.eventsourcing.journal.StoredEvent;
import trader.eventsourcing.journal.Upcasters;
import trader.testing.ProjectionRig;
import trader.testing.TestDatabase;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProjectionTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase();

  Vertx vertx;
  Pool pool;
  Journal journal;
  ProjectionRig rig;

  @BeforeEach
  void setUp() {
    rig = new ProjectionRig(db);
    vertx = rig.vertx();
    pool = rig.pool();
    journal = rig.journal();
    // each test folds the whole journal: start from an empty one
    pool.query("truncate journal, projection_versions, projection_offsets").execute().await();
  }

  @AfterEach
  void tearDown() {
    rig.close();
  }

  Projections runtime(Projection projection) {
    return rig.runtime(projection);
  }

  /** Writes {@code perStream} counted events (amount = version) to each of {@code streams} streams, concurrently. */
  List<Appended> write(String prefix, int streams, int perStream) {
    List<Future<Appended>> appends = new ArrayList<>();
    for (int s = 0; s < streams; s++) {
      String stream = prefix + "-" + s;
      Future<Appended> chain = Future.succeededFuture(new Appended(stream, 0, null));
      for (int v = 1; v <= perStream; v++) {
        int version = v;
        chain = chain.compose(a -> journal.append(stream, a.version(),
          List.of(NewEvent.of(StreamTotals.TYPE, new JsonObject().put("amount", version)))));
      }
      appends.add(chain);
    }
    return Future.all(appends).await().list();
  }

  Map<String, List<Long>> fold(String name) {
    Map<String, List<Long>> expected = new TreeMap<>();
    for (Row r : pool.query("select stream_id, count(*) as n, sum((payload->>'amount')::bigint) as amount from journal "
      + "where event_type = '" + StreamTotals.TYPE + "' group by stream_id").execute().await()) {
      expected.put(r.getString("stream_id"), List.of(r.getLong("n"), r.getLong("amount")));
    }
    return expected;
  }

  Map<String, List<Long>> view(String name) {
    Map<String, List<Long>> actual = new TreeMap<>();
    for (Row r : pool.query("select stream_id, events, amount from " + name + "_totals").execute().await()) {
      actual.put(r.getString("stream_id"), List.of(r.getLong("events"), r.getLong("amount")));
    }
    return actual;
  }

  long count(String sql) {
    return pool.query(sql).execute().await().iterator().next().getLong(0);
  }

  /** Runs {@code projection} and returns a progress tracker that has waited for it to apply one event. */
  ProjectionProgress trackerPastOneEvent(StreamTotals projection) {
    runtime(projection);
    ProjectionProgress progress = ProjectionProgress.create(vertx, pool);
    Appended appended = journal.append(projection.name() + "-0", 0, List.of(NewEvent.of(StreamTotals.TYPE,
      new JsonObject().put("amount", 1)))).await();
    progress.await(projection.name(), appended.position(), Duration.ofSeconds(5)).await();
    return progress;
  }

  static void eventually(BooleanSupplier condition, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!holds(condition)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + timeout);
      }
      Thread.sleep(50);
    }
  }

  /** A condition over a read side that does not exist yet (its runner has not created it) does not hold yet. */
  private static boolean holds(BooleanSupplier condition) {
    try {
      return condition.getAsBoolean();
    } catch (io.vertx.pgclient.PgException notCreatedYet) {
      return false;
    }
  }

  @Test
  void tablesEqualTheFoldOfTheJournalAfterConcurrentWrites() throws Exception {
    StreamTotals projection = new StreamTotals("totals_sharded", 4);
    runtime(projection);
    write("acct", 60, 15);
    journal.append("other-1", 0, List.of(NewEvent.of("test.ignored", new JsonObject().put("amount", 99)))).await();
    eventually(() -> view(projection.name()).equals(fold(projection.name())), Duration.ofSeconds(30));
    assertThat(count("select count(*) from totals_sharded_applied")).isEqualTo(60 * 15);
    assertThat(count("select count(*) from projection_offsets where name = 'totals_sharded'")).isEqualTo(4);
  }

  @Test
  void failingEventStopsTheShardUntilResumedAndNothingIsSkipped() throws Exception {
    StreamTotals projection = new StreamTotals("totals_poison", 1);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    rig.runtime(projection, registry);
    write("before", 3, 2);
    journal.append("bad", 0, List.of(NewEvent.of(StreamTotals.TYPE, new JsonObject().put("amount", 5)
      .put("poison", true)))).await();
    write("after", 3, 2);

    eventually(() -> count("select count(*) from projection_offsets where name = 'totals_poison' "
      + "and stopped_reason is not null") == 1, Duration.ofSeconds(20));
    String reason = pool.query("select stopped_reason from projection_offsets where name = 'totals_poison'")
      .execute().await().iterator().next().getString(0);
    assertThat(reason).contains("stream bad version 1").contains("poisoned event");
    assertThat(registry.get("projection.stopped").tag("projection", "totals_poison").gauge().value()).isEqualTo(1.0);
    // everything before the poisoned event is applied, nothing after it
    assertThat(view("totals_poison")).containsOnlyKeys("before-0", "before-1", "before-2");

    projection.poisonFails.set(false);
    assertThat(ProjectionControl.resume(pool, "totals_poison").await()).isEqualTo(1);
    eventually(() -> view("totals_poison").equals(fold("totals_poison")), Duration.ofSeconds(20));
    assertThat(registry.get("projection.stopped").tag("projection", "totals_poison").gauge().value()).isZero();
  }

  /**
   * An event committed while an older transaction is still open is invisible to tailers (they read below the
   * snapshot's xmin), and that older transaction's end is announced by nobody: the runner must look again by itself,
   * not wait for the next commit or its poll timer (a minute here).
   */
  @Test
  void eventHiddenBehindAnOpenTransactionIsAppliedWhenThatTransactionEnds() throws Exception {
    StreamTotals projection = new StreamTotals("totals_hidden", 1);
    ProjectionOptions slow = new ProjectionOptions(100, Duration.ofMinutes(1), Duration.ofMillis(200), 3,
      Duration.ofMillis(20));
    trader.eventsourcing.journal.JournalNotifications quiet =
      trader.eventsourcing.journal.JournalNotifications.start(vertx, db.options(), Duration.ofMinutes(1));
    Projections runtime = Projections.create(vertx, db.options(), journal, quiet, new SimpleMeterRegistry(), slow)
      .register(projection);
    try {
      journal.append("seen-0", 0, List.of(NewEvent.of(StreamTotals.TYPE, new JsonObject().put("amount", 1))))
        .await();
      eventually(() -> view("totals_hidden").containsKey("seen-0"), Duration.ofSeconds(20));

      io.vertx.pgclient.PgConnection older = io.vertx.pgclient.PgConnection.connect(vertx, db.options()).await();
      var tx = older.begin().await();
      older.query("select pg_current_xact_id()").execute().await(); // now it has a transaction id, below the next
      journal.append("hidden-0", 0, List.of(NewEvent.of(StreamTotals.TYPE, new JsonObject().put("amount", 2))))
        .await();
      Thread.sleep(300); // the runner was told, read, and could not see it
      assertThat(view("totals_hidden")).doesNotContainKey("hidden-0");

      tx.commit().await(); // ends without touching the journal: no notification
      older.close().await();
      eventually(() -> view("totals_hidden").containsKey("hidden-0"), Duration.ofSeconds(10));
    } finally {
      runtime.close().await();
      quiet.close().await();
    }
  }

  /**
   * An apply that throws (instead of failing its future) fails its batch like any other failure: the transaction is
   * rolled back, the shard stops on the event, and the other projections go on (an open transaction would hide every
   * later event from every tailer).
   */
  @Test
  void applyThatThrowsStopsItsShardOnlyAndLeavesNoTransactionOpen() throws Exception {
    StreamTotals thrower = new StreamTotals("totals_thrown", 1);
    thrower.poisonThrows = true;
    StreamTotals bystander = new StreamTotals("totals_bystander", 1);
    bystander.poisonFails.set(false);
    runtime(thrower);
    runtime(bystander);
    write("before", 2, 2);
    journal.append("bad", 0, List.of(NewEvent.of(StreamTotals.TYPE, new JsonObject().put("amount", 5)
      .put("poison", true)))).await();
    write("after", 3, 2);

    eventually(() -> view("totals_bystander").equals(fold("totals_bystander")), Duration.ofSeconds(20));
    eventually(() -> count("select count(*) from projection_offsets where name = 'totals_thrown' "
      + "and stopped_reason like '%poisoned event (thrown)%'") == 1, Duration.ofSeconds(20));
    assertThat(count("select count(*) from pg_stat_activity where datname = current_database() "
      + "and state like 'idle in transaction%'")).isZero();
  }

  @Test
  void queryWithTheCommandsPositionSeesItsEffect() throws Exception {
    StreamTotals projection = new StreamTotals("totals_ryw", 2);
    runtime(projection);
    ProjectionProgress progress = ProjectionProgress.create(vertx, pool);
    for (int i = 0; i < 20; i++) {
      Appended appended = journal.append("ryw-" + i, 0, List.of(NewEvent.of(StreamTotals.TYPE,
        new JsonObject().put("amount", i)))).await();
      progress.await("totals_ryw", appended.position(), Duration.ofSeconds(2)).await();
      assertThat(count("select count(*) from totals_ryw_totals where stream_id = 'ryw-" + i + "'")).isEqualTo(1);
    }
    // a position the read side will not reach in time fails clearly
    var unreachable = new trader.eventsourcing.journal.Position(Long.MAX_VALUE, Long.MAX_VALUE);
    assertThatThrownBy(() -> progress.await("totals_ryw", unreachable, Duration.ofMillis(300)).await())
      .isInstanceOf(ProjectionLagException.class).hasMessageContaining("totals_ryw");
    progress.close().await();
  }

  /**
   * Waiters are released by the runners' progress messages themselves (no offsets read in between), and only by
   * messages of the active version: a runner of another version says nothing about what readers see.
   */
  @Test
  void progressMessagesOfTheActiveVersionReleaseWaiters() throws Exception {
    ProjectionProgress progress = trackerPastOneEvent(new StreamTotals("totals_told", 2));

    var far = new trader.eventsourcing.journal.Position(Long.MAX_VALUE - 1, 1);
    Future<Void> waiting = progress.await("totals_told", far, Duration.ofSeconds(3));
    for (int shard = 0; shard < 2; shard++) {
      vertx.eventBus().publish(ShardRunner.PROGRESS_ADDRESS, new JsonObject().put("projection", "totals_told")
        .put("shard", shard).put("version", 2).put("position", far.toString()));
    }
    Thread.sleep(300);
    assertThat(waiting.isComplete()).isFalse();
    for (int shard = 0; shard < 2; shard++) {
      vertx.eventBus().publish(ShardRunner.PROGRESS_ADDRESS, new JsonObject().put("projection", "totals_told")
        .put("shard", shard).put("version", 1).put("position", far.toString()));
    }
    waiting.await(2, TimeUnit.SECONDS);
    progress.close().await();
  }

  /**
   * Pages a runner has nothing to apply from are not each written to {@code projection_offsets} (that was one
   * transaction per runner per page): readers still pass them at once (progress messages), and the offset is recorded
   * at most every {@link ShardRunner#UNRECORDED_MS} while busy and soon once idle.
   */
  @Test
  void pagesWithNothingToApplyAreNotEachRecorded() throws Exception {
    pool.query("drop table if exists offset_writes").execute().await();
    pool.query("create table offset_writes (at timestamptz default clock_timestamp())").execute().await();
    pool.query("""
      create or replace function count_offset_write() returns trigger language plpgsql as $$
      begin insert into offset_writes default values; return new; end $$""").execute().await();
    pool.query("""
      create trigger count_offset_write after update on projection_offsets for each row
      when (new.name = 'totals_quiet') execute function count_offset_write()""").execute().await();
    try {
      StreamTotals projection = new StreamTotals("totals_quiet", 1);
      runtime(projection);
      Appended first = journal.append("mine-1", 0, List.of(NewEvent.of(StreamTotals.TYPE,
        new JsonObject().put("amount", 1)))).await();
      ProjectionProgress progress = ProjectionProgress.create(vertx, pool);
      progress.await("totals_quiet", first.position(), Duration.ofSeconds(10)).await();
      long writesBefore = count("select count(*) from offset_writes");
      long start = System.nanoTime();
      Appended last = null;
      for (int i = 0; i < 300; i++) {
        // one commit each, none for this projection: each wakes the runner for a page of its own
        last = journal.append("other-" + i, 0, List.of(NewEvent.of("test.ignored", new JsonObject()))).await();
      }
      progress.await("totals_quiet", last.position(), Duration.ofSeconds(10)).await();
      double seconds = (System.nanoTime() - start) / 1e9;
      long writes = count("select count(*) from offset_writes") - writesBefore;
      // one per UNRECORDED_MS at most while it ran (plus the edges), not one per page
      assertThat(writes).isLessThanOrEqualTo(2 + (long) Math.ceil(seconds * 1000 / ShardRunner.UNRECORDED_MS));
      Position head = last.position();
      eventually(() -> count("select count(*) from projection_offsets where name = 'totals_quiet' "
        + "and transaction_id = " + head.transactionId() + " and sequence = " + head.sequence()) == 1,
        Duration.ofSeconds(10));
      progress.close().await();
    } finally {
      pool.query("drop trigger if exists count_offset_write on projection_offsets").execute().await();
      pool.query("drop table if exists offset_writes").execute().await();
    }
  }

  @Test
  void aRunnerHoldingABatchThroughASwapReloadsThoughThatBatchFailsAgainstTheNewVersion() throws Exception {
    StreamTotals projection = new StreamTotals("totals_held", 1);
    runtime(projection);
    write("before", 2, 3);
    eventually(() -> view("totals_held").equals(fold("totals_held")), Duration.ofSeconds(30));
    Promise<Void> gate = Promise.promise();
    projection.gate = gate;
    write("held", 1, 1);
    projection.gateReached.get(20, TimeUnit.SECONDS);

    // a rebuild applies the held event to version 2 and swaps (dropping version 1) while the runner holds it
    assertThat(ProjectionRebuild.run(vertx, db.options(), journal, new StreamTotals("totals_held", 1), 50,
      (done, total) -> { }).await()).isEqualTo(2);
    projection.gate = null;
    gate.complete();

    // its batch, applied through the public views to version 2, fails on the event already there: the runner must
    // still see the swap and go on with version 2
    write("after", 2, 2);
    eventually(() -> view("totals_held").equals(fold("totals_held")), Duration.ofSeconds(30));
  }

  /**
   * With a batch interval, a runner that has just written holds its next batch back until the interval has passed,
   * so events committed one by one meanwhile go in one transaction; one that has not written for that long starts at
   * once.
   */
  @Test
  void aBatchIntervalGathersTheEventsCommittedMeanwhileButDoesNotDelayAnIdleRunner() throws Exception {
    StreamTotals projection = new StreamTotals("totals_interval", 1);
    projection.interval = Duration.ofSeconds(3);
    runtime(projection);
    long start = System.nanoTime();
    write("first", 1, 1);
    eventually(() -> view("totals_interval").equals(fold("totals_interval")), Duration.ofSeconds(30));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("an idle runner's batch")
      .isLessThan(Duration.ofSeconds(2));
    assertThat(projection.batches.get()).isEqualTo(1);

    for (int i = 0; i < 5; i++) {
      write("next" + i, 1, 1); // five commits, 100 ms apart
      Thread.sleep(100);
    }
    Thread.sleep(500);
    assertThat(view("totals_interval")).as("held back within the interval").hasSize(1);
    eventually(() -> view("totals_interval").equals(fold("totals_interval")), Duration.ofSeconds(30));
    assertThat(projection.batches.get()).as("the five in one batch").isEqualTo(2);

    Thread.sleep(3500); // idle for longer than the interval since that batch: the next one starts at once
    start = System.nanoTime();
    write("later", 1, 1);
    eventually(() -> view("totals_interval").equals(fold("totals_interval")), Duration.ofSeconds(30));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("a runner idle since").isLessThan(Duration.ofSeconds(2));
    assertThat(projection.batches.get()).isEqualTo(3);
  }

  /**
   * A projection without tables (a publisher) records its offset at most every 500 ms; a runner that stops records
   * the offset in hand, so that the next owner does not publish its last pages again.
   */
  @Test
  void aStoppingPublisherRecordsTheOffsetInHand() throws Exception {
    List<UUID> published = Collections.synchronizedList(new ArrayList<>());
    Projection publisher = new Projection() {
      @Override
      public String name() {
        return "publish_stop";
      }

      @Override
      public boolean handles(StoredEvent event) {
        return event.type().equals(StreamTotals.TYPE);
      }

      @Override
      public Future<Void> prepare(List<StoredEvent> events) {
        events.forEach(e -> published.add(e.eventId()));
        return Future.succeededFuture();
      }

      @Override
      public Future<Void> apply(SqlConnection c, List<StoredEvent> e) {
        return Future.failedFuture(new IllegalStateException("never called without tables"));
      }
    };
    Projections runtime = runtime(publisher);
    List<Appended> written = write("stop", 3, 1);
    eventually(() -> published.size() == 3, Duration.ofSeconds(30));
    runtime.close().await();

    Position last = written.stream().map(Appended::position).max(Position::compareTo).orElseThrow();
    Row stored = pool.query("select transaction_id, sequence, events_applied from projection_offsets "
      + "where name = 'publish_stop'").execute().await().iterator().next();
    assertThat(new Position(stored.getLong("transaction_id"), stored.getLong("sequence"))).isEqualTo(last);
    assertThat(stored.getLong("events_applied")).isEqualTo(3);
  }

  @Test
  void rebuildFillsANewVersionWhileTheOldServesThenSwaps() throws Exception {
    StreamTotals projection = new StreamTotals("totals_rebuild", 2);
    runtime(projection);
    write("r", 40, 10);
    eventually(() -> view("totals_rebuild").equals(fold("totals_rebuild")), Duration.ofSeconds(30));

    AtomicLong lastDone = new AtomicLong();
    AtomicLong lastTotal = new AtomicLong();
    Future<Integer> rebuild = ProjectionRebuild.run(vertx, db.options(), journal, projection, 50, (done, total) -> {
      lastDone.set(done);
      lastTotal.set(total);
    });
    // writes and reads go on during the rebuild
    write("during", 20, 5);
    assertThat(view("totals_rebuild")).isNotEmpty();
    assertThat(rebuild.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS)).isEqualTo(2);
    assertThat(lastDone.get()).isGreaterThanOrEqualTo(400).isEqualTo(Math.max(lastTotal.get(), lastDone.get()));

    write("after", 10, 3);
    eventually(() -> view("totals_rebuild").equals(fold("totals_rebuild")), Duration.ofSeconds(30));
    assertThat(count("select active_version from projection_versions where name = 'totals_rebuild'")).isEqualTo(2);
    assertThat(count("select count(*) from pg_namespace where nspname = 'totals_rebuild_v1'")).isZero();
    assertThat(count("select count(*) from totals_rebuild_applied")).isEqualTo(40 * 10 + 20 * 5 + 10 * 3);
  }

  /**
   * Runners of the old version report pages they skipped without asking the database, until they notice a swap: once
   * a rebuild announced it, a tracker that had read the old version takes no more of that version's progress, and
   * the runners move to the new version without waiting for their next write.
   */
  @Test
  void afterASwapTheOldVersionsProgressReleasesNoWaiter() throws Exception {
    StreamTotals projection = new StreamTotals("totals_swap", 1);
    ProjectionProgress progress = trackerPastOneEvent(projection); // the tracker read version 1

    assertThat(ProjectionRebuild.run(vertx, db.options(), journal, projection, 50, (done, total) -> { })
      .await(30, TimeUnit.SECONDS)).isEqualTo(2);
    var far = new Position(Long.MAX_VALUE - 1, 1);
    Future<Void> waiting = progress.await("totals_swap", far, Duration.ofSeconds(3));
    vertx.eventBus().publish(ShardRunner.PROGRESS_ADDRESS, new JsonObject().put("projection", "totals_swap")
      .put("shard", 0).put("version", 1).put("position", far.toString()));
    Thread.sleep(300);
    assertThat(waiting.isComplete()).as("released by the old version's progress").isFalse();
    // the runner took the new version: events after the swap are applied there
    journal.append("totals_swap-0", 1, List.of(NewEvent.of(StreamTotals.TYPE, new JsonObject().put("amount", 2))))
      .await();
    eventually(() -> view("totals_swap").equals(fold("totals_swap")), Duration.ofSeconds(10));
    progress.close().await();
  }

  @Test
  void oneRunnerPerShardAndTheOtherNodeTakesOver() throws Exception {
    StreamTotals projection = new StreamTotals("totals_nodes", 3);
    Vertx otherVertx = Vertx.vertx();
    try {
      Projections first = runtime(projection);
      eventually(() -> first.runningHere() == 3, Duration.ofSeconds(10));
      Projections second = Projections.create(otherVertx, db.options(), Journal.create(otherVertx,
        db.database().pool(otherVertx), Upcasters.none()), null, new SimpleMeterRegistry(), ProjectionRig.FAST)
        .register(projection);
      write("n", 30, 4);
      eventually(() -> view("totals_nodes").equals(fold("totals_nodes")), Duration.ofSeconds(20));
      assertThat(second.runningHere()).isZero();
      // only the owners hold a connection (and on it the lock); the others try again every lockRetry
      assertThat(count("select count(*) from pg_stat_activity where application_name like 'projection:totals_nodes:%'"))
        .isEqualTo(3);

      long start = System.nanoTime();
      first.close().await();
      eventually(() -> second.runningHere() == 3, Duration.ofSeconds(10));
      System.out.printf("takeover of 3 shards in %d ms%n", (System.nanoTime() - start) / 1_000_000);
      write("m", 30, 4);
      eventually(() -> view("totals_nodes").equals(fold("totals_nodes")), Duration.ofSeconds(20));
      assertThat(count("select count(*) from totals_nodes_applied")).isEqualTo(30 * 4 * 2);
      second.close().await();
    } finally {
      otherVertx.close().await();
    }
  }
}
