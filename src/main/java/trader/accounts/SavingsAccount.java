package trader.accounts;

import trader.accounts.SavingsAccountCommand.Deposit;
import trader.accounts.SavingsAccountCommand.OpenAccount;
import trader.accounts.SavingsAccountCommand.Refund;
import trader.accounts.SavingsAccountCommand.Withdraw;
import trader.accounts.SavingsAccountEvent.AccountOpened;
import trader.accounts.SavingsAccountEvent.Deposited;
import trader.accounts.SavingsAccountEvent.Refunded;
import trader.accounts.SavingsAccountEvent.Withdrawn;
import trader.accounts.SavingsAccountState.Open;
import trader.accounts.SavingsAccountState.Unopened;
import trader.eventsourcing.entity.Decision;
import trader.eventsourcing.entity.EntityType;
import trader.eventsourcing.entity.RecordCodec;
import trader.money.Money;

import java.math.BigDecimal;

/**
 * A user's savings account (entity id = user id): where their money is when it is not in a portfolio. Money only
 * leaves or enters it through wire transfers, each step once per transfer id, and its balance is never negative.
 */
public final class SavingsAccount
  implements EntityType<SavingsAccountCommand, SavingsAccountEvent, SavingsAccountState> {

  public static final String NAME = "savings-account";

  private static final RecordCodec<SavingsAccountCommand> COMMANDS = RecordCodec.of(SavingsAccountCommand.class)
    .add("savings-account.open", OpenAccount.class)
    .add("savings-account.withdraw", Withdraw.class)
    .add("savings-account.deposit", Deposit.class)
    .add("savings-account.refund", Refund.class)
    .build();

  private static final RecordCodec<SavingsAccountEvent> EVENTS = RecordCodec.of(SavingsAccountEvent.class)
    .add("savings-account.opened", AccountOpened.class)
    .add("savings-account.withdrawn", Withdrawn.class)
    .add("savings-account.deposited", Deposited.class)
    .add("savings-account.refunded", Refunded.class)
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
    return new Unopened();
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
        case Withdraw w -> notOpen();
        case Deposit d -> notOpen();
        case Refund r -> notOpen();
      };
      case Open account -> switch (command) {
        case OpenAccount open -> account.userId().equals(open.userId())
          ? Decision.accept() // the same opening again
          : Decision.reject("This savings account belongs to another user");
        case Withdraw withdraw -> withdraw(account, withdraw);
        case Deposit deposit -> deposit(account, deposit);
        case Refund refund -> refund(account, refund);
      };
    };
  }

  private static Decision<SavingsAccountEvent> notOpen() {
    return Decision.reject("The savings account is not open");
  }

  private static Decision<SavingsAccountEvent> open(OpenAccount open) {
    if (open.userId() == null || open.userId().isBlank()) {
      return Decision.reject("A user id is required");
    }
    String problem = Money.nonNegativeProblem("Opening balance", open.openingBalance());
    return problem != null ? Decision.reject(problem)
      : Decision.accept(new AccountOpened(open.userId(), Money.cents(open.openingBalance())));
  }

  private static Decision<SavingsAccountEvent> withdraw(Open account, Withdraw withdraw) {
    if (isBlank(withdraw.transferId())) {
      return Decision.reject("A transfer id is required");
    }
    if (account.steps().withdrew(withdraw.transferId())) {
      return Decision.accept();
    }
    String problem = Money.positiveProblem("Amount", withdraw.amount());
    if (problem != null) {
      return Decision.reject(problem);
    }
    if (account.balance().compareTo(withdraw.amount()) < 0) {
      return Decision.reject("Insufficient funds: available " + Money.format(account.balance()) + ", needed "
        + Money.format(withdraw.amount()));
    }
    return Decision.accept(new Withdrawn(withdraw.transferId(), Money.cents(withdraw.amount())));
  }

  private static Decision<SavingsAccountEvent> deposit(Open account, Deposit deposit) {
    if (isBlank(deposit.transferId())) {
      return Decision.reject("A transfer id is required");
    }
    if (account.steps().deposited(deposit.transferId())) {
      return Decision.accept();
    }
    String problem = Money.positiveProblem("Amount", deposit.amount());
    return problem != null ? Decision.reject(problem)
      : Decision.accept(new Deposited(deposit.transferId(), Money.cents(deposit.amount())));
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

  private static boolean isBlank(String id) {
    return id == null || id.isBlank();
  }

  @Override
  public SavingsAccountState evolve(SavingsAccountState state, SavingsAccountEvent event) {
    if (event instanceof AccountOpened opened) {
      return new Open(opened.userId(), opened.openingBalance(), TransferSteps.NONE);
    }
    if (!(state instanceof Open account)) {
      throw new IllegalStateException(event + " on a savings account that is not open");
    }
    return switch (event) {
      case AccountOpened opened -> throw new IllegalStateException(event + " on an open savings account");
      case Withdrawn w -> new Open(account.userId(), account.balance().subtract(w.amount()),
        account.steps().withWithdrawal(w.transferId(), w.amount()));
      case Deposited d -> new Open(account.userId(), account.balance().add(d.amount()),
        account.steps().withDeposit(d.transferId()));
      case Refunded r -> new Open(account.userId(), account.balance().add(r.amount()),
        account.steps().withRefund(r.transferId()));
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
