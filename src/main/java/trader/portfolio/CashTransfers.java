package trader.portfolio;

import trader.wiretransfer.contract.TransferSteps;
import trader.eventsourcing.entity.Decision;
import trader.money.Money;
import trader.portfolio.PortfolioCommand.DepositCash;
import trader.portfolio.PortfolioCommand.RefundCash;
import trader.portfolio.PortfolioCommand.WithdrawCash;
import trader.portfolio.PortfolioEvent.CashDepositDeclined;
import trader.portfolio.PortfolioEvent.CashDeposited;
import trader.portfolio.PortfolioEvent.CashRefunded;
import trader.portfolio.PortfolioEvent.CashWithdrawalDeclined;
import trader.portfolio.PortfolioEvent.CashWithdrawn;
import trader.portfolio.PortfolioState.Opened;
import trader.portfolio.PortfolioState.Unopened;

import java.math.BigDecimal;
import java.util.function.Function;

/**
 * Decides the wire-transfer steps on a portfolio's cash. A step already decided for its transfer id (carried out or
 * declined) is accepted without events, even once the portfolio is closed, so that redelivered steps are harmless.
 *
 * <p>A deposit or withdrawal the portfolio cannot do (not open, closed, too little available cash) is declined, not
 * rejected: it is accepted with a {@link CashDepositDeclined} or {@link CashWithdrawalDeclined} event that tells the
 * transfer why, and it counts as decided, so that its redelivery moves no money later, whatever the cash is by then.
 * Only a malformed step (no transfer id, an amount not a positive number of cents) is rejected.
 */
final class CashTransfers {

  private CashTransfers() {
  }

  static Decision<PortfolioEvent> deposit(Unopened portfolio, DepositCash deposit) {
    return deposit(portfolio.cashSteps(), deposit, Portfolio.NOT_OPEN);
  }

  static Decision<PortfolioEvent> deposit(Opened portfolio, DepositCash deposit) {
    return deposit(portfolio.cashSteps(), deposit, portfolio.closed() ? Portfolio.CLOSED : null);
  }

  static Decision<PortfolioEvent> withdraw(Unopened portfolio, WithdrawCash withdraw) {
    return withdraw(portfolio.cashSteps(), withdraw, amount -> Portfolio.NOT_OPEN);
  }

  static Decision<PortfolioEvent> withdraw(Opened portfolio, WithdrawCash withdraw) {
    return withdraw(portfolio.cashSteps(), withdraw, amount -> cannotGive(portfolio, amount));
  }

  /** Why {@code portfolio} cannot give {@code amount} of cash; null if it can. */
  private static String cannotGive(Opened portfolio, BigDecimal amount) {
    if (portfolio.closed()) {
      return Portfolio.CLOSED;
    }
    // cash reserved by open buy orders is not there to take
    return portfolio.availableCash().compareTo(amount) < 0 ? Portfolio.insufficientFunds(portfolio, amount) : null;
  }

  /**
   * Decides {@code deposit} on a portfolio that has decided {@code steps}; {@code declineReason} says why the
   * portfolio cannot take money (null when it can).
   */
  private static Decision<PortfolioEvent> deposit(TransferSteps steps, DepositCash deposit, String declineReason) {
    if (isBlank(deposit.transferId())) {
      return Decision.reject("A transfer id is required");
    }
    if (steps.decidedDeposit(deposit.transferId())) {
      return Decision.accept(); // carried out or declined already
    }
    String problem = Money.positiveProblem("Amount", deposit.amount());
    if (problem != null) {
      return Decision.reject(problem);
    }
    BigDecimal amount = Money.cents(deposit.amount());
    return Decision.accept(declineReason != null
      ? new CashDepositDeclined(deposit.transferId(), amount, declineReason)
      : new CashDeposited(deposit.transferId(), amount));
  }

  /**
   * Decides {@code withdraw} on a portfolio that has decided {@code steps}; {@code declineReason} says why the
   * portfolio cannot give an amount (null when it can).
   */
  private static Decision<PortfolioEvent> withdraw(TransferSteps steps, WithdrawCash withdraw,
                                                   Function<BigDecimal, String> declineReason) {
    if (isBlank(withdraw.transferId())) {
      return Decision.reject("A transfer id is required");
    }
    if (steps.decidedWithdrawal(withdraw.transferId())) {
      return Decision.accept(); // carried out or declined already: a declined one never takes cash late
    }
    String problem = Money.positiveProblem("Amount", withdraw.amount());
    if (problem != null) {
      return Decision.reject(problem);
    }
    BigDecimal amount = Money.cents(withdraw.amount());
    String declined = declineReason.apply(amount);
    return Decision.accept(declined != null
      ? new CashWithdrawalDeclined(withdraw.transferId(), amount, declined)
      : new CashWithdrawn(withdraw.transferId(), amount));
  }

  /**
   * A refund is accepted even by a closed portfolio: the money has to go back where it came from, or the
   * transfer would strand it. A refund of a withdrawal that never happened is a bug of the caller: it is rejected.
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
