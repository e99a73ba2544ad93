package trader.eventsourcing.projection;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.eventsourcing.journal.Appended;
import trader.eventsourcing.journal.NewEvent;
import trader.eventsourcing.journal.Position;
import trader.platform.Cluster;
import trader.platform.Settings;
import trader.testing.NodeProcess;
import trader.testing.ProjectionRig;
import trader.testing.TestDatabase;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runners tell their own node's read-your-writes tracker how far they got by a direct call, and put it on the event
 * bus only for trackers that could not hear it otherwise: those of other nodes, or any while no tracker was given.
 */
class ProgressReportsTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase();

  /** A position no stored offset reaches: only reports can release a waiter for it. */
  private static final Position FAR = new Position(Long.MAX_VALUE - 1, 1);

  private ProjectionRig rig;
  private final List<Vertx> clustered = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() {
    rig = new ProjectionRig(db);
    rig.pool().query("truncate journal, projection_versions, projection_offsets").execute().await();
  }

  @AfterEach
  void tearDown() {
    rig.close();
    clustered.forEach(v -> v.close().await());
  }

  @Test
  void aNodeAloneTellsItsTrackerDirectlyAndPutsNothingOnTheEventBus() throws Exception {
    Vertx vertx = rig.vertx();
    List<JsonObject> onTheBus = listen(vertx, "totals_local");
    // the tracker reads the stored offsets through a pool of one connection, which the test can hold
    Pool trackerPool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1)).connectingTo(db.options())
      .using(vertx).build();
    ProjectionProgress progress = ProjectionProgress.create(vertx, trackerPool);
    rig.runtime(new StreamTotals("totals_local", 2), progress);
    try {
      Appended last = null;
      for (int i = 0; i < 6; i++) {
        last = append("local-" + i, 0);
      }
      progress.await("totals_local", last.position(), Duration.ofSeconds(10)).await();

      // with the tracker unable to read the offsets again, a waiter for an event of shard 0 alone is released only by
      // the runners' reports: shard 0's that it applied it, shard 1's that it passed its page with nothing to apply
      String streamOfShard0 = java.util.stream.IntStream.range(0, 100).mapToObj(i -> "only-0-" + i)
        .filter(id -> ProjectionSchema.shardOf(id, 2) == 0).findFirst().orElseThrow();
      SqlConnection held = trackerPool.getConnection().await();
      try {
        Appended onlyShard0 = append(streamOfShard0, 0);
        progress.await("totals_local", onlyShard0.position(), Duration.ofSeconds(5)).await();
      } finally {
        held.close().await();
      }

      // only reports can release a waiter for FAR: both shards', of the active version
      Future<Void> waiting = progress.await("totals_local", FAR, Duration.ofSeconds(5));
      ProgressReports reports = new ProgressReports(vertx);
      reports.reportTo(progress);
      reports.passed("totals_local", 0, 1, FAR);
      Thread.sleep(200);
      assertThat(waiting.isComplete()).as("one shard of two reported").isFalse();
      reports.passed("totals_local", 1, 1, FAR);
      waiting.await(2, TimeUnit.SECONDS);

      Thread.sleep(200); // a bus message would have been delivered by now
      assertThat(onTheBus).isEmpty();
    } finally {
      progress.close().await();
      trackerPool.close().await();
    }
  }

  /** After a swap the tracker takes no report of the old version, told directly or not. */
  @Test
  void aSwapToldDirectlyStopsReportsOfTheOldVersion() throws Exception {
    Vertx vertx = rig.vertx();
    ProjectionProgress progress = ProjectionProgress.create(vertx, rig.pool());
    rig.runtime(new StreamTotals("totals_old", 1), progress);
    try {
      progress.await("totals_old", append("old-1", 0).position(), Duration.ofSeconds(10)).await();
      ProgressReports reports = new ProgressReports(vertx);
      reports.reportTo(progress);
      Future<Void> waiting = progress.await("totals_old", FAR, Duration.ofSeconds(2));
      reports.swapped("totals_old", 2);
      reports.passed("totals_old", 0, 1, FAR);
      Thread.sleep(300);
      assertThat(waiting.isComplete()).as("released by the old version's report").isFalse();
    } finally {
      progress.close().await();
    }
  }

  /**
   * A rebuild a runner performs on request tells its own node's tracker of the swap itself: with the announcement
   * kept off this node's bus, the tracker still takes no report of the old version.
   */
  @Test
  void aRequestedRebuildTellsItsNodesTrackerOfTheSwap() throws Exception {
    Vertx vertx = rig.vertx();
    ProjectionProgress progress = ProjectionProgress.create(vertx, rig.pool());
    rig.runtime(new StreamTotals("totals_requested", 1), progress);
    Handler<DeliveryContext<Object>> dropSwaps = delivery -> {
      if (!ShardRunner.SWAPPED_ADDRESS.equals(delivery.message().address())) {
        delivery.next();
      }
    };
    vertx.eventBus().addOutboundInterceptor(dropSwaps);
    try {
      progress.await("totals_requested", append("requested-1", 0).position(), Duration.ofSeconds(10)).await();
      long request = ProjectionControl.requestRebuild(rig.pool(), "totals_requested").await();
      eventually(() -> ProjectionControl.rebuildStatus(rig.pool(), request).await().finished());
      assertThat(ProjectionControl.rebuildStatus(rig.pool(), request).await().newVersion()).isEqualTo(2);

      Future<Void> waiting = progress.await("totals_requested", FAR, Duration.ofSeconds(3));
      progress.reported("totals_requested", 0, 1, FAR);
      Thread.sleep(300);
      assertThat(waiting.isComplete()).as("released by the old version's report").isFalse();
    } finally {
      vertx.eventBus().removeOutboundInterceptor(dropSwaps);
      progress.close().await();
    }
  }

  /** In a cluster a report also goes on the bus: the tracker told it directly skips that copy, others take it. */
  @Test
  void aTrackerSkipsTheBusCopyOfAReportItWasToldDirectly() throws Exception {
    Vertx vertx = rig.vertx();
    ProjectionProgress told = ProjectionProgress.create(vertx, rig.pool());
    ProjectionProgress other = ProjectionProgress.create(vertx, rig.pool());
    rig.runtime(new StreamTotals("totals_copy", 1));
    try {
      Position appended = append("copy-1", 0).position();
      told.await("totals_copy", appended, Duration.ofSeconds(10)).await();
      other.await("totals_copy", appended, Duration.ofSeconds(10)).await();
      Future<Void> waitingOnTold = told.await("totals_copy", FAR, Duration.ofSeconds(5));
      Future<Void> waitingOnOther = other.await("totals_copy", FAR, Duration.ofSeconds(5));
      JsonObject report = new JsonObject().put("projection", "totals_copy").put("shard", 0).put("version", 1)
        .put("position", FAR.toString());

      vertx.eventBus().publish(ShardRunner.PROGRESS_ADDRESS, report,
        new io.vertx.core.eventbus.DeliveryOptions().addHeader(ProgressReports.TOLD_HEADER, told.id()));
      waitingOnOther.await(2, TimeUnit.SECONDS);
      Thread.sleep(200);
      assertThat(waitingOnTold.isComplete()).as("the tracker named as told took the copy").isFalse();

      vertx.eventBus().publish(ShardRunner.PROGRESS_ADDRESS, report);
      waitingOnTold.await(2, TimeUnit.SECONDS);
    } finally {
      told.close().await();
      other.close().await();
    }
  }

  @Test
  void withoutATrackerReportsGoOnTheEventBus() {
    Vertx vertx = rig.vertx();
    List<JsonObject> onTheBus = listen(vertx, "totals_bus");
    new ProgressReports(vertx).passed("totals_bus", 1, 3, new Position(42, 7));
    eventually(() -> onTheBus.size() == 1);
    assertThat(onTheBus.get(0)).isEqualTo(new JsonObject().put("projection", "totals_bus").put("shard", 1)
      .put("version", 3).put("position", new Position(42, 7).toString()));
  }

  @Test
  void inAClusterOfTwoTheOtherNodeHearsItOnTheEventBus() throws Exception {
    int portA = NodeProcess.freePort();
    int portB = NodeProcess.freePort();
    Vertx a = clusteredNode(portA, portA, portB);
    List<JsonObject> heardByA = listen(a, "totals_cluster");
    Pool poolA = db.database().pool(a);
    ProjectionProgress progressA = ProjectionProgress.create(a, poolA);
    ProgressReports reports = new ProgressReports(a);
    reports.reportTo(progressA);

    // alone in its cluster, a node keeps its reports off the event bus
    reports.passed("totals_cluster", 0, 1, new Position(4, 1));
    Thread.sleep(300);
    assertThat(heardByA).isEmpty();

    Vertx b = clusteredNode(portB, portA, portB);
    List<JsonObject> heardByB = listen(b, "totals_cluster");
    List<String> toldOnB = new CopyOnWriteArrayList<>();
    b.eventBus().consumer(ShardRunner.PROGRESS_ADDRESS, m -> toldOnB.add(m.headers().get(ProgressReports.TOLD_HEADER)))
      .completion().await();

    // B's consumer reaches A's view of the cluster's registrations a little after it is registered
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (heardByB.isEmpty() && System.nanoTime() < deadline) {
      reports.passed("totals_cluster", 0, 1, new Position(5, 1));
      Thread.sleep(100);
    }
    assertThat(heardByB).isNotEmpty();
    assertThat(heardByB.get(0).getString("position")).isEqualTo(new Position(5, 1).toString());
    // the copy names A's tracker, told directly, which skips it (aTrackerSkipsTheBusCopyOfAReportItWasToldDirectly)
    assertThat(toldOnB).contains(progressA.id());
  }

  private Appended append(String stream, long expectedVersion) {
    return rig.journal().append(stream, expectedVersion, List.of(NewEvent.of(StreamTotals.TYPE,
      new JsonObject().put("amount", 1)))).await();
  }

  private Vertx clusteredNode(int port, int portA, int portB) {
    Settings settings = Settings.of(Map.of("cluster.port", port,
      "cluster.members", "127.0.0.1:" + portA + ",127.0.0.1:" + portB));
    VertxOptions options = new VertxOptions();
    options.getEventBusOptions().setHost("127.0.0.1").setPort(0);
    Vertx vertx = Vertx.builder().with(options).withClusterManager(Cluster.manager(settings)).buildClustered().await();
    clustered.add(vertx);
    return vertx;
  }

  private static List<JsonObject> listen(Vertx vertx, String projection) {
    List<JsonObject> heard = new CopyOnWriteArrayList<>();
    vertx.eventBus().<JsonObject>consumer(ShardRunner.PROGRESS_ADDRESS, m -> {
      if (projection.equals(m.body().getString("projection"))) {
        heard.add(m.body());
      }
    }).completion().await();
    return heard;
  }

  private static void eventually(java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10 s");
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
