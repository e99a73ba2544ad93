package trader.accounts;

/** What can be asked of a {@link User}. */
public sealed interface UserCommand {

  /**
   * Signs a user up under {@code username}. {@code userId} (a fresh UUID chosen by the caller) makes it idempotent:
   * a repeat with the same user id changes nothing. {@code passwordHash} is made elsewhere; the domain only keeps it.
   */
  record Register(String userId, String username, String passwordHash) implements UserCommand {
    @Override
    public String toString() {
      return "Register[userId=" + userId + ", username=" + username + ", passwordHash=***]";
    }
  }
}
