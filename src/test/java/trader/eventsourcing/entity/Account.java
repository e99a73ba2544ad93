package trader.eventsourcing.entity;

import java.math.BigDecimal;

/**
 * The sample domain of the entity runtime's tests: a bank account. Pure: no Vert.x, no I/O. Deposits and withdrawals
 * carry a sequence number so tests can check the order commands were handled in.
 */
final class Account implements EntityType<Account.Command, Account.Event, Account.State> {

  static final String NAME = "account";

  sealed interface Command {
    record Open(String owner) implements Command {
    }

    record Deposit(BigDecimal amount, long seq) implements Command {
    }

    record Withdraw(BigDecimal amount, long seq) implements Command {
    }

    /** Accepted without events: wakes the entity (recovering it) without changing it. */
    record Touch() implements Command {
    }
  }

  sealed interface Event {
    record Opened(String owner) implements Event {
    }

    record Deposited(BigDecimal amount, long seq) implements Event {
    }

    record Withdrawn(BigDecimal amount, long seq) implements Event {
    }
  }

  sealed interface State {
    record Unopened() implements State {
    }

    record Active(String owner, BigDecimal balance, long lastSeq, int movements) implements State {
    }
  }

  private static final RecordCodec<Command> COMMANDS = RecordCodec.of(Command.class)
    .add("account.open", Command.Open.class)
    .add("account.deposit", Command.Deposit.class)
    .add("account.withdraw", Command.Withdraw.class)
    .add("account.touch", Command.Touch.class)
    .build();

  private static final RecordCodec<Event> EVENTS = RecordCodec.of(Event.class)
    .add("account.opened", Event.Opened.class)
    .add("account.deposited", Event.Deposited.class)
    .add("account.withdrawn", Event.Withdrawn.class)
    .build();

  private static final RecordCodec<State> STATES = RecordCodec.of(State.class)
    .add("account.unopened", State.Unopened.class)
    .add("account.active", State.Active.class)
    .build();

  private final int snapshotEvery;
  private final java.util.function.Predicate<Command> startsStream;

  Account() {
    this(0);
  }

  Account(int snapshotEvery) {
    this(snapshotEvery, command -> false);
  }

  /** An account type whose commands matching {@code startsStream} are decided without reading a stream first. */
  Account(int snapshotEvery, java.util.function.Predicate<Command> startsStream) {
    this.snapshotEvery = snapshotEvery;
    this.startsStream = startsStream;
  }

  @Override
  public boolean startsStream(Command command) {
    return startsStream.test(command);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public State initialState() {
    return new State.Unopened();
  }

  @Override
  public Decision<Event> decide(State state, Command command) {
    return switch (state) {
      case State.Unopened unopened -> switch (command) {
        case Command.Open open -> open.owner() == null || open.owner().isBlank()
          ? Decision.reject("an account needs an owner") : Decision.accept(new Event.Opened(open.owner()));
        case Command.Deposit deposit -> Decision.reject("the account is not open");
        case Command.Withdraw withdraw -> Decision.reject("the account is not open");
        case Command.Touch touch -> Decision.accept();
      };
      case State.Active active -> switch (command) {
        case Command.Open open -> Decision.reject("the account is already open");
        case Command.Deposit deposit -> deposit.amount().signum() <= 0
          ? Decision.reject("the amount must be positive")
          : Decision.accept(new Event.Deposited(deposit.amount(), deposit.seq()));
        case Command.Withdraw withdraw -> withdraw.amount().signum() <= 0
          ? Decision.reject("the amount must be positive")
          : active.balance().compareTo(withdraw.amount()) < 0
          ? Decision.reject("insufficient funds")
          : Decision.accept(new Event.Withdrawn(withdraw.amount(), withdraw.seq()));
        case Command.Touch touch -> Decision.accept();
      };
    };
  }

  @Override
  public State evolve(State state, Event event) {
    return switch (event) {
      case Event.Opened opened -> new State.Active(opened.owner(), BigDecimal.ZERO, 0, 0);
      case Event.Deposited d -> {
        State.Active a = active(state, event);
        yield new State.Active(a.owner(), a.balance().add(d.amount()), d.seq(), a.movements() + 1);
      }
      case Event.Withdrawn w -> {
        State.Active a = active(state, event);
        yield new State.Active(a.owner(), a.balance().subtract(w.amount()), w.seq(), a.movements() + 1);
      }
    };
  }

  private static State.Active active(State state, Event event) {
    if (state instanceof State.Active a) {
      return a;
    }
    throw new IllegalStateException(event + " on an account that is not open");
  }

  @Override
  public RecordCodec<Command> commands() {
    return COMMANDS;
  }

  @Override
  public RecordCodec<Event> events() {
    return EVENTS;
  }

  @Override
  public RecordCodec<State> states() {
    return STATES;
  }

  @Override
  public int snapshotEvery() {
    return snapshotEvery;
  }
}
