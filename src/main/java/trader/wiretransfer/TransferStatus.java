package trader.wiretransfer;

/** Where a wire transfer stands. COMPLETED, REFUNDED and FAILED are final. */
public enum TransferStatus {
  /** Requested; the withdrawal from the source is due. */
  REQUESTED,
  /** The source gave the money; the deposit into the target is due. */
  WITHDRAWN,
  /** The target refused the money; the refund to the source is due. */
  DEPOSIT_FAILED,
  /** The money is in the target. */
  COMPLETED,
  /** The money is back in the source. */
  REFUNDED,
  /** The source did not give the money; nothing moved. */
  FAILED
}
