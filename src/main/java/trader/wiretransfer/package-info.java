/**
 * The wire-transfer context's pure domain: {@link trader.wiretransfer.Transfer}, the state of the saga that moves
 * money between a user's savings account and portfolios (withdraw, deposit, refund on a failed deposit). No I/O, no
 * Vert.x.
 *
 * <p>Recording a step that is already recorded, in any later state, is accepted with no events (messages are
 * redelivered); recording the opposite outcome of a recorded step, or a step out of order, is rejected.
 *
 * <p>The steps themselves are done by the savings account and the portfolios, which never reject a well-formed step
 * for a business reason: each withdrawal or deposit ends in exactly one event there, carried out
 * ({@code savings-account.withdrawn}, {@code portfolio.cash-deposited}, ...) or declined with a reason
 * ({@code savings-account.withdrawal-declined}, {@code portfolio.cash-deposit-declined}, ...), and each carries the
 * transfer id and the amount. That event alone is the step's outcome to record here; a declined step stays declined
 * on the account however often it is redelivered, so a transfer recorded as failed never moves money later.
 */
package trader.wiretransfer;
