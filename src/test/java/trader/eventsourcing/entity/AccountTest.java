package trader.eventsourcing.entity;

import org.junit.jupiter.api.Test;
import trader.eventsourcing.entity.Account.Command.Deposit;
import trader.eventsourcing.entity.Account.Command.Open;
import trader.eventsourcing.entity.Account.Command.Touch;
import trader.eventsourcing.entity.Account.Command.Withdraw;
import trader.eventsourcing.entity.Account.Event.Deposited;
import trader.eventsourcing.entity.Account.Event.Opened;
import trader.eventsourcing.entity.Account.Event.Withdrawn;
import trader.eventsourcing.entity.Account.State.Active;

import java.math.BigDecimal;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The domain test kit on the sample domain: each command, accepted and rejected. */
class AccountTest {

  private final EntityFixture<Account.Command, Account.Event, Account.State> account = EntityFixture.of(new Account());

  private static BigDecimal money(String amount) {
    return new BigDecimal(amount);
  }

  @Test
  void opens() {
    account.given().when(new Open("alice")).thenEvents(new Opened("alice"))
      .thenState(new Active("alice", BigDecimal.ZERO, 0, 0));
  }

  @Test
  void refusesToOpenWithoutOwnerOrTwice() {
    account.given().when(new Open(" ")).thenRejected("an account needs an owner");
    account.given(new Opened("alice")).when(new Open("bob")).thenRejected("the account is already open");
  }

  @Test
  void depositsKeepTheExactDecimalAmount() {
    account.given(new Opened("alice"), new Deposited(money("10.50"), 1))
      .when(new Deposit(money("0.25"), 2))
      .thenEvents(new Deposited(money("0.25"), 2))
      .thenState(new Active("alice", money("10.75"), 2, 2));
  }

  @Test
  void refusesDepositsToUnopenedAccountsAndNonPositiveAmounts() {
    account.given().when(new Deposit(money("1"), 1)).thenRejected("the account is not open");
    account.given(new Opened("alice")).when(new Deposit(money("0"), 1)).thenRejected("the amount must be positive");
  }

  @Test
  void withdrawsWhatIsThere() {
    account.given(new Opened("alice"), new Deposited(money("10"), 1))
      .when(new Withdraw(money("10"), 2))
      .thenEvents(new Withdrawn(money("10"), 2))
      .thenState(new Active("alice", money("0"), 2, 2));
  }

  @Test
  void refusesOverdraftsAndWithdrawalsFromUnopenedAccounts() {
    account.given(new Opened("alice"), new Deposited(money("10"), 1))
      .when(new Withdraw(money("10.01"), 2)).thenRejected("insufficient funds");
    account.given(new Opened("alice")).when(new Withdraw(money("-1"), 1)).thenRejected("the amount must be positive");
    account.given().when(new Withdraw(money("1"), 1)).thenRejected("the account is not open");
  }

  @Test
  void touchChangesNothing() {
    account.given().when(new Touch()).thenNoEvents().thenState(new Account.State.Unopened());
    account.given(new Opened("alice")).when(new Touch()).thenNoEvents();
  }

  @Test
  void theKitReportsWrongExpectations() {
    assertThatThrownBy(() -> account.given().when(new Open("alice")).thenEvents(new Opened("bob")))
      .isInstanceOf(AssertionError.class).hasMessageContaining("Opened[owner=alice]");
    assertThatThrownBy(() -> account.given().when(new Deposit(money("1"), 1)).thenEvents())
      .isInstanceOf(AssertionError.class).hasMessageContaining("rejected: the account is not open");
    assertThatThrownBy(() -> account.given().when(new Open("alice")).thenRejected("no"))
      .isInstanceOf(AssertionError.class).hasMessageContaining("accepted");
  }
}
