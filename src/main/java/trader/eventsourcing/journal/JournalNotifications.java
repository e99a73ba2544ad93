package trader.eventsourcing.journal;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Tells tailers of the journal when to read again. A dedicated connection runs {@code LISTEN journal}; the
 * journal's trigger notifies on every commit that wrote events. Listeners are called on this object's Vert.x
 * context, with bursts coalesced into one call; they then read the journal themselves.
 *
 * <p>Notifications are a hint, never the data: when the connection is lost it is re-established with backoff,
 * listeners are woken once after every (re)connect (commits in the gap went unannounced), and a poll timer wakes
 * them whenever no notification came for a poll interval, so a tailer never waits forever.
 */
public final class JournalNotifications {

  /** The channel the journal's trigger notifies. */
  public static final String CHANNEL = "journal";
  /** The listening session's {@code application_name}, to spot it in {@code pg_stat_activity}. */
  public static final String APPLICATION_NAME = "trader-journal-listener";
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(500);

  private static final Logger LOG = LoggerFactory.getLogger(JournalNotifications.class);
  private static final long MIN_BACKOFF_MS = 100;
  private static final long MAX_BACKOFF_MS = 5_000;
  /** A silently dead connection (no FIN, no RST) only shows when used: ping it this often. */
  private static final long PING_INTERVAL_MS = 15_000;

  private final Vertx vertx;
  private final Context context;
  private final PgConnectOptions options;
  private final long pollIntervalMs;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final AtomicBoolean wakeScheduled = new AtomicBoolean();
  private volatile boolean listening;
  private volatile long connects;
  private volatile long lastWakeNanos = System.nanoTime();
  /** The highest writing transaction id announced so far (0: none, or notifications without one). */
  private final java.util.concurrent.atomic.AtomicLong announced = new java.util.concurrent.atomic.AtomicLong();

  // confined to the context
  private PgConnection connection;
  private long backoffMs = MIN_BACKOFF_MS;
  private long pollTimer = -1;
  private long pingTimer = -1;
  private boolean closed;

  private JournalNotifications(Vertx vertx, PgConnectOptions options, Duration pollInterval) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.options = SessionNames.withPurpose(options, APPLICATION_NAME);
    this.pollIntervalMs = Math.max(1, pollInterval.toMillis());
  }

  /** Starts listening with the default poll interval; connects in the background, retrying until it can. */
  public static JournalNotifications start(Vertx vertx, PgConnectOptions options) {
    return start(vertx, options, DEFAULT_POLL_INTERVAL);
  }

  /**
   * Starts listening; connects in the background, retrying until it can. Listeners are also woken when nothing
   * was heard for {@code pollInterval}.
   */
  public static JournalNotifications start(Vertx vertx, PgConnectOptions options, Duration pollInterval) {
    JournalNotifications notifications = new JournalNotifications(vertx, options, pollInterval);
    notifications.context.runOnContext(v -> {
      notifications.pollTimer = vertx.setPeriodic(notifications.pollIntervalMs, id -> notifications.poll());
      notifications.pingTimer = vertx.setPeriodic(PING_INTERVAL_MS, id -> notifications.ping());
      notifications.connect();
    });
    return notifications;
  }

  /** Calls {@code listener} on every (coalesced) wake-up until the returned handle is closed. */
  public AutoCloseable subscribe(Runnable listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /**
   * The highest transaction id whose events were announced (0 if none). A tailer whose position is below it after
   * a read has not seen a committed transaction yet: it is still hidden behind an older transaction that is open
   * (tailers only read below the snapshot's xmin), and no further notification will come when that one ends.
   */
  public long announcedTransaction() {
    return announced.get();
  }

  private void noteAnnounced(String payload) {
    if (payload != null && !payload.isEmpty()) {
      try {
        long xid = Long.parseLong(payload);
        announced.accumulateAndGet(xid, Math::max);
      } catch (NumberFormatException e) {
        // an older writer's empty payload: a plain wake-up
      }
    }
  }

  /** Whether the LISTEN connection is up now (when it is not, only polling wakes listeners). */
  public boolean isListening() {
    return listening;
  }

  /** How many times a LISTEN connection was established: 1 after start, more after reconnects. */
  public long connects() {
    return connects;
  }

  /** Stops polling and listening; no listener is called afterwards. */
  public Future<Void> close() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      closed = true;
      listeners.clear();
      vertx.cancelTimer(pollTimer);
      vertx.cancelTimer(pingTimer);
      PgConnection current = connection;
      connection = null;
      listening = false;
      if (current == null) {
        done.complete();
      } else {
        current.close().onComplete(ar -> done.complete());
      }
    });
    return done.future();
  }

  private void connect() {
    if (closed) {
      return;
    }
    PgConnection.connect(vertx, options).onComplete(connected -> {
      if (connected.failed()) {
        retryLater(connected.cause());
        return;
      }
      PgConnection conn = connected.result();
      if (closed) {
        conn.close();
        return;
      }
      conn.notificationHandler(n -> {
        if (CHANNEL.equals(n.getChannel())) {
          noteAnnounced(n.getPayload());
          wake();
        }
      });
      conn.closeHandler(v -> lost(conn));
      conn.exceptionHandler(e -> LOG.debug("Journal listener connection: {}", e.getMessage()));
      conn.query("LISTEN " + CHANNEL).execute().onComplete(ar -> {
        if (ar.failed()) {
          conn.close();
          retryLater(ar.cause());
          return;
        }
        connection = conn;
        listening = true;
        backoffMs = MIN_BACKOFF_MS;
        connects++;
        wake(); // commits while nobody listened were not announced
      });
    });
  }

  private void lost(PgConnection conn) {
    if (connection != conn) {
      return;
    }
    connection = null;
    listening = false;
    if (!closed) {
      LOG.warn("Journal listener connection lost; reconnecting (polling every {} ms meanwhile)", pollIntervalMs);
      vertx.setTimer(MIN_BACKOFF_MS, id -> connect());
    }
  }

  private void retryLater(Throwable cause) {
    if (closed) {
      return;
    }
    LOG.warn("Journal listener cannot connect ({}); retrying in {} ms", cause.getMessage(), backoffMs);
    vertx.setTimer(backoffMs, id -> connect());
    backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
  }

  private void ping() {
    PgConnection current = connection;
    if (current != null) {
      current.query("select 1").execute().timeout(PING_INTERVAL_MS / 3, TimeUnit.MILLISECONDS).onFailure(e -> {
        LOG.warn("Journal listener connection does not answer ({}); replacing it", e.getMessage());
        current.close();
        lost(current);
      });
    }
  }

  private void poll() {
    if (System.nanoTime() - lastWakeNanos >= pollIntervalMs * 1_000_000) {
      wake();
    }
  }

  private void wake() {
    if (wakeScheduled.compareAndSet(false, true)) {
      context.runOnContext(v -> {
        wakeScheduled.set(false);
        lastWakeNanos = System.nanoTime();
        for (Runnable listener : listeners) {
          try {
            listener.run();
          } catch (RuntimeException e) {
            LOG.warn("A journal listener failed", e);
          }
        }
      });
    }
  }
}
