package trader.eventsourcing.entity;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.eventsourcing.entity.Account.Command;
import trader.eventsourcing.entity.Account.Command.Deposit;
import trader.eventsourcing.entity.Account.Command.Open;
import trader.eventsourcing.entity.Account.Command.Touch;
import trader.eventsourcing.entity.Account.Command.Withdraw;
import trader.eventsourcing.journal.Journal;
import trader.eventsourcing.journal.StoredEvent;
import trader.eventsourcing.journal.Upcasters;
import trader.testing.TestDatabase;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two runtimes that both believe they own the same entities (two single-node runtimes, each on its own Vert.x and
 * connection pool, over one journal): what a rebalance can cause for a moment. The journal's version guard refuses
 * the stale writer, which reloads and decides again; nothing is lost or applied twice.
 */
class DoubleOwnershipTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase();

  static Vertx vertxA;
  static Vertx vertxB;
  static Journal journal;
  static Entities runtimeA;
  static Entities runtimeB;
  static EntityRef<Command> ownerA;
  static EntityRef<Command> ownerB;

  @BeforeAll
  static void start() {
    vertxA = Vertx.vertx();
    vertxB = Vertx.vertx();
    journal = Journal.create(vertxA, db.database().pool(vertxA), Upcasters.none());
    Journal journalB = Journal.create(vertxB, db.database().pool(vertxB), Upcasters.none());
    runtimeA = Entities.create(vertxA, journal, EntitiesOptions.defaults());
    runtimeB = Entities.create(vertxB, journalB, EntitiesOptions.defaults());
    ownerA = runtimeA.register(new Account()).await();
    ownerB = runtimeB.register(new Account()).await();
  }

  @AfterAll
  static void stop() {
    runtimeA.close().await();
    runtimeB.close().await();
    vertxA.close().await();
    vertxB.close().await();
  }

  @Test
  void bothOwnersKeepAcceptingAndEveryAcceptedCommandIsInTheStreamExactlyOnce() {
    ownerA.send("shared", new Open("alice")).await();
    ownerB.send("shared", new Touch()).await(); // B has it in memory too, at version 1

    List<Future<Reply>> replies = new ArrayList<>();
    for (int seq = 1; seq <= 100; seq++) {
      replies.add(untilNotConflicting(ownerA, new Deposit(BigDecimal.ONE, seq)));
      replies.add(untilNotConflicting(ownerB, new Deposit(BigDecimal.ONE, 100 + seq)));
    }
    Future.all(replies).await();

    List<StoredEvent> stream = journal.read("account|shared", 1).await();
    assertThat(stream).extracting(StoredEvent::version)
      .containsExactlyElementsOf(IntStream.rangeClosed(1, 201).mapToObj(Long::valueOf).toList());
    Map<Long, Long> seqAtVersion = new HashMap<>();
    stream.subList(1, 201).forEach(e -> seqAtVersion.put(e.version(), e.payload().getLong("seq")));
    assertThat(seqAtVersion.values()).containsExactlyInAnyOrderElementsOf(
      IntStream.rangeClosed(1, 200).mapToObj(Long::valueOf).toList());
    // every reply names the version its command's event was written at
    for (int i = 0; i < replies.size(); i++) {
      long seq = i % 2 == 0 ? i / 2 + 1 : 100 + i / 2 + 1;
      Reply.Accepted accepted = (Reply.Accepted) replies.get(i).result();
      assertThat(seqAtVersion.get(accepted.version())).isEqualTo(seq);
    }
    assertThat(runtimeA.stats().conflicts() + runtimeB.stats().conflicts()).isPositive();
  }

  @Test
  void theStaleOwnerDecidesAgainOnFreshStateSoMoneyIsNotSpentTwice() {
    ownerA.send("spent-once", new Open("bob")).await();
    ownerA.send("spent-once", new Deposit(BigDecimal.TEN, 1)).await();
    ownerB.send("spent-once", new Touch()).await(); // both at version 2, balance 10

    Future<Reply> fromA = ownerA.send("spent-once", new Withdraw(BigDecimal.TEN, 2));
    Future<Reply> fromB = ownerB.send("spent-once", new Withdraw(BigDecimal.TEN, 3));
    Future.join(fromA, fromB).await();

    List<Reply> outcomes = List.of(fromA.result(), fromB.result());
    assertThat(outcomes).filteredOn(r -> r instanceof Reply.Accepted).hasSize(1);
    assertThat(outcomes).filteredOn(r -> r instanceof Reply.Rejected).containsExactly(
      new Reply.Rejected("insufficient funds"));
    assertThat(journal.read("account|spent-once", 1).await()).hasSize(3);
  }

  @Test
  void theStaleOwnerReadsTheJournalBeforeRefusing() {
    ownerA.send("refused-fresh", new Open("carol")).await();
    ownerB.send("refused-fresh", new Touch()).await(); // B holds it at version 1, balance 0
    ownerA.send("refused-fresh", new Deposit(BigDecimal.TEN, 1)).await(); // B does not see this

    // on B's stale state the withdrawal is refused; on the journal's it is accepted
    Reply reply = ownerB.send("refused-fresh", new Withdraw(BigDecimal.TEN, 2)).await();
    assertThat(reply).isInstanceOf(Reply.Accepted.class);
    assertThat(journal.read("account|refused-fresh", 1).await()).hasSize(3);
  }

  /** A client that resends a command refused because the other writer kept winning (nothing was written then). */
  private static Future<Reply> untilNotConflicting(EntityRef<Command> ref, Command command) {
    Promise<Reply> result = Promise.promise();
    attempt(ref, command, 20, result);
    return result.future();
  }

  private static void attempt(EntityRef<Command> ref, Command command, int attemptsLeft, Promise<Reply> result) {
    ref.send("shared", command).onComplete(ar -> {
      if (ar.succeeded()) {
        result.complete(ar.result());
      } else if (attemptsLeft > 1 && ar.cause() instanceof CommandFailedException f
        && !(f instanceof CommandTimeoutException) && f.getMessage().contains("another writer")) {
        attempt(ref, command, attemptsLeft - 1, result);
      } else {
        result.fail(ar.cause());
      }
    });
  }
}
