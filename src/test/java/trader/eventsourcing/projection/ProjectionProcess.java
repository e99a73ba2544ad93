package trader.eventsourcing.projection;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import trader.eventsourcing.journal.Journal;
import trader.eventsourcing.journal.Upcasters;
import trader.platform.Database;

import java.time.Duration;

/** A runner of the {@link StreamTotals} projection in a JVM of its own, slow per batch, for kill -9 tests. */
public final class ProjectionProcess {

  public static void main(String[] args) throws Exception {
    PgConnectOptions options = PgConnectOptions.fromUri(args[0]);
    StreamTotals projection = new StreamTotals(args[1], 1);
    projection.slowSeconds = 0.05;
    Vertx vertx = Vertx.vertx();
    Journal journal = Journal.create(vertx, Database.create(options, 4).pool(vertx), Upcasters.none());
    Projections.create(vertx, options, journal, null, new SimpleMeterRegistry(),
      new ProjectionOptions(20, Duration.ofMillis(100), Duration.ofMillis(100), 3, Duration.ofMillis(20)))
      .register(projection);
    System.out.println("running");
    Thread.sleep(Long.MAX_VALUE);
  }
}
