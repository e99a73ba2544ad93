package trader.accounts;

import java.math.BigDecimal;

/**
 * What has happened to a {@link SavingsAccount}. Amounts are at scale 2.
 *
 * <p>Every step of a wire transfer ends in exactly one event that carries its transfer id and amount, whether the
 * step was carried out or declined (then with the reason), so that the saga can settle the transfer from the event
 * alone.
 */
public sealed interface SavingsAccountEvent {

  record AccountOpened(String userId, BigDecimal openingBalance) implements SavingsAccountEvent {
  }

  record Withdrawn(String transferId, BigDecimal amount) implements SavingsAccountEvent {
  }

  /** The withdrawal of transfer {@code transferId} was not done ({@code reason}); nothing moved. */
  record WithdrawalDeclined(String transferId, BigDecimal amount, String reason) implements SavingsAccountEvent {
  }

  record Deposited(String transferId, BigDecimal amount) implements SavingsAccountEvent {
  }

  /** The deposit of transfer {@code transferId} was not taken ({@code reason}); nothing moved. */
  record DepositDeclined(String transferId, BigDecimal amount, String reason) implements SavingsAccountEvent {
  }

  record Refunded(String transferId, BigDecimal amount) implements SavingsAccountEvent {
  }
}
