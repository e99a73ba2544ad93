package trader.eventsourcing.journal;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.testing.TestDatabase;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static trader.eventsourcing.journal.JournalTestSupport.OpenTransaction;
import static trader.eventsourcing.journal.JournalTestSupport.events;
import static trader.eventsourcing.journal.JournalTestSupport.scalar;
import static trader.eventsourcing.journal.JournalTestSupport.sleep;

/** Reading the whole journal in commit-safe order while transactions commit out of order. */
class PgJournalTailTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase();

  static Vertx vertx;
  static Pool pool;
  static Journal journal;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    pool = JournalTestSupport.pool(vertx, db.options(), 8);
    journal = Journal.create(vertx, pool, Upcasters.none());
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @Test
  void aTransactionHeldOpenTenSecondsHoldsTheTailAndIsNotSkipped() throws InterruptedException {
    for (int i = 0; i < 10; i++) {
      journal.append("before-" + i, 0, events(2)).await();
    }
    UUID heldEvent = UUID.randomUUID();
    OpenTransaction held = OpenTransaction.begin(pool).insert("held", 1, heldEvent);
    Position heldAt = held.lastPosition();
    Position barrier = new Position(heldAt.transactionId(), 0);

    // others keep committing while the transaction stays open
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicInteger committedMeanwhile = new AtomicInteger();
    Thread writer = Thread.ofPlatform().name("writer").start(() -> {
      for (int i = 0; writing.get(); i++) {
        journal.append("during-" + i, 0, events(1 + i % 3)).await();
        committedMeanwhile.incrementAndGet();
        sleep(25);
      }
    });

    List<StoredEvent> seen = new ArrayList<>();
    Position after = Position.START;
    long openUntil = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < openUntil) {
      List<StoredEvent> page = journal.readAll(after, 7).await();
      for (StoredEvent event : page) {
        assertThat(event.position()).as("the tail must not pass the open transaction").isLessThan(barrier);
        seen.add(event);
        after = event.position();
      }
      assertThat(journal.head().await()).isLessThan(barrier);
      if (page.isEmpty()) {
        sleep(100);
      }
    }
    assertThat(committedMeanwhile.get()).as("others committed while the transaction was open").isGreaterThan(50);
    assertThat(scalar(pool, "select count(*) from journal where transaction_id > $1::text::xid8",
      Long.toString(heldAt.transactionId()))).as("events committed behind the open transaction").isPositive();
    assertThat(seen).noneMatch(e -> e.streamId().startsWith("during-"));

    held.commit();
    writing.set(false);
    writer.join();

    long total = scalar(pool, "select count(*) from journal");
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (seen.size() < total && System.nanoTime() < deadline) {
      List<StoredEvent> page = journal.readAll(after, 50).await();
      for (StoredEvent event : page) {
        seen.add(event);
        after = event.position();
      }
      if (page.isEmpty()) {
        sleep(100);
      }
    }
    assertThat(journal.readAll(after, 50).await()).isEmpty();
    assertThat(seen).hasSize((int) total);
    Set<UUID> ids = new HashSet<>();
    seen.forEach(e -> assertThat(ids.add(e.eventId())).as("each event exactly once").isTrue());
    assertThat(ids).contains(heldEvent);
    for (int i = 1; i < seen.size(); i++) {
      assertThat(seen.get(i).position()).isGreaterThan(seen.get(i - 1).position());
    }
    assertThat(journal.head().await()).isEqualTo(seen.getLast().position());
    // the late commit's event comes after everything returned before it, never in between
    int heldIndex = seen.stream().map(StoredEvent::eventId).toList().indexOf(heldEvent);
    assertThat(seen.subList(0, heldIndex)).noneMatch(e -> e.streamId().startsWith("during-"));
  }
}
