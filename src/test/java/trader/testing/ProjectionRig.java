package trader.testing;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import trader.eventsourcing.journal.Journal;
import trader.eventsourcing.journal.JournalNotifications;
import trader.eventsourcing.journal.Upcasters;
import trader.eventsourcing.projection.Projection;
import trader.eventsourcing.projection.ProjectionOptions;
import trader.eventsourcing.projection.ProjectionProgress;
import trader.eventsourcing.projection.Projections;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What a node runs projections with, for a test on its {@link TestDatabase}: a Vert.x of its own, a pool, the journal
 * and its notifications. {@link #close()} stops every runtime it started, then the rest.
 */
public final class ProjectionRig implements AutoCloseable {

  /** Runners that poll, take over and retry quickly, so that tests need not wait long. */
  public static final ProjectionOptions FAST = new ProjectionOptions(100, Duration.ofMillis(100),
    Duration.ofMillis(200), 3, Duration.ofMillis(20));

  private final TestDatabase db;
  private final Vertx vertx = Vertx.vertx();
  private final Pool pool;
  private final Journal journal;
  private final JournalNotifications notifications;
  private final List<Projections> runtimes = new ArrayList<>();

  public ProjectionRig(TestDatabase db) {
    this.db = db;
    pool = db.database().pool(vertx);
    journal = Journal.create(vertx, pool, Upcasters.none());
    notifications = JournalNotifications.start(vertx, db.options());
  }

  public Vertx vertx() {
    return vertx;
  }

  public Pool pool() {
    return pool;
  }

  public Journal journal() {
    return journal;
  }

  public JournalNotifications notifications() {
    return notifications;
  }

  /** Starts {@code projection}'s runners in a runtime of their own, as a node would (closing it twice is harmless). */
  public Projections runtime(Projection projection) {
    return runtime(projection, new SimpleMeterRegistry());
  }

  public Projections runtime(Projection projection, MeterRegistry registry) {
    return started(Projections.create(vertx, db.options(), journal, notifications, registry, FAST), projection);
  }

  /** As {@link #runtime(Projection)}, its runners reporting to {@code progress} directly, as a node's do. */
  public Projections runtime(Projection projection, ProjectionProgress progress) {
    return started(Projections.create(vertx, db.options(), journal, notifications, new SimpleMeterRegistry(), FAST)
      .reportingTo(progress), projection);
  }

  private Projections started(Projections runtime, Projection projection) {
    runtimes.add(runtime.register(projection));
    return runtime;
  }

  @Override
  public void close() {
    for (Projections p : runtimes) {
      p.close().await();
    }
    notifications.close().await();
    vertx.close().await();
  }
}
