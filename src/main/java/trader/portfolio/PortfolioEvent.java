package trader.portfolio;

import java.math.BigDecimal;
import java.time.Instant;

/** What has happened to a {@link Portfolio}. Money is at scale 2. */
public sealed interface PortfolioEvent {

  record PortfolioOpened(String portfolioId, String ownerId, String name) implements PortfolioEvent {
  }

  record PortfolioClosed() implements PortfolioEvent {
  }

  record CashDeposited(String transferId, BigDecimal amount) implements PortfolioEvent {
  }

  record CashWithdrawn(String transferId, BigDecimal amount) implements PortfolioEvent {
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
