package trader.eventsourcing.entity;

import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * This node's view of the cluster's members and the {@link Ownership} computed from it.
 *
 * <p>The member list is polled ({@link #refresh()}) rather than listened to: a Vert.x 5 cluster manager has a single
 * node-listener slot, which Vert.x itself uses, so setting one would silently break the event bus. Reading the list
 * is a local, in-memory call on Hazelcast. Without a cluster there is one member, this node, which owns every shard.
 */
final class Membership {

  private static final Logger LOG = LoggerFactory.getLogger(Membership.class);
  static final String LOCAL_NODE = "local";

  private final ClusterManager cluster;
  private final int shards;
  private final Consumer<Ownership> onChange;
  private volatile Ownership current;

  Membership(Vertx vertx, int shards, Consumer<Ownership> onChange) {
    this.cluster = vertx.isClustered() ? ((VertxInternal) vertx).clusterManager() : null;
    this.shards = shards;
    this.onChange = onChange;
    String local = cluster == null ? LOCAL_NODE : cluster.getNodeId();
    this.current = Ownership.compute(local, cluster == null ? List.of() : members(), shards);
  }

  boolean isClustered() {
    return cluster != null;
  }

  Ownership current() {
    return current;
  }

  /** Reads the member list; if it changed, computes the new ownership and hands it to the listener. */
  void refresh() {
    if (cluster == null) {
      return;
    }
    List<String> nodes = members();
    if (nodes.isEmpty() || nodes.equals(current.nodes())) {
      return;
    }
    Ownership next = Ownership.compute(current.localNode(), nodes, shards);
    LOG.info("Cluster members changed: {} -> {}", current.nodes(), next.nodes());
    current = next;
    onChange.accept(next);
  }

  private List<String> members() {
    try {
      return List.copyOf(new TreeSet<>(cluster.getNodes()));
    } catch (RuntimeException e) {
      // the cluster manager is leaving or gone: keep the last view until this runtime is closed
      return List.of();
    }
  }
}
