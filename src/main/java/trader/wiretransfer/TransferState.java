package trader.wiretransfer;

import java.math.BigDecimal;

/** A {@link Transfer} as its events left it. */
public sealed interface TransferState {

  /** Nothing requested under this transfer id. */
  record Unrequested() implements TransferState {
  }

  /** A requested transfer and how far it got; {@code failureReason} is set once a step failed. */
  record Requested(String transferId, String userId, Endpoint from, Endpoint to, BigDecimal amount,
                   TransferStatus status, String failureReason) implements TransferState {

    Requested with(TransferStatus status, String failureReason) {
      return new Requested(transferId, userId, from, to, amount, status, failureReason);
    }
  }
}
