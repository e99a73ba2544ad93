package trader.portfolio;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * What has happened to a {@link Portfolio}. Money is at scale 2.
 *
 * <p>Every cash step of a wire transfer ends in exactly one event that carries its transfer id and amount, whether
 * the step was carried out or declined (then with the reason), so that the saga can settle the transfer from the
 * event alone.
 */
public sealed interface PortfolioEvent {

  record PortfolioOpened(String portfolioId, String ownerId, String name) implements PortfolioEvent {
  }

  record PortfolioClosed() implements PortfolioEvent {
  }

  record CashDeposited(String transferId, BigDecimal amount) implements PortfolioEvent {
  }

  /** The deposit of transfer {@code transferId} was not taken ({@code reason}); nothing moved. */
  record CashDepositDeclined(String transferId, BigDecimal amount, String reason) implements PortfolioEvent {
  }

  record CashWithdrawn(String transferId, BigDecimal amount) implements PortfolioEvent {
  }

  /** The withdrawal of transfer {@code transferId} was not done ({@code reason}); nothing moved. */
  record CashWithdrawalDeclined(String transferId, BigDecimal amount, String reason) implements PortfolioEvent {
  }

  record CashRefunded(String transferId, BigDecimal amount) implements PortfolioEvent {
  }

  /** An order was accepted and its reservation made. */
  record OrderPlaced(Order order) implements PortfolioEvent {
  }

  /**
   * Order {@code orderId} was filled: {@code total} = price × quantity was paid (buy) or received (sell), and the
   * holding's cost basis changed by {@code costBasisChange} (+total for a buy, minus the average cost of the shares
   * sold for a sell). Its reservation is released.
   */
  record OrderFilled(String orderId, String symbol, Side side, long quantity, BigDecimal price, BigDecimal total,
                     BigDecimal costBasisChange, Instant filledAt) implements PortfolioEvent {
  }

  /** Order {@code orderId} ended without a fill; its reservation is released. */
  record OrderEnded(String orderId, OrderOutcome outcome, String reason) implements PortfolioEvent {
  }
}
