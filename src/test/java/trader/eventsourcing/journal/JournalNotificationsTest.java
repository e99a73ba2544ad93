package trader.eventsourcing.journal;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.testing.TestDatabase;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static trader.eventsourcing.journal.JournalTestSupport.OpenTransaction;
import static trader.eventsourcing.journal.JournalTestSupport.awaitTrue;
import static trader.eventsourcing.journal.JournalTestSupport.events;
import static trader.eventsourcing.journal.JournalTestSupport.scalar;
import static trader.eventsourcing.journal.JournalTestSupport.sleep;

/** LISTEN/NOTIFY wake-ups: on commit only, across a lost connection, and the polling fallback. */
class JournalNotificationsTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase();

  /** Long enough that in these tests only notifications (and reconnects) wake listeners. */
  static final Duration NO_POLLING = Duration.ofHours(1);

  static Vertx vertx;
  static Pool pool;
  static Journal journal;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    pool = JournalTestSupport.pool(vertx, db.options(), 4);
    journal = Journal.create(vertx, pool, Upcasters.none());
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @Test
  void aCommitWakesTheListenerAndAnOpenTransactionDoesNot() throws Exception {
    JournalNotifications notifications = JournalNotifications.start(vertx, db.options(), NO_POLLING);
    AtomicInteger wakes = new AtomicInteger();
    try (AutoCloseable ignored = notifications.subscribe(wakes::incrementAndGet)) {
      awaitTrue(Duration.ofSeconds(10), () -> notifications.isListening() && wakes.get() >= 1, "listening");
      int before = wakes.get();

      journal.append("notified", 0, events(1)).await();
      awaitTrue(Duration.ofSeconds(5), () -> wakes.get() > before, "a wake-up after the commit");

      int beforeOpen = wakes.get();
      OpenTransaction open = OpenTransaction.begin(pool).insert("notified", 2, UUID.randomUUID())
        .notifyJournal();
      sleep(500);
      assertThat(wakes.get()).as("no wake-up before commit").isEqualTo(beforeOpen);
      open.commit();
      awaitTrue(Duration.ofSeconds(5), () -> wakes.get() > beforeOpen, "a wake-up after the late commit");

      int beforeConflict = wakes.get();
      assertThat(journal.append("notified", 0, events(1)).otherwiseEmpty().await()).as("a conflict").isNull();
      sleep(500);
      assertThat(wakes.get()).as("an append that wrote nothing notifies nobody").isEqualTo(beforeConflict);
    } finally {
      notifications.close().await();
    }
  }

  @Test
  void theListenerReconnectsAfterItsConnectionIsTerminated() throws Exception {
    JournalNotifications notifications = JournalNotifications.start(vertx, db.options(), NO_POLLING);
    AtomicInteger wakes = new AtomicInteger();
    try (AutoCloseable ignored = notifications.subscribe(wakes::incrementAndGet)) {
      awaitTrue(Duration.ofSeconds(10), notifications::isListening, "listening");
      assertThat(notifications.connects()).isEqualTo(1);

      long terminated = scalar(pool, "select count(pg_terminate_backend(pid)) from pg_stat_activity"
        + " where datname = current_database() and application_name = $1", JournalNotifications.APPLICATION_NAME);
      assertThat(terminated).as("listening sessions terminated").isPositive();
      awaitTrue(Duration.ofSeconds(10), () -> notifications.connects() == 2 && notifications.isListening(),
        "a new LISTEN connection");

      int before = wakes.get();
      journal.append("after-reconnect", 0, events(1)).await();
      awaitTrue(Duration.ofSeconds(5), () -> wakes.get() > before, "a wake-up on the new connection");
    } finally {
      notifications.close().await();
    }
  }

  @Test
  void pollingWakesTheListenerWhenNothingIsNotified() throws Exception {
    JournalNotifications notifications = JournalNotifications.start(vertx, db.options(), Duration.ofMillis(100));
    AtomicInteger wakes = new AtomicInteger();
    try (AutoCloseable ignored = notifications.subscribe(wakes::incrementAndGet)) {
      awaitTrue(Duration.ofSeconds(10), () -> wakes.get() >= 5, "five polls");
    } finally {
      notifications.close().await();
    }
    int afterClose = wakes.get();
    sleep(300);
    assertThat(wakes.get()).as("no wake-up after close").isEqualTo(afterClose);
  }
}
