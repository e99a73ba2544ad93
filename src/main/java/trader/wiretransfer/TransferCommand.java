package trader.wiretransfer;

import java.math.BigDecimal;

/**
 * What can be asked of a {@link Transfer}: to start it, and to record the outcome of each step of the saga. The
 * transfer id (the entity id) makes them idempotent: recording a step that is already recorded changes nothing.
 */
public sealed interface TransferCommand {

  /** User {@code userId} asks to move {@code amount} from {@code from} to {@code to}. */
  record RequestTransfer(String transferId, String userId, Endpoint from, Endpoint to, BigDecimal amount)
    implements TransferCommand {
  }

  /**
   * The source gave the money, or did not and said why ({@code reason}, required when it failed): the source's
   * withdrawn or withdrawal-declined event.
   */
  record RecordWithdrawal(boolean succeeded, String reason) implements TransferCommand {
  }

  /**
   * The target took the money, or did not and said why ({@code reason}, required when it failed): the target's
   * deposited or deposit-declined event.
   */
  record RecordDeposit(boolean succeeded, String reason) implements TransferCommand {
  }

  /** The source has the money back after a failed deposit. */
  record RecordRefund() implements TransferCommand {
  }
}
