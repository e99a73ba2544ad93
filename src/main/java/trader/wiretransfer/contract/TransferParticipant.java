package trader.wiretransfer.contract;

import trader.eventsourcing.entity.Decision;
import trader.money.Money;
import trader.wiretransfer.contract.TransferStep.Step;

import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * How a participant of wire transfers (a savings account, a portfolio) decides the steps on its money; part of the
 * saga's contract, so that every participant follows the same rules.
 *
 * <p>A step's command is named by its transfer and kind ({@link #commandId}): the entity runtime lets it take effect
 * once, however often and however late it is delivered again (its event's id derives from that name, and the
 * journal refuses it twice), so a participant keeps no record of the steps it decided. {@link TransferSteps} holds
 * only those decided before step ids existed (events of schema version 1), and never grows.
 *
 * <p>A withdrawal or deposit the participant cannot do is declined, not rejected: it is accepted with a declined
 * event that tells the transfer why, and it stays declined when delivered again, whatever the balance is by then.
 * Only a malformed step (no transfer id, an amount that is not a positive number of cents) is rejected. A refund is
 * the saga's: it publishes one only after a withdrawal it recorded, for that withdrawal's amount.
 *
 * @param <E> the participant's events
 */
public final class TransferParticipant<E> {

  /** The participant's event for each outcome of a step (its records' constructors, typically). */
  public record Outcomes<E>(Done<E> withdrawn, Declined<E> withdrawalDeclined, Done<E> deposited,
                            Declined<E> depositDeclined, Done<E> refunded) {
  }

  /** The event of a step carried out. */
  public interface Done<E> {
    E of(String transferId, BigDecimal amount);
  }

  /** The event of a step declined, with the reason. */
  public interface Declined<E> {
    E of(String transferId, BigDecimal amount, String reason);
  }

  /**
   * The upcast of a step event from schema version 1 to 2: version 1 was written before step commands had ids, so
   * the participant's state remembers its transfer id (it is {@code legacy}).
   */
  public static final UnaryOperator<JsonObject> LEGACY = json -> json.put("legacy", true);

  private final Outcomes<E> outcomes;

  public TransferParticipant(Outcomes<E> outcomes) {
    this.outcomes = outcomes;
  }

  /** The id of the participant's command for {@code step} of transfer {@code transferId}. */
  public static String commandId(Step step, String transferId) {
    return step.wire() + ":" + transferId;
  }

  /**
   * Withdrawal of {@code amount} for transfer {@code transferId}; {@code cannotGive} says why the participant cannot
   * give an amount (null when it can).
   */
  public Decision<E> withdraw(TransferSteps legacy, String transferId, BigDecimal amount,
                              Function<BigDecimal, String> cannotGive) {
    String problem = problem(transferId, amount);
    if (problem != null) {
      return Decision.reject(problem);
    }
    if (legacy.decidedWithdrawal(transferId)) {
      return Decision.accept(); // decided before step ids: carried out or declined, it never takes money again
    }
    BigDecimal cents = Money.cents(amount);
    String declined = cannotGive.apply(cents);
    return Decision.accept(declined != null ? outcomes.withdrawalDeclined().of(transferId, cents, declined)
      : outcomes.withdrawn().of(transferId, cents));
  }

  /**
   * Deposit of {@code amount} for transfer {@code transferId}; {@code cannotTake} says why the participant cannot
   * take money (null when it can).
   */
  public Decision<E> deposit(TransferSteps legacy, String transferId, BigDecimal amount, String cannotTake) {
    String problem = problem(transferId, amount);
    if (problem != null) {
      return Decision.reject(problem);
    }
    if (legacy.decidedDeposit(transferId)) {
      return Decision.accept();
    }
    BigDecimal cents = Money.cents(amount);
    return Decision.accept(cannotTake != null ? outcomes.depositDeclined().of(transferId, cents, cannotTake)
      : outcomes.deposited().of(transferId, cents));
  }

  /**
   * Refund of what transfer {@code transferId} withdrew, because it could not be delivered. Accepted even where
   * deposits are not (a closed portfolio): the money must go back where it came from. A withdrawal recorded before
   * step ids is checked against its amount.
   */
  public Decision<E> refund(TransferSteps legacy, String transferId, BigDecimal amount) {
    String problem = problem(transferId, amount);
    if (problem != null) {
      return Decision.reject(problem);
    }
    if (legacy.refunded(transferId)) {
      return Decision.accept();
    }
    if (legacy.declinedWithdrawals().contains(transferId)) {
      return Decision.reject("Transfer " + transferId + " withdrew nothing here to refund: its withdrawal was declined");
    }
    BigDecimal withdrawn = legacy.withdrawals().get(transferId);
    if (withdrawn != null && withdrawn.compareTo(amount) != 0) {
      return Decision.reject("The refund of transfer " + transferId + " must be the " + Money.format(withdrawn)
        + " it withdrew, not " + Money.format(amount));
    }
    return Decision.accept(outcomes.refunded().of(transferId, Money.cents(amount)));
  }

  private static String problem(String transferId, BigDecimal amount) {
    if (transferId == null || transferId.isBlank()) {
      return "A transfer id is required";
    }
    return Money.positiveProblem("Amount", amount);
  }
}
