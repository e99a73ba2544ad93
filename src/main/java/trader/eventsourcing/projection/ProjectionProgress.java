package trader.eventsourcing.projection;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import trader.eventsourcing.journal.Position;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Read-your-writes: a query that carries the journal position of a command's events waits here until the
 * read side has passed it (every shard of its active version), so it sees the command's effect.
 *
 * <p>Runners publish their progress on the event bus after each commit; a waiter re-checks the stored offsets
 * when one arrives, and at least every 50 ms, until its deadline.
 */
public final class ProjectionProgress {

  private static final long RECHECK_MS = 50;

  private final Vertx vertx;
  private final Pool pool;
  private final List<Runnable> waiters = new ArrayList<>();
  private final MessageConsumer<JsonObject> consumer;

  private ProjectionProgress(Vertx vertx, Pool pool) {
    this.vertx = vertx;
    this.pool = pool;
    this.consumer = vertx.eventBus().consumer(ShardRunner.PROGRESS_ADDRESS, msg -> wakeAll());
  }

  public static ProjectionProgress create(Vertx vertx, Pool pool) {
    return new ProjectionProgress(vertx, pool);
  }

  /**
   * Completes once {@code projection} has applied everything up to {@code position}; fails with
   * {@link ProjectionLagException} after {@code timeout}.
   */
  public Future<Void> await(String projection, Position position, Duration timeout) {
    Promise<Void> done = Promise.promise();
    long deadline = System.nanoTime() + timeout.toNanos();
    Runnable[] check = new Runnable[1];
    long[] timer = {-1};
    check[0] = () -> passed(projection, position).onComplete(ar -> {
      if (done.future().isComplete()) {
        return;
      }
      if (ar.succeeded() && ar.result()) {
        finish(check[0], timer[0]);
        done.tryComplete();
      } else if (System.nanoTime() >= deadline) {
        finish(check[0], timer[0]);
        done.tryFail(new ProjectionLagException("Read side '" + projection + "' has not reached position "
          + position + " within " + timeout.toMillis() + " ms"));
      }
    });
    synchronized (waiters) {
      waiters.add(check[0]);
    }
    timer[0] = vertx.setPeriodic(RECHECK_MS, t -> check[0].run());
    check[0].run();
    return done.future();
  }

  /**
   * Completes once {@code projection} has applied every event committed before this call, whatever other
   * transactions are still open (the commit-safe head can lag behind a just-committed event while they are).
   */
  public Future<Void> awaitCommitted(String projection, Duration timeout) {
    return pool.query("select transaction_id::text, position from journal "
        + "order by journal.transaction_id desc, journal.position desc limit 1").execute()
      .compose(rows -> {
        if (rows.size() == 0) {
          return Future.succeededFuture();
        }
        var row = rows.iterator().next();
        return await(projection, new Position(Long.parseLong(row.getString(0)), row.getLong(1)), timeout);
      });
  }

  /**
   * What a query waits for before reading {@code projection}: with a {@code position} (a command's answer), until the
   * read side has passed it, failing with {@link ProjectionLagException} after {@code timeout}; without one, until it
   * has applied everything committed so far, but at most {@code timeout} and then the query reads what there is.
   */
  public Future<Void> fresh(String projection, String position, Duration timeout) {
    if (position != null) {
      Position parsed;
      try {
        parsed = Position.parse(position);
      } catch (IllegalArgumentException e) {
        return Future.failedFuture(new InvalidPosition(e.getMessage()));
      }
      return await(projection, parsed, timeout);
    }
    return awaitCommitted(projection, timeout).recover(e -> e instanceof ProjectionLagException
      ? Future.succeededFuture() : Future.failedFuture(e));
  }

  /** Whether every shard of the active version of {@code projection} has passed {@code position}. */
  public Future<Boolean> passed(String projection, Position position) {
    return pool.preparedQuery("select count(*) filter (where (o.transaction_id, o.sequence) >= ($2, $3)) as done, "
        + "max(v.shards) as shards from projection_versions v join projection_offsets o "
        + "on o.name = v.name and o.version = v.active_version where v.name = $1")
      .execute(Tuple.of(projection, position.transactionId(), position.sequence()))
      .map(rows -> {
        var row = rows.iterator().next();
        Integer shards = row.getInteger("shards");
        return shards != null && row.getLong("done") >= shards;
      });
  }

  private void finish(Runnable check, long timer) {
    vertx.cancelTimer(timer);
    synchronized (waiters) {
      waiters.remove(check);
    }
  }

  private void wakeAll() {
    List<Runnable> now;
    synchronized (waiters) {
      now = List.copyOf(waiters);
    }
    now.forEach(Runnable::run);
  }

  /** A query's {@code position} is not one the journal could have given: the caller's mistake. */
  public static final class InvalidPosition extends IllegalArgumentException {
    InvalidPosition(String message) {
      super(message);
    }
  }

  public Future<Void> close() {
    return consumer.unregister();
  }
}
