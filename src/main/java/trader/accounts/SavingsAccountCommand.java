package trader.accounts;

import java.math.BigDecimal;

/**
 * What can be asked of a {@link SavingsAccount}. The money steps carry the id of the wire transfer they belong to,
 * which makes each of them idempotent (see {@link SavingsAccount#commandId}): a step repeated with the same transfer
 * id changes nothing, however late, whether it was carried out or declined the first time.
 */
public sealed interface SavingsAccountCommand {

  /** Opens the account of user {@code userId} with {@code openingBalance} (zero or more). */
  record OpenAccount(String userId, BigDecimal openingBalance) implements SavingsAccountCommand {
  }

  /** Takes {@code amount} out for transfer {@code transferId}; the balance never goes below zero. */
  record Withdraw(String transferId, BigDecimal amount) implements SavingsAccountCommand {
  }

  /** Puts {@code amount} in, delivered by transfer {@code transferId}. */
  record Deposit(String transferId, BigDecimal amount) implements SavingsAccountCommand {
  }

  /** Gives back what transfer {@code transferId} withdrew, because it could not be delivered. */
  record Refund(String transferId, BigDecimal amount) implements SavingsAccountCommand {
  }
}
