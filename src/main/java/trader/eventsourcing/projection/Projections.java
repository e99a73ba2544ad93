package trader.eventsourcing.projection;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import trader.eventsourcing.journal.Journal;
import trader.eventsourcing.journal.JournalNotifications;

import java.util.ArrayList;
import java.util.List;

/**
 * The projections of a node. Every node registers the same projections; for each shard exactly one node in the
 * cluster runs it (the holder of the shard's advisory lock) and the others stand by to take over.
 */
public final class Projections {

  private final Vertx vertx;
  private final PgConnectOptions connectOptions;
  private final Journal journal;
  private final JournalNotifications notifications;
  private final MeterRegistry registry;
  private final ProjectionOptions options;
  private final ProgressReports reports;
  private final List<ShardRunner> runners = new ArrayList<>();
  private final List<AutoCloseable> subscriptions = new ArrayList<>();
  private final io.vertx.core.eventbus.MessageConsumer<io.vertx.core.json.JsonObject> swaps;

  private Projections(Vertx vertx, PgConnectOptions connectOptions, Journal journal,
                      JournalNotifications notifications, MeterRegistry registry, ProjectionOptions options) {
    this.vertx = vertx;
    this.connectOptions = connectOptions;
    this.journal = journal;
    this.notifications = notifications;
    this.registry = registry;
    this.options = options;
    this.reports = new ProgressReports(vertx);
    this.swaps = vertx.eventBus().consumer(ShardRunner.SWAPPED_ADDRESS, msg -> swapped(msg.body()));
  }

  private synchronized void swapped(io.vertx.core.json.JsonObject swap) {
    runners.stream().filter(r -> r.projectionName().equals(swap.getString("projection")))
      .forEach(r -> r.swapped(swap.getInteger("version", -1)));
  }

  /**
   * @param notifications wakes runners when events commit; may be null (runners then poll every
   *                      {@link ProjectionOptions#pollInterval()})
   */
  public static Projections create(Vertx vertx, PgConnectOptions connectOptions, Journal journal,
                                   JournalNotifications notifications, MeterRegistry registry,
                                   ProjectionOptions options) {
    return new Projections(vertx, connectOptions, journal, notifications, registry, options);
  }

  /**
   * The runners report their progress to {@code progress} (this node's read-your-writes tracker) by a direct call,
   * and on the event bus only while the cluster has other nodes; without it, always on the event bus.
   */
  public Projections reportingTo(ProjectionProgress progress) {
    reports.reportTo(progress);
    return this;
  }

  /** Starts runners for every shard of {@code projection}; they run here once they hold their shard's lock. */
  public synchronized Projections register(Projection projection) {
    ProjectionSchema.validName(projection.name());
    projection.tables().forEach(ProjectionSchema::validName);
    for (int shard = 0; shard < projection.shards(); shard++) {
      ShardRunner runner = new ShardRunner(vertx, connectOptions, journal, projection, shard, options, registry,
        notifications == null ? () -> 0 : notifications::announcedTransaction, reports);
      runners.add(runner);
      if (notifications != null) {
        subscriptions.add(notifications.subscribe(runner::wake));
      }
      runner.start();
    }
    return this;
  }

  /** How many shards run on this node now. */
  public synchronized int runningHere() {
    return (int) runners.stream().filter(ShardRunner::isOwner).count();
  }

  /** Stops every runner here; their locks go with their connections, so other nodes take over. */
  public synchronized Future<Void> close() {
    for (AutoCloseable s : subscriptions) {
      try {
        s.close();
      } catch (Exception e) {
        // a subscription that cannot be closed only wakes a stopped runner, which ignores it
      }
    }
    swaps.unregister();
    return Future.all(runners.stream().map(ShardRunner::stop).toList()).mapEmpty();
  }
}
