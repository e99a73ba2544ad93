package trader.eventsourcing.entity;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import trader.eventsourcing.journal.Journal;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The {@link Entities} runtime of one node. All entity state, mailboxes and routing live on one event-loop context
 * of its own, so they need no locks; callers on any thread hop onto it, and get their futures completed on their
 * own context.
 */
final class EntitiesImpl implements Entities {

  private static final Pattern TYPE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

  private final Vertx vertx;
  private final ContextInternal context;
  private final Journal journal;
  private final EntitiesOptions options;
  private final ActiveEntities active;
  private final Membership membership;
  private final EntityMetrics metrics;
  private final Map<String, ShardedEntityRef<?, ?, ?>> types = new ConcurrentHashMap<>();
  private long membershipTimer = -1; // set and cancelled on the context
  private long idleTimer = -1;
  private volatile boolean closed;

  // single writer (the context), read anywhere
  private volatile long commands;
  private volatile long recoveries;
  private volatile long conflicts;
  private volatile long forwarded;

  EntitiesImpl(Vertx vertx, Journal journal, EntitiesOptions options, MeterRegistry registry) {
    this.vertx = vertx;
    this.context = ((VertxInternal) vertx).createEventLoopContext();
    this.journal = journal;
    this.options = options;
    this.active = new ActiveEntities(options.maxActive(), options.idleTimeout().toNanos());
    this.membership = new Membership(vertx, context, options.shards(), active::ownershipChanged);
    this.metrics = new EntityMetrics(registry, this);
    long sweepMs = Math.clamp(options.idleTimeout().toMillis() / 4, 10, 1000);
    context.runOnContext(v -> {
      // timers created on the context run their handlers there
      if (!closed) {
        membershipTimer = vertx.setPeriodic(options.membershipPoll().toMillis(), id -> membership.refresh());
        idleTimer = vertx.setPeriodic(sweepMs, id -> active.passivateIdle(System.nanoTime()));
      }
    });
  }

  @Override
  public <C> Future<EntityRef<C>> register(EntityType<C, ?, ?> type) {
    return registerType(type).map(ref -> ref);
  }

  private <C, E, S> Future<ShardedEntityRef<C, E, S>> registerType(EntityType<C, E, S> type) {
    if (type.name() == null || !TYPE_NAME.matcher(type.name()).matches()) {
      return Future.failedFuture(new IllegalArgumentException("Entity type name '" + type.name()
        + "' must be letters, digits, '.', '_' or '-'"));
    }
    return onContext(() -> {
      if (closed) {
        return Future.failedFuture(new IllegalStateException("The entity runtime is closed"));
      }
      ShardedEntityRef<C, E, S> ref = new ShardedEntityRef<>(this, type);
      if (types.putIfAbsent(type.name(), ref) != null) {
        return Future.failedFuture(new IllegalStateException("Entity type '" + type.name()
          + "' is already registered"));
      }
      return ref.start().map(ref);
    });
  }

  @Override
  public String nodeId() {
    return membership.localNode();
  }

  @Override
  public String ownerOf(String typeName, String entityId) {
    Ownership ownership = membership.current(typeName);
    return ownership.ownerOf(Sharding.shardOf(Entities.streamId(typeName, entityId), ownership.shards()));
  }

  @Override
  public EntityStats stats() {
    return new EntityStats(active.active(), active.peakActive(), active.waitingCount(), commands, recoveries,
      active.passivations(), conflicts, forwarded);
  }

  @Override
  public Future<Void> close() {
    return onContext(() -> {
      if (closed) {
        return Future.succeededFuture();
      }
      closed = true;
      vertx.cancelTimer(membershipTimer);
      vertx.cancelTimer(idleTimer);
      List<Future<Void>> stops = types.values().stream().map(ShardedEntityRef::stop).toList();
      return Future.join(stops).transform(ar -> whenIdle(System.nanoTime() + options.commandTimeout().toNanos()))
        .onComplete(ar -> {
          active.failWaiting(new IllegalStateException("The entity runtime of node " + nodeId() + " closed"));
          active.passivateAll();
        });
    });
  }

  /** Completes when no entity has a command in progress, or at the deadline. */
  private Future<Void> whenIdle(long deadlineNanos) {
    if (active.allIdle() || System.nanoTime() >= deadlineNanos) {
      return Future.succeededFuture();
    }
    Promise<Void> idle = context.promise();
    vertx.setTimer(10, t -> whenIdle(deadlineNanos).onComplete(idle));
    return idle.future();
  }

  // ---- for tests and diagnostics (package-private) ----

  /** Whether the entity is in memory on this node. */
  Future<Boolean> isActive(String typeName, String entityId) {
    return onContext(() -> Future.succeededFuture(active.contains(Entities.streamId(typeName, entityId))));
  }

  /** The entity's state in memory on this node, if it is there and idle. */
  Future<Optional<Object>> stateInMemory(String typeName, String entityId) {
    return onContext(() -> {
      LiveEntity<?, ?, ?> e = active.find(Entities.streamId(typeName, entityId));
      return Future.succeededFuture(e == null || !e.isIdle() ? Optional.empty() : Optional.of(e.state()));
    });
  }

  /** Removes the entity from memory (at once if idle, else when it becomes idle). */
  Future<Boolean> passivate(String typeName, String entityId) {
    return onContext(() -> Future.succeededFuture(active.passivate(Entities.streamId(typeName, entityId))));
  }

  Ownership ownership(String typeName) {
    return membership.current(typeName);
  }

  // ---- for the runtime's parts ----

  Vertx vertx() {
    return vertx;
  }

  ContextInternal context() {
    return context;
  }

  Journal journal() {
    return journal;
  }

  EntitiesOptions options() {
    return options;
  }

  ActiveEntities active() {
    return active;
  }

  Membership membership() {
    return membership;
  }

  EntityMetrics metrics() {
    return metrics;
  }

  boolean isClosed() {
    return closed;
  }

  void countCommand() {
    commands++;
  }

  void countRecovery() {
    recoveries++;
  }

  void countConflict() {
    conflicts++;
  }

  void countForwarded() {
    forwarded++;
  }

  /** {@code future}, with its callbacks on the runtime's context whichever thread completes it. */
  <T> Future<T> onContext(Future<T> future) {
    Promise<T> promise = context.promise();
    future.onComplete(promise);
    return promise.future();
  }

  /** A promise completing its listeners on the caller's context (or on the completing thread outside Vert.x). */
  <T> Promise<T> callerPromise() {
    ContextInternal caller = (ContextInternal) Vertx.currentContext();
    return caller == null ? Promise.promise() : caller.promise();
  }

  /** Runs {@code step} on the runtime's context; the result completes on the caller's context. */
  private <T> Future<T> onContext(Supplier<Future<T>> step) {
    Promise<T> result = callerPromise();
    context.runOnContext(v -> {
      try {
        step.get().onComplete(result);
      } catch (RuntimeException e) {
        result.fail(e);
      }
    });
    return result.future();
  }

}
