package trader.eventsourcing.projection;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import trader.eventsourcing.journal.Journal;

/** Carries out one row of {@code projection_rebuilds}, recording progress (at most twice a second) and outcome. */
final class ProjectionRebuildRequest {

  private static final Logger LOG = LoggerFactory.getLogger(ProjectionRebuildRequest.class);

  private ProjectionRebuildRequest() {
  }

  static Future<Void> perform(Vertx vertx, PgConnectOptions options, Journal journal, Projection projection,
                              int batchSize, long id, java.util.function.IntConsumer swappedHere) {
    SqlClient client = PgBuilder.client().connectingTo(new PgConnectOptions(options)).using(vertx).build();
    long[] lastWrite = {0};
    long[] counts = {0, 0};
    return ProjectionRebuild.run(vertx, options, journal, projection, batchSize, (done, total) -> {
        counts[0] = done;
        counts[1] = total;
        long now = System.currentTimeMillis();
        if (now - lastWrite[0] >= 500 || done >= total) {
          lastWrite[0] = now;
          client.preparedQuery("update projection_rebuilds set done = $2, total = $3 where id = $1")
            .execute(Tuple.of(id, done, total));
        }
      }, swappedHere)
      .compose(version -> client.preparedQuery("update projection_rebuilds set finished_at = now(), new_version = $2, "
        + "done = $3, total = $4 where id = $1").execute(Tuple.of(id, version, counts[0], counts[1])).mapEmpty())
      .recover(e -> {
        LOG.error("Rebuild of projection {} failed: {}", projection.name(), e.toString());
        return client.preparedQuery("update projection_rebuilds set finished_at = now(), error = $2 where id = $1")
          .execute(Tuple.of(id, String.valueOf(e.getMessage()))).mapEmpty();
      })
      .eventually(client::close)
      .mapEmpty();
  }
}
