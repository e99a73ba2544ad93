/**
 * The portfolio context's pure domain: {@link trader.portfolio.Portfolio}, a user's cash, holdings and orders. No
 * I/O, no Vert.x.
 *
 * <p>Rules where there was a choice:
 * <ul>
 *   <li>Money and prices are whole cents (at most 2 decimals), so every total (price × whole shares) is exact
 *       cents and nothing is ever rounded, except the cost basis taken off by a partial sell: the average cost of
 *       the shares sold, rounded half-even to the cent; the last share sold takes what is left.</li>
 *   <li>A buy reserves quantity × reserve price at placement (the limit price for limit and stop-limit orders);
 *       its fill pays only from that reservation. The broker is given the reserve price and never fills above it,
 *       so a fill that would cost more is rejected and changes nothing.</li>
 *   <li>An order has one result: a fill of its whole quantity (no partial fills) or an end without a fill. The
 *       first result recorded wins; any later result for that order id is accepted with no events.</li>
 *   <li>Repeats (same transfer id per kind of cash step, same order id, same portfolio id) are accepted with no
 *       events, even on a closed portfolio. A rejection writes nothing, so a repeat of a rejected command is decided
 *       again: the same rejection while nothing it depends on has changed.</li>
 *   <li>Wire-transfer cash steps are never rejected for a business reason: the saga sends them at least once and
 *       learns their outcome from the portfolio's events alone. A withdrawal the portfolio cannot do (too little
 *       available cash, closed, not open) or a deposit it cannot take (closed, not open) is accepted with one event
 *       that declines it ({@code portfolio.cash-withdrawal-declined}, {@code portfolio.cash-deposit-declined}), with
 *       the transfer id, the amount and the reason. Nothing moves, and the step is decided for good: a redelivery,
 *       even once the cash is there, is accepted with no events, because the transfer has already been settled as
 *       failed. Every cash step event, carried out or declined, names its transfer and amount. Only a malformed step
 *       (no transfer id, an amount that is not a positive number of cents) is rejected, as is the refund of a
 *       withdrawal that never happened: both are bugs of the sender, not outcomes.</li>
 *   <li>A closed portfolio declines deposits and withdrawals and rejects orders, but accepts the refund of a
 *       withdrawal it made before closing, so that a transfer that could not deliver never strands the money.</li>
 * </ul>
 */
package trader.portfolio;
