package trader.portfolio.contract;

/**
 * The portfolio context's event-bus API (request/reply, JSON; failures carry the HTTP status they mean). Every
 * request names the acting {@code userId}; another user's portfolio is answered as not found (404).
 * <ul>
 *   <li>{@link #OPEN} {@code {userId, name}} → {@code {portfolioId, position}}</li>
 *   <li>{@link #LIST} {@code {userId, position?}} → {@code {portfolios: [summary]}}</li>
 *   <li>{@link #GET} {@code {userId, portfolioId, position?}} → the portfolio view</li>
 *   <li>{@link #CLOSE} {@code {userId, portfolioId}} → {@code {position}}; 409 when not empty</li>
 *   <li>{@link #OWNS} {@code {userId, portfolioId}} → {@code {owned: true|false}}</li>
 *   <li>{@link #PLACE_ORDER} {@code {userId, portfolioId, order}} → {@code {orderId, position}}; 409 when it cannot
 *   be reserved or no quote is known yet</li>
 *   <li>{@link #LIST_ORDERS} {@code {userId, portfolioId, status?, position?}} → {@code {orders: [order]}}</li>
 *   <li>{@link #GET_ORDER} {@code {userId, orderId, position?}} → the order</li>
 *   <li>{@link #CANCEL_ORDER} {@code {userId, orderId}} → {@code {orderId, position}}: the cancel is asked of the
 *   broker (through Kafka); 409 when the order has ended</li>
 * </ul>
 */
public final class PortfolioAddresses {
  public static final String OPEN = "portfolio.open";
  public static final String LIST = "portfolio.list";
  public static final String GET = "portfolio.get";
  public static final String CLOSE = "portfolio.close";
  public static final String OWNS = "portfolio.owns";
  public static final String PLACE_ORDER = "portfolio.orders.place";
  public static final String LIST_ORDERS = "portfolio.orders.list";
  public static final String GET_ORDER = "portfolio.orders.get";
  public static final String CANCEL_ORDER = "portfolio.orders.cancel";

  private PortfolioAddresses() {
  }
}
