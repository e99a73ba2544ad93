package trader.eventsourcing.topic;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import trader.eventsourcing.journal.Journal;
import trader.eventsourcing.journal.Upcasters;
import trader.eventsourcing.projection.ProjectionOptions;
import trader.eventsourcing.projection.Projections;
import trader.platform.Database;

import java.time.Duration;

/** A topic publisher in a JVM of its own, for kill -9 tests: args are pg url, kafka bootstrap, topic. */
public final class PublisherProcess {

  public static void main(String[] args) throws Exception {
    PgConnectOptions options = PgConnectOptions.fromUri(args[0]);
    Vertx vertx = Vertx.vertx();
    Journal journal = Journal.create(vertx, Database.create(options, 4).pool(vertx), Upcasters.none());
    TopicPublisher publisher = TopicPublisher.create(vertx, args[1], "publish_test", args[2],
      e -> e.type().equals("test.published"), TopicMessage::of);
    Projections.create(vertx, options, journal, null, new SimpleMeterRegistry(),
      new ProjectionOptions(10, Duration.ofMillis(100), Duration.ofMillis(100), 3, Duration.ofMillis(20)))
      .register(publisher);
    System.out.println("publishing");
    Thread.sleep(Long.MAX_VALUE);
  }
}
