package trader.eventsourcing.projection;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import trader.eventsourcing.journal.StoredEvent;

import java.util.List;

/**
 * A read side: tables kept up to date from the journal. The runtime feeds it the events it {@link #handles}, in
 * commit-safe order, a batch per transaction, and stores how far it got in the same transaction.
 *
 * <p>The projection's SQL uses unqualified table names: the runtime sets the {@code search_path} to the schema of
 * the version being written ({@code <name>_v<n>}), and readers query the views of the same names in
 * {@code public}, which point at the active version. That is how a rebuild fills a new version while the old one
 * serves.
 */
public interface Projection {

  /** Stable name, lower case letters, digits and underscores, e.g. {@code portfolio_view}. */
  String name();

  /** How many shards split the streams between runners (hash of the stream id modulo this); 1 by default. */
  default int shards() {
    return 1;
  }

  /**
   * The least time between the starts of two batches of a shard that wrote something. Under a steady stream of
   * events a runner otherwise commits a transaction for every event or two (each with its fixed cost: begin, version
   * check with offset, commit); waiting lets a batch gather the events of this interval instead. A runner that wrote
   * nothing for this long starts at once, so an idle read side answers without the delay, and one catching up on a
   * backlog (full pages) or isolating a failed event does not wait. Zero (the default) for read sides on the path of
   * what a client waits for (an order's status); one read by people (a portfolio's value) can take a few tens of
   * milliseconds, which its readers may then wait.
   */
  default java.time.Duration batchInterval() {
    return java.time.Duration.ZERO;
  }

  /** Whether this projection wants {@code event}; others only advance its offset. */
  boolean handles(StoredEvent event);

  /** The tables readers see (as views in {@code public}); none for projections that only publish. */
  default List<String> tables() {
    return List.of();
  }

  /** Creates this projection's tables in the current schema; called once per version, in a transaction. */
  default Future<Void> createTables(SqlConnection connection) {
    return Future.succeededFuture();
  }

  /**
   * Work on {@code events} that must not hold a database transaction open, done before the batch's transaction
   * begins (e.g. sending them to Kafka and waiting for the acknowledgements): an open transaction holds back every
   * reader of the journal's tail. If the transaction then fails, the batch is prepared again (at least once).
   */
  default Future<Void> prepare(List<StoredEvent> events) {
    return Future.succeededFuture();
  }

  /**
   * Applies {@code events} (in order, all wanted, possibly of several streams) within the transaction of
   * {@code connection}. A failed future (or a thrown exception) rolls the whole batch back; it is retried, then the
   * shard stops. Not called for a projection without {@link #tables()}: its batches only move its offset (after
   * {@link #prepare}).
   */
  Future<Void> apply(SqlConnection connection, List<StoredEvent> events);

  /**
   * Called once the batch of {@code events} that {@link #apply} handled is committed, on the runner's context: the
   * place to notify others (e.g. push to browsers), since a notification sent from {@code apply} could announce a
   * change that is then rolled back. At most once per batch; not called again after a crash.
   */
  default void committed(List<StoredEvent> events) {
  }
}
