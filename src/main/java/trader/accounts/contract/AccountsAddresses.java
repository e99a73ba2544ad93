package trader.accounts.contract;

/**
 * The accounts context's event-bus API (request/reply, JSON). Failures carry the HTTP status they mean.
 * <ul>
 *   <li>{@link #SIGNUP} {@code {username, password}} → {@code {userId, username, position}}</li>
 *   <li>{@link #LOGIN} {@code {username, password}} → {@code {userId, username}}; 401, or 429 with
 *       {@code retryAfterSeconds} in the message</li>
 *   <li>{@link #SAVINGS} {@code {userId, position?}} → {@code {userId, balance}}</li>
 * </ul>
 */
public final class AccountsAddresses {
  public static final String SIGNUP = "accounts.signup";
  public static final String LOGIN = "accounts.login";
  public static final String SAVINGS = "accounts.savings";

  private AccountsAddresses() {
  }
}
