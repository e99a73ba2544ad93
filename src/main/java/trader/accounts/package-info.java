/**
 * The accounts context's pure domain: {@link trader.accounts.User} (a username and who holds it) and
 * {@link trader.accounts.SavingsAccount} (a user's money outside portfolios). No I/O, no Vert.x.
 *
 * <p>Idempotency: every command carries the business id that makes a repeat harmless (user id, transfer id). A repeat
 * of an accepted command is accepted with no events. A rejection writes nothing, so a repeat of a rejected command is
 * decided again: it gets the same rejection while nothing it depends on has changed (an invalid command, always).
 *
 * <p>Wire-transfer steps are never rejected for a business reason. The saga sends them at least once and learns
 * their outcome from the account's events alone, so a withdrawal the account cannot do (too little money, an account
 * not open) or a deposit it cannot take (an account not open) is accepted with one event that declines it
 * ({@code savings-account.withdrawal-declined}, {@code savings-account.deposit-declined}), with the transfer id, the
 * amount and the reason; nothing moves, and the step is decided for good: a redelivery, even once the money is
 * there, is accepted with no events, because the transfer has already been settled as failed. Every step event,
 * carried out or declined, names its transfer and amount. Only a malformed step (no transfer id, an amount that is
 * not a positive number of cents) is rejected, as is the refund of a withdrawal that never happened: both are bugs
 * of the sender, not outcomes.
 */
package trader.accounts;
