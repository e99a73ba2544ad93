package trader.wiretransfer;

import java.math.BigDecimal;

/** What has happened to a {@link Transfer}. */
public sealed interface TransferEvent {

  record TransferRequested(String transferId, String userId, Endpoint from, Endpoint to, BigDecimal amount)
    implements TransferEvent {
  }

  record WithdrawalSucceeded() implements TransferEvent {
  }

  /** Final: the source did not give the money. */
  record TransferFailed(String reason) implements TransferEvent {
  }

  /** Final: the money is in the target. */
  record TransferCompleted() implements TransferEvent {
  }

  /** The target refused the money; the source is to be refunded. */
  record DepositFailed(String reason) implements TransferEvent {
  }

  /** Final: the money is back in the source. */
  record TransferRefunded() implements TransferEvent {
  }
}
