package trader.eventsourcing.journal;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Pools, events and open transactions for the journal's tests. */
final class JournalTestSupport {

  private JournalTestSupport() {
  }

  /** A pool of its own (not shared by name with any other), as a second node would have. */
  static Pool pool(Vertx vertx, PgConnectOptions options, int size) {
    return PgBuilder.pool().with(new PoolOptions().setMaxSize(size)).connectingTo(options).using(vertx).build();
  }

  static List<NewEvent> events(int count, String appendId) {
    List<NewEvent> events = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      events.add(new NewEvent(UUID.randomUUID(), "test.happened", 1,
        new JsonObject().put("append", appendId).put("index", i).put("of", count), EventMetadata.NONE, null));
    }
    return events;
  }

  static List<NewEvent> events(int count) {
    return events(count, UUID.randomUUID().toString());
  }

  static long scalar(Pool pool, String sql, Object... params) {
    return pool.preparedQuery(sql).execute(Tuple.wrap(params)).await().iterator().next().getLong(0);
  }

  /** Waits until some session of this database waits for a lock: a statement is blocked on an open transaction. */
  static void awaitBlockedStatement(Pool pool) {
    awaitTrue(Duration.ofSeconds(20), () -> scalar(pool, "select count(*) from pg_stat_activity"
      + " where datname = current_database() and wait_event_type = 'Lock'") > 0, "a statement blocked on a lock");
  }

  static void awaitTrue(Duration timeout, BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Timed out after " + timeout + " waiting for " + what);
      }
      sleep(20);
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** A transaction on a connection of its own, left open until {@link #commit()} or {@link #rollback()}. */
  static final class OpenTransaction {
    private final SqlConnection connection;

    private OpenTransaction(SqlConnection connection) {
      this.connection = connection;
    }

    static OpenTransaction begin(Pool pool) {
      SqlConnection connection = pool.getConnection().await();
      connection.query("begin").execute().await();
      return new OpenTransaction(connection);
    }

    /** Inserts one event row the way any writer could, bypassing the journal's checks. */
    OpenTransaction insert(String streamId, long version, UUID eventId) {
      connection.preparedQuery("insert into journal (stream_id, version, event_id, event_type, schema_version,"
          + " payload) values ($1, $2, $3, 'test.happened', 1, $4)")
        .execute(Tuple.of(streamId, version, eventId, new JsonObject().put("raw", true))).await();
      return this;
    }

    /** Notifies tailers as the journal's own appends do: delivered if and when this transaction commits. */
    OpenTransaction notifyJournal() {
      connection.query("select pg_notify('journal', '')").execute().await();
      return this;
    }

    /** This transaction's id and the position of the row it inserted last. */
    Position lastPosition() {
      var row = connection.query("select pg_current_xact_id()::text, max(position) from journal"
        + " where transaction_id = pg_current_xact_id()").execute().await().iterator().next();
      return new Position(Long.parseLong(row.getString(0)), row.getLong(1));
    }

    void commit() {
      try {
        connection.query("commit").execute().await(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError(e);
      } finally {
        connection.close();
      }
    }

    void rollback() {
      try {
        connection.query("rollback").execute().await(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError(e);
      } finally {
        connection.close();
      }
    }
  }
}
