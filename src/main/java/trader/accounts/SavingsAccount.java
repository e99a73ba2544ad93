package trader.accounts;

import trader.wiretransfer.contract.TransferSteps;
import trader.accounts.SavingsAccountCommand.Deposit;
import trader.accounts.SavingsAccountCommand.OpenAccount;
import trader.accounts.SavingsAccountCommand.Refund;
import trader.accounts.SavingsAccountCommand.Withdraw;
import trader.accounts.SavingsAccountEvent.AccountOpened;
import trader.accounts.SavingsAccountEvent.DepositDeclined;
import trader.accounts.SavingsAccountEvent.Deposited;
import trader.accounts.SavingsAccountEvent.Refunded;
import trader.accounts.SavingsAccountEvent.WithdrawalDeclined;
import trader.accounts.SavingsAccountEvent.Withdrawn;
import trader.accounts.SavingsAccountState.Open;
import trader.accounts.SavingsAccountState.Unopened;
import trader.eventsourcing.entity.Decision;
import trader.eventsourcing.entity.EntityType;
import trader.eventsourcing.entity.RecordCodec;
import trader.money.Money;
import trader.wiretransfer.contract.TransferParticipant;
import trader.wiretransfer.contract.TransferStep.Step;

import java.math.BigDecimal;

/**
 * A user's savings account (entity id = user id): where their money is when it is not in a portfolio. Money only
 * leaves or enters it through wire transfers, each step once per transfer id, and its balance is never negative.
 *
 * <p>The steps follow the saga's rules ({@link TransferParticipant}): a withdrawal or deposit that cannot be done (too
 * little money, an account not open) is declined, not rejected: it is accepted with a {@link WithdrawalDeclined} or
 * {@link DepositDeclined} event that tells the transfer why, and the step counts as decided (by its command id), so
 * that its redelivery moves no money later, whatever the balance is by then. Only a malformed step (no transfer id,
 * an amount not a positive number of cents) is rejected.
 */
public final class SavingsAccount
  implements EntityType<SavingsAccountCommand, SavingsAccountEvent, SavingsAccountState> {

  public static final String NAME = "savings-account";

  static final String NOT_OPEN = "The savings account is not open";

  private static final RecordCodec<SavingsAccountCommand> COMMANDS = RecordCodec.of(SavingsAccountCommand.class)
    .add("savings-account.open", OpenAccount.class)
    .add("savings-account.withdraw", Withdraw.class)
    .add("savings-account.deposit", Deposit.class)
    .add("savings-account.refund", Refund.class)
    .build();

  private static final RecordCodec<SavingsAccountEvent> EVENTS = RecordCodec.of(SavingsAccountEvent.class)
    .add("savings-account.opened", AccountOpened.class)
    .add("savings-account.withdrawn", 2, Withdrawn.class)
    .upcast("savings-account.withdrawn", 1, TransferParticipant.LEGACY)
    .add("savings-account.withdrawal-declined", 2, WithdrawalDeclined.class)
    .upcast("savings-account.withdrawal-declined", 1, TransferParticipant.LEGACY)
    .add("savings-account.deposited", 2, Deposited.class)
    .upcast("savings-account.deposited", 1, TransferParticipant.LEGACY)
    .add("savings-account.deposit-declined", 2, DepositDeclined.class)
    .upcast("savings-account.deposit-declined", 1, TransferParticipant.LEGACY)
    .add("savings-account.refunded", 2, Refunded.class)
    .upcast("savings-account.refunded", 1, TransferParticipant.LEGACY)
    .sharingDecodings()
    .build();

  private static final RecordCodec<SavingsAccountState> STATES = RecordCodec.of(SavingsAccountState.class)
    .add("savings-account.state.unopened", Unopened.class)
    .add("savings-account.state.open", Open.class)
    .build();

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public SavingsAccountState initialState() {
    return new Unopened(TransferSteps.NONE);
  }

  @Override
  public int snapshotEvery() {
    return 100;
  }

  /** Opening by its user (another user's opening is another command); each step by its transfer and kind. */
  @Override
  public String commandId(SavingsAccountCommand command) {
    return switch (command) {
      case OpenAccount open -> "open:" + open.userId();
      case Withdraw withdraw -> TransferParticipant.commandId(Step.WITHDRAW, withdraw.transferId());
      case Deposit deposit -> TransferParticipant.commandId(Step.DEPOSIT, deposit.transferId());
      case Refund refund -> TransferParticipant.commandId(Step.REFUND, refund.transferId());
    };
  }

  @Override
  public Decision<SavingsAccountEvent> decide(SavingsAccountState state, SavingsAccountCommand command) {
    return switch (state) {
      case Unopened unopened -> switch (command) {
        case OpenAccount open -> open(open);
        case Withdraw withdraw -> RULES.withdraw(unopened.steps(), withdraw.transferId(), withdraw.amount(),
          amount -> NOT_OPEN);
        case Deposit deposit -> RULES.deposit(unopened.steps(), deposit.transferId(), deposit.amount(), NOT_OPEN);
        case Refund r -> Decision.reject(NOT_OPEN); // nothing was ever withdrawn from it
      };
      case Open account -> switch (command) {
        case OpenAccount open -> account.userId().equals(open.userId())
          ? Decision.accept() // the same opening again
          : Decision.reject("This savings account belongs to another user");
        case Withdraw withdraw -> RULES.withdraw(account.steps(), withdraw.transferId(), withdraw.amount(),
          amount -> insufficientFunds(account, amount));
        case Deposit deposit -> RULES.deposit(account.steps(), deposit.transferId(), deposit.amount(), null);
        case Refund refund -> RULES.refund(account.steps(), refund.transferId(), refund.amount());
      };
    };
  }

  private static Decision<SavingsAccountEvent> open(OpenAccount open) {
    if (open.userId() == null || open.userId().isBlank()) {
      return Decision.reject("A user id is required");
    }
    String problem = Money.nonNegativeProblem("Opening balance", open.openingBalance());
    return problem != null ? Decision.reject(problem)
      : Decision.accept(new AccountOpened(open.userId(), Money.cents(open.openingBalance())));
  }

  /** The saga's rules for the steps, with this account's events. */
  private static final TransferParticipant<SavingsAccountEvent> RULES = new TransferParticipant<>(
    new TransferParticipant.Outcomes<>(Withdrawn::new, WithdrawalDeclined::new,
      Deposited::new, DepositDeclined::new, Refunded::new));

  /** Why {@code account} cannot give {@code amount}; null if it can. */
  private static String insufficientFunds(Open account, BigDecimal amount) {
    return account.balance().compareTo(amount) < 0
      ? "Insufficient funds: available " + Money.format(account.balance()) + ", needed " + Money.format(amount)
      : null;
  }

  @Override
  public SavingsAccountState evolve(SavingsAccountState state, SavingsAccountEvent event) {
    return switch (state) {
      case Unopened unopened -> switch (event) {
        case AccountOpened opened -> new Open(opened.userId(), opened.openingBalance(), unopened.steps());
        case WithdrawalDeclined declined -> declined.legacy()
          ? new Unopened(unopened.steps().withDeclinedWithdrawal(declined.transferId())) : unopened;
        case DepositDeclined declined -> declined.legacy()
          ? new Unopened(unopened.steps().withDeclinedDeposit(declined.transferId())) : unopened;
        default -> throw new IllegalStateException(event + " on a savings account that is not open");
      };
      case Open account -> switch (event) {
        case AccountOpened opened -> throw new IllegalStateException(event + " on an open savings account");
        // steps of schema version 1 (legacy) are remembered by transfer id; later ones need not be
        case Withdrawn w -> new Open(account.userId(), account.balance().subtract(w.amount()),
          w.legacy() ? account.steps().withWithdrawal(w.transferId(), w.amount()) : account.steps());
        case WithdrawalDeclined declined -> declined.legacy() ? new Open(account.userId(), account.balance(),
          account.steps().withDeclinedWithdrawal(declined.transferId())) : account;
        case Deposited d -> new Open(account.userId(), account.balance().add(d.amount()),
          d.legacy() ? account.steps().withDeposit(d.transferId()) : account.steps());
        case DepositDeclined declined -> declined.legacy() ? new Open(account.userId(), account.balance(),
          account.steps().withDeclinedDeposit(declined.transferId())) : account;
        case Refunded r -> new Open(account.userId(), account.balance().add(r.amount()),
          r.legacy() ? account.steps().withRefund(r.transferId()) : account.steps());
      };
    };
  }

  @Override
  public RecordCodec<SavingsAccountCommand> commands() {
    return COMMANDS;
  }

  @Override
  public RecordCodec<SavingsAccountEvent> events() {
    return EVENTS;
  }

  @Override
  public RecordCodec<SavingsAccountState> states() {
    return STATES;
  }
}
