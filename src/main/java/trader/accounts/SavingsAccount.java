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

import java.math.BigDecimal;
import java.util.function.Function;

/**
 * A user's savings account (entity id = user id): where their money is when it is not in a portfolio. Money only
 * leaves or enters it through wire transfers, each step once per transfer id, and its balance is never negative.
 *
 * <p>A withdrawal or deposit that cannot be done (too little money, an account not open) is declined, not rejected:
 * it is accepted with a {@link WithdrawalDeclined} or {@link DepositDeclined} event that tells the transfer why, and
 * the step counts as decided, so that its redelivery moves no money later, whatever the balance is by then. Only a
 * malformed step (no transfer id, an amount not a positive number of cents) is rejected.
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
    .add("savings-account.withdrawn", Withdrawn.class)
    .add("savings-account.withdrawal-declined", WithdrawalDeclined.class)
    .add("savings-account.deposited", Deposited.class)
    .add("savings-account.deposit-declined", DepositDeclined.class)
    .add("savings-account.refunded", Refunded.class)
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

  @Override
  public Decision<SavingsAccountEvent> decide(SavingsAccountState state, SavingsAccountCommand command) {
    return switch (state) {
      case Unopened unopened -> switch (command) {
        case OpenAccount open -> open(open);
        case Withdraw withdraw -> withdraw(unopened.steps(), withdraw, amount -> NOT_OPEN);
        case Deposit deposit -> deposit(unopened.steps(), deposit, NOT_OPEN);
        case Refund r -> Decision.reject(NOT_OPEN); // nothing was ever withdrawn from it
      };
      case Open account -> switch (command) {
        case OpenAccount open -> account.userId().equals(open.userId())
          ? Decision.accept() // the same opening again
          : Decision.reject("This savings account belongs to another user");
        case Withdraw withdraw -> withdraw(account.steps(), withdraw, amount -> insufficientFunds(account, amount));
        case Deposit deposit -> deposit(account.steps(), deposit, null);
        case Refund refund -> refund(account, refund);
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

  /**
   * Decides withdrawal {@code withdraw} on an account that has decided {@code steps}; {@code declineReason} says
   * why the account cannot give an amount (null when it can).
   */
  private static Decision<SavingsAccountEvent> withdraw(TransferSteps steps, Withdraw withdraw,
                                                        Function<BigDecimal, String> declineReason) {
    if (isBlank(withdraw.transferId())) {
      return Decision.reject("A transfer id is required");
    }
    if (steps.decidedWithdrawal(withdraw.transferId())) {
      return Decision.accept(); // carried out or declined already: a declined one never takes money late
    }
    String problem = Money.positiveProblem("Amount", withdraw.amount());
    if (problem != null) {
      return Decision.reject(problem);
    }
    BigDecimal amount = Money.cents(withdraw.amount());
    String declined = declineReason.apply(amount);
    return Decision.accept(declined != null ? new WithdrawalDeclined(withdraw.transferId(), amount, declined)
      : new Withdrawn(withdraw.transferId(), amount));
  }

  /**
   * Decides deposit {@code deposit} on an account that has decided {@code steps}; {@code declineReason} says why the
   * account cannot take money (null when it can).
   */
  private static Decision<SavingsAccountEvent> deposit(TransferSteps steps, Deposit deposit, String declineReason) {
    if (isBlank(deposit.transferId())) {
      return Decision.reject("A transfer id is required");
    }
    if (steps.decidedDeposit(deposit.transferId())) {
      return Decision.accept(); // carried out or declined already
    }
    String problem = Money.positiveProblem("Amount", deposit.amount());
    if (problem != null) {
      return Decision.reject(problem);
    }
    BigDecimal amount = Money.cents(deposit.amount());
    return Decision.accept(declineReason != null ? new DepositDeclined(deposit.transferId(), amount, declineReason)
      : new Deposited(deposit.transferId(), amount));
  }

  private static Decision<SavingsAccountEvent> refund(Open account, Refund refund) {
    if (isBlank(refund.transferId())) {
      return Decision.reject("A transfer id is required");
    }
    if (account.steps().refunded(refund.transferId())) {
      return Decision.accept();
    }
    BigDecimal withdrawn = account.steps().withdrawals().get(refund.transferId());
    if (withdrawn == null) {
      return Decision.reject("Transfer " + refund.transferId() + " withdrew nothing from this account to refund");
    }
    String problem = Money.positiveProblem("Amount", refund.amount());
    if (problem != null) {
      return Decision.reject(problem);
    }
    if (withdrawn.compareTo(refund.amount()) != 0) {
      return Decision.reject("The refund of transfer " + refund.transferId() + " must be the "
        + Money.format(withdrawn) + " it withdrew, not " + Money.format(refund.amount()));
    }
    return Decision.accept(new Refunded(refund.transferId(), withdrawn));
  }

  /** Why {@code account} cannot give {@code amount}; null if it can. */
  private static String insufficientFunds(Open account, BigDecimal amount) {
    return account.balance().compareTo(amount) < 0
      ? "Insufficient funds: available " + Money.format(account.balance()) + ", needed " + Money.format(amount)
      : null;
  }

  private static boolean isBlank(String id) {
    return id == null || id.isBlank();
  }

  @Override
  public SavingsAccountState evolve(SavingsAccountState state, SavingsAccountEvent event) {
    return switch (state) {
      case Unopened unopened -> switch (event) {
        case AccountOpened opened -> new Open(opened.userId(), opened.openingBalance(), unopened.steps());
        case WithdrawalDeclined declined ->
          new Unopened(unopened.steps().withDeclinedWithdrawal(declined.transferId()));
        case DepositDeclined declined ->
          new Unopened(unopened.steps().withDeclinedDeposit(declined.transferId()));
        default -> throw new IllegalStateException(event + " on a savings account that is not open");
      };
      case Open account -> switch (event) {
        case AccountOpened opened -> throw new IllegalStateException(event + " on an open savings account");
        case Withdrawn w -> new Open(account.userId(), account.balance().subtract(w.amount()),
          account.steps().withWithdrawal(w.transferId(), w.amount()));
        case WithdrawalDeclined declined -> new Open(account.userId(), account.balance(),
          account.steps().withDeclinedWithdrawal(declined.transferId()));
        case Deposited d -> new Open(account.userId(), account.balance().add(d.amount()),
          account.steps().withDeposit(d.transferId()));
        case DepositDeclined declined -> new Open(account.userId(), account.balance(),
          account.steps().withDeclinedDeposit(declined.transferId()));
        case Refunded r -> new Open(account.userId(), account.balance().add(r.amount()),
          account.steps().withRefund(r.transferId()));
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
