package trader.accounts;

import java.math.BigDecimal;

/** What has happened to a {@link SavingsAccount}. Amounts are at scale 2. */
public sealed interface SavingsAccountEvent {

  record AccountOpened(String userId, BigDecimal openingBalance) implements SavingsAccountEvent {
  }

  record Withdrawn(String transferId, BigDecimal amount) implements SavingsAccountEvent {
  }

  record Deposited(String transferId, BigDecimal amount) implements SavingsAccountEvent {
  }

  record Refunded(String transferId, BigDecimal amount) implements SavingsAccountEvent {
  }
}
