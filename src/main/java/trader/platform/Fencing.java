package trader.platform;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;

/**
 * Fences a member the cluster dropped: its PostgreSQL sessions (named {@code trader/<nodeId>...}) are terminated, so
 * the advisory locks they hold (projection shards, the market, the exchange) go to the survivors at once. Without it a
 * frozen process (kill -STOP, a long GC pause, a hung VM) keeps its sessions, and so its locks, until it wakes up.
 *
 * <p>A node that was itself paused for longer than the failure-detection timeout fences nobody: on waking it sees
 * every other member as gone, but it is the one that was dropped, and its own sessions are the ones being ended.
 */
final class Fencing implements MembershipListener, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Fencing.class);
  /** The member attribute in which Vert.x's Hazelcast cluster manager keeps a member's Vert.x node id. */
  private static final String NODE_ID_ATTRIBUTE = "__vertx.nodeId";
  private static final long TICK_MS = 250;

  private final HazelcastClusterManager cluster;
  private final Pool pool;
  private final long pauseThresholdMs;
  private final UUID listener;
  private final Thread watchdog;
  private volatile long lastTick = System.nanoTime();
  private volatile long lastPauseEnd;
  private volatile boolean paused;

  private Fencing(HazelcastClusterManager cluster, Pool pool, int heartbeatTimeoutSeconds) {
    this.cluster = cluster;
    this.pool = pool;
    // a node frozen until the others dropped it stalled for about the whole timeout; an overloaded one for less
    this.pauseThresholdMs = heartbeatTimeoutSeconds * 800L;
    this.watchdog = Thread.ofPlatform().daemon().name("trader-pause-watchdog").unstarted(this::watch);
    this.listener = cluster.getHazelcastInstance().getCluster().addMembershipListener(this);
  }

  /** Starts fencing the members {@code cluster} drops, through {@code pool}. */
  static Fencing start(HazelcastClusterManager cluster, Pool pool, int heartbeatTimeoutSeconds) {
    Fencing fencing = new Fencing(cluster, pool, heartbeatTimeoutSeconds);
    fencing.watchdog.start();
    return fencing;
  }

  @Override
  public void memberAdded(MembershipEvent event) {
  }

  @Override
  public void memberRemoved(MembershipEvent event) {
    String nodeId = event.getMember().getAttribute(NODE_ID_ATTRIBUTE);
    if (nodeId == null || nodeId.equals(cluster.getNodeId())) {
      return;
    }
    if (recentlyPaused()) {
      LOG.warn("Member {} left while this node was paused; not fencing it (this node is the one that was dropped)",
        nodeId);
      return;
    }
    pool.preparedQuery("select count(pg_terminate_backend(pid)) from pg_stat_activity "
        + "where (application_name = $1 or left(application_name, length($1) + 1) = $1 || ' ') "
        + "and pid <> pg_backend_pid()")
      .execute(Tuple.of(Database.sessionName(nodeId)))
      .onSuccess(rows -> LOG.warn("Member {} left the cluster; ended its {} PostgreSQL session(s), releasing its locks",
        nodeId, rows.iterator().next().getLong(0)))
      .onFailure(e -> LOG.warn("Member {} left the cluster; could not end its PostgreSQL sessions: {}", nodeId,
        Node.rootMessage(e)));
  }

  /** Whether this process stalled (frozen, or a long pause) within the last two failure-detection periods. */
  private boolean recentlyPaused() {
    watchTick();
    return paused && System.nanoTime() - lastPauseEnd < pauseThresholdMs * 2_500_000L;
  }

  private void watch() {
    while (!Thread.currentThread().isInterrupted()) {
      watchTick();
      try {
        Thread.sleep(TICK_MS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private synchronized void watchTick() {
    long now = System.nanoTime();
    if ((now - lastTick) / 1_000_000 > pauseThresholdMs) {
      lastPauseEnd = now;
      paused = true;
      LOG.warn("This node was paused for {} ms (most of the failure-detection timeout)",
        (now - lastTick) / 1_000_000);
    }
    lastTick = now;
  }

  @Override
  public void close() {
    watchdog.interrupt();
    try {
      cluster.getHazelcastInstance().getCluster().removeMembershipListener(listener);
    } catch (RuntimeException e) {
      // Hazelcast already shut down: nothing to stop listening to
    }
  }
}
