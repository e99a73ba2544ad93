package trader.accounts;

import trader.wiretransfer.contract.TransferSteps;
import java.math.BigDecimal;

/** A {@link SavingsAccount} as its events left it. */
public sealed interface SavingsAccountState {

  /**
   * No account yet. {@code steps} holds the transfer steps it declined meanwhile before step commands had ids (never
   * any money), so that they stay declined once it is open.
   */
  record Unopened(TransferSteps steps) implements SavingsAccountState {

    public Unopened {
      steps = steps == null ? TransferSteps.NONE : steps;
    }
  }

  /**
   * The account of {@code userId}: its balance (never negative) and the transfer steps it decided before step
   * commands had ids (it need not remember later ones).
   */
  record Open(String userId, BigDecimal balance, TransferSteps steps) implements SavingsAccountState {
  }
}
