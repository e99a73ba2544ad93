package trader.portfolio;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * What can be asked of a {@link Portfolio}. Each command but closing carries the business id that makes it
 * idempotent (the portfolio id, a transfer id, an order id; see {@link Portfolio#commandId}): repeated, however
 * late, it changes nothing and is accepted. A cash step that was declined stays declined when repeated.
 */
public sealed interface PortfolioCommand {

  /** Opens portfolio {@code portfolioId} for user {@code ownerId}, named {@code name} (1 to 60 characters). */
  record OpenPortfolio(String portfolioId, String ownerId, String name) implements PortfolioCommand {
  }

  /** Closes the portfolio; only an empty one can be closed. */
  record ClosePortfolio() implements PortfolioCommand {
  }

  /** Adds {@code amount} to the cash, delivered by transfer {@code transferId}. */
  record DepositCash(String transferId, BigDecimal amount) implements PortfolioCommand {
  }

  /** Takes {@code amount} of available (unreserved) cash out for transfer {@code transferId}. */
  record WithdrawCash(String transferId, BigDecimal amount) implements PortfolioCommand {
  }

  /** Gives back what transfer {@code transferId} withdrew, because it could not be delivered. */
  record RefundCash(String transferId, BigDecimal amount) implements PortfolioCommand {
  }

  /**
   * Places an order and reserves what it needs: a buy reserves quantity × reserve price of cash, a sell reserves its
   * shares. {@code reservePrice} is read for buys only: a market or stop buy must give it (the caller's last ask plus
   * a collar); a limit or stop-limit buy reserves at its limit price, so it may leave it out or repeat the limit.
   */
  record PlaceOrder(String orderId, String symbol, Side side, long quantity, OrderType type, BigDecimal limitPrice,
                    BigDecimal stopPrice, TimeInForce timeInForce, BigDecimal reservePrice)
    implements PortfolioCommand {
  }

  /** The broker filled order {@code orderId}: all its {@code quantity}, at {@code price} per share. */
  record RecordFill(String orderId, BigDecimal price, long quantity, Instant filledAt) implements PortfolioCommand {
  }

  /** The broker ended order {@code orderId} without a fill ({@code outcome} REJECTED, CANCELLED or EXPIRED). */
  record RecordOrderEnd(String orderId, OrderOutcome outcome, String reason) implements PortfolioCommand {
  }

  /**
   * The trader wants open order {@code orderId} cancelled: the request goes to the broker, which ends the order
   * unless it filled first; its reservation is released when the broker's result comes back.
   */
  record RequestCancel(String orderId) implements PortfolioCommand {
  }
}
