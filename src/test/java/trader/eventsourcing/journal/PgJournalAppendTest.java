package trader.eventsourcing.journal;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.testing.TestDatabase;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static trader.eventsourcing.journal.JournalTestSupport.OpenTransaction;
import static trader.eventsourcing.journal.JournalTestSupport.awaitBlockedStatement;
import static trader.eventsourcing.journal.JournalTestSupport.events;
import static trader.eventsourcing.journal.JournalTestSupport.scalar;

/** Appends against a real PostgreSQL: optimistic concurrency, group commit, conflict isolation, no partial writes. */
class PgJournalAppendTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase();

  static Vertx vertx;
  static Pool pool;
  static Pool otherPool;
  static Journal journal;
  /** A second writer with a pool of its own, as another node would be. */
  static Journal otherJournal;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    pool = JournalTestSupport.pool(vertx, db.options(), 8);
    otherPool = JournalTestSupport.pool(vertx, db.options(), 8);
    journal = Journal.create(vertx, pool, Upcasters.none());
    otherJournal = Journal.create(vertx, otherPool, Upcasters.none());
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @Test
  void appendsAndReadsBackAStream() {
    NewEvent opened = new NewEvent(UUID.randomUUID(), "account.opened", 1, new JsonObject().put("owner", "ann"),
      new EventMetadata("corr-1", "cmd-1", "user-1"), Set.of("account", "we\"ird,{tag}\\"));
    Appended first = journal.append("account-1", 0, List.of(opened)).await();
    Appended second = journal.append("account-1", 1, events(2)).await();

    assertThat(first.version()).isEqualTo(1);
    assertThat(second.version()).isEqualTo(3);
    assertThat(second.position().isAfter(first.position())).isTrue();
    List<StoredEvent> stream = journal.read("account-1", 1).await();
    assertThat(stream).extracting(StoredEvent::version).containsExactly(1L, 2L, 3L);
    StoredEvent read = stream.getFirst();
    assertThat(read.eventId()).isEqualTo(opened.eventId());
    assertThat(read.type()).isEqualTo("account.opened");
    assertThat(read.payload()).isEqualTo(opened.payload());
    assertThat(read.metadata()).isEqualTo(opened.metadata());
    assertThat(read.tags()).isEqualTo(opened.tags());
    assertThat(read.position()).isEqualTo(first.position());
    assertThat(stream.getLast().position()).isEqualTo(second.position());
    assertThat(journal.read("account-1", 3).await()).hasSize(1);
  }

  @Test
  void aStaleExpectedVersionIsAConflictAndWritesNothing() {
    journal.append("stale", 0, events(2)).await();

    Throwable tooLow = catchThrowable(() -> journal.append("stale", 1, events(3)).await());
    Throwable tooHigh = catchThrowable(() -> journal.append("stale", 5, events(1)).await());
    Throwable notNew = catchThrowable(() -> journal.append("stale", 0, events(1)).await());

    assertThat(tooLow).isInstanceOfSatisfying(ConflictException.class, c -> {
      assertThat(c.streamId()).isEqualTo("stale");
      assertThat(c.expectedVersion()).isEqualTo(1);
      assertThat(c.actualVersion()).isEqualTo(2);
      assertThat(c.getMessage()).contains("stale", "1", "2");
    });
    assertThat(tooHigh).isInstanceOfSatisfying(ConflictException.class,
      c -> assertThat(c.actualVersion()).isEqualTo(2));
    assertThat(notNew).isInstanceOf(ConflictException.class);
    assertThat(journal.read("stale", 1).await()).hasSize(2);
  }

  /** This journal wrote version 2 and skips the version check when appending after it; the key still guards. */
  @Test
  void aVersionThisJournalWroteIsStillGuardedWhenAnotherNodeMovedOn() {
    journal.append("moved-on", 0, events(2)).await();
    otherJournal.append("moved-on", 2, events(1, "other")).await();

    Throwable stale = catchThrowable(() -> journal.append("moved-on", 2, events(2, "stale")).await());

    assertThat(stale).isInstanceOfSatisfying(ConflictException.class, c -> {
      assertThat(c.expectedVersion()).isEqualTo(2);
      assertThat(c.actualVersion()).isEqualTo(3);
    });
    assertThat(journal.read("moved-on", 1).await()).extracting(e -> e.payload().getString("append"))
      .doesNotContain("stale").hasSize(3);
    assertThat(journal.append("moved-on", 3, events(1)).await().version()).isEqualTo(4);
  }

  @Test
  void twoWritersRaceOnOneStreamExactlyOneWinsAndARetryAppliesBoth() {
    for (int round = 0; round < 40; round++) {
      String stream = "race-" + round;
      // odd rounds: two journals (two nodes); even rounds: one journal, whose group commit must not batch both
      Journal second = round % 2 == 0 ? journal : otherJournal;
      String appendA = "a-" + round;
      String appendB = "b-" + round;
      Future<Appended> a = journal.append(stream, 0, events(2, appendA));
      Future<Appended> b = second.append(stream, 0, events(3, appendB));
      Future.join(a, b).otherwiseEmpty().await();

      assertThat(a.succeeded() ^ b.succeeded()).as("exactly one of two racing appends wins").isTrue();
      Future<Appended> loser = a.failed() ? a : b;
      Appended winner = (a.succeeded() ? a : b).result();
      assertThat(loser.cause()).isInstanceOfSatisfying(ConflictException.class, c -> {
        assertThat(c.expectedVersion()).isZero();
        assertThat(c.actualVersion()).isEqualTo(winner.version());
      });

      // the loser re-reads the version and tries again
      long current = journal.read(stream, 1).await().getLast().version();
      if (a.failed()) {
        journal.append(stream, current, events(2, appendA)).await();
      } else {
        second.append(stream, current, events(3, appendB)).await();
      }

      List<StoredEvent> written = journal.read(stream, 1).await();
      assertThat(written).extracting(StoredEvent::version).containsExactly(1L, 2L, 3L, 4L, 5L);
      Map<String, Long> perAppend = new HashMap<>();
      written.forEach(e -> perAppend.merge(e.payload().getString("append"), 1L, Long::sum));
      assertThat(perAppend).containsExactlyInAnyOrderEntriesOf(Map.of(appendA, 2L, appendB, 3L));
    }
  }

  /** The default path: appends queued behind a running batch go out as one statement. */
  @Test
  void aConflictingStreamFailsAloneAndTheRestOfItsBatchCommits() {
    Journal oneBatchAtATime = Journal.create(vertx, pool, Upcasters.none(), new JournalOptions(1000, 1));
    oneBatchAtATime.append("iso-c", 0, events(2)).await();
    oneBatchAtATime.append("iso-e", 0, events(1)).await();

    // hold the only batch slot: the first append waits on a row another transaction has not committed yet
    OpenTransaction gate = OpenTransaction.begin(pool).insert("iso-gate", 1, UUID.randomUUID());
    Future<Appended> held = oneBatchAtATime.append("iso-gate", 0, events(1));
    awaitBlockedStatement(pool);
    Future<Appended> a = oneBatchAtATime.append("iso-a", 0, events(3));
    Future<Appended> b = oneBatchAtATime.append("iso-b", 0, events(2));
    Future<Appended> c = oneBatchAtATime.append("iso-c", 1, events(3, "iso-c-stale"));
    Future<Appended> d = oneBatchAtATime.append("iso-d", 0, events(1));
    Future<Appended> e = oneBatchAtATime.append("iso-e", 1, events(2));
    gate.rollback();
    held.await();
    Future.join(List.of(a, b, c, d, e)).otherwiseEmpty().await();

    assertThat(c.cause()).isInstanceOfSatisfying(ConflictException.class, x -> {
      assertThat(x.expectedVersion()).isEqualTo(1);
      assertThat(x.actualVersion()).isEqualTo(2);
    });
    assertThat(journal.read("iso-c", 1).await()).hasSize(2)
      .noneMatch(x -> "iso-c-stale".equals(x.payload().getString("append")));
    assertThat(List.of(a, b, d, e)).allMatch(Future::succeeded);
    assertThat(List.of(a.result().version(), b.result().version(), d.result().version(), e.result().version()))
      .containsExactly(3L, 2L, 1L, 3L);
    Set<Long> transactions = new HashSet<>();
    List.of(a, b, d, e).forEach(f -> transactions.add(f.result().position().transactionId()));
    assertThat(transactions).as("the queued appends went out as one batch, one transaction").hasSize(1);
    assertThat(journal.read("iso-a", 1).await()).hasSize(3);
  }

  @Test
  void aBatchCarriesAtMostMaxBatchEventsAndABiggerAppendGoesAlone() {
    Journal smallBatches = Journal.create(vertx, pool, Upcasters.none(), new JournalOptions(5, 1));
    OpenTransaction gate = OpenTransaction.begin(pool).insert("limit-gate", 1, UUID.randomUUID());
    Future<Appended> held = smallBatches.append("limit-gate", 0, events(1));
    awaitBlockedStatement(pool);
    List<Future<Appended>> queued = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      queued.add(smallBatches.append("limit-" + i, 0, events(2)));
    }
    Future<Appended> big = smallBatches.append("limit-big", 0, events(7));
    gate.rollback();
    held.await();
    Future.all(queued).await();
    big.await();

    // 2 + 2 fit in 5 events, a third append would not: batches of two, two, one; the 7-event append alone
    List<Long> transactions = queued.stream().map(f -> f.result().position().transactionId()).toList();
    assertThat(transactions.get(0)).isEqualTo(transactions.get(1));
    assertThat(transactions.get(2)).isEqualTo(transactions.get(3)).isNotEqualTo(transactions.get(1));
    assertThat(transactions.get(4)).isNotEqualTo(transactions.get(3));
    assertThat(big.result().position().transactionId()).isNotIn(transactions);
    assertThat(big.result().version()).isEqualTo(7);
  }

  /**
   * The race the version filter cannot see: a rival transaction holds version 3 of a stream, uncommitted, while a
   * batch appends versions 2..4 to it. When the rival commits, the batch must not keep 2 and 4: the statement
   * fails as a whole and is resent, and then only that stream is turned away.
   */
  @Test
  void aRaceInsideABatchNeverWritesPartOfAnAppend() {
    journal.append("contested", 0, events(1)).await();
    OpenTransaction rival = OpenTransaction.begin(pool).insert("contested", 3, UUID.randomUUID());

    PendingAppend a = new PendingAppend("race-batch-a", 0, events(2));
    PendingAppend contested = new PendingAppend("contested", 1, events(3, "ours"));
    PendingAppend b = new PendingAppend("race-batch-b", 0, events(1));
    Future<Void> written = new BatchWriter(pool).write(List.of(a, contested, b));
    awaitBlockedStatement(pool);
    rival.commit();
    written.await();

    assertThat(contested.future().cause()).isInstanceOfSatisfying(ConflictException.class,
      c -> assertThat(c.actualVersion()).isEqualTo(3));
    assertThat(journal.read("contested", 1).await()).extracting(StoredEvent::version).containsExactly(1L, 3L);
    assertThat(scalar(pool, "select count(*) from journal where payload->>'append' = 'ours'")).isZero();
    assertThat(a.future().await().version()).isEqualTo(2);
    assertThat(b.future().await().version()).isEqualTo(1);
    assertThat(a.future().result().position().transactionId())
      .isEqualTo(b.future().result().position().transactionId());
  }

  @Test
  void whenTheRivalRollsBackTheBatchWritesEverything() {
    journal.append("contested-2", 0, events(1)).await();
    OpenTransaction rival = OpenTransaction.begin(pool).insert("contested-2", 3, UUID.randomUUID());

    PendingAppend contested = new PendingAppend("contested-2", 1, events(3));
    PendingAppend other = new PendingAppend("contested-2-other", 0, events(1));
    Future<Void> written = new BatchWriter(pool).write(List.of(contested, other));
    awaitBlockedStatement(pool);
    rival.rollback();
    written.await();

    assertThat(contested.future().await().version()).isEqualTo(4);
    assertThat(other.future().await().version()).isEqualTo(1);
    assertThat(journal.read("contested-2", 1).await()).extracting(StoredEvent::version)
      .containsExactly(1L, 2L, 3L, 4L);
  }

  @Test
  void aDuplicateEventIdFailsOnlyItsAppend() {
    List<NewEvent> stored = events(1);
    journal.append("dup-source", 0, stored).await();

    List<NewEvent> withDuplicate = new ArrayList<>(events(1));
    withDuplicate.add(stored.getFirst());
    PendingAppend a = new PendingAppend("dup-a", 0, events(2));
    PendingAppend dup = new PendingAppend("dup-b", 0, withDuplicate);
    PendingAppend c = new PendingAppend("dup-c", 0, events(1));
    new BatchWriter(pool).write(List.of(a, dup, c)).await();

    assertThat(dup.future().cause()).isInstanceOfSatisfying(DuplicateEventException.class, x -> {
      assertThat(x.streamId()).isEqualTo("dup-b");
      assertThat(x.eventIds()).containsExactly(stored.getFirst().eventId());
    });
    assertThat(journal.read("dup-b", 1).await()).isEmpty();
    assertThat(a.future().await().version()).isEqualTo(2);
    assertThat(c.future().await().version()).isEqualTo(1);

    Throwable viaJournal = catchThrowable(() -> journal.append("dup-d", 0, stored).await());
    assertThat(viaJournal).isInstanceOf(DuplicateEventException.class).hasMessageContaining("already in the journal");
    Throwable twiceInOne = catchThrowable(() -> journal.append("dup-e", 0, List.of(stored.getFirst(),
      stored.getFirst())).await());
    assertThat(twiceInOne).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
  }

  @Test
  void manyConcurrentAppendsToManyStreamsGetContiguousVersionsAndUniqueReadablePositions() {
    int streams = 40;
    int appendsPerStream = 25;
    Map<String, List<Appended>> acknowledged = new ConcurrentHashMap<>();
    List<Future<Void>> chains = new ArrayList<>();
    for (int s = 0; s < streams; s++) {
      String stream = "many-" + s;
      acknowledged.put(stream, new ArrayList<>());
      Future<Void> chain = Future.succeededFuture();
      for (int i = 0; i < appendsPerStream; i++) {
        int count = 1 + ThreadLocalRandom.current().nextInt(3);
        chain = chain.compose(v -> {
          List<Appended> acks = acknowledged.get(stream);
          long expected = acks.isEmpty() ? 0 : acks.getLast().version();
          return journal.append(stream, expected, events(count)).map(ack -> {
            acks.add(ack);
            return null;
          });
        });
      }
      chains.add(chain);
    }
    Future.all(chains).await();

    Map<String, List<StoredEvent>> byStream = new HashMap<>();
    Set<Position> positions = new HashSet<>();
    Position after = Position.START;
    for (List<StoredEvent> page; !(page = journal.readAll(after, 333).await()).isEmpty(); ) {
      for (StoredEvent event : page) {
        assertThat(event.position().isAfter(after)).isTrue();
        assertThat(positions.add(event.position())).isTrue();
        after = event.position();
        if (event.streamId().startsWith("many-")) {
          byStream.computeIfAbsent(event.streamId(), k -> new ArrayList<>()).add(event);
        }
      }
    }
    assertThat(byStream).hasSize(streams);
    byStream.forEach((stream, events) -> {
      List<Appended> acks = acknowledged.get(stream);
      long last = acks.getLast().version();
      assertThat(events).extracting(StoredEvent::version)
        .as("versions of %s in global order", stream).containsExactlyElementsOf(LongStream.rangeClosed(1, last)
          .boxed().toList());
      Map<Long, Position> positionOfVersion = new HashMap<>();
      events.forEach(e -> positionOfVersion.put(e.version(), e.position()));
      acks.forEach(ack -> assertThat(positionOfVersion.get(ack.version())).isEqualTo(ack.position()));
    });
    Set<Position> acked = new HashSet<>();
    acknowledged.values().forEach(acks -> acks.forEach(ack -> assertThat(acked.add(ack.position())).isTrue()));
  }

  /** Two nodes' journals hammer a few streams with three-event appends, retrying on conflicts. */
  @Test
  void racingWritersNeverLeaveAPartialAppendOrAGap() {
    List<String> streams = List.of("hot-1", "hot-2", "hot-3", "hot-4");
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    List<Future<Void>> writers = new ArrayList<>();
    for (int w = 0; w < 8; w++) {
      Journal writerJournal = w % 2 == 0 ? journal : otherJournal;
      Future<Void> chain = Future.succeededFuture();
      for (int i = 0; i < 30; i++) {
        String appendId = "w" + w + "-" + i;
        String stream = streams.get(ThreadLocalRandom.current().nextInt(streams.size()));
        chain = chain.compose(v -> appendWithRetry(writerJournal, stream, appendId, acknowledged));
      }
      writers.add(chain);
    }
    Future.all(writers).await();

    assertThat(acknowledged).hasSize(8 * 30);
    for (String stream : streams) {
      List<StoredEvent> events = journal.read(stream, 1).await();
      assertThat(events).extracting(StoredEvent::version)
        .containsExactlyElementsOf(LongStream.rangeClosed(1, events.size()).boxed().toList());
      for (int i = 0; i < events.size(); i += 3) {
        // an append's three events sit together, in order, from one transaction
        String appendId = events.get(i).payload().getString("append");
        for (int k = 0; k < 3; k++) {
          StoredEvent e = events.get(i + k);
          assertThat(e.payload().getString("append")).isEqualTo(appendId);
          assertThat(e.payload().getInteger("index")).isEqualTo(k);
          assertThat(e.position().transactionId()).isEqualTo(events.get(i).position().transactionId());
        }
      }
    }
    assertThat(scalar(pool, "select count(*) from journal where stream_id like 'hot-%'")).isEqualTo(8 * 30 * 3);
    assertThat(scalar(pool, "select count(distinct payload->>'append') from journal where stream_id like 'hot-%'"))
      .isEqualTo(8 * 30);
  }

  private static Future<Void> appendWithRetry(Journal journal, String stream, String appendId, Set<String> acks) {
    return journal.read(stream, 1)
      .compose(events -> journal.append(stream, events.isEmpty() ? 0 : events.getLast().version(),
        events(3, appendId)))
      .compose(ack -> {
        acks.add(appendId);
        return Future.<Void>succeededFuture();
      }, error -> error instanceof ConflictException ? appendWithRetry(journal, stream, appendId, acks)
        : Future.failedFuture(error));
  }
}
