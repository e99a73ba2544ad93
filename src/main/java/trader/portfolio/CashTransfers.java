package trader.portfolio;

import trader.eventsourcing.entity.Decision;
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
import trader.wiretransfer.contract.TransferParticipant;

import java.math.BigDecimal;

/**
 * Decides the wire-transfer steps on a portfolio's cash, by the saga's rules ({@link TransferParticipant}): a
 * deposit or withdrawal the portfolio cannot do (not open, closed, too little available cash) is declined with an
 * event that tells the transfer why; a refund is taken even by a closed portfolio, since the money must go back.
 */
final class CashTransfers {

  private static final TransferParticipant<PortfolioEvent> RULES = new TransferParticipant<>(
    new TransferParticipant.Outcomes<>(CashWithdrawn::new, CashWithdrawalDeclined::new,
      CashDeposited::new, CashDepositDeclined::new, CashRefunded::new));

  private CashTransfers() {
  }

  static Decision<PortfolioEvent> deposit(Unopened portfolio, DepositCash deposit) {
    return RULES.deposit(portfolio.cashSteps(), deposit.transferId(), deposit.amount(), Portfolio.NOT_OPEN);
  }

  static Decision<PortfolioEvent> deposit(Opened portfolio, DepositCash deposit) {
    return RULES.deposit(portfolio.cashSteps(), deposit.transferId(), deposit.amount(),
      portfolio.closed() ? Portfolio.CLOSED : null);
  }

  static Decision<PortfolioEvent> withdraw(Unopened portfolio, WithdrawCash withdraw) {
    return RULES.withdraw(portfolio.cashSteps(), withdraw.transferId(), withdraw.amount(),
      amount -> Portfolio.NOT_OPEN);
  }

  static Decision<PortfolioEvent> withdraw(Opened portfolio, WithdrawCash withdraw) {
    return RULES.withdraw(portfolio.cashSteps(), withdraw.transferId(), withdraw.amount(),
      amount -> cannotGive(portfolio, amount));
  }

  static Decision<PortfolioEvent> refund(Opened portfolio, RefundCash refund) {
    return RULES.refund(portfolio.cashSteps(), refund.transferId(), refund.amount());
  }

  /** Why {@code portfolio} cannot give {@code amount} of cash; null if it can. */
  private static String cannotGive(Opened portfolio, BigDecimal amount) {
    if (portfolio.closed()) {
      return Portfolio.CLOSED;
    }
    // cash reserved by open buy orders is not there to take
    return portfolio.availableCash().compareTo(amount) < 0 ? Portfolio.insufficientFunds(portfolio, amount) : null;
  }
}
