package trader.accounts;

import java.math.BigDecimal;

/** A {@link SavingsAccount} as its events left it. */
public sealed interface SavingsAccountState {

  /** No account yet. */
  record Unopened() implements SavingsAccountState {
  }

  /** The account of {@code userId}: its balance (never negative) and the transfer steps it has applied. */
  record Open(String userId, BigDecimal balance, TransferSteps steps) implements SavingsAccountState {
  }
}
