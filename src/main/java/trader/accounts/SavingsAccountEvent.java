package trader.accounts;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.math.BigDecimal;

/**
 * What has happened to a {@link SavingsAccount}. Amounts are at scale 2.
 *
 * <p>Every step of a wire transfer ends in exactly one event that carries its transfer id and amount, whether the
 * step was carried out or declined (then with the reason), so that the saga can settle the transfer from the event
 * alone. Such events are at schema version 2: those of version 1 were decided before step commands had ids, and are
 * read as {@code legacy} (the state remembers their transfer ids, see {@code TransferSteps}).
 */
public sealed interface SavingsAccountEvent {

  record AccountOpened(String userId, BigDecimal openingBalance) implements SavingsAccountEvent {
  }

  record Withdrawn(String transferId, BigDecimal amount,
                  @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean legacy)
    implements SavingsAccountEvent {

    public Withdrawn(String transferId, BigDecimal amount) {
      this(transferId, amount, false);
    }
  }

  /** The withdrawal of transfer {@code transferId} was not done ({@code reason}); nothing moved. */
  record WithdrawalDeclined(String transferId, BigDecimal amount, String reason,
                           @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean legacy)
    implements SavingsAccountEvent {

    public WithdrawalDeclined(String transferId, BigDecimal amount, String reason) {
      this(transferId, amount, reason, false);
    }
  }

  record Deposited(String transferId, BigDecimal amount,
                  @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean legacy)
    implements SavingsAccountEvent {

    public Deposited(String transferId, BigDecimal amount) {
      this(transferId, amount, false);
    }
  }

  /** The deposit of transfer {@code transferId} was not taken ({@code reason}); nothing moved. */
  record DepositDeclined(String transferId, BigDecimal amount, String reason,
                        @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean legacy)
    implements SavingsAccountEvent {

    public DepositDeclined(String transferId, BigDecimal amount, String reason) {
      this(transferId, amount, reason, false);
    }
  }

  record Refunded(String transferId, BigDecimal amount,
                 @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean legacy)
    implements SavingsAccountEvent {

    public Refunded(String transferId, BigDecimal amount) {
      this(transferId, amount, false);
    }
  }
}
