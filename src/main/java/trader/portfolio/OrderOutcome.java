package trader.portfolio;

/** How an order ended: filled, or ended without a fill (rejected by the broker, cancelled, expired). */
public enum OrderOutcome {
  FILLED, REJECTED, CANCELLED, EXPIRED
}
