package trader.eventsourcing.projection;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.eventsourcing.journal.Journal;
import trader.eventsourcing.journal.NewEvent;
import trader.eventsourcing.journal.Upcasters;
import trader.testing.TestDatabase;
import trader.testing.TestInfra;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A runner killed with kill -9 in the middle of batches: after restart, no event applied twice or missed. */
class ProjectionCrashTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase();

  @Test
  void killedRunnerNeitherRepeatsNorSkipsEvents() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Pool pool = db.database().pool(vertx);
      Journal journal = Journal.create(vertx, pool, Upcasters.none());
      List<Future<?>> appends = new ArrayList<>();
      for (int s = 0; s < 50; s++) {
        List<NewEvent> events = new ArrayList<>();
        for (int v = 1; v <= 30; v++) {
          events.add(NewEvent.of(StreamTotals.TYPE, new JsonObject().put("amount", v)));
        }
        appends.add(journal.append("crash-" + s, 0, events));
      }
      Future.all(appends).await();

      for (int round = 0; round < 3; round++) {
        Process child = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(), "-Xmx256m",
          "-cp", System.getProperty("java.class.path"), ProjectionProcess.class.getName(), db.url(), "totals_crash")
          .redirectErrorStream(true).redirectOutput(new File(TestInfra.dir("logs").toFile(), "projection-crash.log"))
          .start();
        long before = applied(pool);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (applied(pool) < before + 100 && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
        child.destroyForcibly().waitFor();
      }
      long afterKills = applied(pool);
      assertThat(afterKills).isGreaterThanOrEqualTo(300).isLessThan(1500);

      StreamTotals projection = new StreamTotals("totals_crash", 1);
      Projections runtime = Projections.create(vertx, db.options(), journal, null, new SimpleMeterRegistry(),
        ProjectionOptions.DEFAULT).register(projection);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (applied(pool) < 1500 && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      runtime.close().await();
      // the applied table has the event id as primary key: a repeat would have failed and stopped the shard
      assertThat(applied(pool)).isEqualTo(1500);
      assertThat(count(pool, "select count(*) from projection_offsets where name = 'totals_crash' "
        + "and stopped_reason is null and events_applied = 1500")).isEqualTo(1);
      assertThat(count(pool, "select count(*) from totals_crash_totals where events = 30 and amount = 465"))
        .isEqualTo(50);
    } finally {
      vertx.close().await();
    }
  }

  private static long applied(Pool pool) {
    try {
      return count(pool, "select count(*) from totals_crash_applied");
    } catch (RuntimeException e) {
      return 0; // the first runner has not created its tables yet
    }
  }

  private static long count(Pool pool, String sql) {
    return pool.query(sql).execute().await().iterator().next().getLong(0);
  }
}
