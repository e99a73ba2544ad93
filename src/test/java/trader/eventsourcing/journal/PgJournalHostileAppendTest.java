package trader.eventsourcing.journal;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.eventsourcing.StorableText;
import trader.eventsourcing.UnstorableTextException;
import trader.testing.TestDatabase;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static trader.eventsourcing.journal.JournalTestSupport.OpenTransaction;
import static trader.eventsourcing.journal.JournalTestSupport.awaitBlockedStatement;
import static trader.eventsourcing.journal.JournalTestSupport.events;
import static trader.eventsourcing.journal.JournalTestSupport.scalar;

/**
 * One append the database cannot take never fails the other appends of its batch: the journal refuses text it
 * cannot store before batching, the batch writer isolates any other error about an append's rows, and an error
 * that says nothing about any append fails the batch as it is, without bisecting.
 */
class PgJournalHostileAppendTest {

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

  static NewEvent event(JsonObject payload, EventMetadata metadata, Set<String> tags, String type) {
    return new NewEvent(UUID.randomUUID(), type, 1, payload, metadata, tags);
  }

  static NewEvent payload(JsonObject payload) {
    return event(payload, EventMetadata.NONE, null, "test.happened");
  }

  /** The hostile appends, by what each one holds. */
  static Map<String, List<NewEvent>> hostile() {
    Map<String, List<NewEvent>> appends = new LinkedHashMap<>();
    appends.put("a NUL in a payload value", List.of(payload(new JsonObject().put("name", "a\u0000b"))));
    appends.put("a NUL in a payload field name", List.of(payload(new JsonObject().put("na\u0000me", "x"))));
    appends.put("a lone surrogate deep in the payload", List.of(events(1).getFirst(), payload(new JsonObject()
      .put("order", new JsonObject().put("legs", new io.vertx.core.json.JsonArray().add("ok").add("\uD800"))))));
    appends.put("a NUL in the metadata", List.of(event(new JsonObject(), new EventMetadata("c", "k", "u\u0000"),
      null, "test.happened")));
    appends.put("a NUL in a tag", List.of(event(new JsonObject(), EventMetadata.NONE, Set.of("t\u0000"),
      "test.happened")));
    appends.put("a lone surrogate in the type", List.of(event(new JsonObject(), EventMetadata.NONE, null,
      "test.\uDC00")));
    return appends;
  }

  /**
   * Appends queued behind a running batch go out as one: the hostile ones among them are refused at once with a
   * clear {@link IllegalArgumentException}, the innocent ones commit together, and nothing hostile is stored,
   * neither refused nor changed (a lone surrogate would be stored as '?').
   */
  @Test
  void textTheDatabaseCannotStoreIsRefusedBeforeTheBatchAndTheRestOfTheBatchCommits() {
    Journal oneBatchAtATime = Journal.create(vertx, pool, Upcasters.none(), new JournalOptions(1000, 1));
    OpenTransaction gate = OpenTransaction.begin(pool).insert("gate-of-hostile", 1, UUID.randomUUID());
    Future<Appended> held = oneBatchAtATime.append("gate-of-hostile", 0, events(1));
    awaitBlockedStatement(pool);

    List<Future<Appended>> innocent = new ArrayList<>();
    Map<String, Future<Appended>> refused = new LinkedHashMap<>();
    int i = 0;
    for (Map.Entry<String, List<NewEvent>> hostile : hostile().entrySet()) {
      innocent.add(oneBatchAtATime.append("innocent-" + i, 0, events(2)));
      refused.put(hostile.getKey(), oneBatchAtATime.append("hostile-" + i++, 0, hostile.getValue()));
    }
    refused.put("a NUL in the stream id", oneBatchAtATime.append("hostile-\u0000", 0, events(1)));
    innocent.add(oneBatchAtATime.append("innocent-" + i, 0, events(1, "e\u0301 \uD83D\uDE80 \uFFFF")));
    gate.rollback();
    held.await();
    Future.join(innocent).otherwiseEmpty().await();
    Future.join(new ArrayList<>(refused.values())).otherwiseEmpty().await();

    refused.forEach((what, append) -> assertThat(append.cause()).as(what)
      .isInstanceOf(UnstorableTextException.class).isInstanceOf(IllegalArgumentException.class)
      .hasMessageContaining("cannot be stored"));
    assertThat(refused.get("a NUL in a payload value").cause())
      .hasMessageContaining("field /name holds U+0000 at character 1");
    assertThat(refused.get("a NUL in a payload field name").cause()).hasMessageContaining("the name of field /na");
    assertThat(refused.get("a lone surrogate deep in the payload").cause()).hasMessageContaining(
      "Event 2 of 2").hasMessageContaining("field /order/legs/1 holds a lone surrogate U+D800");
    assertThat(refused.get("a NUL in the stream id").cause()).hasMessageContaining("hostile-\\u0000");
    refused.values().forEach(f -> assertThat(StorableText.isStorable(f.cause().getMessage())).isTrue());

    assertThat(innocent).allMatch(Future::succeeded);
    Set<Long> transactions = new HashSet<>();
    innocent.forEach(f -> transactions.add(f.result().position().transactionId()));
    assertThat(transactions).as("the innocent appends went out as one batch").hasSize(1);
    assertThat(journal.read("innocent-" + i, 1).await().getFirst().payload().getString("append"))
      .isEqualTo("e\u0301 \uD83D\uDE80 \uFFFF");
    assertThat(scalar(pool, "select count(*) from journal where stream_id like 'hostile-%'")).isZero();
    assertThat(scalar(pool, "select count(*) from journal where payload::text like '%?%'"
      + " or metadata::text like '%?%' or event_type like '%?%'")).isZero();
  }

  /**
   * Straight to the batch writer (as appends that got past every check would come): each kind of database error
   * about one append's rows fails that append alone, with its error, and every other append of the batch commits.
   */
  @Test
  void everyAppendTheDatabaseRefusesFailsAloneWhateverTheError() {
    Map<String, PendingAppend> culprits = new LinkedHashMap<>();
    culprits.put("22P05", new PendingAppend("culprit-jsonb", 0, List.of(payload(new JsonObject().put("k", "\u0000")))));
    culprits.put("22021", new PendingAppend("culprit-\u0000", 0, events(2)));
    culprits.put("22021 tag", new PendingAppend("culprit-tag", 0, List.of(event(new JsonObject(),
      EventMetadata.NONE, Set.of("\u0000"), "test.happened"))));
    // the primary key's index cannot hold a stream id of several kilobytes (random, so it does not compress)
    StringBuilder huge = new StringBuilder("culprit-");
    java.util.Random random = new java.util.Random(3);
    while (huge.length() < 12_000) {
      huge.append((char) ('!' + random.nextInt(90)));
    }
    culprits.put("54000", new PendingAppend(huge.toString(), 0, events(1)));
    PendingAppend belowOne = new PendingAppend("culprit-version", -1, events(1));
    belowOne.checkVersion = false; // version 0 reaches the table, whose check refuses it
    culprits.put("23514", belowOne);

    List<PendingAppend> innocent = new ArrayList<>();
    List<PendingAppend> batch = new ArrayList<>();
    int i = 0;
    for (PendingAppend culprit : culprits.values()) {
      for (int k = 0; k < 3; k++) {
        PendingAppend append = new PendingAppend("bystander-" + i++, 0, events(1 + k));
        innocent.add(append);
        batch.add(append);
      }
      batch.add(culprit);
    }
    new BatchWriter(pool).write(batch).await();

    culprits.forEach((state, culprit) -> assertThat(culprit.future().cause()).as(state)
      .isInstanceOfSatisfying(PgException.class, e -> assertThat(e.getSqlState()).isEqualTo(state.substring(0, 5))));
    for (PendingAppend append : innocent) {
      assertThat(append.future().succeeded()).as(append.streamId + ": " + append.future().cause()).isTrue();
      assertThat(journal.read(append.streamId, 1).await()).hasSize(append.events.size());
    }
    assertThat(scalar(pool, "select count(*) from journal where stream_id like 'culprit-%'")).isZero();
  }

  /**
   * A statement cancelled (as a timeout would) or a connection killed says nothing about which append is at fault,
   * nor whether anything committed: every append of the batch fails with that error, and none is sent again
   * (bisecting would have written them on the live server).
   */
  @Test
  void anErrorAboutNoAppendFailsTheWholeBatchWithoutBisecting() throws Exception {
    for (String kill : new String[] {"pg_cancel_backend", "pg_terminate_backend"}) {
      OpenTransaction gate = OpenTransaction.begin(pool).insert("unknown-" + kill, 1, UUID.randomUUID());
      List<PendingAppend> batch = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        batch.add(new PendingAppend("unknown-" + kill + "-" + i, 0, events(2)));
      }
      batch.add(new PendingAppend("unknown-" + kill, 0, events(1)));
      Future<Void> written = new BatchWriter(pool).write(batch);
      try {
        awaitBlockedStatement(pool);
        assertThat(scalar(pool, "select count(" + kill + "(pid)) from pg_stat_activity"
          + " where datname = current_database() and wait_event_type = 'Lock'")).isEqualTo(1);
        // a writer that bisected would block on the gate again with the half holding its stream
        written.await(20, TimeUnit.SECONDS);
      } finally {
        gate.rollback();
      }

      Set<Object> errors = new HashSet<>();
      for (PendingAppend append : batch) {
        assertThat(append.future().failed()).as(kill + " " + append.streamId).isTrue();
        errors.add(append.future().cause());
      }
      assertThat(errors).as("one error, the statement's, for every append").hasSize(1);
      if (kill.equals("pg_cancel_backend")) {
        assertThat(errors.iterator().next()).isInstanceOfSatisfying(PgException.class,
          e -> assertThat(e.getSqlState()).isEqualTo("57014"));
      }
      assertThat(scalar(pool, "select count(*) from journal where stream_id like $1", "unknown-" + kill + "%"))
        .isZero();
    }
  }
}
