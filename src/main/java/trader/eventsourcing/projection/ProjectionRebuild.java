package trader.eventsourcing.projection;

import trader.eventsourcing.journal.SessionNames;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import trader.eventsourcing.journal.Journal;
import trader.eventsourcing.journal.Position;
import trader.eventsourcing.journal.StoredEvent;

import java.util.List;

/**
 * Rebuilds a projection from the start of the journal into a new version while the active one keeps serving,
 * then swaps: the public views move to the new version, the runners follow at their next batch, and the old
 * version's schema is dropped.
 *
 * <p>The swap does not have to catch the very head of the journal: the new version's offsets are where the
 * rebuild stopped, and the runners continue from there.
 */
public final class ProjectionRebuild {

  private static final Logger LOG = LoggerFactory.getLogger(ProjectionRebuild.class);

  /** Told after each batch: events read so far, and the journal's event count when the rebuild started. */
  @FunctionalInterface
  public interface ProgressListener {
    void progress(long done, long total);
  }

  private final Vertx vertx;
  private final PgConnectOptions connectOptions;
  private final Journal journal;
  private final Projection projection;
  private final int batchSize;
  private final ProgressListener listener;
  private final java.util.function.IntConsumer swappedHere;

  private PgConnection connection;
  private int oldVersion;
  private int newVersion;
  private Position position = Position.START;
  private long done;
  private long total;

  private ProjectionRebuild(Vertx vertx, PgConnectOptions connectOptions, Journal journal, Projection projection,
                            int batchSize, ProgressListener listener, java.util.function.IntConsumer swappedHere) {
    this.vertx = vertx;
    this.swappedHere = swappedHere;
    this.connectOptions = SessionNames.withPurpose(connectOptions,
      "projection-rebuild:" + projection.name());
    this.journal = journal;
    this.projection = projection;
    this.batchSize = batchSize;
    this.listener = listener;
  }

  /** Runs a rebuild to its swap; completes with the new active version. */
  public static Future<Integer> run(Vertx vertx, PgConnectOptions connectOptions, Journal journal,
                                    Projection projection, int batchSize, ProgressListener listener) {
    return run(vertx, connectOptions, journal, projection, batchSize, listener, v -> { });
  }

  /**
   * As {@link #run(Vertx, PgConnectOptions, Journal, Projection, int, ProgressListener)}; {@code swappedHere} hears of
   * the swap once it committed, before the event bus announces it (this node's tracker must not take a report of the
   * old version that overtakes the announcement).
   */
  static Future<Integer> run(Vertx vertx, PgConnectOptions connectOptions, Journal journal, Projection projection,
                             int batchSize, ProgressListener listener, java.util.function.IntConsumer swappedHere) {
    return new ProjectionRebuild(vertx, connectOptions, journal, projection, batchSize, listener, swappedHere).run();
  }

  private Future<Integer> run() {
    return PgConnection.connect(vertx, connectOptions).compose(c -> {
      connection = c;
      // "drop cascades to ..." notices of the old version's schema are expected, not news
      return c.query("set client_min_messages to warning").execute()
        .compose(r -> c.preparedQuery("select pg_try_advisory_lock($1)")
        .execute(Tuple.of(ProjectionSchema.lockKey("projection-rebuild:" + projection.name()))))
        .compose(rows -> rows.iterator().next().getBoolean(0) ? prepare()
          : Future.failedFuture(new IllegalStateException("A rebuild of '" + projection.name() + "' is already running")))
        .compose(v -> c.query("select count(*) from journal").execute())
        .compose(rows -> {
          total = rows.iterator().next().getLong(0);
          listener.progress(0, total);
          return loop();
        })
        .compose(v -> swap())
        .eventually(() -> c.close());
    });
  }

  /** Creates the next version's schema, tables and offsets (at the start), replacing an abandoned attempt. */
  private Future<Void> prepare() {
    PgConnection c = connection;
    return c.begin().compose(tx -> c.preparedQuery("select pg_advisory_xact_lock($1)")
        .execute(Tuple.of(ProjectionSchema.lockKey("projection-setup:" + projection.name())))
        .compose(r -> c.preparedQuery("insert into projection_versions (name, active_version, shards) values ($1, 1, $2) "
          + "on conflict (name) do nothing").execute(Tuple.of(projection.name(), projection.shards())))
        .compose(r -> c.preparedQuery("select active_version, building_version from projection_versions "
          + "where name = $1 for update").execute(Tuple.of(projection.name())))
        .compose(rows -> {
          var row = rows.iterator().next();
          oldVersion = row.getInteger("active_version");
          Integer abandoned = row.getInteger("building_version");
          newVersion = Math.max(oldVersion, abandoned == null ? 0 : abandoned) + 1;
          Future<Void> cleanup = abandoned == null ? Future.succeededFuture()
            : c.query("drop schema if exists " + ProjectionSchema.schema(projection.name(), abandoned) + " cascade")
              .execute().compose(x -> c.preparedQuery("delete from projection_offsets where name = $1 and version = $2")
                .execute(Tuple.of(projection.name(), abandoned))).mapEmpty();
          return cleanup;
        })
        .compose(v -> c.preparedQuery("update projection_versions set building_version = $2 where name = $1")
          .execute(Tuple.of(projection.name(), newVersion)))
        .compose(r -> ShardRunner.ensureSchema(c, projection, newVersion, false))
        .compose(v -> {
          Future<Void> chain = Future.succeededFuture();
          for (int shard = 0; shard < projection.shards(); shard++) {
            int s = shard;
            chain = chain.compose(x -> c.preparedQuery("insert into projection_offsets (name, version, shard) "
              + "values ($1, $2, $3)").execute(Tuple.of(projection.name(), newVersion, s)).mapEmpty());
          }
          return chain;
        })
        .compose(v -> tx.commit())
        .onFailure(e -> tx.rollback()))
      .onSuccess(v -> LOG.info("Rebuilding projection {}: version {} into version {}", projection.name(), oldVersion,
        newVersion));
  }

  private Future<Void> loop() {
    return journal.readAll(position, batchSize).compose(page -> {
      if (page.isEmpty()) {
        return Future.succeededFuture();
      }
      return applyPage(page).compose(v -> loop());
    });
  }

  private Future<Void> applyPage(List<StoredEvent> page) {
    List<StoredEvent> wanted = page.stream().filter(projection::handles).toList();
    StoredEvent last = page.get(page.size() - 1);
    PgConnection c = connection;
    Future<Void> prepared = wanted.isEmpty() ? Future.succeededFuture() : projection.prepare(wanted);
    return prepared.compose(p -> c.begin()).compose(tx -> ProjectionSchema.useSchema(c,
        ProjectionSchema.schema(projection.name(), newVersion))
        .compose(v -> wanted.isEmpty() ? Future.<Void>succeededFuture() : projection.apply(c, wanted))
        .compose(v -> c.preparedQuery("update projection_offsets set transaction_id = $3, sequence = $4, "
          + "events_applied = events_applied + $5, updated_at = now() where name = $1 and version = $2")
          .execute(Tuple.of(projection.name(), newVersion, last.position().transactionId(),
            last.position().sequence(), wanted.size())))
        .compose(r -> tx.commit())
        .onFailure(e -> tx.rollback()))
      .onSuccess(v -> {
        position = last.position();
        done += page.size();
        listener.progress(done, Math.max(total, done));
      });
  }

  /** Makes the new version active and drops the old one; runners switch at their next batch. */
  private Future<Integer> swap() {
    PgConnection c = connection;
    String newSchema = ProjectionSchema.schema(projection.name(), newVersion);
    return c.begin().compose(tx -> c.preparedQuery("select active_version from projection_versions where name = $1 "
          + "for update").execute(Tuple.of(projection.name()))
        .compose(r -> c.preparedQuery("update projection_versions set active_version = $2, building_version = null "
          + "where name = $1").execute(Tuple.of(projection.name(), newVersion)))
        .compose(r -> ProjectionSchema.pointViews(c, projection, newSchema))
        .compose(v -> c.query("drop schema if exists " + ProjectionSchema.schema(projection.name(), oldVersion)
          + " cascade").execute())
        .compose(r -> c.preparedQuery("delete from projection_offsets where name = $1 and version = $2")
          .execute(Tuple.of(projection.name(), oldVersion)))
        .compose(r -> tx.commit())
        .onFailure(e -> tx.rollback()))
      .map(v -> {
        LOG.info("Projection {} now serves version {} ({} events read)", projection.name(), newVersion, done);
        swappedHere.accept(newVersion);
        vertx.eventBus().publish(ShardRunner.SWAPPED_ADDRESS, new io.vertx.core.json.JsonObject()
          .put("projection", projection.name()).put("version", newVersion));
        return newVersion;
      });
  }
}
