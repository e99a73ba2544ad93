package trader.eventsourcing.entity;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import trader.eventsourcing.journal.Journal;

/**
 * A node's entity runtime: keeps the entities this node owns in memory, routes commands for the others to their
 * owners over the event bus, and persists events through the {@link Journal}.
 *
 * <p>Entity ids are hashed into {@link EntitiesOptions#shards() shards}, and each shard of a type is owned by one of
 * the cluster members that host the type (rendezvous hashing over their node ids), recomputed when members join or
 * leave or start or stop hosting it. On a plain (not clustered) Vert.x this node owns every shard. The journal's optimistic concurrency check makes a brief double
 * ownership during a membership change safe: a writer with stale state is refused, reloads and decides again.
 *
 * <pre>{@code
 * Entities entities = Entities.create(vertx, journal, EntitiesOptions.defaults());
 * EntityRef<PortfolioCommand> portfolios = entities.register(new PortfolioEntity()).await();
 * portfolios.send(portfolioId, new PlaceOrder(...)).onSuccess(reply -> ...);
 * }</pre>
 */
public interface Entities {

  /** A runtime on {@code vertx} (clustered or not) over {@code journal}, without metrics. */
  static Entities create(Vertx vertx, Journal journal, EntitiesOptions options) {
    return create(vertx, journal, options, new CompositeMeterRegistry());
  }

  /** A runtime that reports command rates, latencies and entities in memory to {@code registry}. */
  static Entities create(Vertx vertx, Journal journal, EntitiesOptions options, MeterRegistry registry) {
    return new EntitiesImpl(vertx, journal, options, registry);
  }

  /** The journal stream of an entity: {@code "<type>|<entityId>"}. */
  static String streamId(String typeName, String entityId) {
    return typeName + "|" + entityId;
  }

  /**
   * Hosts the entities of {@code type} on this node and returns the way to send them commands. The nodes that
   * have registered a type share its shards.
   */
  <C> Future<EntityRef<C>> register(EntityType<C, ?, ?> type);

  /** This node's id in the cluster ({@code "local"} without a cluster). */
  String nodeId();

  /** The node that owns entity {@code entityId} of type {@code typeName}, as this node sees the cluster now. */
  String ownerOf(String typeName, String entityId);

  /** This node's counters. */
  EntityStats stats();

  /**
   * Stops taking commands, lets the commands in progress finish (up to the command timeout), fails those still
   * waiting, and removes every entity from memory. Call it before closing Vert.x.
   */
  Future<Void> close();
}
