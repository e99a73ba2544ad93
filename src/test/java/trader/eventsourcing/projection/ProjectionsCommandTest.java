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
import trader.platform.MainAccess;
import trader.testing.TestDatabase;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The jar's {@code projections} commands against a cluster (here: a runtime in this JVM) using the same database. */
class ProjectionsCommandTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase();

  @Test
  void statusRebuildWithProgressAndResume() throws Exception {
    Vertx vertx = Vertx.vertx();
    System.setProperty("trader.pg.url", db.url());
    try {
      Pool pool = db.database().pool(vertx);
      Journal journal = Journal.create(vertx, pool, Upcasters.none());
      List<Future<?>> appends = new ArrayList<>();
      for (int s = 0; s < 100; s++) {
        List<NewEvent> events = new ArrayList<>();
        for (int v = 1; v <= 20; v++) {
          events.add(NewEvent.of(StreamTotals.TYPE, new JsonObject().put("amount", v)));
        }
        appends.add(journal.append("cli-" + s, 0, events));
      }
      Future.all(appends).await();
      StreamTotals projection = new StreamTotals("totals_cli", 2);
      Projections runtime = Projections.create(vertx, db.options(), journal, null, new SimpleMeterRegistry(),
        ProjectionOptions.DEFAULT.withBatchSize(100)).register(projection);
      ProjectionTest.eventually(() -> count(pool, "select coalesce(sum(events), 0) from totals_cli_totals") == 2000,
        Duration.ofSeconds(30));

      Run status = run("projections", "status");
      assertThat(status.exit).isZero();
      // both shards read all 2,000 events and applied their own 1,000; caught up, no lag
      assertThat(status.out).containsPattern("totals_cli\\s+1\\s+0\\s+\\S+\\s+1000\\s+0\\s+0\\s+running")
        .containsPattern("totals_cli\\s+1\\s+1\\s+\\S+\\s+1000\\s+0\\s+0\\s+running");

      Run rebuild = run("projections", "rebuild", "totals_cli");
      assertThat(rebuild.exit).as(rebuild.err).isZero();
      assertThat(rebuild.out).contains("/ 2,000 events").contains("version 2 is now active");
      assertThat(count(pool, "select active_version from projection_versions where name = 'totals_cli'")).isEqualTo(2);
      assertThat(count(pool, "select coalesce(sum(events), 0) from totals_cli_totals")).isEqualTo(2000);

      Run resume = run("projections", "resume", "totals_cli");
      assertThat(resume.out).contains("No stopped shard of 'totals_cli'");
      Run unknown = run("projections", "rebuild", "no_such_projection", "--pickup-timeout", "1");
      assertThat(unknown.exit).isEqualTo(1);
      assertThat(unknown.err).contains("No node picked up the rebuild of 'no_such_projection'");
      runtime.close().await();
    } finally {
      System.clearProperty("trader.pg.url");
      vertx.close().await();
    }
  }

  record Run(int exit, String out, String err) {
  }

  private static Run run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
    try {
      int exit = MainAccess.execute(args);
      return new Run(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  private static long count(Pool pool, String sql) {
    return pool.query(sql).execute().await().iterator().next().getLong(0);
  }
}
