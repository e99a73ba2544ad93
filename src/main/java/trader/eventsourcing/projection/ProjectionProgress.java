package trader.eventsourcing.projection;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import trader.eventsourcing.journal.Position;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Read-your-writes: a query that carries the journal position of a command's events waits here until the
 * read side has passed it (every shard of its active version), so it sees the command's effect.
 *
 * <p>Runners report their progress after each commit and each page they had nothing to apply from: this node's
 * runners by a direct call, other nodes' on the event bus (see {@link ProgressReports}). Waiters do not query the
 * database each: per projection, one read of the stored offsets is in flight at a time (at the first wait, on a
 * report of another version, and at least every 50 ms while anyone waits), and every waiter is checked against it.
 * Likewise one query for the latest committed event serves every {@link #awaitCommitted} call that came before it
 * started. Under many concurrent readers the number of queries stays bounded by the runners' progress, not by the
 * number of readers.
 */
public final class ProjectionProgress {

  private static final long RECHECK_MS = 50;

  private final String id = java.util.UUID.randomUUID().toString();
  private final Vertx vertx;
  private final Pool pool;
  // told from every runner's event loop: no lock shared by all of them
  private final Map<String, Tracker> trackers = new java.util.concurrent.ConcurrentHashMap<>();
  private final LatestCommitted latest = new LatestCommitted();
  private final MessageConsumer<JsonObject> consumer;
  private final MessageConsumer<JsonObject> swaps;
  private final long timer;

  private ProjectionProgress(Vertx vertx, Pool pool) {
    this.vertx = vertx;
    this.pool = pool;
    this.consumer = vertx.eventBus().consumer(ShardRunner.PROGRESS_ADDRESS, msg -> {
      if (!id.equals(msg.headers().get(ProgressReports.TOLD_HEADER))) {
        reported(msg.body()); // not a copy of what this node's runners told this tracker directly
      }
    });
    this.swaps = vertx.eventBus().consumer(ShardRunner.SWAPPED_ADDRESS,
      msg -> tracker(msg.body().getString("projection")).swapped(msg.body().getInteger("version", -1)));
    this.timer = vertx.setPeriodic(RECHECK_MS, t -> trackers.values().forEach(Tracker::recheck));
  }

  public static ProjectionProgress create(Vertx vertx, Pool pool) {
    return new ProjectionProgress(vertx, pool);
  }

  /**
   * Completes once {@code projection} has applied everything up to {@code position}; fails with
   * {@link ProjectionLagException} after {@code timeout}.
   */
  public Future<Void> await(String projection, Position position, Duration timeout) {
    // on the caller's context: a runner's report settles waiters on the runner's thread, and what a reader does next
    // belongs on the reader's own context, not the runner's
    Promise<Void> done = ((io.vertx.core.internal.ContextInternal) vertx.getOrCreateContext()).promise();
    Waiter waiter = new Waiter(position, System.nanoTime() + timeout.toNanos(), timeout, done);
    tracker(projection).add(waiter);
    return waiter.done.future();
  }

  /**
   * Completes once {@code projection} has applied every event committed before this call, whatever other
   * transactions are still open (the commit-safe head can lag behind a just-committed event while they are).
   */
  public Future<Void> awaitCommitted(String projection, Duration timeout) {
    return latest.get().compose(position -> position == null ? Future.succeededFuture()
      : await(projection, position, timeout));
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
    return storedOffsets(projection).map(offsets -> {
      Position lowest = offsets == null ? null : offsets.lowest(Map.of());
      return lowest != null && !position.isAfter(lowest);
    });
  }

  /** Names this tracker on the event-bus copies of the reports it was told directly. */
  String id() {
    return id;
  }

  /** A rebuild on this node made {@code version} of {@code projection} active (see {@link ProgressReports}). */
  void swapped(String projection, int version) {
    tracker(projection).swapped(version);
  }

  /** A runner of this node passed {@code position} (see {@link ProgressReports}). */
  void reported(String projection, int shard, int version, Position position) {
    tracker(projection).reported(shard, version, position);
  }

  /** A runner's message: it committed up to {@code position} (shard, version of its projection). */
  private void reported(JsonObject message) {
    Position position;
    try {
      position = Position.parse(message.getString("position"));
    } catch (RuntimeException e) {
      return;
    }
    tracker(message.getString("projection")).reported(message.getInteger("shard", -1),
      message.getInteger("version", -1), position);
  }

  /** The stored offsets of the shards of the active version; null while the projection has none. */
  private Future<StoredOffsets> storedOffsets(String projection) {
    return pool.preparedQuery("select v.active_version, v.shards, o.shard, o.transaction_id, o.sequence "
        + "from projection_versions v left join projection_offsets o on o.name = v.name "
        + "and o.version = v.active_version where v.name = $1")
      .execute(Tuple.of(projection))
      .map(rows -> {
        StoredOffsets offsets = null;
        for (Row row : rows) {
          if (offsets == null) {
            offsets = new StoredOffsets(row.getInteger("active_version"), row.getInteger("shards"), new HashMap<>());
          }
          if (row.getValue("transaction_id") != null) {
            offsets.byShard().put(row.getInteger("shard"),
              new Position(row.getLong("transaction_id"), row.getLong("sequence")));
          }
        }
        return offsets;
      });
  }

  /** What {@code projection_offsets} said of the active version, shard by shard. */
  private record StoredOffsets(int version, int shards, Map<Integer, Position> byShard) {

    /**
     * The lowest position over the shards, each shard at the later of its stored offset and what its runner
     * {@code reported} since (for this version); null while a shard has neither.
     */
    Position lowest(Map<Integer, Position> reported) {
      Position lowest = null;
      for (int shard = 0; shard < shards; shard++) {
        Position stored = byShard.get(shard);
        Position told = reported.get(shard);
        Position at = stored == null ? told : told == null || stored.isAfter(told) ? stored : told;
        if (at == null) {
          return null;
        }
        lowest = lowest == null || lowest.isAfter(at) ? at : lowest;
      }
      return lowest;
    }
  }

  private Tracker tracker(String projection) {
    return trackers.computeIfAbsent(projection, Tracker::new);
  }

  private record Waiter(Position position, long deadline, Duration timeout, Promise<Void> done) {
  }

  /** The waiters of one projection and the one offsets query that serves them all. */
  private final class Tracker {
    private final String projection;
    private final List<Waiter> waiters = new ArrayList<>();
    private boolean querying;
    /** Progress was reported (or a waiter came) while a query ran: its answer may be stale, ask again. */
    private boolean again;
    /** The last stored offsets read, and what runners of that version reported since (shard → position). */
    private StoredOffsets stored;
    private final Map<Integer, Position> reported = new HashMap<>();
    /** The newest version a swap was announced for: offsets read of an older one (a query started before) are stale. */
    private int swappedTo;

    Tracker(String projection) {
      this.projection = projection;
    }

    void add(Waiter waiter) {
      synchronized (this) {
        waiters.add(waiter);
      }
      refresh();
    }

    /** Reads the offsets again, unless a read is running; then once more after it. */
    void refresh() {
      synchronized (this) {
        if (waiters.isEmpty()) {
          return;
        }
        if (querying) {
          again = true;
          return;
        }
        querying = true;
        again = false;
      }
      storedOffsets(projection).onComplete(ar -> {
        boolean more;
        Position lowest;
        synchronized (this) {
          querying = false;
          more = again;
          if (ar.succeeded() && ar.result() != null && ar.result().version() >= swappedTo) {
            if (stored == null || stored.version() != ar.result().version()) {
              reported.clear(); // another version: what its runners said before says nothing about this one
            }
            stored = ar.result();
          }
          lowest = stored == null ? null : stored.lowest(reported);
        }
        settle(lowest);
        if (more) {
          refresh();
        }
      });
    }

    void recheck() {
      settle(null);
      refresh();
    }

    /**
     * A rebuild made {@code version} active: what this tracker knows of an older one no longer counts (its runners
     * may report pages they skipped before they notice), so the next report is only a reason to read the offsets.
     */
    void swapped(int version) {
      synchronized (this) {
        swappedTo = Math.max(swappedTo, version);
        if (stored != null && stored.version() < swappedTo) {
          stored = null;
          reported.clear();
        }
      }
      refresh();
    }

    /**
     * A runner committed up to {@code position}: waiters it covers go at once, without reading the offsets again
     * (the periodic recheck still reads them, and notices a new active version). Before the first read, or from a
     * runner of another version, it is only a reason to read them.
     */
    void reported(int shard, int version, Position position) {
      Position lowest = null;
      boolean read;
      synchronized (this) {
        read = stored == null || stored.version() != version || version < swappedTo;
        if (!read) {
          reported.merge(shard, position, (a, b) -> a.isAfter(b) ? a : b);
          lowest = stored.lowest(reported);
        }
      }
      if (read) {
        refresh();
      } else if (lowest != null) {
        settle(lowest);
      }
    }

    /** Completes the waiters {@code lowest} covers and fails those past their deadline. */
    private void settle(Position lowest) {
      List<Waiter> passed = new ArrayList<>();
      List<Waiter> late = new ArrayList<>();
      long now = System.nanoTime();
      synchronized (this) {
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
          Waiter w = it.next();
          if (lowest != null && !w.position().isAfter(lowest)) {
            passed.add(w);
            it.remove();
          } else if (now >= w.deadline()) {
            late.add(w);
            it.remove();
          }
        }
      }
      passed.forEach(w -> w.done().tryComplete());
      late.forEach(w -> w.done().tryFail(new ProjectionLagException("Read side '" + projection
        + "' has not reached position " + w.position() + " within " + w.timeout().toMillis() + " ms")));
    }
  }

  /**
   * The position of the latest committed event, for many callers with one query: a caller that arrives while a query
   * runs waits for the next one, which starts after its call and so sees everything committed before it.
   */
  private final class LatestCommitted {
    private List<Promise<Position>> next = new ArrayList<>();
    private boolean querying;

    Future<Position> get() {
      // on the caller's context: the query's answer comes on the context of whoever started it
      Promise<Position> promise = ((io.vertx.core.internal.ContextInternal) vertx.getOrCreateContext()).promise();
      boolean start;
      synchronized (this) {
        next.add(promise);
        start = !querying;
        querying = true;
      }
      if (start) {
        run();
      }
      return promise.future();
    }

    private void run() {
      List<Promise<Position>> batch;
      synchronized (this) {
        batch = next;
        next = new ArrayList<>();
      }
      pool.query("select transaction_id::text, position from journal "
          + "order by journal.transaction_id desc, journal.position desc limit 1").execute()
        .map(rows -> {
          if (rows.size() == 0) {
            return (Position) null;
          }
          Row row = rows.iterator().next();
          return new Position(Long.parseLong(row.getString(0)), row.getLong(1));
        })
        .onComplete(ar -> {
          boolean more;
          synchronized (this) {
            more = !next.isEmpty();
            querying = more;
          }
          batch.forEach(p -> p.handle(ar));
          if (more) {
            run();
          }
        });
    }
  }

  /** A query's {@code position} is not one the journal could have given: the caller's mistake. */
  public static final class InvalidPosition extends IllegalArgumentException {
    InvalidPosition(String message) {
      super(message);
    }
  }

  public Future<Void> close() {
    vertx.cancelTimer(timer);
    return Future.join(consumer.unregister(), swaps.unregister()).mapEmpty();
  }
}
