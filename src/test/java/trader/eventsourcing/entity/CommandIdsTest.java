package trader.eventsourcing.entity;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.eventsourcing.entity.Wallet.Command.PayIn;
import trader.eventsourcing.entity.Wallet.Command.PayOut;
import trader.eventsourcing.entity.Wallet.Command.Tip;
import trader.eventsourcing.journal.Journal;
import trader.eventsourcing.journal.Position;
import trader.eventsourcing.journal.StoredEvent;
import trader.eventsourcing.journal.Upcasters;
import trader.testing.TestDatabase;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Commands with ids ({@link EntityType#commandId}) take effect once, ever, although the entity's state remembers no id:
 * repeated at once, after the state moved on, after the entity left memory, on a new runtime, from two owners at the
 * same time, and inside a group-commit batch of other entities' appends.
 */
class CommandIdsTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase();

  static Vertx vertx;
  static Pool pool;
  static Journal journal;
  final List<Entities> runtimes = new ArrayList<>();

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    pool = db.database().pool(vertx);
    journal = Journal.create(vertx, pool, Upcasters.none());
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @AfterEach
  void closeRuntimes() {
    runtimes.forEach(r -> r.close().await());
  }

  private EntityRef<Wallet.Command> wallets(Journal over) {
    Entities runtime = Entities.create(vertx, over, EntitiesOptions.defaults());
    runtimes.add(runtime);
    return runtime.register(new Wallet()).await();
  }

  private static BigDecimal money(String amount) {
    return new BigDecimal(amount);
  }

  private static List<StoredEvent> stream(String wallet) {
    return journal.read("wallet|" + wallet, 1).await();
  }

  private static BigDecimal balance(String wallet) {
    Wallet type = new Wallet();
    Wallet.State state = type.initialState();
    for (StoredEvent e : stream(wallet)) {
      state = type.evolve(state, type.events().decode(e.type(), e.payload()));
    }
    return state.balance();
  }

  @Test
  void aRepeatedCommandIsAcceptedWithThePositionOfItsFirstEffectAndWritesNothing() {
    EntityRef<Wallet.Command> wallets = wallets(journal);
    Reply.Accepted first = (Reply.Accepted) wallets.send("w1", new PayIn("p1", money("50"))).await();
    assertThat(first.events()).isEqualTo(1);

    Reply again = wallets.send("w1", new PayIn("p1", money("50"))).await();

    assertThat(again).isEqualTo(new Reply.Accepted(1, first.position(), 0));
    assertThat(stream("w1")).hasSize(1);
    assertThat(balance("w1")).isEqualByComparingTo("50");
  }

  @Test
  void aRepeatTheStateWouldRefuseNowIsAnsweredAsTheAcceptanceItWas() {
    EntityRef<Wallet.Command> wallets = wallets(journal);
    wallets.send("w2", new PayIn("in", money("300"))).await();
    Reply.Accepted out = (Reply.Accepted) wallets.send("w2", new PayOut("out", money("250"))).await();
    assertThat(out.events()).isEqualTo(2); // with its fee

    // the balance (49) could not pay 250 now: the repeat is still the payment that was made, not a refusal
    Reply again = wallets.send("w2", new PayOut("out", money("250"))).await();

    assertThat(again).isEqualTo(new Reply.Accepted(3, out.position(), 0));
    assertThat(balance("w2")).isEqualByComparingTo("49");
  }

  @Test
  void aCommandRefusedBeforeCanTakeEffectLaterSinceNothingWasWritten() {
    EntityRef<Wallet.Command> wallets = wallets(journal);
    assertThat(wallets.send("w3", new PayOut("early", money("10"))).await())
      .isEqualTo(new Reply.Rejected("insufficient funds"));
    wallets.send("w3", new PayIn("in", money("10"))).await();

    Reply later = wallets.send("w3", new PayOut("early", money("10"))).await();

    assertThat(later).isInstanceOfSatisfying(Reply.Accepted.class, a -> assertThat(a.events()).isEqualTo(1));
    assertThat(balance("w3")).isEqualByComparingTo("0");
  }

  @Test
  void aRepeatIsRecognisedByANewRuntimeAfterSnapshotsAndTheFirstRuntimesEnd() {
    EntityRef<Wallet.Command> first = wallets(journal);
    Reply.Accepted paid = (Reply.Accepted) first.send("w4", new PayIn("p", money("5"))).await();
    for (int i = 0; i < 12; i++) { // past two snapshots
      first.send("w4", new Tip(money("1"))).await();
    }
    runtimes.remove(0).close().await();

    EntityRef<Wallet.Command> second = wallets(journal);
    Reply again = second.send("w4", new PayIn("p", money("5"))).await();

    assertThat(again).isEqualTo(new Reply.Accepted(13, paid.position(), 0));
    assertThat(balance("w4")).isEqualByComparingTo("17");
  }

  @Test
  void commandsWithoutAnIdAreNotDeduplicated() {
    EntityRef<Wallet.Command> wallets = wallets(journal);
    wallets.send("w5", new Tip(money("1"))).await();
    wallets.send("w5", new Tip(money("1"))).await();
    assertThat(balance("w5")).isEqualByComparingTo("2");
  }

  @Test
  void twoOwnersSendingTheSameCommandAtOnceApplyItOnce() {
    // two runtimes over one journal, each owning every entity: brief double ownership during a rebalance
    EntityRef<Wallet.Command> a = wallets(journal);
    EntityRef<Wallet.Command> b = wallets(journal);
    for (int round = 0; round < 20; round++) {
      String wallet = "w6-" + round;
      Future<Reply> fromA = a.send(wallet, new PayIn("same", money("7")));
      Future<Reply> fromB = b.send(wallet, new PayIn("same", money("7")));
      Future.all(fromA, fromB).await();

      assertThat(List.of(fromA.result(), fromB.result())).allSatisfy(r -> assertThat(r).isInstanceOf(Reply.Accepted.class));
      assertThat(stream(wallet)).as(wallet).hasSize(1);
    }
  }

  @Test
  void aRepeatInABatchOfOtherEntitiesAppendsFailsNoneOfThem() {
    EntityRef<Wallet.Command> wallets = wallets(journal);
    Reply.Accepted first = (Reply.Accepted) wallets.send("w7", new PayIn("dup", money("3"))).await();
    EntityRef<Wallet.Command> fresh = wallets(journal); // a runtime that has w7 in no memory: it decides anew

    for (int round = 0; round < 5; round++) {
      List<Future<Reply>> others = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        others.add(fresh.send("w7-other-" + round + "-" + i, new PayIn("p", money("1"))));
      }
      Future<Reply> repeat = fresh.send("w7", new PayIn("dup", money("3")));
      Future.all(others).await();
      repeat.await();

      assertThat(repeat.result()).isEqualTo(new Reply.Accepted(1, first.position(), 0));
      assertThat(others).allSatisfy(r -> assertThat(r.result()).isInstanceOfSatisfying(Reply.Accepted.class,
        accepted -> assertThat(accepted.events()).isEqualTo(1)));
    }
    assertThat(stream("w7")).hasSize(1);
  }

  @Test
  void aRejectionOfACommandWithAnIdLooksItUpOnceAndARejectionWithoutOneDoesNot() {
    InstrumentedJournal counted = new InstrumentedJournal(journal);
    EntityRef<Wallet.Command> wallets = wallets(counted);
    wallets.send("w8", new PayIn("in", money("1"))).await();
    counted.reset();

    assertThat(wallets.send("w8", new PayOut("big", money("5"))).await()).isInstanceOf(Reply.Rejected.class);
    assertThat(counted.finds.get()).isEqualTo(1);
    assertThat(wallets.send("w8", new Tip(money("1"))).await()).isInstanceOf(Reply.Accepted.class);
    assertThat(counted.finds.get()).isEqualTo(1);
    assertThat(((Reply.Accepted) wallets.send("w8", new PayIn("in", money("1"))).await()).position())
      .isNotEqualTo(Position.START);
  }
}
