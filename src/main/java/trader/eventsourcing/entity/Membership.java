package trader.eventsourcing.entity;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.RegistrationInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * This node's view of which nodes host each entity type, and the {@link Ownership} of the type's shards computed
 * from it.
 *
 * <p>The hosts of a type are the cluster members that have registered it: each registering node listens at the
 * type's presence address ({@link WireFormat#presenceAddress}), and the cluster's event-bus registrations say who
 * does. So a node that has joined the cluster but not (yet) registered a type, e.g. while it boots, is given none
 * of its shards, and a node that closes its runtime hands them back before it leaves. Registrations are intersected
 * with the member list, which drops a crashed node as soon as the cluster notices.
 *
 * <p>Both are polled ({@link #refresh}) rather than listened to: a Vert.x 5 cluster manager has a single node-listener
 * slot, which Vert.x itself uses. Without a cluster this node hosts everything.
 */
final class Membership {

  private static final Logger LOG = LoggerFactory.getLogger(Membership.class);
  static final String LOCAL_NODE = "local";

  private final ClusterManager cluster;
  private final ContextInternal context;
  private final String localNode;
  private final int shards;
  private final BiConsumer<String, Ownership> onChange;
  private final Ownership localOnly;
  private final Map<String, TypeView> types = new ConcurrentHashMap<>();

  /** One type's ownership, and the refresh in progress (one at a time). */
  private static final class TypeView {
    volatile Ownership ownership;
    Future<Void> refreshing;

    TypeView(Ownership ownership) {
      this.ownership = ownership;
    }
  }

  /** {@code onChange} is called on {@code context} with the type name and its new ownership. */
  Membership(Vertx vertx, ContextInternal context, int shards, BiConsumer<String, Ownership> onChange) {
    this.cluster = vertx.isClustered() ? ((VertxInternal) vertx).clusterManager() : null;
    this.context = context;
    this.localNode = cluster == null ? LOCAL_NODE : cluster.getNodeId();
    this.shards = shards;
    this.onChange = onChange;
    this.localOnly = Ownership.compute(localNode, List.of(localNode), shards);
  }

  boolean isClustered() {
    return cluster != null;
  }

  String localNode() {
    return localNode;
  }

  /** The ownership of {@code typeName}'s shards; this node alone until the type's hosts were first read. */
  Ownership current(String typeName) {
    TypeView view = types.get(typeName);
    return view == null ? localOnly : view.ownership;
  }

  /** Starts tracking {@code typeName}'s hosts; on the context, after this node listens at its presence address. */
  Future<Void> track(String typeName) {
    types.putIfAbsent(typeName, new TypeView(localOnly));
    return refresh(typeName);
  }

  /** Re-reads the hosts of every tracked type. */
  void refresh() {
    types.keySet().forEach(this::refresh);
  }

  /**
   * Re-reads the hosts of {@code typeName}; if they changed, computes the new ownership and hands it to the listener.
   * Completes when done (never fails: a failed read keeps the last view). On the context.
   */
  Future<Void> refresh(String typeName) {
    TypeView view = types.get(typeName);
    if (cluster == null || view == null) {
      return Future.succeededFuture();
    }
    if (view.refreshing != null) {
      return view.refreshing;
    }
    Promise<List<RegistrationInfo>> registrations = context.promise();
    cluster.getRegistrations(WireFormat.presenceAddress(typeName), registrations);
    Future<Void> done = registrations.future().transform(ar -> {
      if (ar.succeeded()) {
        update(typeName, view, ar.result());
      } else {
        LOG.debug("Cannot read the hosts of entity type {}: {}", typeName, ar.cause().toString());
      }
      return Future.<Void>succeededFuture();
    });
    view.refreshing = done;
    done.onComplete(ar -> {
      if (view.refreshing == done) {
        view.refreshing = null;
      }
    });
    return done;
  }

  private void update(String typeName, TypeView view, List<RegistrationInfo> registrations) {
    Set<String> members;
    try {
      members = Set.copyOf(cluster.getNodes());
    } catch (RuntimeException e) {
      return; // the cluster manager is leaving: keep the last view until this runtime closes
    }
    TreeSet<String> hosts = new TreeSet<>();
    registrations.forEach(r -> hosts.add(r.nodeId()));
    hosts.retainAll(members);
    if (hosts.isEmpty() || List.copyOf(hosts).equals(view.ownership.nodes())) {
      return;
    }
    Ownership next = Ownership.compute(localNode, hosts, shards);
    LOG.info("Hosts of entity type {} changed: {} -> {}", typeName, view.ownership.nodes(), next.nodes());
    view.ownership = next;
    onChange.accept(typeName, next);
  }
}
