package trader.eventsourcing.entity;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.eventsourcing.entity.Account.Command;
import trader.eventsourcing.entity.Account.Command.Deposit;
import trader.eventsourcing.entity.Account.Command.Open;
import trader.eventsourcing.entity.Account.Command.Touch;
import trader.eventsourcing.entity.Account.Command.Withdraw;
import trader.eventsourcing.entity.Account.State.Active;
import trader.eventsourcing.journal.Journal;
import trader.eventsourcing.journal.Position;
import trader.eventsourcing.journal.StoredEvent;
import trader.eventsourcing.journal.Upcasters;
import trader.testing.TestDatabase;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One node (plain Vert.x, owns every shard) over a real PostgreSQL journal. */
class EntitiesTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase();

  static Vertx vertx;
  static Pool pool;
  static Journal stored;

  InstrumentedJournal journal;
  Entities entities;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    pool = db.database().pool(vertx);
    stored = Journal.create(vertx, pool, Upcasters.none());
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @AfterEach
  void closeRuntime() {
    if (entities != null) {
      entities.close().await();
    }
  }

  private EntityRef<Command> accounts(EntitiesOptions options, EntityType<Command, Account.Event, Account.State> type) {
    journal = new InstrumentedJournal(stored);
    entities = Entities.create(vertx, journal, options);
    return entities.register(type).await();
  }

  private static BigDecimal money(long amount) {
    return BigDecimal.valueOf(amount);
  }

  @Test
  void handlesTheCommandsOfOneEntityOneAtATimeInArrivalOrder() {
    EntityRef<Command> accounts = accounts(EntitiesOptions.defaults(), new Account());
    assertThat(accounts.send("ordered", new Open("alice")).await()).isInstanceOf(Reply.Accepted.class);

    List<Future<Reply>> replies = new ArrayList<>();
    for (int seq = 1; seq <= 200; seq++) {
      replies.add(accounts.send("ordered", new Deposit(money(1), seq)));
    }
    Future.all(replies).await();

    for (int i = 0; i < 200; i++) {
      Reply.Accepted accepted = (Reply.Accepted) replies.get(i).result();
      assertThat(accepted.version()).isEqualTo(i + 2);
      assertThat(accepted.events()).isEqualTo(1);
      assertThat(accepted.position()).isNotEqualTo(Position.START);
    }
    List<StoredEvent> stream = stored.read("account|ordered", 1).await();
    assertThat(stream).extracting(StoredEvent::version).containsExactlyElementsOf(
      IntStream.rangeClosed(1, 201).mapToObj(Long::valueOf).toList());
    assertThat(stream.subList(1, 201)).extracting(e -> e.payload().getLong("seq")).containsExactlyElementsOf(
      IntStream.rangeClosed(1, 200).mapToObj(Long::valueOf).toList());
    assertThat(stream.get(1).type()).isEqualTo("account.deposited");
    assertThat(stream.get(1).tags()).containsExactly("account");
    // one at a time: no append ever raced another append of the same entity
    assertThat(entities.stats().conflicts()).isZero();
    assertThat(entities.stats().recoveries()).isEqualTo(1);
  }

  @Test
  void rejectsWithTheReasonAndWritesNothing() {
    EntityRef<Command> accounts = accounts(EntitiesOptions.defaults(), new Account());
    assertThat(accounts.send("rejecting", new Deposit(money(5), 1)).await())
      .isEqualTo(new Reply.Rejected("the account is not open"));
    accounts.send("rejecting", new Open("bob")).await();
    assertThat(accounts.send("rejecting", new Withdraw(money(5), 1)).await())
      .isEqualTo(new Reply.Rejected("insufficient funds"));
    assertThat(accounts.send("rejecting", new Touch()).await()).isEqualTo(new Reply.Accepted(1, Position.START, 0));
    assertThat(stored.read("account|rejecting", 1).await()).hasSize(1);
  }

  /**
   * A command whose event holds text the journal cannot store (a NUL, or a lone surrogate it would store as '?')
   * fails alone, with the journal's refusal as its cause, while what other entities are sent at the same time is
   * accepted; the entity then takes its next command as if nothing had happened.
   */
  @Test
  void aCommandWhoseEventCannotBeStoredFailsAloneAndTheEntityGoesOn() {
    EntityRef<Command> accounts = accounts(EntitiesOptions.defaults(), new Account());
    List<Future<Reply>> others = new ArrayList<>();
    List<Future<Reply>> hostile = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      others.add(accounts.send("bystander-" + i, new Open("owner " + i)));
      if (i % 10 == 0) {
        hostile.add(accounts.send("hostile-" + i, new Open(i % 20 == 0 ? "mal\u0000lory" : "mal\uD800lory")));
      }
    }
    Future.join(new ArrayList<Future<?>>(others)).otherwiseEmpty().await();
    Future.join(new ArrayList<Future<?>>(hostile)).otherwiseEmpty().await();

    assertThat(others).allSatisfy(f -> assertThat(f.result()).isInstanceOf(Reply.Accepted.class));
    assertThat(hostile).allSatisfy(f -> assertThat(f.cause()).isInstanceOf(CommandFailedException.class)
      .hasMessageContaining("account/hostile-").hasMessageContaining("field /owner holds")
      .cause().isInstanceOf(trader.eventsourcing.UnstorableTextException.class));
    for (int i = 0; i < 40; i += 10) {
      assertThat(stored.read("account|hostile-" + i, 1).await()).isEmpty();
    }
    assertThat(accounts.send("hostile-0", new Open("mallory")).await()).isInstanceOf(Reply.Accepted.class);
    assertThat(stored.read("account|hostile-0", 1).await()).singleElement()
      .satisfies(e -> assertThat(e.payload().getString("owner")).isEqualTo("mallory"));
  }

  @Test
  void recoversTheSameStateFromTheLatestSnapshotAndOnlyTheEventsAfterIt() {
    EntityRef<Command> accounts = accounts(EntitiesOptions.defaults(), new Account(10));
    accounts.send("snapshotted", new Open("carol")).await();
    for (int seq = 1; seq <= 24; seq++) {
      accounts.send("snapshotted", new Deposit(new BigDecimal("1.25"), seq)).await();
    }
    Object before = stateInMemory("snapshotted").orElseThrow();
    assertThat(before).isEqualTo(new Active("carol", new BigDecimal("30.00"), 24, 24));
    assertThat(journal.snapshotSaves.get()).isEqualTo(2); // at versions 10 and 20

    assertThat(((EntitiesImpl) entities).passivate(Account.NAME, "snapshotted").await()).isTrue();
    assertThat(((EntitiesImpl) entities).isActive(Account.NAME, "snapshotted").await()).isFalse();
    journal.reset();

    assertThat(accounts.send("snapshotted", new Touch()).await()).isEqualTo(new Reply.Accepted(25, Position.START, 0));
    assertThat(stateInMemory("snapshotted")).contains(before);
    assertThat(journal.snapshotLoads.get()).isEqualTo(1);
    assertThat(journal.reads.get()).isEqualTo(1);
    assertThat(journal.eventsRead.get()).isEqualTo(5); // versions 21..25, after the snapshot at 20
  }

  /**
   * A command that starts a stream is decided on the initial state without a read; where the stream existed after all
   * (a command delivered again to an entity no longer in memory), the append's conflict, a refusal or a decision
   * without events has it read (from its snapshot) and the command decided anew.
   */
  @Test
  void decidesACommandThatStartsAStreamWithoutReadingIt() {
    EntitiesOptions d = EntitiesOptions.defaults();
    EntitiesOptions noRetries = new EntitiesOptions(d.shards(), d.maxActive(), d.idleTimeout(), d.commandTimeout(),
      d.membershipPoll(), 0);
    Account type = new Account(2, command -> command instanceof Open || command instanceof Touch);
    EntityRef<Command> accounts = accounts(noRetries, type);
    assertThat(accounts.send("new", new Open("dan")).await()).isInstanceOf(Reply.Accepted.class)
      .extracting(reply -> ((Reply.Accepted) reply).version()).isEqualTo(1L);
    assertThat(journal.reads.get() + journal.snapshotLoads.get()).as("reads before the first append").isZero();
    assertThat(entities.stats().recoveries()).isZero();
    assertThat(stateInMemory("new")).contains(new Active("dan", BigDecimal.ZERO, 0, 0));
    accounts.send("new", new Deposit(money(7), 1)).await(); // version 2: a snapshot
    assertThat(journal.reads.get()).isZero();

    // delivered again to a node that no longer holds it: the append conflicts, the stream is read, then refused
    // (not a rival writer: no conflict counted, no retry used up)
    passivate("new");
    assertThat(accounts.send("new", new Open("dan")).await()).isEqualTo(new Reply.Rejected("the account is already open"));
    assertThat(journal.appends.get()).isEqualTo(1);
    assertThat(entities.stats().conflicts()).isZero();
    assertThat(journal.snapshotLoads.get()).isEqualTo(1);
    assertThat(stored.read("account|new", 1).await()).hasSize(2);
    assertThat(stateInMemory("new")).contains(new Active("dan", money(7), 1, 1));

    // refused on the state assumed: read before refusing, then decided on what is there (no append at all)
    passivate("new");
    assertThat(accounts.send("new", new Open(" ")).await()).isEqualTo(new Reply.Rejected("the account is already open"));
    assertThat(journal.appends.get()).isZero();

    // accepted without events on the state assumed: read first, so the reply names the stream's real version
    passivate("new");
    assertThat(accounts.send("new", new Touch()).await()).isEqualTo(new Reply.Accepted(2, Position.START, 0));
    assertThat(journal.appends.get()).isZero();
    assertThat(journal.snapshotLoads.get()).isEqualTo(1);

    // delivered again after a restart: a journal that never saw the stream lets the primary key refuse the append
    entities.close().await();
    journal = new InstrumentedJournal(Journal.create(vertx, pool, Upcasters.none()));
    entities = Entities.create(vertx, journal, noRetries);
    accounts = entities.register(type).await();
    assertThat(accounts.send("new", new Open("dan")).await()).isEqualTo(new Reply.Rejected("the account is already open"));
    assertThat(journal.appends.get()).isEqualTo(1);
    assertThat(stored.read("account|new", 1).await()).hasSize(2);
  }

  /** Recovery reads the snapshot and the events after the latest one at once; a newer snapshot in between is caught. */
  @Test
  void recoversTheSameStateWhenANewerSnapshotWasStoredBetweenItsTwoReads() {
    EntityRef<Command> accounts = accounts(EntitiesOptions.defaults(), new Account(10));
    accounts.send("raced", new Open("dave")).await();
    for (int seq = 1; seq <= 24; seq++) {
      accounts.send("raced", new Deposit(new BigDecimal("1.25"), seq)).await();
    }
    Object before = stateInMemory("raced").orElseThrow();
    assertThat(((EntitiesImpl) entities).passivate(Account.NAME, "raced").await()).isTrue();
    journal.reset();
    journal.loadFirstSnapshot = true; // loads the one at version 10; the events read start after the one at 20

    assertThat(accounts.send("raced", new Touch()).await()).isEqualTo(new Reply.Accepted(25, Position.START, 0));
    assertThat(stateInMemory("raced")).contains(before);
    assertThat(journal.reads.get()).isEqualTo(2); // 21..24, then on from the loaded snapshot: 11..24
  }

  /** A snapshot it cannot use, at the head of the stream (nothing after it): recovery replays the whole stream. */
  @Test
  void recoversFromTheEventsWhenTheSnapshotAtTheHeadIsNotUsable() {
    EntityRef<Command> accounts = accounts(EntitiesOptions.defaults(), new Account(10));
    accounts.send("outdated", new Open("erin")).await();
    for (int seq = 1; seq <= 19; seq++) {
      accounts.send("outdated", new Deposit(new BigDecimal("1.00"), seq)).await();
    }
    await(() -> stateInMemory("outdated").isPresent(), Duration.ofSeconds(10)); // its snapshot at 20 is saved
    Object before = stateInMemory("outdated").orElseThrow();
    assertThat(((EntitiesImpl) entities).passivate(Account.NAME, "outdated").await()).isTrue();
    journal.outdatedSnapshots = true; // e.g. the state's schema version was bumped by a deploy

    assertThat(accounts.send("outdated", new Touch()).await()).isEqualTo(new Reply.Accepted(20, Position.START, 0));
    assertThat(stateInMemory("outdated")).contains(before);
  }

  @Test
  void keepsAtMostMaxActiveEntitiesAndRecoversTheEvictedOnes() {
    EntityRef<Command> accounts = accounts(EntitiesOptions.defaults().withMaxActive(100), new Account());
    int n = 1000;
    List<Future<Reply>> opened = IntStream.range(0, n).mapToObj(i -> accounts.send("lru-" + i, new Open("o" + i)))
      .toList();
    Future.all(opened).await();
    opened.forEach(f -> assertThat(((Reply.Accepted) f.result()).version()).isEqualTo(1));
    assertThat(entities.stats().active()).isLessThanOrEqualTo(100);

    List<Future<Reply>> deposited = IntStream.range(0, n)
      .mapToObj(i -> accounts.send("lru-" + i, new Deposit(money(i + 1), 1))).toList();
    Future.all(deposited).await();
    deposited.forEach(f -> assertThat(((Reply.Accepted) f.result()).version()).isEqualTo(2));

    // revisit in batches smaller than the cap, then look at each batch's state while it is still in memory
    for (int from = 0; from < n; from += 50) {
      List<Future<Reply>> batch = IntStream.range(from, from + 50)
        .mapToObj(i -> accounts.send("lru-" + i, new Deposit(money(1), 2))).toList();
      Future.all(batch).await();
      for (int i = from; i < from + 50; i++) {
        assertThat(((Reply.Accepted) batch.get(i - from).result()).version()).isEqualTo(3);
        assertThat(stateInMemory("lru-" + i)).contains(new Active("o" + i, money(i + 2), 2, 2));
      }
    }
    EntityStats stats = entities.stats();
    assertThat(stats.peakActive()).isEqualTo(100);
    assertThat(stats.active()).isLessThanOrEqualTo(100);
    assertThat(stats.recoveries()).isGreaterThanOrEqualTo(3L * n - 100);
    assertThat(stats.conflicts()).isZero();
  }

  @Test
  void passivatesIdleEntities() {
    EntityRef<Command> accounts = accounts(EntitiesOptions.defaults().withIdleTimeout(Duration.ofMillis(200)),
      new Account());
    accounts.send("idle", new Open("dave")).await();
    assertThat(entities.stats().active()).isEqualTo(1);
    await(() -> entities.stats().active() == 0, Duration.ofSeconds(3));
    assertThat(entities.stats().passivations()).isEqualTo(1);
    assertThat(accounts.send("idle", new Deposit(money(3), 1)).await()).isInstanceOf(Reply.Accepted.class)
      .extracting(r -> ((Reply.Accepted) r).version()).isEqualTo(2L);
    assertThat(entities.stats().recoveries()).isEqualTo(2);
  }

  /** An entity its type calls final leaves memory once idle, without waiting for the (here long) idle timeout. */
  @Test
  void aFinalEntityLeavesMemoryAsSoonAsItIsIdle() {
    EntityRef<Command> accounts = accounts(EntitiesOptions.defaults().withIdleTimeout(Duration.ofMinutes(10)),
      new FullAt100());
    accounts.send("filling", new Open("fay")).await();
    accounts.send("filling", new Deposit(money(40), 1)).await();
    assertThat(entities.stats().active()).isEqualTo(1); // not final: stays for the idle timeout
    accounts.send("filling", new Deposit(money(60), 2)).await();
    await(() -> entities.stats().active() == 0, Duration.ofSeconds(3));
    assertThat(entities.stats().passivations()).isEqualTo(1);
    // a later command finds it again, recovered from the journal
    assertThat(accounts.send("filling", new Deposit(money(5), 3)).await()).isInstanceOf(Reply.Accepted.class)
      .extracting(r -> ((Reply.Accepted) r).version()).isEqualTo(4L);
    assertThat(entities.stats().recoveries()).isEqualTo(2);
  }

  /** The test account, final once its balance reaches 100. */
  static final class FullAt100 implements EntityType<Command, Account.Event, Account.State> {
    private final Account account = new Account();

    @Override
    public String name() {
      return account.name();
    }

    @Override
    public Account.State initialState() {
      return account.initialState();
    }

    @Override
    public Decision<Account.Event> decide(Account.State state, Command command) {
      return account.decide(state, command);
    }

    @Override
    public Account.State evolve(Account.State state, Account.Event event) {
      return account.evolve(state, event);
    }

    @Override
    public RecordCodec<Command> commands() {
      return account.commands();
    }

    @Override
    public RecordCodec<Account.Event> events() {
      return account.events();
    }

    @Override
    public RecordCodec<Account.State> states() {
      return account.states();
    }

    @Override
    public boolean isFinal(Account.State state) {
      return state instanceof Active a && a.balance().compareTo(money(100)) >= 0;
    }
  }

  @Test
  void failsWithATimeoutNamingTheEntityWhenTheJournalHangs() {
    EntityRef<Command> accounts = accounts(EntitiesOptions.defaults().withCommandTimeout(Duration.ofMillis(300)),
      new Account());
    journal.stallAppends = true;
    Future<Reply> first = accounts.send("stalled", new Open("erin"));
    Future<Reply> queued = accounts.send("stalled", new Open("erin"));
    assertThatThrownBy(first::await).isInstanceOf(CommandTimeoutException.class)
      .hasMessageContaining("account/stalled").hasMessageContaining("300 ms");
    assertThatThrownBy(queued::await).isInstanceOf(CommandTimeoutException.class);
  }

  /** Takes the account out of memory (once its snapshot, if one is due, is saved) and resets the journal's counts. */
  private void passivate(String id) {
    EntitiesImpl runtime = (EntitiesImpl) entities;
    assertThat(runtime.passivate(Account.NAME, id).await()).isTrue();
    await(() -> !runtime.isActive(Account.NAME, id).await(), Duration.ofSeconds(5));
    journal.reset();
  }

  private Optional<Object> stateInMemory(String id) {
    return ((EntitiesImpl) entities).stateInMemory(Account.NAME, id).await();
  }

  static void await(BooleanSupplier condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Condition not met within " + timeout);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
