package trader.wiretransfer.contract;

/**
 * The wiretransfer context's event-bus API (request/reply, JSON; failures carry the HTTP status they mean).
 * Endpoints are {@code {kind: "savings"|"portfolio", id}}; the gateway has checked that portfolios belong to the user.
 * <ul>
 *   <li>{@link #REQUEST} {@code {userId, from, to, amount}} → {@code {transferId, position}}</li>
 *   <li>{@link #LIST} {@code {userId, portfolioId?, position?}} → {@code {transfers: [...]}} newest first</li>
 *   <li>{@link #GET} {@code {userId, transferId, position?}} → the transfer; 404 for another user's</li>
 * </ul>
 */
public final class TransferAddresses {
  public static final String REQUEST = "transfers.request";
  public static final String LIST = "transfers.list";
  public static final String GET = "transfers.get";

  private TransferAddresses() {
  }
}
