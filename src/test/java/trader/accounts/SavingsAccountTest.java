package trader.accounts;

import org.junit.jupiter.api.Test;
import trader.accounts.SavingsAccountCommand.Deposit;
import trader.accounts.SavingsAccountCommand.OpenAccount;
import trader.accounts.SavingsAccountCommand.Refund;
import trader.accounts.SavingsAccountCommand.Withdraw;
import trader.accounts.SavingsAccountEvent.AccountOpened;
import trader.accounts.SavingsAccountEvent.Deposited;
import trader.accounts.SavingsAccountEvent.Refunded;
import trader.accounts.SavingsAccountEvent.Withdrawn;
import trader.accounts.SavingsAccountState.Open;
import trader.eventsourcing.entity.EntityFixture;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Set;

/** A savings account: opening, the three transfer steps, their repeats and every rejection. */
class SavingsAccountTest {

  private static final String USER = "6f1c7a2e-3d4b-4c5a-8e9f-0a1b2c3d4e5f";
  private static final String T1 = "transfer-1";
  private static final String T2 = "transfer-2";

  private final EntityFixture<SavingsAccountCommand, SavingsAccountEvent, SavingsAccountState> account =
    EntityFixture.of(new SavingsAccount());

  private static BigDecimal money(String amount) {
    return new BigDecimal(amount);
  }

  private static AccountOpened opened(String balance) {
    return new AccountOpened(USER, money(balance));
  }

  @Test
  void opensWithTheOpeningBalanceInCents() {
    account.given()
      .when(new OpenAccount(USER, money("1000")))
      .thenEvents(opened("1000.00"))
      .thenState(new Open(USER, money("1000.00"), TransferSteps.NONE));
    account.given().when(new OpenAccount(USER, money("0"))).thenEvents(opened("0.00"));
  }

  @Test
  void openingAgainChangesNothingButAnotherUserCannotTakeTheAccount() {
    account.given(opened("10.00")).when(new OpenAccount(USER, money("99"))).thenNoEvents()
      .thenState(new Open(USER, money("10.00"), TransferSteps.NONE));
    account.given(opened("10.00")).when(new OpenAccount("someone-else", money("10")))
      .thenRejected("This savings account belongs to another user");
  }

  @Test
  void rejectsABadOpening() {
    account.given().when(new OpenAccount("", money("1"))).thenRejected("A user id is required");
    account.given().when(new OpenAccount(USER, money("-0.01")))
      .thenRejected("Opening balance must not be negative, not -0.01");
    account.given().when(new OpenAccount(USER, money("1.001")))
      .thenRejected("Opening balance 1.001 has more than 2 decimal places");
    account.given().when(new OpenAccount(USER, null)).thenRejected("Opening balance is required");
  }

  @Test
  void rejectsMoneyStepsBeforeOpening() {
    account.given().when(new Withdraw(T1, money("1"))).thenRejected("The savings account is not open");
    account.given().when(new Deposit(T1, money("1"))).thenRejected("The savings account is not open");
    account.given().when(new Refund(T1, money("1"))).thenRejected("The savings account is not open");
  }

  @Test
  void withdrawsDownToZeroButNeverBelow() {
    account.given(opened("100.00"))
      .when(new Withdraw(T1, money("100")))
      .thenEvents(new Withdrawn(T1, money("100.00")))
      .thenState(new Open(USER, money("0.00"), new TransferSteps(Map.of(T1, money("100.00")), Set.of(), Set.of())));
    account.given(opened("100.00"))
      .when(new Withdraw(T1, money("250.00")))
      .thenRejected("Insufficient funds: available 100.00, needed 250.00");
    account.given(opened("100.00"), new Withdrawn(T1, money("0.01")))
      .when(new Withdraw(T2, money("100.00")))
      .thenRejected("Insufficient funds: available 99.99, needed 100.00");
  }

  @Test
  void aRepeatedWithdrawalChangesNothing() {
    account.given(opened("100.00"), new Withdrawn(T1, money("60.00")))
      .when(new Withdraw(T1, money("60.00")))
      .thenNoEvents()
      .thenState(new Open(USER, money("40.00"), new TransferSteps(Map.of(T1, money("60.00")), Set.of(), Set.of())));
  }

  @Test
  void aRepeatedRejectedWithdrawalIsRejectedTheSameWay() {
    // a rejection writes nothing, so the repeat is decided again on the same state, with the same answer
    var given = account.given(opened("100.00"));
    given.when(new Withdraw(T1, money("100.01"))).thenRejected("Insufficient funds: available 100.00, needed 100.01");
    given.when(new Withdraw(T1, money("100.01"))).thenRejected("Insufficient funds: available 100.00, needed 100.01");
  }

  @Test
  void rejectsBadAmountsAndMissingTransferIds() {
    var given = account.given(opened("100.00"));
    given.when(new Withdraw(T1, money("0"))).thenRejected("Amount must be greater than zero, not 0");
    given.when(new Withdraw(T1, money("-5"))).thenRejected("Amount must be greater than zero, not -5");
    given.when(new Withdraw(T1, money("0.001"))).thenRejected("Amount 0.001 has more than 2 decimal places");
    given.when(new Withdraw(T1, null)).thenRejected("Amount is required");
    given.when(new Withdraw(null, money("1"))).thenRejected("A transfer id is required");
    given.when(new Deposit(T1, money("0"))).thenRejected("Amount must be greater than zero, not 0");
    given.when(new Deposit(T1, money("1.999"))).thenRejected("Amount 1.999 has more than 2 decimal places");
    given.when(new Deposit(" ", money("1"))).thenRejected("A transfer id is required");
    given.when(new Refund("", money("1"))).thenRejected("A transfer id is required");
  }

  @Test
  void depositsAddExactly() {
    account.given(opened("0.10"))
      .when(new Deposit(T1, money("0.2")))
      .thenEvents(new Deposited(T1, money("0.20")))
      .thenState(new Open(USER, money("0.30"), new TransferSteps(Map.of(), Set.of(T1), Set.of())));
  }

  @Test
  void aRepeatedDepositChangesNothing() {
    account.given(opened("0.00"), new Deposited(T1, money("5.00")))
      .when(new Deposit(T1, money("5.00")))
      .thenNoEvents()
      .thenState(new Open(USER, money("5.00"), new TransferSteps(Map.of(), Set.of(T1), Set.of())));
  }

  @Test
  void refundsAWithdrawalOnce() {
    var afterRefund = account.given(opened("100.00"), new Withdrawn(T1, money("30.00")))
      .when(new Refund(T1, money("30")))
      .thenEvents(new Refunded(T1, money("30.00")))
      .thenState(new Open(USER, money("100.00"),
        new TransferSteps(Map.of(T1, money("30.00")), Set.of(), Set.of(T1))))
      .state();
    account.givenState(afterRefund).when(new Refund(T1, money("30.00"))).thenNoEvents();
    // the withdrawal, redelivered after its refund, does not take the money again
    account.givenState(afterRefund).when(new Withdraw(T1, money("30.00"))).thenNoEvents();
  }

  @Test
  void refundsOnlyWhatATransferWithdrew() {
    account.given(opened("100.00"))
      .when(new Refund(T1, money("30.00")))
      .thenRejected("Transfer transfer-1 withdrew nothing from this account to refund");
    account.given(opened("100.00"), new Deposited(T1, money("30.00")))
      .when(new Refund(T1, money("30.00")))
      .thenRejected("Transfer transfer-1 withdrew nothing from this account to refund");
    account.given(opened("100.00"), new Withdrawn(T1, money("30.00")))
      .when(new Refund(T1, money("30.01")))
      .thenRejected("The refund of transfer transfer-1 must be the 30.00 it withdrew, not 30.01");
    account.given(opened("100.00"), new Withdrawn(T1, money("30.00")))
      .when(new Refund(T1, money("-30.00")))
      .thenRejected("Amount must be greater than zero, not -30.00");
  }
}
