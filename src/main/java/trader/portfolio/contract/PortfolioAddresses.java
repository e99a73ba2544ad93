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
 * </ul>
 */
public final class PortfolioAddresses {
  public static final String OPEN = "portfolio.open";
  public static final String LIST = "portfolio.list";
  public static final String GET = "portfolio.get";
  public static final String CLOSE = "portfolio.close";
  public static final String OWNS = "portfolio.owns";

  private PortfolioAddresses() {
  }
}
