package trader.portfolio;

import com.fasterxml.jackson.annotation.JsonInclude;

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

  record CashDeposited(String transferId, BigDecimal amount,
                      @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean legacy) implements PortfolioEvent {

    public CashDeposited(String transferId, BigDecimal amount) {
      this(transferId, amount, false);
    }
  }

  /** The deposit of transfer {@code transferId} was not taken ({@code reason}); nothing moved. */
  record CashDepositDeclined(String transferId, BigDecimal amount, String reason,
                            @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean legacy) implements PortfolioEvent {

    public CashDepositDeclined(String transferId, BigDecimal amount, String reason) {
      this(transferId, amount, reason, false);
    }
  }

  record CashWithdrawn(String transferId, BigDecimal amount,
                      @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean legacy) implements PortfolioEvent {

    public CashWithdrawn(String transferId, BigDecimal amount) {
      this(transferId, amount, false);
    }
  }

  /** The withdrawal of transfer {@code transferId} was not done ({@code reason}); nothing moved. */
  record CashWithdrawalDeclined(String transferId, BigDecimal amount, String reason,
                               @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean legacy) implements PortfolioEvent {

    public CashWithdrawalDeclined(String transferId, BigDecimal amount, String reason) {
      this(transferId, amount, reason, false);
    }
  }

  record CashRefunded(String transferId, BigDecimal amount,
                     @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean legacy) implements PortfolioEvent {

    public CashRefunded(String transferId, BigDecimal amount) {
      this(transferId, amount, false);
    }
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

  /** The trader asked to cancel open order {@code orderId}; it stays open (and reserved) until the broker ends it. */
  record OrderCancelRequested(String orderId) implements PortfolioEvent {
  }
}
