package trader.eventsourcing.entity;

import java.math.BigDecimal;

/**
 * A sample domain whose commands carry ids ({@link EntityType#commandId}): payments into and out of a wallet whose
 * state is its balance only. It remembers no payment id, so only the runtime can keep a payment from taking effect
 * twice.
 */
final class Wallet implements EntityType<Wallet.Command, Wallet.Event, Wallet.State> {

  sealed interface Command {
    /** Adds {@code amount}, once per {@code paymentId}. */
    record PayIn(String paymentId, BigDecimal amount) implements Command {
    }

    /** Takes {@code amount} if the balance has it, once per {@code paymentId}; refused otherwise. */
    record PayOut(String paymentId, BigDecimal amount) implements Command {
    }

    /** No id: a repeat is a second command. */
    record Tip(BigDecimal amount) implements Command {
    }
  }

  sealed interface Event {
    record PaidIn(String paymentId, BigDecimal amount) implements Event {
    }

    record PaidOut(String paymentId, BigDecimal amount) implements Event {
    }

    /** The second event of a pay-out larger than 100: a fee. */
    record FeeCharged(String paymentId, BigDecimal fee) implements Event {
    }

    record Tipped(BigDecimal amount) implements Event {
    }
  }

  record State(BigDecimal balance) {
  }

  private static final BigDecimal FEE = new BigDecimal("1");

  private static final RecordCodec<Command> COMMANDS = RecordCodec.of(Command.class)
    .add("wallet.pay-in", Command.PayIn.class)
    .add("wallet.pay-out", Command.PayOut.class)
    .add("wallet.tip", Command.Tip.class)
    .build();

  private static final RecordCodec<Event> EVENTS = RecordCodec.of(Event.class)
    .add("wallet.paid-in", Event.PaidIn.class)
    .add("wallet.paid-out", Event.PaidOut.class)
    .add("wallet.fee-charged", Event.FeeCharged.class)
    .add("wallet.tipped", Event.Tipped.class)
    .build();

  private static final RecordCodec<State> STATES = RecordCodec.of(State.class).add("wallet.state", State.class)
    .build();

  @Override
  public String name() {
    return "wallet";
  }

  @Override
  public State initialState() {
    return new State(BigDecimal.ZERO);
  }

  @Override
  public String commandId(Command command) {
    return switch (command) {
      case Command.PayIn in -> "payment:" + in.paymentId();
      case Command.PayOut out -> "payment:" + out.paymentId();
      case Command.Tip tip -> null;
    };
  }

  @Override
  public Decision<Event> decide(State state, Command command) {
    return switch (command) {
      case Command.PayIn in -> Decision.accept(new Event.PaidIn(in.paymentId(), in.amount()));
      case Command.PayOut out -> {
        boolean fee = out.amount().compareTo(new BigDecimal("100")) > 0;
        BigDecimal total = fee ? out.amount().add(FEE) : out.amount();
        if (state.balance().compareTo(total) < 0) {
          yield Decision.reject("insufficient funds");
        }
        yield fee ? Decision.accept(new Event.PaidOut(out.paymentId(), out.amount()),
          new Event.FeeCharged(out.paymentId(), FEE)) : Decision.accept(new Event.PaidOut(out.paymentId(), out.amount()));
      }
      case Command.Tip tip -> Decision.accept(new Event.Tipped(tip.amount()));
    };
  }

  @Override
  public State evolve(State state, Event event) {
    return new State(switch (event) {
      case Event.PaidIn in -> state.balance().add(in.amount());
      case Event.PaidOut out -> state.balance().subtract(out.amount());
      case Event.FeeCharged fee -> state.balance().subtract(fee.fee());
      case Event.Tipped tip -> state.balance().add(tip.amount());
    });
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
    return 5;
  }
}
