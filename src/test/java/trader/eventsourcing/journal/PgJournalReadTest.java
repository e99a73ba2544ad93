package trader.eventsourcing.journal;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.testing.TestDatabase;

import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Upcasting old payloads on read, and snapshots. */
class PgJournalReadTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase();

  static Vertx vertx;
  static Pool pool;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    pool = JournalTestSupport.pool(vertx, db.options(), 4);
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @Test
  void anOldPayloadIsReadInTheCurrentShape() {
    // written by an older release: one "name" field, schema version 1
    UUID oldId = UUID.randomUUID();
    pool.preparedQuery("insert into journal (stream_id, version, event_id, event_type, schema_version, payload)"
        + " values ('user-7', 1, $1, 'user.signed-up', 1,"
        + " '{\"name\": \"Ada Lovelace\", \"email\": \"ada@example.com\"}')")
      .execute(Tuple.of(oldId)).await();
    Upcasters upcasters = Upcasters.none().register("user.signed-up", 1, v1 -> {
      String[] name = v1.getString("name").split(" ", 2);
      return new JsonObject().put("firstName", name[0]).put("lastName", name[1]).put("email", v1.getString("email"));
    });
    Journal journal = Journal.create(vertx, pool, upcasters);
    JsonObject current = new JsonObject().put("firstName", "Alan").put("lastName", "Turing")
      .put("email", "at@example.com");
    journal.append("user-7", 1, List.of(new NewEvent(UUID.randomUUID(), "user.signed-up", 2, current,
      EventMetadata.NONE, null))).await();

    List<StoredEvent> events = journal.read("user-7", 1).await();
    assertThat(events.getFirst().eventId()).isEqualTo(oldId);
    assertThat(events.getFirst().schemaVersion()).isEqualTo(2);
    assertThat(events.getFirst().payload()).isEqualTo(new JsonObject().put("firstName", "Ada")
      .put("lastName", "Lovelace").put("email", "ada@example.com"));
    assertThat(events.get(1).schemaVersion()).isEqualTo(2);
    assertThat(events.get(1).payload()).isEqualTo(current);
    assertThat(journal.readAll(Position.START, 10).await().getFirst().payload().getString("firstName"))
      .isEqualTo("Ada");
    // the stored row is never rewritten
    assertThat(pool.query("select payload->>'name' from journal where stream_id = 'user-7' and version = 1")
      .execute().await().iterator().next().getString(0)).isEqualTo("Ada Lovelace");
  }

  /** Readers of the whole journal asking the same at once share one query and its (unmodifiable) result. */
  @Test
  void concurrentReadsOfTheSamePageShareOneQuery() {
    Journal journal = Journal.create(vertx, pool, Upcasters.none());
    journal.append("shared-1", 0, List.of(NewEvent.of("test.shared", new io.vertx.core.json.JsonObject()))).await();
    try {
      io.vertx.core.Future<List<StoredEvent>> first = journal.readAll(Position.START, 100);
      for (int i = 0; i < 4; i++) {
        io.vertx.core.Future<List<StoredEvent>> read = journal.readAll(Position.START, 100);
        // asked while the first was running, a read joins it; only a finished one leaves later readers to themselves
        if (read != first) {
          assertThat(first.isComplete()).as("a second query while the first was running").isTrue();
        }
        assertThat(read.await()).isEqualTo(first.await());
      }
      assertThat(first.await()).isNotEmpty();
      assertThat(journal.readAll(Position.START, 100).await()).isEqualTo(first.await());
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> first.await().clear())
        .isInstanceOf(UnsupportedOperationException.class);
    } finally {
      pool.query("delete from journal where stream_id = 'shared-1'").execute().await(); // the other tests read it all
    }
  }

  /**
   * Pages already read are served from memory to readers behind the head: whatever offset a reader asks from, it gets
   * what a query would return, and a reader at the head still gets events committed after the pages were read.
   */
  @Test
  void readersBehindTheHeadGetWhatAQueryWouldReturn() {
    Journal journal = Journal.create(vertx, pool, Upcasters.none());
    try {
      List<Position> positions = new java.util.ArrayList<>();
      positions.add(Position.START);
      for (int i = 0; i < 30; i++) {
        positions.add(journal.append("recent-" + (i % 3), i / 3, List.of(NewEvent.of("test.recent",
          new JsonObject().put("i", i)))).await().position());
      }
      Position at = Position.START;
      for (List<StoredEvent> page; !(page = journal.readAll(at, 10).await()).isEmpty(); ) {
        at = page.getLast().position(); // the pages a runner at the head reads: now held
      }
      for (Position after : positions) {
        Journal uncached = Journal.create(vertx, pool, Upcasters.none());
        assertThat(journal.readAll(after, 7).await()).as("after " + after)
          .isEqualTo(uncached.readAll(after, 7).await());
      }
      Position head = at;
      Position later = journal.append("recent-0", 10, List.of(NewEvent.of("test.recent", new JsonObject())))
        .await().position();
      assertThat(journal.readAll(head, 10).await()).extracting(StoredEvent::position).containsExactly(later);
    } finally {
      pool.query("delete from journal where stream_id like 'recent-%'").execute().await(); // the others read it all
    }
  }

  @Test
  void theLatestSnapshotIsKeptAndAnOlderOneNeverReplacesIt() {
    Journal journal = Journal.create(vertx, pool, Upcasters.none());
    assertThat(journal.loadSnapshot("portfolio-1").await()).isEmpty();

    journal.saveSnapshot(new Snapshot("portfolio-1", 5, 1, new JsonObject().put("cash", "100.00"))).await();
    assertThat(journal.loadSnapshot("portfolio-1").await()).contains(
      new Snapshot("portfolio-1", 5, 1, new JsonObject().put("cash", "100.00")));

    journal.saveSnapshot(new Snapshot("portfolio-1", 10, 2, new JsonObject().put("cash", "250.00"))).await();
    journal.saveSnapshot(new Snapshot("portfolio-1", 7, 2, new JsonObject().put("cash", "175.00"))).await();
    assertThat(journal.loadSnapshot("portfolio-1").await()).contains(
      new Snapshot("portfolio-1", 10, 2, new JsonObject().put("cash", "250.00")));
    assertThat(journal.loadSnapshot("portfolio-2").await()).isEmpty();
  }
}
