/**
 * The accounts context's pure domain: {@link trader.accounts.User} (a username and who holds it) and
 * {@link trader.accounts.SavingsAccount} (a user's money outside portfolios). No I/O, no Vert.x.
 *
 * <p>Idempotency: every command carries the business id that makes a repeat harmless (user id, transfer id). A repeat
 * of an accepted command is accepted with no events. A rejection writes nothing, so a repeat of a rejected command is
 * decided again: it gets the same rejection while nothing it depends on has changed (an invalid command, always).
 */
package trader.accounts;
