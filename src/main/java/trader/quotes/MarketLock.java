package trader.quotes;

import trader.eventsourcing.journal.SessionNames;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Runs something on exactly one node of the cluster: the node whose dedicated PostgreSQL connection holds the
 * advisory lock {@code name}. The other nodes try again every {@code retry}. The lock belongs to the connection, so
 * it is released the moment that connection or its node dies, and another node takes over at its next attempt.
 *
 * <p>All state is touched on one Vert.x context only.
 */
final class MarketLock {

  private static final Logger LOG = LoggerFactory.getLogger(MarketLock.class);

  private final Vertx vertx;
  private final Context context;
  private final PgConnectOptions connectOptions;
  private final String name;
  private final Duration retry;
  private final Supplier<Future<Void>> onAcquired;
  private final Supplier<Future<Void>> onLost;

  private PgConnection connection;
  private volatile boolean owner;
  private boolean stopping;

  /**
   * @param onAcquired starts the work once the lock is held (a failure gives the lock up again)
   * @param onLost     stops it when the lock is lost or released
   */
  MarketLock(Vertx vertx, PgConnectOptions connectOptions, String name, Duration retry,
             Supplier<Future<Void>> onAcquired, Supplier<Future<Void>> onLost) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.connectOptions = SessionNames.withPurpose(connectOptions, "lock:" + name);
    this.name = name;
    this.retry = retry;
    this.onAcquired = onAcquired;
    this.onLost = onLost;
  }

  void start() {
    context.runOnContext(v -> acquire());
  }

  /** True while this node holds the lock. */
  boolean isOwner() {
    return owner;
  }

  /** Stops the work (if it runs here) and releases the lock by closing its connection. */
  Future<Void> stop() {
    return Future.<Void>future(p -> context.runOnContext(v -> {
      stopping = true;
      PgConnection c = connection;
      connection = null;
      Future<Void> stopped = owner ? onLost.get() : Future.succeededFuture();
      owner = false;
      stopped.eventually(() -> c == null ? Future.succeededFuture() : c.close()).onComplete(ar -> p.complete());
    }));
  }

  private void acquire() {
    if (stopping || connection != null) {
      return;
    }
    PgConnection.connect(vertx, connectOptions).compose(c -> {
      connection = c;
      c.closeHandler(v -> lost(c));
      // the key is a 64-bit hash of the name, computed by PostgreSQL so every node agrees on it
      return c.preparedQuery("select pg_try_advisory_lock(hashtextextended($1, 0))").execute(Tuple.of(name))
        .map(rows -> rows.iterator().next().getBoolean(0));
    }).onComplete(ar -> {
      if (stopping) {
        return;
      }
      if (ar.succeeded() && ar.result()) {
        owner = true;
        LOG.info("{} runs on this node", name);
        onAcquired.get().onFailure(e -> {
          LOG.warn("{} could not start: {}; giving the lock up", name, e.toString());
          giveUp();
        });
      } else {
        if (ar.failed()) {
          LOG.debug("{}: cannot reach PostgreSQL: {}", name, ar.cause().getMessage());
        }
        giveUp();
      }
    });
  }

  private void lost(PgConnection c) {
    if (c != connection) {
      return;
    }
    connection = null;
    if (owner) {
      LOG.warn("{} lost its connection (and lock); stopping it here, will try to take it back", name);
      owner = false;
      onLost.get();
    }
    retryLater();
  }

  private void giveUp() {
    PgConnection c = connection;
    connection = null;
    Future<Void> stopped = owner ? onLost.get() : Future.succeededFuture();
    owner = false;
    stopped.onComplete(ar -> {
      if (c != null) {
        c.close();
      }
    });
    retryLater();
  }

  private void retryLater() {
    if (!stopping) {
      vertx.setTimer(retry.toMillis(), t -> context.runOnContext(v -> acquire()));
    }
  }
}
