package trader.accounts;

import trader.wiretransfer.contract.TransferSteps;
import org.junit.jupiter.api.Test;
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
import trader.eventsourcing.entity.EntityFixture;
import trader.eventsourcing.entity.RecordCodec;

import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A savings account: opening, the three transfer steps, their repeats, the steps it declines (for good) and every
 * rejection.
 */
class SavingsAccountTest {

  private static final String USER = "6f1c7a2e-3d4b-4c5a-8e9f-0a1b2c3d4e5f";
  private static final String T1 = "transfer-1";
  private static final String T2 = "transfer-2";
  private static final String NOT_OPEN = "The savings account is not open";

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
  void declinesWithdrawalsAndDepositsBeforeOpeningButRejectsARefund() {
    account.given().when(new Withdraw(T1, money("1")))
      .thenEvents(new WithdrawalDeclined(T1, money("1.00"), NOT_OPEN))
      .thenState(new Unopened(TransferSteps.NONE));
    account.given().when(new Deposit(T1, money("2.5")))
      .thenEvents(new DepositDeclined(T1, money("2.50"), NOT_OPEN))
      .thenState(new Unopened(TransferSteps.NONE));
    // nothing was ever withdrawn from it: a refund is a mistake of the caller, not an outcome
    account.given().when(new Refund(T1, money("1"))).thenRejected(NOT_OPEN);
  }

  @Test
  void stepsDeclinedBeforeOpeningStayDeclinedOnceItIsOpen() {
    var open = account.after(new Withdraw(T1, money("10.00")), new Deposit(T2, money("20.00")),
      new OpenAccount(USER, money("1000")));
    open.when(new OpenAccount(USER, money("1000"))).thenNoEvents()
      .thenState(new Open(USER, money("1000.00"), TransferSteps.NONE));
    // the transfers were settled as failed: their redelivered steps must not move money now
    open.when(new Withdraw(T1, money("10.00"))).thenNoEvents()
      .thenState(new Open(USER, money("1000.00"), TransferSteps.NONE));
    open.when(new Deposit(T2, money("20.00"))).thenNoEvents();
  }

  @Test
  void rejectsMalformedStepsEvenWhereTheyWouldBeDeclined() {
    var unopened = account.given();
    unopened.when(new Withdraw(null, money("1"))).thenRejected("A transfer id is required");
    unopened.when(new Withdraw(T1, money("0"))).thenRejected("Amount must be greater than zero, not 0");
    unopened.when(new Deposit(T1, money("1.001"))).thenRejected("Amount 1.001 has more than 2 decimal places");
    unopened.when(new Deposit("", money("1"))).thenRejected("A transfer id is required");
    // an unaffordable amount that is not whole cents is malformed first
    account.given(opened("1.00")).when(new Withdraw(T1, money("5.555")))
      .thenRejected("Amount 5.555 has more than 2 decimal places");
  }

  @Test
  void withdrawsDownToZeroButNeverBelow() {
    account.given(opened("100.00"))
      .when(new Withdraw(T1, money("100")))
      .thenEvents(new Withdrawn(T1, money("100.00")))
      .thenState(new Open(USER, money("0.00"), TransferSteps.NONE));
    account.given(opened("100.00"))
      .when(new Withdraw(T1, money("250")))
      .thenEvents(new WithdrawalDeclined(T1, money("250.00"), "Insufficient funds: available 100.00, needed 250.00"))
      .thenState(new Open(USER, money("100.00"), TransferSteps.NONE));
    account.given(opened("100.00"), new Withdrawn(T1, money("0.01")))
      .when(new Withdraw(T2, money("100.00")))
      .thenEvents(new WithdrawalDeclined(T2, money("100.00"), "Insufficient funds: available 99.99, needed 100.00"))
      .thenState(new Open(USER, money("99.99"), TransferSteps.NONE));
  }

  @Test
  void aRepeatedStepChangesNothing() {
    var stepped = account.after(new OpenAccount(USER, money("100")), new Withdraw(T1, money("60.00")),
      new Deposit(T2, money("5.00")));
    stepped.when(new Withdraw(T1, money("60.00"))).thenNoEvents()
      .thenState(new Open(USER, money("45.00"), TransferSteps.NONE));
    stepped.when(new Deposit(T2, money("5.00"))).thenNoEvents();
    // each step of a transfer is a command of its own: the refund of T1 is not its withdrawal again
    stepped.when(new Refund(T1, money("60.00"))).thenEvents(new Refunded(T1, money("60.00")));
  }

  @Test
  void aDeclinedWithdrawalStaysDeclinedWhenTheMoneyArrivesLater() {
    // the transfer already failed; a late redelivery must not take the money that came in since
    account.after(new OpenAccount(USER, money("100")), new Withdraw(T1, money("100.01")),
        new Deposit(T2, money("500.00")))
      .when(new Withdraw(T1, money("100.01")))
      .thenNoEvents()
      .thenState(new Open(USER, money("600.00"), TransferSteps.NONE));
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
      .thenState(new Open(USER, money("0.30"), TransferSteps.NONE));
  }

  @Test
  void everyStepEventCarriesItsTransferAmountAndReason() {
    RecordCodec<SavingsAccountEvent> codec = new SavingsAccount().events();
    List<SavingsAccountEvent> carriedOut = List.of(new Withdrawn(T1, money("1.00")), new Deposited(T1, money("1.00")),
      new Refunded(T1, money("1.00")));
    List<SavingsAccountEvent> declined = List.of(new WithdrawalDeclined(T1, money("1.00"), NOT_OPEN),
      new DepositDeclined(T1, money("1.00"), NOT_OPEN));
    for (SavingsAccountEvent event : carriedOut) {
      assertThat(codec.encode(event).getMap()).as(codec.typeName(event))
        .containsEntry("transferId", T1).containsEntry("amount", "1.00").doesNotContainKey("legacy");
    }
    for (SavingsAccountEvent event : declined) {
      assertThat(codec.encode(event).getMap()).as(codec.typeName(event))
        .containsEntry("transferId", T1).containsEntry("amount", "1.00").containsEntry("reason", NOT_OPEN);
    }
    assertThat(declined.stream().map(codec::typeName))
      .containsExactly("savings-account.withdrawal-declined", "savings-account.deposit-declined");
  }

  @Test
  void readsASnapshotTakenBeforeDeclinesWereRemembered() {
    JsonObject old = new JsonObject().put("userId", USER).put("balance", "70.00").put("steps", new JsonObject()
      .put("withdrawals", new JsonObject().put(T1, "30.00")).put("deposits", List.of()).put("refunds", List.of()));
    assertThat(new SavingsAccount().states().decode("savings-account.state.open", old))
      .isEqualTo(new Open(USER, money("70.00"), new TransferSteps(Map.of(T1, money("30.00")), Set.of(), Set.of())));
    assertThat(new SavingsAccount().states().decode("savings-account.state.unopened", new JsonObject()))
      .isEqualTo(new Unopened(TransferSteps.NONE));
  }

  @Test
  void refundsWhatTheSagaSays() {
    account.after(new OpenAccount(USER, money("100")), new Withdraw(T1, money("30")))
      .when(new Refund(T1, money("30")))
      .thenEvents(new Refunded(T1, money("30.00")))
      .thenState(new Open(USER, money("100.00"), TransferSteps.NONE));
    account.after(new OpenAccount(USER, money("100")), new Withdraw(T1, money("30")), new Refund(T1, money("30")))
      .when(new Refund(T1, money("30.00"))).thenNoEvents();
    account.given(opened("100.00")).when(new Refund(T1, money("-30.00")))
      .thenRejected("Amount must be greater than zero, not -30.00");
  }

  // Steps of schema version 1, decided before step commands had ids: the state remembers them

  @Test
  void legacyStepsAreReadFromVersion1AndRemembered() {
    RecordCodec<SavingsAccountEvent> codec = new SavingsAccount().events();
    JsonObject v1 = new JsonObject().put("transferId", T1).put("amount", "60.00");
    assertThat(codec.decode("savings-account.withdrawn", 1, v1)).isEqualTo(new Withdrawn(T1, money("60.00"), true));
    var stepped = account.given(opened("100.00"), new Withdrawn(T1, money("60.00"), true),
      new Deposited(T2, money("5.00"), true));
    stepped.when(new Withdraw(T1, money("60.00"))).thenNoEvents()
      .thenState(new Open(USER, money("45.00"), new TransferSteps(Map.of(T1, money("60.00")), Set.of(T2), Set.of())));
    stepped.when(new Deposit(T2, money("5.00"))).thenNoEvents();
  }

  @Test
  void legacyDeclinesStayDeclinedAndHaveNothingToRefund() {
    var declined = account.given(new DepositDeclined(T2, money("5.00"), NOT_OPEN, true), opened("100.00"),
      new WithdrawalDeclined(T1, money("500.00"), "Insufficient funds", true), new Deposited("t3", money("900")));
    declined.when(new Withdraw(T1, money("500.00"))).thenNoEvents();
    declined.when(new Deposit(T2, money("5.00"))).thenNoEvents();
    declined.when(new Refund(T1, money("500.00")))
      .thenRejected("Transfer transfer-1 withdrew nothing here to refund: its withdrawal was declined");
  }

  @Test
  void aLegacyWithdrawalIsRefundedOnceAndOnlyForWhatItTook() {
    var withdrawn = account.given(opened("100.00"), new Withdrawn(T1, money("30.00"), true));
    withdrawn.when(new Refund(T1, money("30.01")))
      .thenRejected("The refund of transfer transfer-1 must be the 30.00 it withdrew, not 30.01");
    withdrawn.when(new Refund(T1, money("30"))).thenEvents(new Refunded(T1, money("30.00")));
    account.given(opened("100.00"), new Withdrawn(T1, money("30.00"), true), new Refunded(T1, money("30.00"), true))
      .when(new Refund(T1, money("30.00"))).thenNoEvents();
  }
}
