/**
 * The wire-transfer context's pure domain: {@link trader.wiretransfer.Transfer}, the state of the saga that moves
 * money between a user's savings account and portfolios (withdraw, deposit, refund on a failed deposit). No I/O, no
 * Vert.x.
 *
 * <p>Recording a step that is already recorded, in any later state, is accepted with no events (messages are
 * redelivered); recording the opposite outcome of a recorded step, or a step out of order, is rejected.
 */
package trader.wiretransfer;
