package trader.portfolio;

import trader.eventsourcing.entity.Decision;
import trader.money.Money;
import trader.portfolio.PortfolioCommand.DepositCash;
import trader.portfolio.PortfolioCommand.RefundCash;
import trader.portfolio.PortfolioCommand.WithdrawCash;
import trader.portfolio.PortfolioEvent.CashDeposited;
import trader.portfolio.PortfolioEvent.CashRefunded;
import trader.portfolio.PortfolioEvent.CashWithdrawn;
import trader.portfolio.PortfolioState.Opened;

import java.math.BigDecimal;

/**
 * Decides the wire-transfer steps on a portfolio's cash. A step already applied for its transfer id is accepted
 * without events, even once the portfolio is closed, so that redelivered steps are harmless.
 */
final class CashTransfers {

  private CashTransfers() {
  }

  static Decision<PortfolioEvent> deposit(Opened portfolio, DepositCash deposit) {
    if (isBlank(deposit.transferId())) {
      return Decision.reject("A transfer id is required");
    }
    if (portfolio.cashSteps().deposited(deposit.transferId())) {
      return Decision.accept();
    }
    if (portfolio.closed()) {
      return Portfolio.closedRejection();
    }
    String problem = Money.positiveProblem("Amount", deposit.amount());
    return problem != null ? Decision.reject(problem)
      : Decision.accept(new CashDeposited(deposit.transferId(), Money.cents(deposit.amount())));
  }

  static Decision<PortfolioEvent> withdraw(Opened portfolio, WithdrawCash withdraw) {
    if (isBlank(withdraw.transferId())) {
      return Decision.reject("A transfer id is required");
    }
    if (portfolio.cashSteps().withdrew(withdraw.transferId())) {
      return Decision.accept();
    }
    if (portfolio.closed()) {
      return Portfolio.closedRejection();
    }
    String problem = Money.positiveProblem("Amount", withdraw.amount());
    if (problem != null) {
      return Decision.reject(problem);
    }
    // cash reserved by open buy orders is not there to take
    if (portfolio.availableCash().compareTo(withdraw.amount()) < 0) {
      return Decision.reject(Portfolio.insufficientFunds(portfolio, withdraw.amount()));
    }
    return Decision.accept(new CashWithdrawn(withdraw.transferId(), Money.cents(withdraw.amount())));
  }

  /**
   * A refund is accepted even by a closed portfolio: the money has to go back where it came from, or the
   * transfer would strand it.
   */
  static Decision<PortfolioEvent> refund(Opened portfolio, RefundCash refund) {
    if (isBlank(refund.transferId())) {
      return Decision.reject("A transfer id is required");
    }
    if (portfolio.cashSteps().refunded(refund.transferId())) {
      return Decision.accept();
    }
    BigDecimal withdrawn = portfolio.cashSteps().withdrawals().get(refund.transferId());
    if (withdrawn == null) {
      return Decision.reject("Transfer " + refund.transferId() + " withdrew nothing from this portfolio to refund");
    }
    String problem = Money.positiveProblem("Amount", refund.amount());
    if (problem != null) {
      return Decision.reject(problem);
    }
    if (withdrawn.compareTo(refund.amount()) != 0) {
      return Decision.reject("The refund of transfer " + refund.transferId() + " must be the "
        + Money.format(withdrawn) + " it withdrew, not " + Money.format(refund.amount()));
    }
    return Decision.accept(new CashRefunded(refund.transferId(), withdrawn));
  }

  private static boolean isBlank(String id) {
    return id == null || id.isBlank();
  }
}
