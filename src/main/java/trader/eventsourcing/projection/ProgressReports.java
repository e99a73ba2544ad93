package trader.eventsourcing.projection;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import trader.eventsourcing.journal.Position;

/**
 * Where a node's runners report how far they got, for read-your-writes. The node's own {@link ProjectionProgress}
 * hears it by a direct call; the event bus carries it only while the cluster has other nodes (whose trackers wait on
 * it too; the tracker told directly skips its copy), or when no tracker was given. Every runner passes every page,
 * most of them with nothing of its own in it: a bus message per runner per page (node selection, a copy, a hop to
 * the tracker's event loop) cost more than the page itself.
 */
final class ProgressReports {

  /**
   * On a report that also went on the bus: the {@link ProjectionProgress#id()} of the tracker told directly, which
   * skips this copy.
   */
  static final String TOLD_HEADER = "told";
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ProgressReports.class);

  private final Vertx vertx;
  private final ClusterManager cluster;
  private volatile ProjectionProgress local;

  ProgressReports(Vertx vertx) {
    this.vertx = vertx;
    this.cluster = vertx.isClustered() ? ((VertxInternal) vertx).clusterManager() : null;
  }

  /** Reports go to {@code progress} directly from now on. */
  void reportTo(ProjectionProgress progress) {
    local = progress;
  }

  /**
   * A runner of {@code version} of {@code projection} passed {@code position} in {@code shard}. Never throws: a report
   * is made after a batch committed, and must not fail it.
   */
  void passed(String projection, int shard, int version, Position position) {
    ProjectionProgress here = local;
    if (here != null) {
      try {
        here.reported(projection, shard, version, position);
      } catch (RuntimeException e) {
        LOG.warn("Progress of {} shard {} not told to this node's tracker: {}", projection, shard, e.toString());
      }
    }
    if (here == null || othersMayListen()) {
      JsonObject report = new JsonObject().put("projection", projection).put("shard", shard).put("version", version)
        .put("position", position.toString());
      if (here == null) {
        vertx.eventBus().publish(ShardRunner.PROGRESS_ADDRESS, report);
      } else {
        vertx.eventBus().publish(ShardRunner.PROGRESS_ADDRESS, report,
          new DeliveryOptions().addHeader(TOLD_HEADER, here.id()));
      }
    }
  }

  /**
   * A rebuild made {@code version} of {@code projection} active: this node's tracker hears it before the event bus
   * announces it, so that no report of the old version's runners, told directly, overtakes the announcement.
   */
  void swapped(String projection, int version) {
    ProjectionProgress here = local;
    if (here != null) {
      try {
        here.swapped(projection, version);
      } catch (RuntimeException e) {
        // the swap committed: its announcement on the bus must still go out (the tracker reads offsets within 50 ms)
        LOG.warn("Swap of {} to version {} not told to this node's tracker: {}", projection, version, e.toString());
      }
    }
  }

  /** Whether other nodes are in the cluster; when the cluster manager cannot tell (it is leaving), assume so. */
  private boolean othersMayListen() {
    if (cluster == null) {
      return false;
    }
    try {
      return cluster.getNodes().size() > 1;
    } catch (RuntimeException e) {
      return true;
    }
  }
}
