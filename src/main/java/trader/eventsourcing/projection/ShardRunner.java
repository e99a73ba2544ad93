package trader.eventsourcing.projection;

import trader.eventsourcing.journal.SessionNames;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import trader.eventsourcing.EventLoops;
import trader.eventsourcing.journal.Journal;
import trader.eventsourcing.journal.Position;
import trader.eventsourcing.journal.StoredEvent;

import java.time.Instant;
import java.util.List;

/**
 * Runs one shard of one projection on the node that holds the shard's advisory lock; the other nodes' runners
 * wait to take over. The lock belongs to the runner's own connection, so it is released the moment that
 * connection or its node dies.
 *
 * <p>Each batch is one transaction on that connection: the projection's changes and the new offset commit
 * together. The transaction first reads the projection's active version {@code FOR SHARE}, so a rebuild's swap
 * waits for it and the runner notices the swap at its next batch. A projection may ask for a
 * {@linkplain Projection#batchInterval() batch interval}: batches then gather events instead of following each other
 * as fast as they commit.
 */
final class ShardRunner {

  static final String PROGRESS_ADDRESS = "projection.progress";
  /**
   * Where a rebuild announces its swap ({@code {projection, version}}): runners of the old version check at once
   * instead of at their next write, and read-your-writes trackers stop trusting the old version's progress.
   */
  static final String SWAPPED_ADDRESS = "projection.swapped";
  /**
   * How long a runner may leave pages it had nothing to apply from unrecorded in {@code projection_offsets}. Under load
   * most pages hold nothing for most runners; writing each of them was one transaction per runner per page. Unrecorded
   * progress is only re-read after a restart (nothing to apply in it); readers learn it from the progress reports.
   * A projection without tables (a publisher) records its offset the same way: after a crash it publishes up to
   * this much again, which its consumers already take (they are at least once).
   */
  static final long UNRECORDED_MS = 500;
  private static final Logger LOG = LoggerFactory.getLogger(ShardRunner.class);

  private final Vertx vertx;
  private final ProgressReports reports;
  private final Context context;
  private final PgConnectOptions connectOptions;
  private final Journal journal;
  private final Projection projection;
  private final int shard;
  private final ProjectionOptions options;
  private final String label;
  /** The highest transaction id announced as committed (see {@link trader.eventsourcing.journal.JournalNotifications}). */
  private final java.util.function.LongSupplier announced;
  /** Delay of the last look behind an open transaction (0: none since progress), and its timer (-1: none). */
  private long hiddenRetryMs;
  private long lookAgainTimer = -1;

  private PgConnection connection;
  private boolean stopping;
  private boolean owner;
  private boolean busy;
  private boolean wakeRequested;
  private int version;
  /** How far this runner has read and applied; {@link #stored} is what {@code projection_offsets} holds. */
  private Position offset = Position.START;
  private Position stored = Position.START;
  private long storedAt;
  /** A swap was announced and this runner has not checked its version since: skipped pages are not reported. */
  private boolean versionSuspect;
  private String stoppedReason;
  private int failures;
  private int prepareFailures;
  private Position isolateUntil;
  private long timer = -1;
  /** The next page, read while the previous one is applied; only valid if it starts at {@link #prefetchedFrom}. */
  private Future<List<StoredEvent>> prefetched;
  private Position prefetchedFrom;
  private boolean rebuilding;
  private long rebuildCheckedAt;
  /** When the last batch that wrote began (nanoTime), and the timer of a poll held back by the batch interval. */
  private long lastWriteAt;
  private long intervalTimer = -1;
  /** Events published (by a projection without tables) since its offset was last recorded, and the last one's time. */
  private long unrecordedEvents;
  private java.time.OffsetDateTime unrecordedLastEventAt;

  private volatile long lagEvents;
  private volatile long lagMillis;
  private volatile Position head = Position.START;
  private long headCheckedAt;

  ShardRunner(Vertx vertx, PgConnectOptions connectOptions, Journal journal, Projection projection, int shard,
              ProjectionOptions options, MeterRegistry registry, java.util.function.LongSupplier announced,
              ProgressReports reports) {
    this.vertx = vertx;
    this.reports = reports;
    this.announced = announced;
    // a context of its own, so the runners of a node spread over the event loops instead of sharing the caller's
    this.context = EventLoops.newContext(vertx);
    this.connectOptions = SessionNames.withPurpose(connectOptions,
      "projection:" + projection.name() + ":" + shard);
    this.journal = journal;
    this.projection = projection;
    this.shard = shard;
    this.options = options;
    this.label = "Projection " + projection.name() + " shard " + shard;
    this.lastWriteAt = System.nanoTime() - java.util.concurrent.TimeUnit.HOURS.toNanos(1);
    Tags tags = Tags.of("projection", projection.name(), "shard", String.valueOf(shard));
    Gauge.builder("projection.lag.events", () -> lagEvents).tags(tags)
      .description("journal events not yet applied (approximate: global sequence distance)").register(registry);
    Gauge.builder("projection.lag.ms", () -> lagMillis).tags(tags)
      .description("age of the oldest event not yet applied").register(registry);
    Gauge.builder("projection.stopped", () -> stoppedReason == null ? 0 : 1).tags(tags)
      .description("1 while the shard is stopped by a failing event").register(registry);
    Gauge.builder("projection.owner", () -> owner ? 1 : 0).tags(tags)
      .description("1 on the node running this shard").register(registry);
  }

  void start() {
    context.runOnContext(v -> {
      acquire();
      timer = vertx.setPeriodic(options.pollInterval().toMillis(), t -> wake());
    });
  }

  /** A hint that the journal may have new events; cheap, may be called from any thread. */
  void wake() {
    context.runOnContext(v -> {
      wakeRequested = true;
      if (owner && !busy) {
        poll();
      }
    });
  }

  boolean isOwner() {
    return owner;
  }

  String projectionName() {
    return projection.name();
  }

  /** A rebuild swapped versions: record (and so check the active version) before the next page is skipped. */
  void swapped(int active) {
    context.runOnContext(v -> {
      if (active != version) {
        storedAt = 0;
        versionSuspect = true;
        wake();
      }
    });
  }

  Future<Void> stop() {
    return Future.<Void>future(p -> context.runOnContext(v -> {
      stopping = true;
      vertx.cancelTimer(timer);
      vertx.cancelTimer(intervalTimer);
      PgConnection c = connection;
      // the offset in hand, if no batch is: a publisher's next owner then does not send its last pages again
      Future<?> recorded = c != null && owner && !busy && !stored.equals(offset)
        ? advance(c, version, stored, offset, 0, null).recover(e -> Future.succeededFuture())
        : Future.succeededFuture();
      recorded.onComplete(r -> {
        connection = null;
        owner = false;
        (c == null ? Future.<Void>succeededFuture() : c.close()).onComplete(ar -> p.complete());
      });
    }));
  }

  private void acquire() {
    if (stopping || connection != null) {
      return;
    }
    PgConnection.connect(vertx, connectOptions).compose(c -> {
      connection = c;
      c.closeHandler(v -> lost(c));
      return c.preparedQuery("select pg_try_advisory_lock($1)")
        .execute(Tuple.of(ProjectionSchema.lockKey("projection:" + projection.name() + ":" + shard)))
        .map(rows -> rows.iterator().next().getBoolean(0));
    }).onComplete(ar -> {
      if (ar.succeeded() && ar.result()) {
        owner = true;
        LOG.info("{} runs on this node", label);
        setUpThenPoll();
      } else {
        if (ar.failed()) {
          LOG.debug("{}: cannot reach PostgreSQL: {}", label, ar.cause().getMessage());
        }
        dropConnection();
      }
    });
  }

  private void lost(PgConnection c) {
    if (c != connection) {
      return;
    }
    connection = null;
    if (owner) {
      LOG.warn("{} lost its connection (and lock); will try to take it back", label);
    }
    owner = false;
    busy = false;
    retryAcquireLater();
  }

  private void dropConnection() {
    PgConnection c = connection;
    connection = null;
    owner = false;
    busy = false;
    if (c != null) {
      c.close();
    }
    retryAcquireLater();
  }

  private void retryAcquireLater() {
    if (!stopping) {
      vertx.setTimer(options.lockRetry().toMillis(), t -> acquire());
    }
  }

  /** Sets up, then polls; no poll may start before the stored offset is loaded (it would re-read from the start). */
  private void setUpThenPoll() {
    busy = true;
    setUp().onComplete(ar -> {
      busy = false;
      if (ar.succeeded()) {
        poll();
      } else {
        LOG.warn("{} could not set up: {}", label, ar.cause().toString());
        dropConnection();
      }
    });
  }

  /** Reads the active version, creating version 1 (schema, tables, views) the first time; loads the offset. */
  private Future<Void> setUp() {
    PgConnection c = connection;
    return c.begin().compose(tx -> c.preparedQuery("select pg_advisory_xact_lock($1)")
        .execute(Tuple.of(ProjectionSchema.lockKey("projection-setup:" + projection.name())))
        .compose(r -> c.preparedQuery("insert into projection_versions (name, active_version, shards) values ($1, 1, $2) "
          + "on conflict (name) do nothing").execute(Tuple.of(projection.name(), projection.shards())))
        .compose(r -> c.preparedQuery("select active_version, shards from projection_versions where name = $1")
          .execute(Tuple.of(projection.name())))
        .compose(rows -> {
          Row row = rows.iterator().next();
          if (row.getInteger("shards") != projection.shards()) {
            return Future.failedFuture(new IllegalStateException(label + ": stored with " + row.getInteger("shards")
              + " shards, configured with " + projection.shards() + "; changing the shard count needs a rebuild"));
          }
          version = row.getInteger("active_version");
          return ensureSchema(c, projection, version, true);
        })
        .compose(v -> c.preparedQuery("insert into projection_offsets (name, version, shard) values ($1, $2, $3) "
          + "on conflict do nothing").execute(Tuple.of(projection.name(), version, shard)))
        .compose(r -> c.preparedQuery("select transaction_id, sequence, stopped_reason from projection_offsets "
          + "where name = $1 and version = $2 and shard = $3").execute(Tuple.of(projection.name(), version, shard)))
        .compose(rows -> {
          Row row = rows.iterator().next();
          offset = new Position(row.getLong("transaction_id"), row.getLong("sequence"));
          stored = offset;
          storedAt = System.nanoTime();
          unrecordedEvents = 0; // published past the stored offset, they are published (and counted) again
          unrecordedLastEventAt = null;
          stoppedReason = row.getString("stopped_reason");
          return tx.commit();
        })
        .onFailure(e -> tx.rollback()))
      // the batches' unqualified table names are this version's: set once for the connection, not per batch
      .compose(v -> c.query("set search_path to " + ProjectionSchema.schema(projection.name(), version) + ", public")
        .execute())
      .<Void>mapEmpty()
      .onSuccess(v -> LOG.info("{} at version {}, offset {}", label, version, offset));
  }

  /** Creates the schema and tables of {@code version} if missing; points the public views at it if active. */
  static Future<Void> ensureSchema(PgConnection c, Projection projection, int version, boolean active) {
    String schema = ProjectionSchema.schema(projection.name(), version);
    return ProjectionSchema.schemaExists(c, schema).compose(exists -> {
      if (exists) {
        return Future.succeededFuture();
      }
      return c.query("create schema " + schema).execute()
        .compose(r -> ProjectionSchema.useSchema(c, schema))
        .compose(v -> projection.createTables(c))
        .compose(v -> active ? ProjectionSchema.pointViews(c, projection, schema) : Future.succeededFuture());
    });
  }

  private void poll() {
    if (!owner || stopping || busy) {
      return;
    }
    if (shard == 0) {
      checkRebuildRequest();
    }
    if (stoppedReason != null) {
      checkResumed();
      return;
    }
    // held back only at the head: a full page before (its successor prefetched) is a backlog, and isolating a failed
    // page goes one event at a time; neither should wait out an interval per page
    boolean backlog = prefetched != null && offset.equals(prefetchedFrom);
    long early = projection.batchInterval().toNanos() - (System.nanoTime() - lastWriteAt);
    if (early > 0 && !backlog && isolateUntil == null) {
      if (intervalTimer == -1) {
        intervalTimer = vertx.setTimer(Math.max(1, early / 1_000_000), t -> context.runOnContext(v -> {
          intervalTimer = -1;
          poll();
        }));
      }
      return;
    }
    busy = true;
    wakeRequested = false;
    PgConnection polling = connection;
    int limit = isolateUntil != null ? 1 : options.batchSize();
    refreshHead();
    Future<List<StoredEvent>> page = prefetched != null && offset.equals(prefetchedFrom) && isolateUntil == null
      ? prefetched : here(journal.readAll(offset, limit));
    prefetched = null;
    page.compose(events -> {
      // a full page means more are waiting: read the next one while this one is applied
      if (events.size() == limit && isolateUntil == null) {
        prefetchedFrom = events.get(events.size() - 1).position();
        prefetched = here(journal.readAll(prefetchedFrom, limit));
      }
      return applyBatch(events);
    }).onComplete(ar -> {
      if (polling != connection) {
        return; // its connection was lost meanwhile: the runner sets up again, this batch counts for nothing
      }
      if (ar.failed()) {
        prefetched = null;
      }
      busy = false;
      if (ar.failed()) {
        failed(ar.cause());
      } else if (ar.result()) {
        failures = 0;
        prepareFailures = 0;
        hiddenRetryMs = 0;
        poll();
      } else if (wakeRequested) {
        poll();
      } else if (offset.transactionId() < announced.getAsLong()) {
        lookAgainSoon();
      } else {
        hiddenRetryMs = 0;
      }
    });
  }

  /**
   * A committed transaction was announced but the read did not see it: an older transaction is still open, and
   * readers only take events below the oldest open one. Its end is not announced, so look again shortly (1, 2, 4 …
   * ms, then every 100 ms or poll interval if shorter) instead of waiting for the next commit or the poll timer.
   */
  private void lookAgainSoon() {
    if (lookAgainTimer != -1) {
      return; // one look scheduled is enough
    }
    long cap = Math.min(100, options.pollInterval().toMillis());
    hiddenRetryMs = hiddenRetryMs == 0 ? 1 : Math.min(cap, hiddenRetryMs * 2);
    lookAgainTimer = vertx.setTimer(hiddenRetryMs, t -> context.runOnContext(v -> {
      lookAgainTimer = -1;
      if (!busy) {
        poll();
      } else {
        wakeRequested = true; // looked at by the batch in hand when it ends
      }
    }));
  }

  /** Applies one page; true if it had events (so there may be more). */
  private Future<Boolean> applyBatch(List<StoredEvent> page) {
    if (page.isEmpty()) {
      lagMillis = 0;
      lagEvents = 0;
      return recordIfDue(false);
    }
    lagMillis = Math.max(0, Instant.now().toEpochMilli() - page.get(0).timestamp().toEpochMilli());
    List<StoredEvent> mine = page.stream()
      .filter(e -> ProjectionSchema.shardOf(e.streamId(), projection.shards()) == shard && projection.handles(e))
      .toList();
    StoredEvent last = page.get(page.size() - 1);
    PgConnection c = connection;
    if (c == null) {
      return Future.failedFuture(new IllegalStateException("connection lost"));
    }
    int expectedVersion = version;
    Position from = stored;
    if (mine.isEmpty()) {
      // a runner that may have missed a swap records first (failing if it did) rather than report unchecked progress
      return versionSuspect ? advance(c, expectedVersion, from, last.position(), 0, null)
        : recordIfDue(passed(last.position()));
    }
    lastWriteAt = System.nanoTime();
    Future<Void> prepared = here(projection.prepare(mine)).recover(e -> Future.failedFuture(new PrepareFailed(e)));
    if (projection.tables().isEmpty()) {
      // only publishes (done by prepare): nothing to apply atomically with the offset, so its offset is recorded as
      // that of a page with nothing to apply, at most every UNRECORDED_MS (a crash publishes those pages again: at
      // least once, as a crash between a send and its record always could)
      return prepared.compose(p -> {
          if (c != connection) {
            return Future.failedFuture(new IllegalStateException("connection lost"));
          }
          committed(mine);
          java.time.OffsetDateTime lastAt = mine.get(mine.size() - 1).timestamp().atOffset(java.time.ZoneOffset.UTC);
          if (versionSuspect) {
            return advance(c, expectedVersion, from, last.position(), mine.size(), lastAt);
          }
          unrecordedEvents += mine.size();
          unrecordedLastEventAt = lastAt;
          return recordIfDue(passed(last.position()));
        })
        .recover(e -> Future.failedFuture(e instanceof VersionChanged || e instanceof PrepareFailed ? e
          : new BatchFailed(mine.get(0), last.position(), e)));
    }
    // the batch's statements go out together (pipelined on its connection, run in this order), then one commit.
    // The first reads the version FOR SHARE: a swap waits for this batch (no lock cycle with its drop of the old
    // schema), and a swap committed earlier is seen even when the apply then fails against the new version's tables.
    // In the same statement, the offset moves only from the one this batch started at, and only while the version is
    // the expected one: a batch of a runner that lost its lock meanwhile, or missed a swap, rolls back.
    // (The search_path is the connection's, set by setUp. BEGIN goes out with them: statements issued while it is
    // in flight join its transaction.)
    return prepared.compose(p -> inTransaction(c, begun -> {
        Future<Row> moved = c.preparedQuery("""
            with active as (select active_version from projection_versions where name = $1 for share),
                 moved as (update projection_offsets set transaction_id = $4, sequence = $5,
                             events_applied = events_applied + $6, last_event_at = coalesce($7, last_event_at),
                             updated_at = now()
                           where name = $1 and version = $2 and shard = $3 and transaction_id = $8 and sequence = $9
                             and version = (select active_version from active)
                           returning 1)
            select (select active_version from active), (select count(*) from moved)""")
          .execute(Tuple.from(new Object[] {projection.name(), expectedVersion, shard,
            last.position().transactionId(), last.position().sequence(), mine.size(),
            mine.get(mine.size() - 1).timestamp().atOffset(java.time.ZoneOffset.UTC),
            from.transactionId(), from.sequence()}))
          .map(rows -> rows.iterator().next());
        Future<Void> applied = here(applyCatching(c, mine));
        return here(Future.join(moved, applied)).transform(all -> {
          Integer active = moved.succeeded() ? moved.result().getInteger(0) : null;
          if (active != null && active != expectedVersion) {
            return Future.failedFuture(new VersionChanged(active));
          }
          if (all.failed()) {
            return Future.failedFuture(all.cause());
          }
          return moved.result().getLong(1) == 1 ? begun.compose(Transaction::commit)
            : Future.failedFuture(new VersionChanged(expectedVersion,
              "its offset moved (another runner applied this batch)"));
        });
      }))
      .map(v -> {
        committed(mine);
        return recorded(last.position());
      })
      .recover(e -> Future.failedFuture(e instanceof VersionChanged || e instanceof PrepareFailed ? e
        : new BatchFailed(mine.get(0), page.get(page.size() - 1).position(), e)));
  }

  private void committed(List<StoredEvent> mine) {
    try {
      projection.committed(mine);
    } catch (RuntimeException e) {
      LOG.warn("{}: after-commit notification failed: {}", label, e.toString());
    }
  }

  /**
   * Records the offset of pages this runner had nothing to apply from once they have been unrecorded for
   * {@link #UNRECORDED_MS} (so that a restart does not re-read far, and a missed swap is noticed); {@code result}
   * either way.
   */
  private Future<Boolean> recordIfDue(boolean result) {
    if (stored.equals(offset) || System.nanoTime() - storedAt < UNRECORDED_MS * 1_000_000) {
      return Future.succeededFuture(result);
    }
    PgConnection c = connection;
    if (c == null) {
      return Future.failedFuture(new IllegalStateException("connection lost"));
    }
    return advance(c, version, stored, offset, 0, null).map(result);
  }

  /**
   * Pages with nothing to write (those of a projection without tables, and the pages of others with nothing for this
   * shard) only move the offset: one statement instead of a transaction of four, since there is nothing to apply
   * atomically with it, and the published events counted since the last record (and {@code batchEvents}, those of a
   * batch in hand, counted only if this record succeeds). It still moves only from where this runner last recorded
   * it and only while its version is active, so a runner that lost its lock or missed a swap changes nothing and
   * reloads.
   */
  private Future<Boolean> advance(PgConnection c, int expectedVersion, Position from, Position to, int batchEvents,
                                  java.time.OffsetDateTime batchLastAt) {
    long earlier = unrecordedEvents;
    long applied = earlier + batchEvents;
    java.time.OffsetDateTime lastEventAt = batchLastAt != null ? batchLastAt : unrecordedLastEventAt;
    return c.preparedQuery("update projection_offsets set transaction_id = $4, sequence = $5, "
        + "events_applied = events_applied + $8, last_event_at = coalesce($9, last_event_at), updated_at = now() "
        + "where name = $1 and version = $2 and shard = $3 and transaction_id = $6 and sequence = $7 "
        + "and $2 = (select active_version from projection_versions where name = $1)")
      .execute(Tuple.from(new Object[] {projection.name(), expectedVersion, shard, to.transactionId(), to.sequence(),
        from.transactionId(), from.sequence(), applied, lastEventAt}))
      .compose(r -> {
        if (r.rowCount() == 1) {
          unrecordedEvents -= earlier;
        }
        return r.rowCount() == 1 ? Future.succeededFuture(recorded(to))
          : Future.failedFuture(new VersionChanged(expectedVersion, "the active version changed or another runner "
            + "moved the offset"));
      });
  }

  /** After a committed batch: the new offset, and the progress report readers wait for. */
  private boolean recorded(Position to) {
    stored = to;
    storedAt = System.nanoTime();
    versionSuspect = false;
    return passed(to);
  }

  /** The new offset (recorded or not), and the progress report readers wait for. */
  private boolean passed(Position to) {
    offset = to;
    if (isolateUntil != null && !isolateUntil.isAfter(offset)) {
      isolateUntil = null;
    }
    lagEvents = Math.max(0, head.sequence() - offset.sequence());
    reports.passed(projection.name(), shard, version, offset);
    return true;
  }

  /**
   * {@code future}, completing on this runner's context. A projection may complete on another one (a Kafka
   * producer completes on its own), and the runner's state must only ever be touched from its context.
   */
  private <T> Future<T> here(Future<T> future) {
    return EventLoops.on(context, future);
  }

  /**
   * {@code batch} in a transaction begun on {@code c}, rolled back on any failure, a thrown one included: an open one
   * would hold back every tailer. The batch gets the transaction's future at once, not once BEGIN has been answered.
   */
  private static Future<Void> inTransaction(PgConnection c,
                                            java.util.function.Function<Future<Transaction>, Future<Void>> batch) {
    Future<Transaction> begun;
    Future<Void> result;
    try {
      begun = c.begin();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    // a BEGIN that fails leaves the client's transaction open, and every later begin() would throw: start afresh
    begun.onFailure(e -> c.close());
    try {
      result = batch.apply(begun);
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    // the failure is passed on once the rollback is done: whatever the runner then sends on this connection (the
    // record that stops the shard, say) must not run inside the transaction being rolled back
    return result.recover(e -> begun.transform(tx -> tx.succeeded() ? rollback(tx.result()) : Future.succeededFuture())
      .transform(v -> Future.failedFuture(e)));
  }

  /** The projection's apply; one that throws instead of failing its future fails the batch all the same. */
  private Future<Void> applyCatching(PgConnection c, List<StoredEvent> mine) {
    try {
      Future<Void> applied = projection.apply(c, mine);
      return applied == null ? Future.failedFuture(new IllegalStateException("apply returned no future")) : applied;
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private static Future<Void> rollback(Transaction tx) {
    // a connection gone takes its transaction with it; one that hangs is given up on (the runner sets up again)
    return tx.rollback().timeout(5, java.util.concurrent.TimeUnit.SECONDS).recover(e -> Future.succeededFuture());
  }

  private void failed(Throwable e) {
    if (e instanceof VersionChanged changed) {
      LOG.info("{} reloads its version and offset: {}", label, changed.getMessage());
      setUpThenPoll();
      return;
    }
    if (e instanceof PrepareFailed) {
      // Kafka or another service is unavailable: not the event's fault, so it never stops the shard
      prepareFailures++;
      long delay = Math.min(10_000, options.firstBackoff().toMillis() << Math.min(10, prepareFailures - 1));
      if (prepareFailures % 10 == 1) {
        LOG.warn("{}: preparing a batch failed (attempt {}): {}; retrying in {} ms", label, prepareFailures,
          e.getCause().getMessage(), delay);
      }
      vertx.setTimer(delay, t -> poll());
      return;
    }
    if (!(e instanceof BatchFailed batch)) {
      LOG.warn("{} cannot read the journal or record its offset: {}", label, e.toString());
      vertx.setTimer(options.firstBackoff().toMillis() * 10, t -> poll());
      return;
    }
    if (connection == null) {
      return;
    }
    failures++;
    // after the first failure, go one event at a time through the failed page to find the event at fault
    if (isolateUntil == null) {
      isolateUntil = batch.pageEnd;
    }
    String where = "event " + batch.event.eventId() + " (" + batch.event.type() + ", stream " + batch.event.streamId()
      + " version " + batch.event.version() + ")";
    if (failures < options.maxAttempts()) {
      long delay = options.firstBackoff().toMillis() << Math.min(10, failures - 1);
      LOG.warn("{} failed on {} (attempt {}): {}; retrying in {} ms", label, where, failures,
        batch.getCause().getMessage(), delay);
      vertx.setTimer(delay, t -> poll());
      return;
    }
    String reason = where + ": " + batch.getCause().getMessage();
    connection.preparedQuery("update projection_offsets set stopped_reason = $4, updated_at = now() "
        + "where name = $1 and version = $2 and shard = $3")
      .execute(Tuple.of(projection.name(), version, shard, reason))
      .onComplete(ar -> {
        stoppedReason = reason;
        failures = 0;
        LOG.error("{} STOPPED after {} attempts on {}. Fix the cause, then run: trader projections resume {}",
          label, options.maxAttempts(), reason, projection.name());
      });
  }

  private void checkResumed() {
    connection.preparedQuery("select stopped_reason from projection_offsets where name = $1 and version = $2 "
        + "and shard = $3").execute(Tuple.of(projection.name(), version, shard))
      .onSuccess(rows -> {
        String reason = rows.iterator().hasNext() ? rows.iterator().next().getString(0) : null;
        if (reason == null && stoppedReason != null) {
          LOG.info("{} resumed", label);
          stoppedReason = null;
          poll();
        }
      });
  }

  /** Shard 0's runner performs the rebuilds operators request (see {@link ProjectionControl#requestRebuild}). */
  private void checkRebuildRequest() {
    long now = System.currentTimeMillis();
    if (rebuilding || now - rebuildCheckedAt < 1000 || connection == null) {
      return;
    }
    rebuildCheckedAt = now;
    connection.preparedQuery("update projection_rebuilds set started_at = now() where name = $1 "
        + "and started_at is null and finished_at is null returning id").execute(Tuple.of(projection.name()))
      .onSuccess(rows -> {
        if (!rows.iterator().hasNext() || rebuilding) {
          return;
        }
        long id = rows.iterator().next().getLong(0);
        rebuilding = true;
        LOG.info("{}: rebuild requested (request {})", label, id);
        ProjectionRebuildRequest.perform(vertx, connectOptions, journal, projection, options.batchSize(), id,
            version -> reports.swapped(projection.name(), version))
          .onComplete(ar -> context.runOnContext(v -> rebuilding = false));
      });
  }

  private void refreshHead() {
    long now = System.currentTimeMillis();
    if (now - headCheckedAt > 1000) {
      headCheckedAt = now;
      here(journal.head()).onSuccess(h -> {
        head = h;
        lagEvents = Math.max(0, h.sequence() - offset.sequence());
      });
    }
  }

  private static final class VersionChanged extends RuntimeException {
    final int active;

    VersionChanged(int active) {
      this(active, "the active version is now " + active);
    }

    VersionChanged(int active, String why) {
      super(why, null, false, false);
      this.active = active;
    }
  }

  /** {@link Projection#prepare} failed: a service it needs is unavailable; retried, never counted against the event. */
  private static final class PrepareFailed extends RuntimeException {
    PrepareFailed(Throwable cause) {
      super(cause.getMessage(), cause, false, false);
    }
  }

  private static final class BatchFailed extends RuntimeException {
    final StoredEvent event;
    final Position pageEnd;

    BatchFailed(StoredEvent event, Position pageEnd, Throwable cause) {
      super(cause.getMessage(), cause, false, false);
      this.event = event;
      this.pageEnd = pageEnd;
    }
  }
}
